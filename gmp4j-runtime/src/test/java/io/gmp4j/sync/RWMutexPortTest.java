package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoLeakCheck;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ports of the sync/rwmutex_test.go parts that {@link RWMutexTest} does not cover. */
@ExtendWith(GoLeakCheck.class)
class RWMutexPortTest {

    /** rwmutex_test.go: TestRWMutex's TryLock/TryRLock checks. */
    @Test
    void tryLocks() {
        RWMutex m = new RWMutex();
        m.lock();
        assertFalse(m.tryLock(), "TryLock succeeded with mutex locked");
        assertFalse(m.tryRLock(), "TryRLock succeeded with mutex locked");
        m.unlock();
        assertTrue(m.tryLock(), "TryLock failed with mutex unlocked");
        m.unlock();
        assertTrue(m.tryRLock(), "TryRLock failed with mutex unlocked");
        assertTrue(m.tryRLock(), "TryRLock failed with mutex rlocked");
        assertFalse(m.tryLock(), "TryLock succeeded with mutex rlocked");
        m.rUnlock();
        m.rUnlock();
    }

    /** rwmutex_test.go: reader. activity counts readers; a writer adds 10000. */
    private static void reader(RWMutex rwm, int iterations, AtomicInteger activity, AtomicReference<String> bad, Chan<Boolean> cdone) {
        for (int i = 0; i < iterations; i++) {
            rwm.rLock();
            int n = activity.incrementAndGet();
            if (n < 1 || n >= 10000) {
                bad.compareAndSet(null, "rlock(" + n + ")");
            }
            activity.decrementAndGet();
            rwm.rUnlock();
        }
        cdone.send(true);
    }

    /** rwmutex_test.go: writer. */
    private static void writer(RWMutex rwm, int iterations, AtomicInteger activity, AtomicReference<String> bad, Chan<Boolean> cdone) {
        for (int i = 0; i < iterations; i++) {
            rwm.lock();
            int n = activity.addAndGet(10000);
            if (n != 10000) {
                bad.compareAndSet(null, "wlock(" + n + ")");
            }
            activity.addAndGet(-10000);
            rwm.unlock();
        }
        cdone.send(true);
    }

    /**
     * rwmutex_test.go: TestRWMutex (HammerRWMutex), Go's table of (GOMAXPROCS, readers): two
     * writers and the readers interleaved as in Go, 200 iterations each (Go: 1000, 5 in -short).
     */
    @ParameterizedTest
    @CsvSource({"1,1", "1,3", "1,10", "4,1", "4,3", "4,10", "10,1", "10,3", "10,10", "10,5"})
    void hammerRWMutex(int gomaxprocs, int numReaders) {
        runG(gomaxprocs, () -> {
            int n = 200;
            AtomicInteger activity = new AtomicInteger();
            AtomicReference<String> bad = new AtomicReference<>();
            RWMutex rwm = new RWMutex();
            Chan<Boolean> cdone = Chan.make(0);
            Go.go(() -> writer(rwm, n, activity, bad, cdone));
            int i;
            for (i = 0; i < numReaders / 2; i++) {
                Go.go(() -> reader(rwm, n, activity, bad, cdone));
            }
            Go.go(() -> writer(rwm, n, activity, bad, cdone));
            for (; i < numReaders; i++) {
                Go.go(() -> reader(rwm, n, activity, bad, cdone));
            }
            for (int k = 0; k < 2 + numReaders; k++) {
                cdone.recv();
            }
            assertNull(bad.get());
            assertEquals(0, activity.get());
        });
    }

    /**
     * rwmutex_test.go: TestParallelReaders (doTestParallelReaders), Go's exact shape: every
     * reader holds the read lock until all have reported in over an unbuffered channel.
     */
    @ParameterizedTest
    @CsvSource({"1,4", "3,4", "4,2"})
    void parallelReaders(int numReaders, int gomaxprocs) {
        runG(gomaxprocs, () -> {
            RWMutex m = new RWMutex();
            Chan<Boolean> clocked = Chan.make(0), cunlock = Chan.make(0), cdone = Chan.make(0);
            for (int i = 0; i < numReaders; i++) {
                Go.go(() -> {
                    m.rLock();
                    clocked.send(true);
                    cunlock.recv();
                    m.rUnlock();
                    cdone.send(true);
                });
            }
            for (int i = 0; i < numReaders; i++) {
                clocked.recv();
            }
            for (int i = 0; i < numReaders; i++) {
                cunlock.send(true);
            }
            for (int i = 0; i < numReaders; i++) {
                cdone.recv();
            }
        });
    }
}
