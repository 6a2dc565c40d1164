package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.testing.GoTesting.inGoroutine;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** The runtime's lock, shared by goroutines, Ms and platform threads (lock_futex.go). */
@ExtendWith(GoLeakCheck.class)
class RuntimeMutexTest {

    /**
     * Mutual exclusion between goroutines and platform threads: a plain counter incremented
     * under the lock loses no update, with more goroutines than Ps.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void excludesGoroutinesAndThreads(int procs) throws Exception {
        int before = Go.numGoroutine();
        RuntimeMutex mu = new RuntimeMutex();
        long[] counter = new long[1];
        int gs = 8, threads = 2, iters = 20_000;
        withProcs(procs, () -> {
            CountDownLatch done = new CountDownLatch(gs + threads);
            Runnable work = () -> {
                for (int i = 0; i < iters; i++) {
                    mu.lock();
                    try {
                        counter[0]++;
                    } finally {
                        mu.unlock();
                    }
                }
                done.countDown();
            };
            for (int g = 0; g < gs; g++) {
                Go.go(work);
            }
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ts.add(Thread.ofPlatform().start(work));
            }
            try {
                assertTrue(done.await(60, TimeUnit.SECONDS), "workers did not finish");
                for (Thread t : ts) {
                    t.join();
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals((long) (gs + threads) * iters, counter[0]);
        assertNoLeak(before);
    }

    /**
     * A contender for a lock whose holder is not running yields the OS thread (lock_futex.go:
     * osyield), not its goroutine: it stays mounted and its P runs no other G meanwhile (a
     * goroutine yield would, and that G would contend too while the holder waits for a CPU).
     * The holder here is a platform thread that keeps the lock for 50 ms.
     */
    @Test
    void aContendingGoroutineKeepsItsMAndP() {
        RuntimeMutex mu = new RuntimeMutex();
        withProcs(1, () -> inGoroutine(() -> {
            CountDownLatch held = new CountDownLatch(1);
            Thread holder = Thread.ofPlatform().start(() -> {
                mu.lock();
                held.countDown();
                try {
                    Thread.sleep(50); // how long the lock is held, not a synchronisation
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                } finally {
                    mu.unlock();
                }
            });
            try {
                held.await();
                M mp = M.current();
                P pp = mp.p;
                int runticks = pp.runticks;
                mu.lock();
                mu.unlock();
                assertSame(mp, M.current(), "the goroutine moved to another M");
                assertEquals(runticks, pp.runticks, "the P scheduled while the goroutine waited for the lock");
                holder.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }));
    }

    /** Park.osyield and Park.ossleep leave the goroutine mounted, its P unscheduled and its interrupt pending. */
    @Test
    void osyieldAndOssleepDoNotSwitchGoroutines() {
        withProcs(1, () -> inGoroutine(() -> {
            M mp = M.current();
            P pp = mp.p;
            int runticks = pp.runticks;
            for (int i = 0; i < 10; i++) {
                Park.osyield();
                Park.ossleep(100_000);
            }
            assertSame(mp, M.current());
            assertEquals(runticks, pp.runticks);
            Thread.currentThread().interrupt();
            long t0 = System.nanoTime();
            Park.ossleep(20_000_000);
            long slept = System.nanoTime() - t0;
            assertTrue(Thread.interrupted(), "ossleep consumed the goroutine's interrupt");
            assertTrue(slept >= 15_000_000, "a pending interrupt cut the sleep short: " + slept + " ns");
        }));
    }

    @Test
    void holderIsTracked() {
        RuntimeMutex mu = new RuntimeMutex();
        assertFalse(mu.heldByCurrentThread());
        mu.lock();
        assertTrue(mu.heldByCurrentThread());
        mu.unlock();
        assertFalse(mu.heldByCurrentThread());
    }

    /** Not reentrant: a second lock by the holder is a bug, caught (with -ea) instead of spinning forever. */
    @Test
    void relockByHolderIsAnError() {
        RuntimeMutex mu = new RuntimeMutex();
        mu.lock();
        try {
            assertThrows(AssertionError.class, mu::lock);
        } finally {
            mu.unlock();
        }
    }
}
