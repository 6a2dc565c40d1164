package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.internal.runtime.WaitReason;
import io.gmp4j.testing.GoLeakCheck;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ports of the sync/mutex_test.go tests that {@link MutexTest} and {@link RWMutexTest} do not cover. */
@ExtendWith(GoLeakCheck.class)
class MutexPortTest {

    /**
     * mutex_test.go: TestSemaphore (HammerSemaphore). 10 goroutines acquire and release a
     * semaphore of value 1, 1000 times each; while one holds it no other does.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void semaphore(int procs) {
        runG(procs, () -> {
            Sema s = new Sema(1);
            Chan<Boolean> c = Chan.make(0);
            AtomicInteger holders = new AtomicInteger();
            AtomicBoolean overlap = new AtomicBoolean();
            for (int i = 0; i < 10; i++) {
                Go.go(() -> {
                    for (int k = 0; k < 1000; k++) {
                        s.acquire(false, WaitReason.SYNC_MUTEX_LOCK);
                        if (holders.incrementAndGet() != 1) {
                            overlap.set(true);
                        }
                        holders.decrementAndGet();
                        s.release(false);
                    }
                    c.send(true);
                });
            }
            for (int i = 0; i < 10; i++) {
                c.recv();
            }
            assertFalse(overlap.get(), "two holders of a semaphore of value 1");
            assertTrue(s.tryAcquire(), "the value is back to 1");
            assertFalse(s.tryAcquire());
            s.release(false);
        });
    }

    /**
     * mutex_test.go: TestMutex. The TryLock checks, then 10 goroutines run HammerMutex (1000
     * loops; every third one a tryLock that unlocks if it won) at GOMAXPROCS 4 (and 1);
     * mutual exclusion is checked in each critical section.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void hammerMutex(int procs) {
        runG(procs, () -> {
            Mutex m = new Mutex();
            m.lock();
            assertFalse(m.tryLock(), "TryLock succeeded with mutex locked");
            m.unlock();
            assertTrue(m.tryLock(), "TryLock failed with mutex unlocked");
            m.unlock();

            AtomicInteger holders = new AtomicInteger();
            AtomicBoolean overlap = new AtomicBoolean();
            Runnable critical = () -> {
                if (holders.incrementAndGet() != 1) {
                    overlap.set(true);
                }
                holders.decrementAndGet();
            };
            Chan<Boolean> c = Chan.make(0);
            for (int i = 0; i < 10; i++) {
                Go.go(() -> {
                    for (int k = 0; k < 1000; k++) {
                        if (k % 3 == 0) {
                            if (m.tryLock()) {
                                critical.run();
                                m.unlock();
                            }
                            continue;
                        }
                        m.lock();
                        critical.run();
                        m.unlock();
                    }
                    c.send(true);
                });
            }
            for (int i = 0; i < 10; i++) {
                c.recv();
            }
            assertFalse(overlap.get(), "two goroutines held the mutex at once");
        });
    }

    /**
     * mutex.go and rwmutex.go docs: "A locked Mutex is not associated with a particular
     * goroutine. It is allowed for one goroutine to lock a Mutex and then arrange for another
     * goroutine to unlock it" (likewise RWMutex, both modes). The lock is passed around a ring of
     * goroutines, each unlocking what the previous one locked, with a blocked locker waiting.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void unlockFromAnotherGoroutine(int procs) {
        runG(procs, () -> {
            Mutex m = new Mutex();
            RWMutex rw = new RWMutex();
            Chan<Integer> baton = Chan.make(0);
            Chan<Boolean> done = Chan.make(0);
            int hops = 200;
            Go.go(() -> {
                for (int i = 0; i < hops; i++) {
                    baton.recv();
                    m.unlock(); // locked by the test goroutine
                    rw.unlock();
                    baton.recv();
                    rw.rUnlock(); // read-locked by the test goroutine
                    m.unlock();
                }
                done.send(true);
            });
            for (int i = 0; i < hops; i++) {
                m.lock(); // the first time free; then waits for the other goroutine's last m.unlock
                rw.lock(); // waits for the other goroutine's rw.rUnlock
                baton.send(i);
                m.lock(); // waits for the other goroutine's m.unlock
                rw.rLock(); // ... and rw.unlock
                baton.send(i);
            }
            done.recv();
            assertTrue(m.tryLock());
            m.unlock();
            assertTrue(rw.tryLock(), "a read lock leaked");
            rw.unlock();
        });
    }

    private record Misuse(String name, String message, Runnable f) {}

    /**
     * mutex_test.go: TestMutexMisuse, every case of misuseTests. Go reports each as an
     * unrecoverable fatal error whose message mentions "unlocked"; gmp4j throws GoPanic with
     * Go's message (docs/DIVERGENCES.md) and leaves the lock as it was before the bad call, so
     * it stays usable.
     */
    @Test
    void mutexMisuse() {
        String mutex = "sync: unlock of unlocked mutex";
        String rwUnlock = "sync: Unlock of unlocked RWMutex";
        String rwRUnlock = "sync: RUnlock of unlocked RWMutex";
        Mutex[] mu = new Mutex[1];
        RWMutex[] rw = new RWMutex[1];
        Misuse[] cases = {
            new Misuse("Mutex.Unlock", mutex, () -> {
                mu[0] = new Mutex();
                mu[0].unlock();
            }),
            new Misuse("Mutex.Unlock2", mutex, () -> {
                mu[0] = new Mutex();
                mu[0].lock();
                mu[0].unlock();
                mu[0].unlock();
            }),
            new Misuse("RWMutex.Unlock", rwUnlock, () -> {
                rw[0] = new RWMutex();
                rw[0].unlock();
            }),
            new Misuse("RWMutex.Unlock2", rwUnlock, () -> {
                rw[0] = new RWMutex();
                rw[0].rLock();
                try {
                    rw[0].unlock();
                } finally {
                    rw[0].rUnlock(); // the read lock is still held after the panic
                }
            }),
            new Misuse("RWMutex.Unlock3", rwUnlock, () -> {
                rw[0] = new RWMutex();
                rw[0].lock();
                rw[0].unlock();
                rw[0].unlock();
            }),
            new Misuse("RWMutex.RUnlock", rwRUnlock, () -> {
                rw[0] = new RWMutex();
                rw[0].rUnlock();
            }),
            new Misuse("RWMutex.RUnlock2", rwRUnlock, () -> {
                rw[0] = new RWMutex();
                rw[0].lock();
                try {
                    rw[0].rUnlock();
                } finally {
                    rw[0].unlock(); // the write lock is still held after the panic
                }
            }),
            new Misuse("RWMutex.RUnlock3", rwRUnlock, () -> {
                rw[0] = new RWMutex();
                rw[0].rLock();
                rw[0].rUnlock();
                rw[0].rUnlock();
            }),
        };
        for (Misuse tc : cases) {
            mu[0] = null;
            rw[0] = null;
            GoPanic p = assertThrows(GoPanic.class, tc.f()::run, tc.name());
            assertTrue(p.getMessage().contains("unlocked"), tc.name() + ": " + p.getMessage());
            assertEquals(tc.message(), p.getMessage(), tc.name());
            if (mu[0] != null) {
                assertTrue(mu[0].tryLock(), tc.name() + ": unusable after the panic");
                mu[0].unlock();
            }
            if (rw[0] != null) {
                assertTrue(rw[0].tryLock(), tc.name() + ": unusable after the panic");
                assertFalse(rw[0].tryRLock());
                rw[0].unlock();
                assertTrue(rw[0].tryRLock());
                assertTrue(rw[0].tryRLock());
                assertFalse(rw[0].tryLock());
                rw[0].rUnlock();
                rw[0].rUnlock();
                assertEquals(0, rw[0].readerCountForTest(), tc.name());
            }
        }
    }
}
