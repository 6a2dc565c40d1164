package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Goroutine headers as traceback.go prints them. */
@ExtendWith(GoLeakCheck.class)
class TracebackTest {

    /** traceback.go: goroutineheader prints ", N minutes" from one minute on, "1 minutes" too. */
    @Test
    void waitOfOneMinuteSaysMinutes() {
        int before = Go.numGoroutine();
        Chan<Integer> ch = Chan.make(0);
        AtomicLong goid = new AtomicLong();
        Go.go(() -> {
            goid.set(Go.goid());
            ch.recv();
        });
        GoTesting.awaitTrue("the receiver parks", () -> parked(goid.get()) != null);
        G gp = parked(goid.get());
        // Back-date the wait by 57 of waitSince's 2^30 ns units: 61 s, one minute.
        gp.waitSince -= 57;
        String dump = Go.stack(true);
        ch.close();
        assertTrue(dump.contains("goroutine " + gp.goid + " [chan receive, 1 minutes]:\n"), dump);
        GoTesting.assertNoLeak(before);
    }

    /**
     * A goroutine that has not run yet shows its start function, as Go's traceback shows a new
     * goroutine at its function's entry: a group with no frames broke readers of the goroutine
     * profile (DebugServerTest read one as its 50 parked goroutines).
     */
    @Test
    void aGoroutineThatHasNotRunShowsItsStartFunction() {
        G lambda = new G(-1, () -> {}, false); // never started, never in allgs
        StackTraceElement[] st = Traceback.stackOf(lambda, false);
        assertEquals(1, st.length);
        assertEquals(TracebackTest.class.getName() + ".func", st[0].getClassName() + "." + st[0].getMethodName());

        G named = new G(-2, new Named(), false);
        st = Traceback.stackOf(named, false);
        assertEquals(1, st.length);
        assertEquals(Named.class.getName() + ".run", st[0].getClassName() + "." + st[0].getMethodName());
        // GOTRACEBACK=system shows the runtime's frames, but an unstarted thread has none.
        assertEquals(Named.class.getName(), Traceback.stackOf(named, true)[0].getClassName());
    }

    private static final class Named implements Runnable {
        @Override
        public void run() {}
    }

    private static G parked(long goid) {
        for (G gp : AllGs.snapshot()) {
            if (gp.goid == goid && gp.status == G._Gwaiting && gp.waitReason() == WaitReason.CHAN_RECEIVE) {
                return gp;
            }
        }
        return null;
    }
}
