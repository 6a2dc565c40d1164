package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.internal.runtime.WaitReason;
import io.gmp4j.testing.GoLeakCheck;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's runtime/sema_test.go. */
@ExtendWith(GoLeakCheck.class)
class SemaPortTest {

    /**
     * sema_test.go: TestSemaHandoff (at the GOMAXPROCS the tests run with): a release with
     * handoff gives the semaphore and the time slice to the first waiter, which runs before the
     * releaser's next statement in at least 2/3 of Go's 10000 tries (Go sees > 90%, gmp4j
     * 998-1000 of 1000 here).
     */
    @Test
    void semaHandoff() {
        runG(0, SemaPortTest::semaHandoffTries); // GOMAXPROCS(0) reads, changes nothing
    }

    /** sema_test.go: TestSemaHandoff1: the same at GOMAXPROCS 1. */
    @Test
    void semaHandoff1() {
        runG(1, SemaPortTest::semaHandoffTries);
    }

    /** sema_test.go: TestSemaHandoff2: the same at GOMAXPROCS 2. */
    @Test
    void semaHandoff2() {
        runG(2, SemaPortTest::semaHandoffTries);
    }

    /** sema_test.go: TestSemaHandoff's body. */
    private static void semaHandoffTries() {
        int iter = 10000, ok = 0;
        for (int i = 0; i < iter; i++) {
            if (testSemaHandoff()) {
                ok++;
            }
        }
        assertTrue(ok >= iter * 2 / 3, "direct handoff < 2/3: " + ok + " of " + iter);
    }

    /** sema_test.go: testSemaHandoff. */
    private static boolean testSemaHandoff() {
        Sema sema = new Sema(0);
        AtomicInteger res = new AtomicInteger();
        Chan<Void> done = Chan.make(0);
        WaitGroup wg = new WaitGroup();
        // Keep the other Ps busy so that the releaser cannot migrate and win the race.
        for (int i = 0; i < Go.gomaxprocs(-1); i++) {
            wg.add(1);
            Go.go(() -> {
                boolean[] stop = {false};
                while (!stop[0]) {
                    Select.select(done.onRecv(v -> stop[0] = true), Select.onDefault(() -> {}));
                    Go.gosched();
                }
                wg.done();
            });
        }
        wg.add(1);
        Go.go(() -> {
            sema.acquire(false, WaitReason.SYNC_MUTEX_LOCK);
            res.compareAndSet(0, 1);
            sema.release(true);
            done.close();
            wg.done();
        });
        while (sema.waiters() == 0) {
            Go.gosched(); // wait for the goroutine to block in acquire
        }
        // The crux: release with handoff, then CAS here and in the waiter; the waiter's should win.
        sema.release(true);
        res.compareAndSet(0, 2);
        wg.await();
        return res.get() == 1;
    }
}
