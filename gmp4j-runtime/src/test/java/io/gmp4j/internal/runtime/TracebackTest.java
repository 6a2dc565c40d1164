package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import java.util.concurrent.SynchronousQueue;
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
     * A goroutine parked by the JDK (a socket read, a j.u.c. queue) counts its minutes too, as
     * Go's "[IO wait, 5 minutes]" does: nothing stamped the start of such a wait, so its header
     * had no minutes however long it had waited.
     */
    @Test
    void aWaitInsideTheJdkCountsItsMinutesToo() throws InterruptedException {
        int before = Go.numGoroutine();
        SynchronousQueue<Integer> q = new SynchronousQueue<>();
        AtomicLong goid = new AtomicLong();
        Go.go(() -> {
            goid.set(Go.goid());
            try {
                q.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        GoTesting.awaitTrue("the taker parks in the JDK and its M stamps the wait", () -> {
            G gp = byGoid(goid.get());
            return gp != null && gp.status == G._Grunning && gp.thread().getState() == Thread.State.WAITING
                    && gp.waitSince != 0;
        });
        G gp = byGoid(goid.get());
        String fresh = Go.stack(true);
        gp.waitSince -= 114; // 122 s of waitSince's 2^30 ns units: two minutes
        String dump = Go.stack(true);
        q.put(1);
        assertTrue(fresh.contains("goroutine " + gp.goid + " [semacquire]:\n"), fresh);
        assertTrue(dump.contains("goroutine " + gp.goid + " [semacquire, 2 minutes]:\n"), dump);
        GoTesting.assertNoLeak(before);
    }

    /**
     * A JDK wait that pins the goroutine to its M (here a class initializer that blocks) is
     * not stamped by the M, which stays inside the run: its header must not count minutes from
     * the G's previous, long-finished wait ("[semacquire, 2 minutes]" one second in).
     */
    @Test
    void aPinnedJdkWaitDoesNotCountAnEarlierWaitsMinutes() {
        int before = Go.numGoroutine();
        Chan<Integer> ch = Chan.make(0);
        AtomicLong goid = new AtomicLong();
        Go.go(() -> {
            goid.set(Go.goid());
            ch.recv();
            BlocksInClinit.touch(); // pinned: a class initializer's wait cannot unmount
        });
        GoTesting.awaitTrue("the receiver parks", () -> parked(goid.get()) != null);
        G gp = parked(goid.get());
        gp.waitSince -= 114; // that channel wait lasted two minutes
        ch.send(1);
        GoTesting.awaitTrue("the goroutine waits, pinned, in a class initializer", () -> gp.status == G._Grunning
                && gp.thread().getState() == Thread.State.WAITING && JdkInternals.carrierOf(gp.thread()) != null);
        String dump = Go.stack(true);
        CLINIT_RELEASE.countDown();
        assertTrue(dump.contains("goroutine " + gp.goid + " [semacquire]:\n"), dump);
        GoTesting.assertNoLeak(before);
    }

    /** Outside BlocksInClinit: reading it must not wait for that class's initialization. */
    private static final java.util.concurrent.CountDownLatch CLINIT_RELEASE = new java.util.concurrent.CountDownLatch(1);

    private static final class BlocksInClinit {
        static {
            try {
                CLINIT_RELEASE.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static void touch() {}
    }

    private static G byGoid(long goid) {
        for (G gp : AllGs.snapshot()) {
            if (gp.goid == goid) {
                return gp;
            }
        }
        return null;
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

    /**
     * Go's compiler turns a select with one case and no default into the channel operation
     * (walk/select.go), so such a goroutine waits in [chan receive] or [chan send], not
     * [select]; two cases stay a select. It showed [select].
     */
    @Test
    void aSingleCaseSelectWaitsAsItsChannelOperation() {
        int before = Go.numGoroutine();
        Chan<Integer> in = Chan.make(0), out = Chan.make(0), other = Chan.make(0);
        AtomicLong recv = new AtomicLong(), send = new AtomicLong(), two = new AtomicLong();
        Go.go(() -> {
            recv.set(Go.goid());
            io.gmp4j.chan.Select.select(in.onRecv(v -> {}));
        });
        Go.go(() -> {
            send.set(Go.goid());
            io.gmp4j.chan.Select.select(out.onSend(1, () -> {}));
        });
        Go.go(() -> {
            two.set(Go.goid());
            io.gmp4j.chan.Select.select(other.onRecv(v -> {}), other.onSend(2, () -> {}));
        });
        GoTesting.awaitTrue("all three park", () -> waiting(recv.get()) != null && waiting(send.get()) != null
                && waiting(two.get()) != null);
        String dump = Go.stack(true);
        in.send(1);
        out.recv();
        other.send(3);
        assertTrue(dump.contains("goroutine " + recv.get() + " [chan receive]:\n"), dump);
        assertTrue(dump.contains("goroutine " + send.get() + " [chan send]:\n"), dump);
        assertTrue(dump.contains("goroutine " + two.get() + " [select]:\n"), dump);
        GoTesting.assertNoLeak(before);
    }

    /** The G goid if it waits (any reason), else null. */
    private static G waiting(long goid) {
        for (G gp : AllGs.snapshot()) {
            if (goid != 0 && gp.goid == goid && gp.status == G._Gwaiting && gp.waitReason() != WaitReason.ZERO) {
                return gp;
            }
        }
        return null;
    }

    private static G parked(long goid) {
        for (G gp : AllGs.snapshot()) {
            if (gp.goid == goid && gp.status == G._Gwaiting && gp.waitReason() == WaitReason.CHAN_RECEIVE) {
                return gp;
            }
        }
        return null;
    }

    /**
     * traceback.go: printcreatedby. Under its frames each goroutine names the function and the
     * line of the go statement that made it, in a goroutine (a lambda) or on a platform thread
     * (this test's method). The creator's goid, Go 1.21's "in goroutine N", comes only with
     * GODEBUG=tracebackancestors (CrashTest).
     */
    @Test
    void eachGoroutineNamesItsGoStatement() {
        int before = Go.numGoroutine();
        Chan<Integer> ch = Chan.make(0);
        Chan<Integer> ready = Chan.make(2);
        int[] lines = new int[2];
        AtomicLong child = new AtomicLong(), grandchild = new AtomicLong();
        lines[0] = line() + 1;
        Go.go(() -> {
            child.set(Go.goid());
            lines[1] = line(); Go.go(() -> { grandchild.set(Go.goid()); ready.send(1); ch.recv(); });
            ready.send(1);
            ch.recv();
        });
        ready.recv();
        ready.recv();
        String dump = Go.stack(true);
        ch.close();
        String c = block(dump, child.get()), gc = block(dump, grandchild.get());
        assertTrue(c.endsWith("\ncreated by " + TracebackTest.class.getName() + ".eachGoroutineNamesItsGoStatement\n\tTracebackTest.java:"
                + lines[0] + "\n"), dump);
        assertTrue(gc.matches("(?s).*\\ncreated by " + java.util.regex.Pattern.quote(TracebackTest.class.getName())
                + "\\.lambda\\$eachGoroutineNamesItsGoStatement\\$\\d+\\n\\tTracebackTest\\.java:" + lines[1] + "\\n"), dump);
        GoTesting.assertNoLeak(before);
    }

    /** The main goroutine (goid 1 in Go) has no created-by line; nor has a goroutine's own {@code Go.stack(false)} a wrong one. */
    @Test
    void theMainGoroutineNamesNoCreator() {
        String[] out = new String[2];
        Go.run(() -> {
            out[0] = Go.stack(false);
            Chan<String> c = Chan.make(1);
            Go.go(() -> c.send(Go.stack(false)));
            out[1] = c.recv();
        });
        assertTrue(!out[0].contains("created by"), out[0]);
        assertTrue(out[1].contains("\ncreated by " + TracebackTest.class.getName() + ".lambda$theMainGoroutineNamesNoCreator$"), out[1]);
    }

    /**
     * Under GODEBUG=tracebackancestors a dump can meet a goroutine whose ancestors goexit0 has
     * just dropped (CreatedBy.forget): its created-by line then comes from the per-class site,
     * which must have been found at the go statement, not on the dumping thread. It was
     * computed there, where no go statement is on the stack: the class's site became "none" for
     * good, and a later goroutine of that class (here from a platform thread) lost its line. A
     * class started at two go statements shows the first (CreatedBy, DIVERGENCES).
     */
    @Test
    void aDumpRacingAnExitUnderAncestorsKeepsTheClassSite() {
        int before = Go.numGoroutine();
        int saved = Env.tracebackAncestors;
        Env.tracebackAncestors = 2;
        SynchronousQueue<G> exited = new SynchronousQueue<>();
        Chan<Integer> done = Chan.make(0), ch = Chan.make(0);
        try {
            int[] first = new int[1];
            Go.go(() -> {
                first[0] = line() + 1;
                Go.go(new ExitsOrWaits(null, exited)); // from a goroutine: ancestors recorded
                done.recv();
            });
            G gp = exited.take();
            GoTesting.awaitTrue("the goroutine exits", () -> gp.status == G._Gdead);
            CreatedBy.print(new StringBuilder(), gp, false); // as a dump that listed it before it exited
            ExitsOrWaits waits = new ExitsOrWaits(ch, null);
            Go.go(waits); // from this platform thread: the class's site, the first go statement's
            java.util.regex.Pattern waiting = java.util.regex.Pattern.compile("\\[chan receive]:\\n(?:.+\\n)*?"
                    + java.util.regex.Pattern.quote(ExitsOrWaits.class.getName() + ".run"));
            GoTesting.awaitTrue("the goroutine waits", () -> waiting.matcher(Go.stack(true)).find());
            String dump = Go.stack(true);
            int at = dump.indexOf(ExitsOrWaits.class.getName() + ".run");
            String b = dump.substring(at, dump.indexOf("\n\n", at) < 0 ? dump.length() : dump.indexOf("\n\n", at) + 1);
            assertTrue(b.matches("(?s).*\\ncreated by " + java.util.regex.Pattern.quote(TracebackTest.class.getName())
                    + "\\.lambda\\$aDumpRacingAnExitUnderAncestorsKeepsTheClassSite\\$\\d+\\n\\tTracebackTest\\.java:" + first[0] + "\\n"), dump);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            Env.tracebackAncestors = saved;
            ch.close();
            done.close();
        }
        GoTesting.assertNoLeak(before);
    }

    /** Hands its G over and exits, or waits on its channel: one class started at two go statements. */
    private record ExitsOrWaits(Chan<Integer> until, SynchronousQueue<G> exited) implements Runnable {
        @Override
        public void run() {
            if (until != null) {
                until.recv();
                return;
            }
            try {
                exited.put(G.current());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static int line() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber());
    }

    /** goroutine goid's block of a dump, through its last line and newline. */
    private static String block(String dump, long goid) {
        int from = dump.indexOf("goroutine " + goid + " [");
        assertTrue(from >= 0, "goroutine " + goid + " missing:\n" + dump);
        int to = dump.indexOf("\n\n", from);
        return to < 0 ? dump.substring(from) : dump.substring(from, to + 1);
    }
}
