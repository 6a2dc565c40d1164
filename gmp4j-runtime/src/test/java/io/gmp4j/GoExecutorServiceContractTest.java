package io.gmp4j;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GoExecutorService against the cases of the JDK's own tests for thread-per-task executors
 * (test/jdk/java/util/concurrent/ThreadPerTaskExecutor/ThreadPerTaskExecutorTest.java) and the
 * JSR-166 TCK's AbstractExecutorServiceTest and ExecutorsTest: what
 * {@code Executors.newVirtualThreadPerTaskExecutor()} does, GoExecutorService does, called from
 * a platform thread and from a goroutine at GOMAXPROCS 1 (the caller and every task share one P).
 */
@ExtendWith(GoLeakCheck.class)
class GoExecutorServiceContractTest {

    /** A long, interruptible task (a JDK sleep: interruptible in a goroutine too). */
    private static final Callable<Void> SLEEP_FOR_A_DAY = () -> {
        Thread.sleep(Duration.ofDays(1));
        return null;
    };

    private static GoExecutorService newExecutor() {
        return GoExecutorService.newGoroutinePerTaskExecutor();
    }

    /** Runs body on this (platform) thread, then in a goroutine at GOMAXPROCS 1, then 2. */
    private static void fromThreadAndGoroutine(GoTesting.ThrowingRunnable body) throws Throwable {
        int before = Go.numGoroutine();
        body.run();
        assertNoLeak(before);
        GoTesting.runG(1, body);
        GoTesting.runG(2, body);
        assertNoLeak(before);
    }

