package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.testprog.TraceCheck;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * ExecTrace's slice protocol driven step by step on Ms, Gs and Ps that run nothing (ids no
 * real M or goroutine has): interleavings the OS makes rare, such as an M held off between its
 * goroutine's JDK park and its own return while the goroutine runs on elsewhere. Every trace
 * must mean what the tracer promises (TraceCheck.semantics). No goroutine is started.
 */
class ExecTraceTest {
    private static final AtomicInteger IDS = new AtomicInteger(9_000);

    /** A trace's stream that counts the writer's rounds (each ends with a flush). */
    private static final class Rounds extends ByteArrayOutputStream {
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public void flush() {
            flushes.incrementAndGet();
        }

        /** Waits until the writer has ended {@code n} more rounds: what was put before is drained. */
        void await(int n) throws InterruptedException {
            int want = flushes.get() + n;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (flushes.get() < want) {
                assertTrue(System.nanoTime() < deadline, "the trace writer ended no round in 10 s");
                Thread.sleep(1);
            }
        }
    }

    private static M fakeM() {
        return new M(IDS.incrementAndGet());
    }

    private static G fakeG() {
        return new G(1L << 40 | IDS.incrementAndGet(), () -> {}, false);
    }

    private static long after(long t) {
        long now;
        while ((now = System.nanoTime()) <= t) {
            Thread.onSpinWait();
        }
        return now;
    }

    private static void assertMeaning(byte[] json) {
        TraceCheck.check(json);
        TraceCheck.Semantics sem = TraceCheck.semantics(json, Double.NaN);
        assertTrue(sem.violations.isEmpty(), sem::toString);
    }

    /**
     * A goroutine stops unseen (a JDK park) on M1, and M1 is held off before it gets back; the
     * goroutine runs on M2 and exits, and the writer drains that exit in one round; M1 then
     * puts its slice (SLICE_LATE, ending when it got back) in its ring, drained in a later
     * round. The writer forgot the goroutine at its exit, so nothing cut M1's slice at the
     * goroutine's next start: it overlapped the exit slice (the goroutine on two Ms at once).
     */
    @Test
    void aLateSliceDrainedAfterItsGoroutinesExitStaysBeforeIt() throws Exception {
        Rounds out = new Rounds();
        M m1 = fakeM(), m2 = fakeM();
        G gp = fakeG();
        P pp = new P(-1);
        ExecTrace.start(out);
        try {
            long s1 = ExecTrace.sliceStart(m1, gp, pp); // runs on M1, then parks in the JDK (no mark)
            after(s1);
            runToExit(m2, gp, pp); // run on by M2 while M1 is held off
            out.await(2); // the exit is written
            after(m2.traceEndNanos);
            ExecTrace.slice(m1, -1, gp, s1); // M1 gets back at last
        } finally {
            ExecTrace.stop();
        }
        assertMeaning(out.toByteArray());
    }

    /**
     * As above, but M1 is still held off at the stop, which takes its open slice (cut at the
     * stop as still running): that one too must end where its goroutine's exit slice begins.
     */
    @Test
    void aSliceTheStopTakesAfterItsGoroutinesExitStaysBeforeIt() throws Exception {
        Rounds out = new Rounds();
        M m1 = fakeM(), m2 = fakeM();
        G gp = fakeG();
        P pp = new P(-1);
        Sched.lock.lock();
        try {
            Sched.allmAdd(m1); // the stop takes the open slices of allm's Ms
        } finally {
            Sched.lock.unlock();
        }
        try {
            ExecTrace.start(out);
            try {
                long s1 = ExecTrace.sliceStart(m1, gp, pp);
                after(s1);
                runToExit(m2, gp, pp);
                out.await(2);
            } finally {
                ExecTrace.stop(); // takes M1's slice
            }
            ExecTrace.slice(m1, -1, gp, 0); // M1 back: its slice is the stop's already
        } finally {
            Sched.allmRemove(m1);
        }
        assertMeaning(out.toByteArray());
    }

    /**
     * A goroutine parks in the JDK (unseen) on M1, and M1 is held off inside the JDK's
     * afterYield, after it set the thread PARKED; an unpark from elsewhere readies it, M2 runs
     * it until it parks again; then M1 goes on, finds a permit for that second park and readies
     * the goroutine itself: ExecTrace.unblock on M1, whose curg is still that goroutine, notes
     * a yield ending M1's slice now, after M2's slice began. Both slices reach the writer in
     * one round: M1's, written first (the earlier start), was not cut at the goroutine's next
     * start and overlapped M2's (TortureTest's observers found it on a loaded 2-core machine).
     */
    @Test
    void aYieldNotedLateByAStaleCarrierStaysBeforeTheNextSlice() throws Exception {
        Rounds out = new Rounds();
        M m1 = fakeM(), m2 = fakeM();
        G gp = fakeG();
        P pp = new P(-1);
        ExecTrace.start(out);
        try {
            long s1 = ExecTrace.sliceStart(m1, gp, pp); // runs on M1, then parks in the JDK (no mark)
            after(s1);
            long s2 = ExecTrace.sliceStart(m2, gp, pp); // unparked elsewhere, run on by M2
            after(s2);
            m1.traceParkReason = ExecTrace.YIELDED; // M1's late afterYield readies gp: unblock's note
            m1.traceEndNanos = after(s2);
            ExecTrace.slice(m1, -1, gp, s1);
            after(m1.traceEndNanos);
            ExecTrace.slice(m2, -1, gp, s2); // M2's: it parked in the JDK again
            out.await(2);
        } finally {
            ExecTrace.stop();
        }
        assertMeaning(out.toByteArray());
    }

    /** gp's slice on mp, from now to its exit (goexit0's ExecTrace.exiting), put in mp's ring. */
    private static void runToExit(M mp, G gp, P pp) {
        long start = ExecTrace.sliceStart(mp, gp, pp);
        mp.traceParkReason = ExecTrace.EXITED;
        mp.traceEndNanos = after(start);
        ExecTrace.slice(mp, -1, gp, start);
    }
}
