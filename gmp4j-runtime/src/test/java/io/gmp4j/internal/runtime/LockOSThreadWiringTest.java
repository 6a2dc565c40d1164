package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * lockOSThread wires a goroutine to the M it runs on, with no point in between where the
 * goroutine could unmount and resume elsewhere (Go's lockOSThread runs without a safe point).
 * A version that kept lockedm in a ConcurrentHashMap could block on a contended bin's monitor
 * there, and a clean-clone CI run then wedged with a G locked to an M that had exited. This
 * checks the invariant under contention (12 goroutines locking and unlocking, a yield while
 * locked); it was not shown to catch that version, whose failure was rare.
 */
@ExtendWith(GoLeakCheck.class)
class LockOSThreadWiringTest {

    @ParameterizedTest(name = "GOMAXPROCS={0}")
    @ValueSource(ints = {1, 2, 8})
    void lockedGoroutineAndItsMPointAtEachOther(int procs) throws Exception {
        int prev = Go.gomaxprocs(procs);
        try {
            AtomicReference<String> failure = new AtomicReference<>();
            int n = 12; // each locked goroutine needs an M of its own, and idle Ms stay
            WaitGroup wg = new WaitGroup();
            wg.add(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    try {
                        for (int round = 0; round < 50 && failure.get() == null; round++) {
                            Go.lockOSThread();
                            try {
                                check(failure);
                                Go.gosched(); // a locked G comes back to its own M
                                check(failure);
                            } finally {
                                Go.unlockOSThread();
                            }
                            G gp = G.current();
                            if (gp.lockedm != null) {
                                failure.compareAndSet(null, gp + " still locked after unlockOSThread");
                            }
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await();
            assertNull(failure.get());
        } finally {
            Go.gomaxprocs(prev);
        }
    }

    private static void check(AtomicReference<String> failure) {
        G gp = G.current();
        M mp = M.current();
        if (gp.lockedm != mp || mp.lockedg != gp) {
            failure.compareAndSet(null, gp + " runs on M" + mp.id + " but is locked to "
                    + (gp.lockedm == null ? "nil" : "M" + gp.lockedm.id) + ", whose lockedg is " + mp.lockedg);
        }
    }
}