    /** Interrupts {@code t} from another thread once it is blocked (or at once: the outcome is the same). */
    private static Thread interruptWhenBlocked(Thread t) {
        return Thread.ofPlatform().daemon().start(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline) {
                Thread.State s = t.getState();
                if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                    break;
                }
                Thread.onSpinWait();
            }
            t.interrupt();
        });
    }

    @Test
    void eachTaskRunsInItsOwnGoroutine() throws Throwable {
        fromThreadAndGoroutine(() -> {
            List<Future<Long>> futures = new ArrayList<>();
            GoExecutorService ex = newExecutor();
            try (ex) {
                for (int i = 0; i < 100; i++) {
                    futures.add(ex.submit(Go::goid));
                }
            }
            assertTrue(ex.isTerminated());
            Set<Long> goids = new HashSet<>();
            for (Future<Long> f : futures) {
                assertTrue(f.isDone(), "close waited for every task");
                goids.add(f.resultNow());
            }
            assertEquals(100, goids.size(), "one goroutine per task");
            assertFalse(goids.contains(Go.goid()));
        });
    }

    /** One goroutine per accepted task while it runs, none after (the executor's task count). */
    @Test
    void goroutineCountFollowsTasks() throws Throwable {
        int before = Go.numGoroutine();
        GoExecutorService ex = newExecutor();
        CountDownLatch started = new CountDownLatch(10);
        List<Future<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(ex.submit(() -> {
                started.countDown();
                return SLEEP_FOR_A_DAY.call();
            }));
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertEquals(before + 10, Go.numGoroutine());
        assertEquals(List.of(), ex.shutdownNow());
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
        for (Future<Void> f : futures) {
            assertEquals(Future.State.FAILED, f.state());
            assertInstanceOf(InterruptedException.class, f.exceptionNow());
        }
        assertNoLeak(before);
    }

    @Test
    void shutdownTransitions() throws Throwable {
        fromThreadAndGoroutine(() -> {
            GoExecutorService ex = newExecutor();
            try (ex) {
                assertFalse(ex.isShutdown());
                assertFalse(ex.isTerminated());
                assertFalse(ex.awaitTermination(10, TimeUnit.MILLISECONDS));
                Future<?> result = ex.submit(SLEEP_FOR_A_DAY);
                try {
                    ex.shutdown();
                    assertTrue(ex.isShutdown());
                    assertFalse(ex.isTerminated());
                    assertFalse(ex.awaitTermination(200, TimeUnit.MILLISECONDS));
                    ex.shutdown(); // again: no effect
                    assertFalse(ex.isTerminated());
                } finally {
                    assertTrue(result.cancel(true));
                }
                assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
                assertTrue(ex.isTerminated());
                assertEquals(Future.State.CANCELLED, result.state());
                assertThrows(CancellationException.class, result::get);
                assertThrows(IllegalStateException.class, result::resultNow);
                assertThrows(IllegalStateException.class, result::exceptionNow);
            }
            // shut down with nothing running: terminated at once
            GoExecutorService empty = newExecutor();
            empty.shutdown();
            assertTrue(empty.isShutdown() && empty.isTerminated());
            assertTrue(empty.awaitTermination(0, TimeUnit.NANOSECONDS));
            assertEquals(List.of(), empty.shutdownNow());
            assertTrue(empty.isTerminated());
        });
    }

    @Test
    void shutdownNowInterruptsRunningTasks() throws Throwable {
        fromThreadAndGoroutine(() -> {
            GoExecutorService ex = newExecutor();
            try (ex) {
                CountDownLatch started = new CountDownLatch(1);
                Future<?> result = ex.submit(() -> {
                    started.countDown();
                    return SLEEP_FOR_A_DAY.call();
                });
                AtomicReference<Throwable> executed = new AtomicReference<>();
                CountDownLatch executedDone = new CountDownLatch(1);
                ex.execute(() -> {
                    try {
                        SLEEP_FOR_A_DAY.call();
                    } catch (Throwable e) {
                        executed.set(e);
                    } finally {
                        executedDone.countDown();
                    }
                });
                started.await();
                List<Runnable> tasks = ex.shutdownNow();
                assertTrue(ex.isShutdown());
                assertTrue(tasks.isEmpty());
                Throwable e = assertThrows(ExecutionException.class, result::get);
                assertInstanceOf(InterruptedException.class, e.getCause());
                assertTrue(executedDone.await(10, TimeUnit.SECONDS));
                assertInstanceOf(InterruptedException.class, executed.get());
                assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
                assertTrue(ex.isTerminated());
                assertThrows(RejectedExecutionException.class, () -> ex.execute(() -> {}));
            }
        });
    }

    @Test
    void closeWithNoTasks() throws Throwable {
        fromThreadAndGoroutine(() -> {
            GoExecutorService ex = newExecutor();
            ex.close();
            assertTrue(ex.isShutdown());
            assertTrue(ex.isTerminated());
            assertTrue(ex.awaitTermination(10, TimeUnit.MILLISECONDS));
            ex.close(); // already closed
            assertTrue(ex.isTerminated());
        });
    }

    @Test
    void closeWaitsForRunningTasks() throws Throwable {
        fromThreadAndGoroutine(() -> {
            Future<String> future;
            GoExecutorService ex = newExecutor();
            try (ex) {
                future = ex.submit(() -> {
                    Thread.sleep(Duration.ofMillis(50));
                    return "foo";
                });
            }
            assertTrue(ex.isShutdown());
            assertTrue(ex.isTerminated());
            assertTrue(ex.awaitTermination(10, TimeUnit.MILLISECONDS));
            assertEquals("foo", future.resultNow());
            assertFalse(Thread.currentThread().isInterrupted());
        });
    }

    /** close with the interrupt set: shutdownNow, wait, the interrupt set again. */
    @Test
    void closeWithInterruptSetCancelsTasks() throws Throwable {
        fromThreadAndGoroutine(() -> {
            Future<?> future;
            GoExecutorService ex = newExecutor();
            try {
                try (ex) {
                    future = ex.submit(SLEEP_FOR_A_DAY);
                    Thread.currentThread().interrupt();
                }
            } finally {
                assertTrue(Thread.interrupted(), "close sets the interrupt again");
            }
            assertTrue(ex.isShutdown());
            assertTrue(ex.isTerminated());
            assertTrue(ex.awaitTermination(10, TimeUnit.MILLISECONDS));
            ExecutionException e = assertThrows(ExecutionException.class, future::get);
            assertInstanceOf(InterruptedException.class, e.getCause());
        });
    }

    /** close interrupted while it waits: shutdownNow, wait, the interrupt set again. */
    @Test
    void closeInterruptedWhileWaiting() throws Throwable {
        fromThreadAndGoroutine(() -> {
            Future<?> future;
            GoExecutorService ex = newExecutor();
            Thread interrupter;
            try {
                try (ex) {
                    future = ex.submit(SLEEP_FOR_A_DAY);
                    interrupter = interruptWhenBlocked(Thread.currentThread());
                }
            } finally {
                assertTrue(Thread.interrupted(), "close sets the interrupt again");
            }
            interrupter.join();
            assertTrue(ex.isTerminated());
            ExecutionException e = assertThrows(ExecutionException.class, future::get);
            assertInstanceOf(InterruptedException.class, e.getCause());
        });
    }

    /** close on a terminated executor returns at once and leaves a pending interrupt alone. */
    @Test
    void closeWhenTerminatedKeepsTheInterrupt() throws Throwable {
        fromThreadAndGoroutine(() -> {
            GoExecutorService ex = newExecutor();
            ex.submit(() -> "done").get();
            ex.shutdown();
            assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
            Thread.currentThread().interrupt();
            try {
                ex.close();
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt was not consumed");
            } finally {
                Thread.interrupted();
            }
        });
    }

    /** A task may shut down its own executor: what runs finishes; later tasks are rejected. */
    @Test
    void taskShutsDownItsOwnExecutor() throws Throwable {
        fromThreadAndGoroutine(() -> {
            GoExecutorService ex = newExecutor();
            Future<Boolean> f = ex.submit(() -> {
                ex.shutdown();
                assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> 1));
                return ex.isTerminated();
            });
            assertFalse(f.get(10, TimeUnit.SECONDS), "terminated while a task ran");
            assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));

            GoExecutorService ex2 = newExecutor();
            Future<Boolean> g = ex2.submit(() -> {
                ex2.shutdownNow(); // interrupts this task's own goroutine too
                return Thread.currentThread().isInterrupted();
            });
            assertTrue(g.get(10, TimeUnit.SECONDS), "shutdownNow interrupted the calling task");
            ex2.close();
            assertTrue(ex2.isTerminated());
        });
    }

    /** A task that closes another executor waits for that one's tasks. */
    @Test
    void taskClosesAnotherExecutor() throws Throwable {
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService outer = newExecutor()) {
                GoExecutorService inner = newExecutor();
                CountDownLatch release = new CountDownLatch(1);
                Future<String> innerTask = inner.submit(() -> {
                    release.await();
                    return "inner";
                });
                Future<Boolean> closer = outer.submit(() -> {
                    inner.close();
                    return inner.isTerminated() && innerTask.isDone();
                });
                assertThrows(TimeoutException.class, () -> closer.get(100, TimeUnit.MILLISECONDS));
                release.countDown();
                assertTrue(closer.get(10, TimeUnit.SECONDS));
                assertEquals("inner", innerTask.resultNow());
            }
        });
    }

    @Test
    void awaitTermination() throws Throwable {
        fromThreadAndGoroutine(() -> {
            GoExecutorService ex = newExecutor();
            assertFalse(ex.awaitTermination(100, TimeUnit.MILLISECONDS));
            ex.close();
            assertTrue(ex.awaitTermination(100, TimeUnit.MILLISECONDS));
            assertThrows(NullPointerException.class, () -> ex.awaitTermination(1, null));

            GoExecutorService ex2 = newExecutor();
            CountDownLatch release = new CountDownLatch(1);
            Future<?> result = ex2.submit(() -> {
                release.await();
                return null;
            });
            ex2.shutdown();
            assertFalse(ex2.awaitTermination(100, TimeUnit.MILLISECONDS));
            // interrupted while waiting: InterruptedException, the interrupt consumed
            Thread interrupter = interruptWhenBlocked(Thread.currentThread());
            assertThrows(InterruptedException.class, () -> ex2.awaitTermination(1, TimeUnit.DAYS));
            assertFalse(Thread.currentThread().isInterrupted());
            interrupter.join();
            release.countDown();
            assertTrue(ex2.awaitTermination(10, TimeUnit.SECONDS));
            assertTrue(result.isDone());
        });
    }

    @Test
    void rejectedAfterShutdown() throws Throwable {
        fromThreadAndGoroutine(() -> {
            GoExecutorService ex = newExecutor();
            CountDownLatch release = new CountDownLatch(1);
            try (ex) {
                ex.submit(() -> {
                    release.await();
                    return null;
                });
                try {
                    ex.shutdown();
                    assertTrue(ex.isShutdown() && !ex.isTerminated());
                    assertRejectsEverything(ex);
                } finally {
                    release.countDown();
                }
            }
            assertRejectsEverything(ex); // terminated
        });
    }

    private static void assertRejectsEverything(GoExecutorService ex) {
        Callable<String> task1 = () -> "foo";
        Callable<String> task2 = () -> "bar";
        assertThrows(RejectedExecutionException.class, () -> ex.execute(() -> {}));
        assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> {}));
        assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> {}, "x"));
        assertThrows(RejectedExecutionException.class, () -> ex.submit(task1));
        assertThrows(RejectedExecutionException.class, () -> ex.invokeAny(List.of(task1, task2)));
        assertThrows(RejectedExecutionException.class, () -> ex.invokeAny(List.of(task1, task2), 1, TimeUnit.SECONDS));
        assertThrows(RejectedExecutionException.class, () -> ex.invokeAll(List.of(task1, task2)));
        assertThrows(RejectedExecutionException.class, () -> ex.invokeAll(List.of(task1, task2), 1, TimeUnit.SECONDS));
        assertThrows(RejectedExecutionException.class, () -> CompletableFuture.runAsync(() -> {}, ex));
        assertThrows(RejectedExecutionException.class, () -> CompletableFuture.supplyAsync(() -> 1, ex));
    }

    @Test
    void nullArguments() throws Throwable {
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                Callable<String> task = () -> "foo";
                List<Callable<String>> withNull = new ArrayList<>();
                withNull.add(() -> "foo");
                withNull.add(null);
                assertThrows(NullPointerException.class, () -> ex.execute(null));
                assertThrows(NullPointerException.class, () -> ex.submit((Runnable) null));
                assertThrows(NullPointerException.class, () -> ex.submit((Runnable) null, "x"));
                assertThrows(NullPointerException.class, () -> ex.submit((Callable<String>) null));
                assertThrows(NullPointerException.class, () -> ex.invokeAny(null));
                assertThrows(NullPointerException.class, () -> ex.invokeAny(null, 1, TimeUnit.SECONDS));
                assertThrows(NullPointerException.class, () -> ex.invokeAny(withNull));
                assertThrows(NullPointerException.class, () -> ex.invokeAny(withNull, 1, TimeUnit.SECONDS));
                assertThrows(NullPointerException.class, () -> ex.invokeAny(List.of(task), 1, null));
                assertThrows(NullPointerException.class, () -> ex.invokeAll(null));
                assertThrows(NullPointerException.class, () -> ex.invokeAll(null, 1, TimeUnit.SECONDS));
                assertThrows(NullPointerException.class, () -> ex.invokeAll(withNull));
                assertThrows(NullPointerException.class, () -> ex.invokeAll(withNull, 1, TimeUnit.SECONDS));
                assertThrows(NullPointerException.class, () -> ex.invokeAll(List.of(task), 1, null));
                assertFalse(ex.isShutdown());
            }
        });
    }

    @Test
    void invokeAnyReturnsAResult() throws Throwable {
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                Callable<String> task1 = () -> "foo";
                Callable<String> task2 = () -> "bar";
                String result = ex.invokeAny(Set.of(task1, task2));
                assertTrue("foo".equals(result) || "bar".equals(result));
                result = ex.invokeAny(Set.of(task1, task2), 1, TimeUnit.MINUTES);
                assertTrue("foo".equals(result) || "bar".equals(result));
                assertNull(ex.invokeAny(List.of(() -> null)));
            }
        });
    }

    /** invokeAny returns the first result and interrupts the tasks still running. */
    @Test
    void invokeAnyInterruptsTheLosers() throws Throwable {
        fromThreadAndGoroutine(() -> {
            for (boolean timed : new boolean[] {false, true}) {
                try (GoExecutorService ex = newExecutor()) {
                    AtomicBoolean task2Started = new AtomicBoolean();
                    AtomicReference<Throwable> task2Exception = new AtomicReference<>();
                    CountDownLatch task2Done = new CountDownLatch(1);
                    Callable<String> task1 = () -> "foo";
                    Callable<String> task2 = () -> {
                        task2Started.set(true);
                        try {
                            Thread.sleep(Duration.ofDays(1));
                        } catch (Exception e) {
                            task2Exception.set(e);
                        } finally {
                            task2Done.countDown();
                        }
                        return "bar";
                    };
                    List<Callable<String>> tasks = List.of(task1, task2);
                    String result = timed ? ex.invokeAny(tasks, 1, TimeUnit.MINUTES) : ex.invokeAny(tasks);
                    assertEquals("foo", result);
                    if (task2Started.get()) {
                        assertTrue(task2Done.await(10, TimeUnit.SECONDS));
                        assertInstanceOf(InterruptedException.class, task2Exception.get());
                    }
                }
            }
        });
    }

    @Test
    void invokeAnyWhenEveryTaskFails() throws Throwable {
        class FooException extends Exception {}
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                Callable<String> fails = () -> {
                    throw new FooException();
                };
                Callable<String> failsLater = () -> {
                    Thread.sleep(Duration.ofMillis(50));
                    throw new FooException();
                };
                for (List<Callable<String>> tasks : List.of(List.of(fails, fails), List.of(fails, failsLater), List.of(failsLater))) {
                    ExecutionException e = assertThrows(ExecutionException.class, () -> ex.invokeAny(tasks));
                    assertInstanceOf(FooException.class, e.getCause());
                    e = assertThrows(ExecutionException.class, () -> ex.invokeAny(tasks, 1, TimeUnit.MINUTES));
                    assertInstanceOf(FooException.class, e.getCause());
                }
                // an unchecked exception and an Error are failures too
                ExecutionException e = assertThrows(ExecutionException.class, () -> ex.invokeAny(List.of(() -> {
                    throw new IllegalStateException("x");
                })));
                assertInstanceOf(IllegalStateException.class, e.getCause());
                e = assertThrows(ExecutionException.class, () -> ex.invokeAny(List.of(() -> {
                    throw new AssertionError("y");
                })));
                assertInstanceOf(AssertionError.class, e.getCause());
            }
        });
    }

    @Test
    void invokeAnyWhenSomeTasksFail() throws Throwable {
        class FooException extends Exception {}
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                Callable<String> fails = () -> {
                    throw new FooException();
                };
                Callable<String> slowFoo = () -> {
                    Thread.sleep(Duration.ofMillis(50));
                    return "foo";
                };
                assertEquals("foo", ex.invokeAny(List.of(() -> "foo", fails)));
                assertEquals("foo", ex.invokeAny(List.of(fails, () -> "foo")));
                assertEquals("foo", ex.invokeAny(List.of(slowFoo, fails)));
                assertEquals("foo", ex.invokeAny(List.of(fails, slowFoo), 1, TimeUnit.MINUTES));
            }
        });
    }

    @Test
    void timedInvokeAnyTimesOutAndInterruptsTheTasks() throws Throwable {
        class FooException extends Exception {}
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                AtomicInteger interrupted = new AtomicInteger();
                Callable<String> slow = () -> {
                    try {
                        Thread.sleep(Duration.ofMinutes(1));
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        throw e;
                    }
                    return "slow";
                };
                Callable<String> fails = () -> {
                    throw new FooException();
                };
                assertThrows(TimeoutException.class, () -> ex.invokeAny(List.of(slow, slow), 500, TimeUnit.MILLISECONDS));
                assertThrows(TimeoutException.class, () -> ex.invokeAny(List.of(fails, slow), 500, TimeUnit.MILLISECONDS));
                assertThrows(TimeoutException.class, () -> ex.invokeAny(List.of(slow), 0, TimeUnit.SECONDS));
                assertThrows(TimeoutException.class, () -> ex.invokeAny(List.of(slow), -1, TimeUnit.SECONDS));
                // every started slow task is interrupted: close returns (the leak check sees none left)
            }
        });
    }

    @Test
    void invokeAnyInterrupted() throws Throwable {
        fromThreadAndGoroutine(() -> {
            for (boolean timed : new boolean[] {false, true}) {
                try (GoExecutorService ex = newExecutor()) {
                    AtomicInteger interrupted = new AtomicInteger();
                    AtomicInteger started = new AtomicInteger();
                    Callable<String> slow = () -> {
                        started.incrementAndGet();
                        try {
                            Thread.sleep(Duration.ofMinutes(1));
                        } catch (InterruptedException e) {
                            interrupted.incrementAndGet();
                            throw e;
                        }
                        return "slow";
                    };
                    Thread interrupter = interruptWhenBlocked(Thread.currentThread());
                    List<Callable<String>> tasks = List.of(slow, slow);
                    assertThrows(InterruptedException.class, () -> {
                        if (timed) {
                            ex.invokeAny(tasks, 1, TimeUnit.DAYS);
                        } else {
                            ex.invokeAny(tasks);
                        }
                    });
                    assertFalse(Thread.currentThread().isInterrupted());
                    interrupter.join();
                    ex.shutdown();
                    assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS), "a task was not interrupted");
                    assertEquals(started.get(), interrupted.get());
                }
            }
        });
    }

    /** invokeAny with the interrupt already set: InterruptedException, the interrupt consumed (JDK ThreadPerTaskExecutor). */
    @Test
    void invokeAnyWithInterruptSet() throws Throwable {
        fromThreadAndGoroutine(() -> {
            for (boolean timed : new boolean[] {false, true}) {
                try (GoExecutorService ex = newExecutor()) {
                    Callable<String> slow = () -> {
                        Thread.sleep(Duration.ofMinutes(1));
                        return "slow";
                    };
                    List<Callable<String>> tasks = List.of(slow, slow);
                    Thread.currentThread().interrupt();
                    try {
                        if (timed) {
                            ex.invokeAny(tasks, 1, TimeUnit.DAYS);
                        } else {
                            ex.invokeAny(tasks);
                        }
                        fail("invokeAny did not throw");
                    } catch (InterruptedException expected) {
                        assertFalse(Thread.currentThread().isInterrupted());
                    } finally {
                        Thread.interrupted();
                    }
                }
            }
        });
    }

    @Test
    void invokeAnyEmpty() throws Throwable {
        try (GoExecutorService ex = newExecutor()) {
            assertThrows(IllegalArgumentException.class, () -> ex.invokeAny(Set.of()));
            assertThrows(IllegalArgumentException.class, () -> ex.invokeAny(Set.of(), 1, TimeUnit.MINUTES));
        }
    }

    @Test
    void invokeAllWaitsForEveryTask() throws Throwable {
        class FooException extends Exception {}
        class BarException extends Exception {}
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                Callable<String> task1 = () -> "foo";
                Callable<String> task2 = () -> {
                    Thread.sleep(Duration.ofMillis(50));
                    return "bar";
                };
                for (List<Future<String>> list : List.of(ex.invokeAll(List.of(task1, task2)),
                        ex.invokeAll(List.of(task1, task2), 1, TimeUnit.DAYS))) {
                    assertEquals(2, list.size());
                    assertTrue(list.stream().allMatch(Future::isDone));
                    assertEquals(List.of("foo", "bar"), list.stream().map(Future::resultNow).toList());
                    assertTrue(list.stream().allMatch(f -> f.state() == Future.State.SUCCESS));
                }
                Callable<String> fails1 = () -> {
                    throw new FooException();
                };
                Callable<String> fails2 = () -> {
                    Thread.sleep(Duration.ofMillis(50));
                    throw new BarException();
                };
                for (List<Future<String>> list : List.of(ex.invokeAll(List.of(fails1, fails2)),
                        ex.invokeAll(List.of(fails1, fails2), 1, TimeUnit.DAYS))) {
                    assertEquals(2, list.size());
                    assertTrue(list.stream().allMatch(Future::isDone));
                    assertInstanceOf(FooException.class, assertThrows(ExecutionException.class, () -> list.get(0).get()).getCause());
                    assertInstanceOf(BarException.class, list.get(1).exceptionNow());
                    assertEquals(Future.State.FAILED, list.get(1).state());
                }
                assertEquals(List.of(), ex.invokeAll(Set.<Callable<Object>>of()));
                assertEquals(List.of(), ex.invokeAll(Set.<Callable<Object>>of(), 1, TimeUnit.SECONDS));
            }
        });
    }

    /** Timed invokeAll: tasks not done by the deadline are cancelled, and their goroutines interrupted. */
    @Test
    void timedInvokeAllCancelsLateTasks() throws Throwable {
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                AtomicReference<Exception> exc = new AtomicReference<>();
                CountDownLatch task2Done = new CountDownLatch(1);
                Callable<String> task1 = () -> "foo";
                Callable<String> task2 = () -> {
                    try {
                        Thread.sleep(Duration.ofDays(1));
                        return "bar";
                    } catch (Exception e) {
                        exc.set(e);
                        throw e;
                    } finally {
                        task2Done.countDown();
                    }
                };
                List<Future<String>> list = ex.invokeAll(List.of(task1, task2), 500, TimeUnit.MILLISECONDS);
                assertEquals(2, list.size());
                assertTrue(list.stream().allMatch(Future::isDone));
                assertEquals("foo", list.get(0).get());
                assertTrue(list.get(1).isCancelled());
                assertEquals(Future.State.CANCELLED, list.get(1).state());
                // task2 may not have started when cancelled; if it did, it is interrupted
                if (exc.get() != null || task2Done.await(100, TimeUnit.MILLISECONDS)) {
                    assertInstanceOf(InterruptedException.class, exc.get());
                }
                // zero and negative timeouts: every task cancelled or done
                for (long t : new long[] {0, -1}) {
                    List<Future<String>> l = ex.invokeAll(List.of(task2, task2), t, TimeUnit.SECONDS);
                    assertTrue(l.stream().allMatch(Future::isCancelled));
                }
            }
        });
    }

    @Test
    void invokeAllInterrupted() throws Throwable {
        fromThreadAndGoroutine(() -> {
            for (int mode = 0; mode < 4; mode++) {
                boolean timed = (mode & 1) != 0;
                boolean preset = (mode & 2) != 0;
                try (GoExecutorService ex = newExecutor()) {
                    AtomicReference<Exception> exc = new AtomicReference<>();
                    CountDownLatch task2Done = new CountDownLatch(1);
                    AtomicBoolean task2Started = new AtomicBoolean();
                    Callable<String> task1 = () -> "foo";
                    Callable<String> task2 = () -> {
                        task2Started.set(true);
                        try {
                            Thread.sleep(Duration.ofMinutes(1));
                            return "bar";
                        } catch (Exception e) {
                            exc.set(e);
                            throw e;
                        } finally {
                            task2Done.countDown();
                        }
                    };
                    Thread interrupter = null;
                    if (preset) {
                        Thread.currentThread().interrupt();
                    } else {
                        interrupter = interruptWhenBlocked(Thread.currentThread());
                    }
                    try {
                        if (timed) {
                            ex.invokeAll(List.of(task1, task2), 1, TimeUnit.DAYS);
                        } else {
                            ex.invokeAll(List.of(task1, task2));
                        }
                        fail("invokeAll did not throw");
                    } catch (InterruptedException expected) {
                        assertFalse(Thread.currentThread().isInterrupted());
                    } finally {
                        Thread.interrupted();
                    }
                    if (interrupter != null) {
                        interrupter.join();
                    }
                    if (task2Started.get()) {
                        assertTrue(task2Done.await(10, TimeUnit.SECONDS), "task2 was not interrupted");
                        assertInstanceOf(InterruptedException.class, exc.get());
                    }
                }
            }
        });
    }

    /** cancel(true) of a submitted task interrupts its goroutine; cancel(false) does not. */
    @Test
    void cancelInterruptsTheTasksGoroutine() throws Throwable {
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                for (boolean mayInterrupt : new boolean[] {true, false}) {
                    CountDownLatch started = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    CountDownLatch ended = new CountDownLatch(1);
                    AtomicReference<Object> outcome = new AtomicReference<>();
                    Future<String> f = ex.submit(() -> {
                        started.countDown();
                        try {
                            release.await();
                            outcome.set("released");
                        } catch (InterruptedException e) {
                            outcome.set(e);
                        } finally {
                            ended.countDown();
                        }
                        return "done";
                    });
                    started.await();
                    assertEquals(Future.State.RUNNING, f.state());
                    assertThrows(IllegalStateException.class, f::resultNow);
                    assertThrows(IllegalStateException.class, f::exceptionNow);
                    assertTrue(f.cancel(mayInterrupt));
                    assertTrue(f.isCancelled() && f.isDone());
                    assertEquals(Future.State.CANCELLED, f.state());
                    assertThrows(CancellationException.class, f::get);
                    assertFalse(f.cancel(true), "already cancelled");
                    if (!mayInterrupt) {
                        assertFalse(ended.await(100, TimeUnit.MILLISECONDS), "cancel(false) interrupted the task");
                        release.countDown();
                    }
                    assertTrue(ended.await(10, TimeUnit.SECONDS));
                    if (mayInterrupt) {
                        assertInstanceOf(InterruptedException.class, outcome.get());
                    } else {
                        assertEquals("released", outcome.get());
                    }
                }
            }
        });
    }

    @Test
    void futureStates() throws Throwable {
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                Future<String> ok = ex.submit(() -> "foo");
                assertEquals("foo", ok.get(10, TimeUnit.SECONDS));
                assertEquals(Future.State.SUCCESS, ok.state());
                assertEquals("foo", ok.resultNow());
                assertThrows(IllegalStateException.class, ok::exceptionNow);
                assertFalse(ok.cancel(true));

                Future<String> failed = ex.submit(() -> {
                    throw new java.io.IOException("io");
                });
                assertThrows(ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
                assertEquals(Future.State.FAILED, failed.state());
                assertInstanceOf(java.io.IOException.class, failed.exceptionNow());
                assertThrows(IllegalStateException.class, failed::resultNow);

                Future<?> runnable = ex.submit(() -> {});
                assertNull(runnable.get(10, TimeUnit.SECONDS));
                Future<String> withResult = ex.submit(() -> {}, "given");
                assertSame("given", withResult.get(10, TimeUnit.SECONDS));

                Future<?> slow = ex.submit(SLEEP_FOR_A_DAY);
                assertThrows(TimeoutException.class, () -> slow.get(50, TimeUnit.MILLISECONDS));
                assertThrows(TimeoutException.class, () -> slow.get(0, TimeUnit.MILLISECONDS));
                assertTrue(slow.cancel(true));
            }
        });
    }

    @Test
    void completableFutures() throws Throwable {
        fromThreadAndGoroutine(() -> {
            try (GoExecutorService ex = newExecutor()) {
                long caller = Go.goid();
                assertEquals(42, CompletableFuture.supplyAsync(() -> 42, ex).get(10, TimeUnit.SECONDS));
                long ran = CompletableFuture.supplyAsync(Go::goid, ex).get(10, TimeUnit.SECONDS);
                assertTrue(ran > 0);
                assertNotSame(caller, ran);
                AtomicBoolean ranAsync = new AtomicBoolean();
                CompletableFuture.runAsync(() -> ranAsync.set(true), ex).get(10, TimeUnit.SECONDS);
                assertTrue(ranAsync.get());
                CompletableFuture<Integer> failing = CompletableFuture.supplyAsync(() -> {
                    throw new IllegalStateException("boom");
                }, ex);
                ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
                assertInstanceOf(IllegalStateException.class, e.getCause());
                CompletionException ce = assertThrows(CompletionException.class, failing::join);
                assertInstanceOf(IllegalStateException.class, ce.getCause());
                // a chain of async stages, each on its own goroutine
                int r = CompletableFuture.supplyAsync(() -> 1, ex)
                        .thenApplyAsync(x -> x + 1, ex)
                        .thenCombineAsync(CompletableFuture.supplyAsync(() -> 10, ex), Integer::sum, ex)
                        .get(10, TimeUnit.SECONDS);
                assertEquals(12, r);
            }
        });
    }

    /** The executor is usable as an ExecutorService in try-with-resources with many short tasks. */
    @Test
    void manyShortTasks() throws Throwable {
        fromThreadAndGoroutine(() -> {
            AtomicInteger ran = new AtomicInteger();
            ExecutorService ex = newExecutor();
            try (ex) {
                for (int i = 0; i < 1000; i++) {
                    ex.execute(ran::incrementAndGet);
                }
            }
            assertTrue(ex.isTerminated());
            assertEquals(1000, ran.get());
        });
    }
}
