package io.gmp4j.xsync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.context.Context;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ports of the golang.org/x/sync/semaphore tests (semaphore_test.go, semaphore_example_test.go)
 * in Go's shape, where {@link SemaphoreTest} covers them in another.
 */
@ExtendWith(GoLeakCheck.class)
class SemaphorePortTest {

    /** semaphore_test.go: HammerWeighted (maxSleep 1 ms). */
    static void hammerWeighted(Semaphore sem, long n, int loops) {
        for (int i = 0; i < loops; i++) {
            sem.acquire(Context.background(), n);
            Time.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextLong(1_000_000)));
            sem.release(n);
        }
    }

    /**
     * semaphore_test.go: TestWeighted. GOMAXPROCS goroutines, goroutine i acquiring i at a time
     * (0 included). Go loops 10000/n times; 1000/n here (each loop sleeps up to 1 ms).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void weighted(int procs) {
        runG(procs, () -> {
            int n = Go.gomaxprocs(0);
            int loops = 1000 / n;
            Semaphore sem = new Semaphore(n);
            WaitGroup wg = new WaitGroup();
            wg.add(n);
            for (int i = 0; i < n; i++) {
                long weight = i;
                Go.go(() -> {
                    try {
                        hammerWeighted(sem, weight, loops);
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await();
            assertEquals(0, sem.held());
        });
    }

    /** semaphore_test.go: TestWeightedTryAcquire. */
    @Test
    void weightedTryAcquire() {
        Context ctx = Context.background();
        Semaphore sem = new Semaphore(2);
        List<Boolean> tries = new ArrayList<>();
        sem.acquire(ctx, 1);
        tries.add(sem.tryAcquire(1));
        tries.add(sem.tryAcquire(1));

        sem.release(2);

        tries.add(sem.tryAcquire(1));
        sem.acquire(ctx, 1);
        tries.add(sem.tryAcquire(1));

        assertEquals(List.of(true, false, true, false), tries);
    }

    /**
     * semaphore_test.go: TestWeightedAcquire. tryAcquire waits 100 ms (Go: 10) so that a loaded
     * machine does not time out an acquire that needs no wait.
     */
    @Test
    void weightedAcquire() {
        runG(2, () -> {
            Context ctx = Context.background();
            Semaphore sem = new Semaphore(2);
            java.util.function.LongPredicate tryAcquire = n -> {
                var t = Context.withTimeout(ctx, Duration.ofMillis(100));
                try {
                    return sem.acquire(t.ctx(), n) == null;
                } finally {
                    t.cancel().run();
                }
            };
            List<Boolean> tries = new ArrayList<>();
            sem.acquire(ctx, 1);
            tries.add(tryAcquire.test(1));
            tries.add(tryAcquire.test(1));

            sem.release(2);

            tries.add(tryAcquire.test(1));
            sem.acquire(ctx, 1);
            tries.add(tryAcquire.test(1));

            assertEquals(List.of(true, false, true, false), tries);
        });
    }

    /** semaphore_test.go: TestWeightedDoesntBlockIfTooBig, with an errgroup as Go's. */
    @Test
    void weightedDoesntBlockIfTooBig() {
        runG(2, () -> {
            int n = 2;
            Semaphore sem = new Semaphore(n);
            var c = Context.withCancel(Context.background());
            WaitGroup big = new WaitGroup();
            big.add(1);
            Go.go(() -> {
                try {
                    sem.acquire(c.ctx(), n + 1);
                } finally {
                    big.done();
                }
            });
            try {
                ErrGroup.WithContext wc = ErrGroup.withContext(Context.background());
                for (int i = n * 3; i > 0; i--) {
                    wc.group().go(() -> {
                        Throwable err = sem.acquire(wc.ctx(), 1);
                        if (err == null) {
                            Time.sleep(Duration.ofMillis(1));
                            sem.release(1);
                        }
                        if (err instanceof Exception e) {
                            throw e;
                        }
                    });
                }
                assertNull(wc.group().await(), "semaphore.NewWeighted(" + n + ") failed to AcquireCtx(_, 1) with AcquireCtx(_, "
                        + (n + 1) + ") pending");
            } finally {
                c.cancel().run();
            }
            big.await();
        });
    }

    /** semaphore_test.go: TestLargeAcquireDoesntStarve. Returning at all is success. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void largeAcquireDoesntStarve(int procs) {
        runG(procs, () -> {
            Context ctx = Context.background();
            long n = Go.gomaxprocs(0);
            Semaphore sem = new Semaphore(n);
            AtomicBoolean running = new AtomicBoolean(true);
            WaitGroup wg = new WaitGroup();
            wg.add((int) n);
            for (long i = n; i > 0; i--) {
                sem.acquire(ctx, 1);
                Go.go(() -> {
                    try {
                        while (running.get()) {
                            Time.sleep(Duration.ofMillis(1));
                            sem.release(1);
                            sem.acquire(ctx, 1);
                        }
                    } finally {
                        sem.release(1);
                        wg.done();
                    }
                });
            }
            sem.acquire(ctx, n);
            running.set(false);
            sem.release(n);
            wg.await();
        });
    }

    /** semaphore_test.go: TestAllocCancelDoesntStarve, in Go's shape (cancel races the small Acquire). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void allocCancelDoesntStarve(int procs) {
        runG(procs, () -> {
            Semaphore sem = new Semaphore(10);
            // Block off a portion of the semaphore so that Acquire(_, 10) can eventually succeed.
            sem.acquire(Context.background(), 1);
            // In the background, Acquire(_, 10).
            var c = Context.withCancel(Context.background());
            WaitGroup big = new WaitGroup();
            big.add(1);
            Go.go(() -> {
                try {
                    sem.acquire(c.ctx(), 10);
                } finally {
                    big.done();
                }
            });
            // Wait until the Acquire(_, 10) call blocks.
            while (sem.tryAcquire(1)) {
                sem.release(1);
                Go.gosched();
            }
            // Now try to grab a read lock, and simultaneously unblock the Acquire(_, 10) call.
            // Both Acquire calls should unblock and return, in either order.
            Go.go(c.cancel());
            assertNull(sem.acquire(Context.background(), 1), "Acquire(_, 1) failed unexpectedly");
            sem.release(1);
            big.await();
        });
    }

    /** semaphore_test.go: TestWeightedAcquireCanceled (go.dev/issue/63615). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void weightedAcquireCanceled(int procs) {
        runG(procs, () -> {
            Semaphore sem = new Semaphore(2);
            var c = Context.withCancel(Context.background());
            sem.acquire(Context.background(), 1);
            Chan<Void> ch = Chan.make(0);
            Go.go(() -> {
                // Synchronize with the Acquire(2) below.
                while (sem.tryAcquire(1)) {
                    sem.release(1);
                }
                // Now cancel ctx, and then release the token.
                c.cancel().run();
                sem.release(1);
                ch.close();
            });
            // Since the context closing happens before enough tokens become available,
            // this Acquire must fail.
            assertSame(Context.CANCELED, sem.acquire(c.ctx(), 2), "Acquire with canceled context");
            // There must always be two tokens in the semaphore after the other
            // goroutine releases the one we held at the start.
            ch.recv();
            assertTrue(sem.tryAcquire(2), "TryAcquire after canceled Acquire failed");
            // Additionally verify that we don't acquire with a done context even when
            // we wouldn't need to block to do so.
            sem.release(2);
            assertSame(Context.CANCELED, sem.acquire(c.ctx(), 1), "Acquire with canceled context");
        });
    }

    /** semaphore_example_test.go: collatzSteps. */
    static int collatzSteps(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("nonpositive input");
        }
        int steps = 0;
        for (; n > 1; steps++) {
            if (n % 2 == 0) {
                n /= 2;
                continue;
            }
            n = Math.multiplyExact(3, n) + 1;
        }
        return steps;
    }

    /** semaphore_example_test.go: Example_workerPool. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void exampleWorkerPool(int procs) {
        runG(procs, () -> {
            Context ctx = Context.todo();
            int maxWorkers = Go.gomaxprocs(0);
            Semaphore sem = new Semaphore(maxWorkers);
            int[] out = new int[32];
            // Compute the output using up to maxWorkers goroutines at a time.
            for (int i = 0; i < out.length; i++) {
                assertNull(sem.acquire(ctx, 1), "Failed to acquire semaphore");
                int idx = i;
                Go.go(() -> {
                    try {
                        out[idx] = collatzSteps(idx + 1);
                    } finally {
                        sem.release(1);
                    }
                });
            }
            // Acquire all of the tokens to wait for any remaining workers to finish.
            assertNull(sem.acquire(ctx, maxWorkers), "Failed to acquire semaphore");
            assertEquals("[0 1 7 2 5 8 16 3 19 6 14 9 9 17 17 4 12 20 20 7 7 15 15 10 23 10 111 18 18 18 106 5]",
                    Arrays.toString(out).replace(",", ""));
        });
    }
}
