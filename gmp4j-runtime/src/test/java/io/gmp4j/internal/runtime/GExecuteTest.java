package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * G is public (in the unexported io.gmp4j.internal.runtime) and G.current() hands it out, so
 * anyone on the class path may call its execute: a Runnable that is not a virtual thread's
 * continuation is rejected, never run on the JDK's carrier pool.
 */
@ExtendWith(GoLeakCheck.class)
class GExecuteTest {
    @Test
    void arbitraryRunnableIsRejectedNotRun() {
        G gp = new G(9_000_001, () -> {}, false); // never started
        AtomicBoolean ran = new AtomicBoolean();
        assertThrows(RejectedExecutionException.class, () -> gp.execute(() -> ran.set(true)));
        assertThrows(RejectedExecutionException.class, () -> gp.execute(null));
        assertFalse(ran.get());
    }

    /**
     * proc.go: newproc1 seeds trackingSeq at random, so one new G in gTrackingPeriod (8) has
     * its first transition to runnable timed, not every one (two nanoTime calls per spawn).
     */
    @Test
    void oneNewGInEightHasItsFirstReadyTimed() {
        int n = 8_000, tracked = 0;
        for (int i = 0; i < n; i++) {
            G gp = new G(9_100_000 + i, () -> {}, false); // never started
            if ((gp.trackingSeq & 7) == 0) {
                tracked++;
            }
        }
        assertTrue(tracked > n / 8 * 8 / 10 && tracked < n / 8 * 12 / 10, tracked + " of " + n + " new Gs tracked");
    }

    @Test
    void fromInsideAGoroutineToo() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean ran = new AtomicBoolean();
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        Go.go(() -> {
            try {
                G.current().execute(() -> ran.set(true));
            } catch (Throwable t) {
                thrown.set(t);
            } finally {
                wg.done();
            }
        });
        wg.await();
        assertInstanceOf(RejectedExecutionException.class, thrown.get());
        Thread.sleep(50);
        assertFalse(ran.get());
    }

    @Test
    void aJdkVirtualThreadStartedInAGoroutineStillRuns() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        Go.go(() -> {
            try {
                Thread.ofVirtual().start(() -> ran.set(true)).join(); // its continuation reaches G.execute
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            } finally {
                wg.done();
            }
        });
        wg.await();
        assertTrue(ran.get());
    }
}
