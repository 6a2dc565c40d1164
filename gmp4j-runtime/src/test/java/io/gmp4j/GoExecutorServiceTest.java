package io.gmp4j;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import org.junit.jupiter.api.extension.ExtendWith;

/** GoExecutorService honours the ExecutorService contract, with every task on a goroutine. */
@ExtendWith(GoLeakCheck.class)
class GoExecutorServiceTest {

    @Test
    void tasksRunOnGoroutinesAndResultsArrive() throws Exception {
        int before = Go.numGoroutine();
        try (GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor()) {
            List<Callable<Long>> tasks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                tasks.add(Go::goid);
            }
            for (Future<Long> f : ex.invokeAll(tasks)) {
                assertTrue(f.get() > 0, "ran on a goroutine");
            }
            Future<?> failing = ex.submit(() -> {
                throw new IllegalStateException("task failed");
            });
            ExecutionException e = assertThrows(ExecutionException.class, failing::get);
            assertEquals("task failed", e.getCause().getMessage());
            assertEquals(42, CompletableFuture.supplyAsync(() -> 42, ex).get(10, TimeUnit.SECONDS));
        }
        assertNoLeak(before);
    }

    @Test
    void shutdownRejectsAndAwaitsRunningTasks() throws Exception {
        int before = Go.numGoroutine();
        GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ex.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        ex.shutdown();
        assertTrue(ex.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> ex.execute(() -> {}));
        assertTrue(!ex.awaitTermination(50, TimeUnit.MILLISECONDS), "terminated with a task running");
        release.countDown();
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(ex.isTerminated());
        assertNoLeak(before);
    }

    @Test
    void shutdownNowInterruptsJdkBlockingCalls() throws Exception {
        int before = Go.numGoroutine();
        GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        Future<?> f = ex.submit(() -> {
            started.countDown();
            Thread.sleep(60_000);
            return null;
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        ex.shutdownNow();
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertTrue(e.getCause() instanceof InterruptedException);
        assertNoLeak(before);
    }

    /**
     * A task accepted but not yet started when shutdownNow runs is interrupted as it starts (the
     * JDK's thread-per-task executor: its thread is started, so it is interrupted).
     */
    @Test
    void shutdownNowInterruptsTasksNotYetStarted() throws Exception {
        int before = Go.numGoroutine();
        // At GOMAXPROCS 1 from a goroutine: the task's goroutine waits in our P's runnext.
        GoTesting.runG(1, () -> assertInterruptedAtOnce(shutdownNowAfterSubmit()));
        // From a platform thread: the task's goroutine may or may not have started; both end.
        for (int i = 0; i < 20; i++) {
            assertInterruptedAtOnce(shutdownNowAfterSubmit());
        }
        assertNoLeak(before);
    }

    /**
     * shutdownNow racing execute on another thread: every task that execute accepted is
     * interrupted (the JDK's thread-per-task executor: a thread is either rejected or seen by
     * shutdownNow). A task accepted just before shutdown, but not yet recorded, was missed and
     * blocked awaitTermination for good.
     */
    @Test
    void shutdownNowRacingExecuteInterruptsEveryAcceptedTask() throws Exception {
        int before = Go.numGoroutine();
        java.util.concurrent.atomic.AtomicReference<GoExecutorService> current = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable blockInterruptibly = () -> {
            try {
                new java.util.concurrent.CountDownLatch(1).await();
            } catch (InterruptedException e) {
                // shutdownNow: end
            }
        };
        // A platform thread, so that it executes in parallel with shutdownNow on this one.
        Thread submitter = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                GoExecutorService ex = current.get();
                if (ex == null) {
                    Thread.onSpinWait();
                    continue;
                }
                try {
                    ex.execute(blockInterruptibly);
                    accepted.incrementAndGet();
                } catch (RejectedExecutionException e) {
                    current.compareAndSet(ex, null);
                }
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (int i = 0; i < GoTesting.scaled(3000) && System.nanoTime() < deadline; i++) {
                GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor();
                int a = accepted.get();
                current.set(ex);
                while (accepted.get() == a) { // shut down while the submitter is in execute
                    Thread.onSpinWait();
                }
                ex.shutdownNow();
                assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS), "an accepted task was not interrupted, round " + i);
                while (current.get() != null) { // the submitter saw the rejection
                    Thread.onSpinWait();
                }
            }
        } finally {
            stop.set(true);
            submitter.join();
        }
        assertNoLeak(before);
    }

    /**
     * close (ExecutorService's contract): waits for the tasks, from a goroutine too; interrupted
     * while waiting, it calls shutdownNow, waits on, and returns with the interrupt set again.
     */
    @Test
    void closeWaitsAndAnInterruptBecomesShutdownNow() throws Exception {
        int before = Go.numGoroutine();
        GoTesting.runG(2, () -> {
            io.gmp4j.chan.Chan<Integer> release = io.gmp4j.chan.Chan.make(0);
            GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor();
            ex.execute(() -> release.recv());
            Go.go(() -> release.send(1));
            ex.close();
            assertTrue(ex.isTerminated());
            assertTrue(!Thread.currentThread().isInterrupted());

            GoExecutorService ex2 = GoExecutorService.newGoroutinePerTaskExecutor();
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            Future<?> sleeper = ex2.submit(() -> {
                started.countDown();
                Thread.sleep(60_000);
                return null;
            });
            try {
                started.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            Thread closer = Thread.currentThread();
            Go.go(closer::interrupt); // while close waits, or before: both end in shutdownNow
            ex2.close();
            assertTrue(Thread.interrupted(), "close sets the interrupt again");
            assertTrue(ex2.isTerminated());
            assertInterruptedAtOnce(sleeper);
        });
        assertNoLeak(before);
    }

    private static Future<?> shutdownNowAfterSubmit() throws InterruptedException {
        GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor();
        Future<?> f = ex.submit(() -> {
            Thread.sleep(60_000);
            return null;
        });
        assertEquals(List.of(), ex.shutdownNow());
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS), "the task ran on after shutdownNow");
        return f;
    }

    private static void assertInterruptedAtOnce(Future<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertTrue(e.getCause() instanceof InterruptedException, e.toString());
    }
}
