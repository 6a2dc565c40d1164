package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's sync/rwmutex_test.go. */
@ExtendWith(GoLeakCheck.class)
class RWMutexTest {

    /** rwmutex_test.go: TestParallelReaders. n readers hold the read lock at the same time. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void parallelReaders(int procs) {
        runG(procs, () -> {
            RWMutex m = new RWMutex();
            int n = 10;
            WaitGroup locked = new WaitGroup();
            WaitGroup release = new WaitGroup();
            WaitGroup done = new WaitGroup();
            locked.add(n);
            release.add(1);
            done.add(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    m.rLock();
                    locked.done();
                    release.await(); // every reader holds the lock here at once
                    m.rUnlock();
                    done.done();
                });
            }
            locked.await();
            assertFalse(m.tryLock(), "a writer got in while readers hold the lock");
            release.done();
            done.await();
            assertTrue(m.tryLock());
            m.unlock();
        });
    }

    /**
     * rwmutex_test.go: TestRWMutex (HammerRWMutex). Readers and writers keep an activity counter:
     * a reader sees no writer (activity < 10000), a writer sees nothing else (activity == 10000).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void hammer(int procs) {
        runG(procs, () -> {
            RWMutex rw = new RWMutex();
            AtomicInteger activity = new AtomicInteger();
            AtomicBoolean bad = new AtomicBoolean();
            int writers = 2, readers = 6, iters = 2000;
            WaitGroup wg = new WaitGroup();
            wg.add(writers + readers);
            for (int w = 0; w < writers; w++) {
                Go.go(() -> {
                    for (int i = 0; i < iters; i++) {
                        rw.lock();
                        if (activity.addAndGet(10000) != 10000) {
                            bad.set(true);
                        }
                        Go.gosched();
                        activity.addAndGet(-10000);
                        rw.unlock();
                    }
                    wg.done();
                });
            }
            for (int r = 0; r < readers; r++) {
                Go.go(() -> {
                    for (int i = 0; i < iters; i++) {
                        rw.rLock();
                        if (activity.incrementAndGet() >= 10000) {
                            bad.set(true);
                        }
                        Go.gosched();
                        activity.decrementAndGet();
                        rw.rUnlock();
                    }
                    wg.done();
                });
            }
            wg.await();
            assertFalse(bad.get(), "reader and writer (or two writers) overlapped");
        });
    }

    /** A waiting writer blocks new readers (rwmutex.go's contract), and they go in after it. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void waitingWriterBlocksNewReaders(int procs) {
        runG(procs, () -> {
            RWMutex rw = new RWMutex();
            rw.rLock();
            AtomicInteger order = new AtomicInteger();
            int[] writerAt = {0}, readerAt = {0};
            WaitGroup wg = new WaitGroup();
            wg.add(2);
            Go.go(() -> {
                rw.lock();
                writerAt[0] = order.incrementAndGet();
                rw.unlock();
                wg.done();
            });
            GoTesting.awaitTrue("writer pending", () -> rw.readerCountForTest() < 0);
            assertFalse(rw.tryRLock(), "new reader admitted while a writer waits");
            Go.go(() -> {
                rw.rLock();
                readerAt[0] = order.incrementAndGet();
                rw.rUnlock();
                wg.done();
            });
            rw.rUnlock(); // the first reader leaves: the writer goes, then the new reader
            wg.await();
            assertEquals(1, writerAt[0]);
            assertEquals(2, readerAt[0]);
        });
    }

    /** rwmutex_test.go: TestRLocker. */
    @Test
    void rLocker() {
        runG(2, () -> {
            RWMutex rw = new RWMutex();
            Locker rl = rw.rLocker();
            rl.lock();
            rl.lock();
            assertFalse(rw.tryLock());
            rl.unlock();
            rl.unlock();
            assertTrue(rw.tryLock());
            assertFalse(rw.tryRLock());
            rw.unlock();
        });
    }

    /** Go's rw.RLocker() == rw.RLocker(): a pointer conversion. Equal lockers here, per RWMutex. */
    @Test
    void rLockersOfOneMutexAreEqual() {
        RWMutex rw = new RWMutex();
        RWMutex other = new RWMutex();
        assertEquals(rw.rLocker(), rw.rLocker());
        assertEquals(rw.rLocker().hashCode(), rw.rLocker().hashCode());
        assertNotEquals(rw.rLocker(), other.rLocker());
        assertNotEquals(rw.rLocker(), rw);
        assertEquals(1, java.util.Set.of(rw.rLocker()).size());
        assertTrue(java.util.Set.of(rw.rLocker()).contains(rw.rLocker()));
    }

    /** mutex_test.go: TestMutexMisuse (RWMutex.Unlock, RWMutex.RUnlock cases). */
    @Test
    void misusePanics() {
        RWMutex rw = new RWMutex();
        assertEquals("sync: Unlock of unlocked RWMutex", assertThrows(GoPanic.class, rw::unlock).getMessage());
        assertEquals("sync: RUnlock of unlocked RWMutex", assertThrows(GoPanic.class, rw::rUnlock).getMessage());
        rw.lock();
        assertThrows(GoPanic.class, rw::rUnlock);
        rw.unlock();
        assertTrue(rw.tryLock(), "usable after the panics");
        rw.unlock();
    }
}
