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

    /**
     * invokeAny with a null element throws NullPointerException (ExecutorService.invokeAny: "if
     * tasks, or any of its elements are null"), as the JDK's thread-per-task executor does.
     * AbstractExecutorService starts the tasks one at a time and returned the first task's result
     * when it completed before the null element was reached.
     */
    @Test
    void invokeAnyWithANullElementAlwaysThrows() throws Exception {
        int before = Go.numGoroutine();
        try (GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor()) {
            List<Callable<String>> withNull = new ArrayList<>();
            withNull.add(() -> "foo");
            withNull.add(null);
            int returned = 0;
            for (int i = 0; i < GoTesting.scaled(1000); i++) {
                try {
                    ex.invokeAny(withNull);
                    returned++;
                } catch (NullPointerException expected) {
                }
                try {
                    ex.invokeAny(withNull, 10, TimeUnit.SECONDS);
                    returned++;
                } catch (NullPointerException expected) {
                }
            }
            assertEquals(0, returned, "invokeAny returned a result for tasks with a null element");
        }
        assertNoLeak(before);
    }

    /**
     * invokeAny called with the interrupt set throws InterruptedException and clears the
     * interrupt, as the JDK's thread-per-task executor does (ThreadPerTaskExecutorTest:
     * testInvokeAnyWithInterruptSet). AbstractExecutorService looks at the interrupt only when it
     * blocks, so it returned a task's result when one completed first, the interrupt still set.
     */
    @Test
    void invokeAnyWithTheInterruptSetThrowsInterruptedException() throws Exception {
        int before = Go.numGoroutine();
        try (GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor()) {
            List<Callable<String>> tasks = List.of(() -> "foo", () -> "bar");
            int returned = 0;
            for (int i = 0; i < GoTesting.scaled(1000); i++) {
                for (boolean timed : new boolean[] {false, true}) {
                    Thread.currentThread().interrupt();
                    try {
                        String r = timed ? ex.invokeAny(tasks, 10, TimeUnit.SECONDS) : ex.invokeAny(tasks);
                        assertTrue(Thread.interrupted(), "returned a result and lost the interrupt");
                        returned++;
                    } catch (InterruptedException expected) {
                        assertTrue(!Thread.currentThread().isInterrupted(), "InterruptedException clears the interrupt");
                    } finally {
                        Thread.interrupted();
                    }
                }
            }
            assertEquals(0, returned, "invokeAny returned a result with the interrupt set");
            // the arguments are checked first: a null unit, an empty collection
            Thread.currentThread().interrupt();
            assertThrows(NullPointerException.class, () -> ex.invokeAny(tasks, 1, null));
            assertThrows(IllegalArgumentException.class, () -> ex.invokeAny(List.<Callable<String>>of()));
            assertTrue(Thread.interrupted());
        }
        assertNoLeak(before);
    }

    /** The failure a task's future reports when the task called Go.goexit. */
    private static final String GOEXIT_MESSAGE = "runtime.Goexit: the task's goroutine exited before the task returned";

    /**
     * A submitted task that calls Go.goexit (panic.go: Goexit) runs its finally blocks, panics
     * nowhere, and fails its future with a public IllegalStateException: not cancelled, and not
     * the runtime's internal signal. Submit, invokeAll and the timed invokeAll alike.
     */
    @Test
    void submittedTaskThatGoexitsFailsItsFuture() throws Exception {
        int before = Go.numGoroutine();
        List<Throwable> panics = new java.util.concurrent.CopyOnWriteArrayList<>();
        PanicHandler old = Go.setPanicHandler((goid, p) -> panics.add(p));
        try (GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor()) {
            java.util.concurrent.atomic.AtomicInteger finallies = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger afterGoexit = new java.util.concurrent.atomic.AtomicInteger();
            Callable<Integer> goexits = () -> {
                try {
                    Go.goexit();
                    afterGoexit.incrementAndGet();
                    return 1;
                } finally {
                    finallies.incrementAndGet();
                }
            };
            Runnable goexitsRunnable = () -> {
                try {
                    Go.goexit();
                    afterGoexit.incrementAndGet();
                } finally {
                    finallies.incrementAndGet();
                }
            };
            List<Future<?>> failed = new ArrayList<>();
            failed.add(ex.submit(goexits));
            failed.add(ex.submit(goexitsRunnable));
            failed.add(ex.submit(goexitsRunnable, "result"));
            List<Future<Integer>> all = ex.invokeAll(List.of(goexits, () -> 7));
            failed.add(all.get(0));
            assertEquals(7, all.get(1).get());
            List<Future<Integer>> timed = ex.invokeAll(List.of(goexits, () -> 8), 10, TimeUnit.SECONDS);
            failed.add(timed.get(0));
            assertEquals(8, timed.get(1).get());
            for (Future<?> f : failed) {
                assertGoexitFailure(f);
            }
            assertEquals(5, finallies.get(), "finally blocks ran");
            assertEquals(0, afterGoexit.get(), "Goexit returned");
        } finally {
            assertNoLeak(before); // each goroutine ended, its Goexit unwound: a panic would have reached the handler by now
            Go.setPanicHandler(old);
        }
        assertEquals(List.of(), panics, "Goexit is no panic");
    }

    /**
     * The goroutine that runs a submitted task which calls Go.goexit ends through Goexit, as Go's
     * runtime.Goexit ends it: the task's run does not return, the caller's finally blocks run,
     * the future is already failed then, and nothing panics.
     */
    @Test
    void goexitInSubmittedTaskEndsItsGoroutine() throws Exception {
        int before = Go.numGoroutine();
        List<Throwable> panics = new java.util.concurrent.CopyOnWriteArrayList<>();
        PanicHandler old = Go.setPanicHandler((goid, p) -> panics.add(p));
        try (GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor()) {
            // newTaskFor is what submit runs on the task's goroutine; here on one of the test's,
            // whose frames after run() stand for the executor's.
            java.util.concurrent.RunnableFuture<Integer> task = ex.newTaskFor(() -> {
                Go.goexit();
                return 1;
            });
            List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Go.go(() -> {
                try {
                    task.run();
                    events.add("run returned");
                } finally {
                    events.add("finally, future " + task.state());
                    done.countDown();
                }
                events.add("after finally");
            });
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertNoLeak(before);
            assertEquals(List.of("finally, future FAILED"), events);
            assertGoexitFailure(task);
        } finally {
            Go.setPanicHandler(old);
        }
        assertEquals(List.of(), panics, "Goexit is no panic");
    }

    /**
     * invokeAny counts a task that called Go.goexit as failed: another task's result wins, and
     * when every task Goexits, invokeAny throws ExecutionException with the public failure.
     */
    @Test
    void invokeAnyTreatsGoexitAsFailure() throws Exception {
        int before = Go.numGoroutine();
        List<Throwable> panics = new java.util.concurrent.CopyOnWriteArrayList<>();
        PanicHandler old = Go.setPanicHandler((goid, p) -> panics.add(p));
        try (GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor()) {
            Callable<Integer> goexits = () -> {
                Go.goexit();
                return 1;
            };
            for (boolean timed : new boolean[] {false, true}) {
                java.util.concurrent.CountDownLatch exited = new java.util.concurrent.CountDownLatch(1);
                Callable<Integer> first = () -> {
                    try {
                        Go.goexit();
                        return 1;
                    } finally {
                        exited.countDown();
                    }
                };
                // The second task answers only once the first has Goexited: the failure came first.
                Callable<Integer> second = () -> {
                    assertTrue(exited.await(10, TimeUnit.SECONDS));
                    return 7;
                };
                List<Callable<Integer>> tasks = List.of(first, second);
                assertEquals(7, timed ? ex.invokeAny(tasks, 10, TimeUnit.SECONDS) : ex.invokeAny(tasks));
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> ex.invokeAny(List.of(goexits, goexits)));
            assertGoexitCause(e);
            e = assertThrows(ExecutionException.class, () -> ex.invokeAny(List.of(goexits), 10, TimeUnit.SECONDS));
            assertGoexitCause(e);
        } finally {
            assertNoLeak(before);
            Go.setPanicHandler(old);
        }
        assertEquals(List.of(), panics, "Goexit is no panic");
    }

    /**
     * execute(task) with a task that calls Go.goexit is {@code go task()} ending in Goexit: its
     * finally blocks run, nothing panics (a panic without a handler prints Go's report and
     * exits; here the handler would receive it), and every task executed after it runs.
     */
    @Test
    void executedTaskThatGoexitsEndsQuietlyAndLosesNoLaterTask() throws Exception {
        int before = Go.numGoroutine();
        List<Throwable> panics = new java.util.concurrent.CopyOnWriteArrayList<>();
        PanicHandler old = Go.setPanicHandler((goid, p) -> panics.add(p));
        try {
            GoExecutorService ex = GoExecutorService.newGoroutinePerTaskExecutor();
            java.util.concurrent.atomic.AtomicInteger finallies = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
            for (int i = 0; i < 200; i++) {
                ex.execute(() -> {
                    try {
                        Go.goexit();
                        ran.addAndGet(1_000_000); // never
                    } finally {
                        finallies.incrementAndGet();
                    }
                });
                ex.execute(ran::incrementAndGet);
            }
            ex.close(); // returns once every task ended: a Goexited one counts as ended
            assertTrue(ex.isTerminated());
            assertEquals(200, finallies.get());
            assertEquals(200, ran.get());
        } finally {
            assertNoLeak(before);
            Go.setPanicHandler(old);
        }
        assertEquals(List.of(), panics, "Goexit is no panic");
    }

    private static void assertGoexitFailure(Future<?> f) {
        assertGoexitCause(assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)));
        assertTrue(!f.isCancelled(), "Goexit is not a cancellation");
        assertEquals(Future.State.FAILED, f.state());
    }

    private static void assertGoexitCause(ExecutionException e) {
        assertEquals(IllegalStateException.class, e.getCause().getClass(), e.toString());
        assertEquals(GOEXIT_MESSAGE, e.getCause().getMessage());
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
