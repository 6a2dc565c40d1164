package io.gmp4j.trace;

import static io.gmp4j.trace.AnnotationPortTest.args;
import static io.gmp4j.trace.AnnotationPortTest.end;
import static io.gmp4j.trace.AnnotationPortTest.events;
import static io.gmp4j.trace.AnnotationPortTest.named;
import static io.gmp4j.trace.AnnotationPortTest.num;
import static io.gmp4j.trace.AnnotationPortTest.one;
import static io.gmp4j.trace.AnnotationPortTest.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.context.Context;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testprog.TraceCheck;
import io.gmp4j.time.Time;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The user annotations' gmp4j contract: off, misuse, parks, trace boundaries, threads, Logf. */
@ExtendWith(GoLeakCheck.class)
class AnnotationTest {

    private static List<Map<String, Object>> traced(Runnable body) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Trace.start(buf);
        try {
            body.run();
        } finally {
            Trace.stop();
        }
        return events(buf.toByteArray());
    }

    private static long taskId(Context ctx) {
        return ((Task) ctx.value(taskKey())).id;
    }

    private static Object taskKey() {
        try {
            var f = Trace.class.getDeclaredField("TASK_KEY");
            f.setAccessible(true);
            return f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static final Object[] NO_ARGS = {};

    /**
     * Off: a task still gets an id and its context (a subtask's parent), regions are the one
     * no-op, and startRegion/end, withRegion, log and logf allocate nothing (a read of `on`);
     * a trace started later shows none of it.
     */
    @Test
    void offRecordsNothingAndAllocatesNothing() {
        assertTrue(!Trace.isEnabled());
        var a = Trace.newTask(Context.background(), "a");
        var b = Trace.newTask(a.ctx(), "b");
        assertTrue(taskId(b.ctx()) > taskId(a.ctx()), "task ids increase");
        Context ctx = b.ctx();
        Region r = Trace.startRegion(ctx, "r");
        assertSame(Region.NOOP, r);
        Runnable nothing = () -> {};
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        for (int round = 0; round < 3; round++) { // the first rounds warm up the measurement itself
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100_000; i++) {
                Trace.startRegion(ctx, "r").end();
                Trace.withRegion(ctx, "w", nothing);
                Trace.log(ctx, "c", "m");
                Trace.logf(ctx, "c", "%d", NO_ARGS);
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                // One allocation per iteration would be >= 1.6 MB; the bound leaves the MXBean's own.
                assertTrue(allocated < 16_000, "annotations while off allocated " + allocated + " bytes");
            }
        }
        List<Map<String, Object>> evs = traced(() -> r.end());
        for (Map<String, Object> e : evs) {
            assertTrue(!List.of(5.0, 6.0, 7.0).contains(num(e, "pid")), () -> "an annotation while off: " + e);
        }
        b.task().end();
        a.task().end();
    }

    /**
     * A region ended on another goroutine is not ended: a "region misuse" instant on the ender's
     * track with Go's words, and its owner's later end ends it.
     */
    @Test
    void regionEndedOnAnotherGoroutineIsAMisuse() {
        int before = Go.numGoroutine();
        long[] goids = new long[2];
        List<Map<String, Object>> evs = traced(() -> GoTesting.inGoroutine(() -> {
            goids[0] = Go.goid();
            Region r = Trace.startRegion(Context.background(), "handed");
            Chan<Void> done = Chan.make(0);
            Go.go(() -> {
                goids[1] = Go.goid();
                r.end();
                done.close();
            });
            done.recv();
            r.end();
        }));
        Map<String, Object> misuse = one(evs, "i", "region", "region misuse");
        assertEquals(goids[1], (long) num(misuse, "tid"));
        assertEquals("misuse of region in goroutine " + goids[1] + ": region end \"handed\" of a region begun in goroutine " + goids[0],
                args(misuse).get("message"));
        Map<String, Object> r = one(evs, "X", "region", "handed");
        assertEquals(goids[0], (long) num(r, "tid"));
        assertEquals(null, args(r).get("end"), "the owner's end ended it");
        within(misuse, r);
        GoTesting.assertNoLeak(before);
    }

    /** Out-of-order and second ends are misuses too; the regions end when their turn comes. */
    @Test
    void nonNestedAndSecondEndsAreMisuses() {
        int before = Go.numGoroutine();
        long[] goid = new long[1];
        List<Map<String, Object>> evs = traced(() -> GoTesting.inGoroutine(() -> {
            goid[0] = Go.goid();
            Context ctx = Context.background();
            Region outer = Trace.startRegion(ctx, "outer");
            Region inner = Trace.startRegion(ctx, "inner");
            outer.end(); // not the innermost
            inner.end();
            inner.end(); // again
            outer.end();
        }));
        List<Map<String, Object>> misuses = named(evs, "i", "region", "region misuse");
        misuses.sort((x, y) -> Double.compare(num(x, "ts"), num(y, "ts")));
        String in = "misuse of region in goroutine " + goid[0] + ": region end ";
        assertEquals(List.of(in + "\"outer\" when the inner-most active region is \"inner\"", in + "\"inner\" of a region already ended"),
                misuses.stream().map(e -> args(e).get("message")).toList());
        Map<String, Object> outer = one(evs, "X", "region", "outer"), inner = one(evs, "X", "region", "inner");
        within(inner, outer);
        assertTrue(num(misuses.get(1), "ts") < end(outer), "outer ended at its misused end");
        GoTesting.assertNoLeak(before);
    }

    /** A task ended twice: one end, the first (Go's trace tool uses the first). */
    @Test
    void taskEndedTwiceEndsOnce() {
        var nt = new Trace.NewTask[1];
        List<Map<String, Object>> evs = traced(() -> {
            nt[0] = Trace.newTask(Context.background(), "twice");
            nt[0].task().end();
            nt[0].task().end();
        });
        one(evs, "b", "task", "twice");
        Map<String, Object> e = one(evs, "e", "task", "twice");
        assertEquals(null, args(e).get("end"));
        var sub = Trace.newTask(nt[0].ctx(), "sub");
        assertEquals(taskId(nt[0].ctx()), taskId(sub.ctx()) - 1);
        sub.task().end();
    }

    /** A region spans its goroutine's parks: one slice, across its runs on (perhaps several) Ms. */
    @Test
    void regionAcrossParks() {
        int before = Go.numGoroutine();
        long[] goid = new long[1];
        List<Map<String, Object>> evs = traced(() -> GoTesting.withProcs(2, () -> GoTesting.inGoroutine(() -> {
            goid[0] = Go.goid();
            var nt = Trace.newTask(Context.background(), "parks");
            Chan<Integer> c = Chan.make(0);
            Go.go(() -> {
                for (int i = 0; i < 3; i++) {
                    Time.sleep(Duration.ofMillis(5));
                    c.send(i);
                }
            });
            Trace.withRegion(nt.ctx(), "waiting", () -> {
                for (int i = 0; i < 3; i++) {
                    c.recv();
                    Time.sleep(Duration.ofMillis(2));
                }
            });
            nt.task().end();
        })));
        Map<String, Object> r = one(evs, "X", "region", "waiting");
        assertTrue(num(r, "dur") >= 15_000 - 1, "region shorter than its sleeps: " + r);
        int blocks = 0, slices = 0;
        for (Map<String, Object> e : evs) {
            if ((long) num(args(e), "goid") != goid[0] || !(num(e, "ts") > num(r, "ts") && num(e, "ts") < end(r))) {
                continue;
            }
            blocks += "GoBlock".equals(e.get("name")) ? 1 : 0;
            slices += "goroutine".equals(e.get("cat")) && num(e, "pid") == 2 ? 1 : 0;
        }
        assertTrue(blocks >= 6, "parks inside the region: " + blocks);
        assertTrue(slices >= 6, "runs inside the region: " + slices);
        GoTesting.assertNoLeak(before);
    }

    /**
     * Across traces: a region and a task begun in one trace end "unended" in it, and show in
     * the next from its start ("begin": "before the trace"); a task created while off likewise.
     */
    @Test
    void annotationsAcrossTraces() {
        int before = Go.numGoroutine();
        Region[] r = new Region[1];
        Trace.NewTask[] nt = new Trace.NewTask[2];
        nt[1] = Trace.newTask(Context.background(), "off");
        Chan<Void> next = Chan.make(0), done = Chan.make(0);
        List<Map<String, Object>>[] traces = new List[2];
        Go.go(() -> {
            next.recv(); // trace 0 runs
            r[0] = Trace.startRegion(Context.background(), "long");
            nt[0] = Trace.newTask(Context.background(), "long");
            next.send(null);
            next.recv();
            r[0].end();
            nt[0].task().end();
            nt[1].task().end();
            done.close();
        });
        traces[0] = traced(() -> {
            next.send(null);
            next.recv();
        });
        traces[1] = traced(() -> {
            next.send(null);
            done.recv();
        });
        Map<String, Object> r0 = one(traces[0], "X", "region", "long");
        assertEquals("unended", args(r0).get("end"));
        assertEquals("unended", args(one(traces[0], "e", "task", "long")).get("end"));
        assertTrue(named(traces[0], "b", "task", "off").isEmpty(), "a task created while off begins in the trace");
        Map<String, Object> r1 = one(traces[1], "X", "region", "long");
        assertEquals("before the trace", args(r1).get("begin"));
        assertEquals(0, num(r1, "ts"));
        for (String t : List.of("long", "off")) {
            Map<String, Object> b = one(traces[1], "b", "task", t);
            assertEquals("before the trace", args(b).get("begin"));
            assertEquals(0, num(b, "ts"));
            one(traces[1], "e", "task", t);
        }
        GoTesting.assertNoLeak(before);
    }

    /** A thread that is not a goroutine: its regions and logs on its own track of "threads". */
    @Test
    void annotationsOffGoroutines() {
        long tid = Thread.currentThread().threadId();
        List<Map<String, Object>> evs = traced(() -> {
            try (Region r = Trace.startRegion(Context.background(), "platform")) {
                Trace.log(Context.background(), "", "hello");
            }
        });
        Map<String, Object> r = one(evs, "X", "region", "platform"), log = one(evs, "i", "log", "hello");
        for (Map<String, Object> e : List.of(r, log)) {
            assertEquals(7.0, num(e, "pid"), e::toString);
            assertEquals(tid, (long) num(e, "tid"), e::toString);
            assertEquals(0.0, num(args(e), "goid"), e::toString);
        }
        within(log, r);
    }

    /** Logf formats as Go's fmt.Sprintf (GoFmtTest has the verbs); the log is named category=message. */
    @Test
    void logfFormatsAsGo() {
        int before = Go.numGoroutine();
        List<Map<String, Object>> evs = traced(() -> GoTesting.inGoroutine(() -> {
            Context ctx = Trace.newTask(Context.background(), "fmt").ctx();
            Trace.logf(ctx, "order", "%d items at %v, %q, %5.2f|%s|%v", 3, 1e6, "x\"y", Math.PI, List.of(1, 2), List.of(1, 2));
            Trace.logf(ctx, "bad", "%d %s", "str");
            Trace.logf(ctx, "", "only %s", "message");
        }));
        // go1.19: Sprintf("%d items at %v, %q, %5.2f|%s|%v", int32(3), 1e6, "x\"y", math.Pi, []int32{1, 2}, []int32{1, 2})
        String msg = "3 items at 1e+06, \"x\\\"y\",  3.14|[%!s(int32=1) %!s(int32=2)]|[1 2]";
        Map<String, Object> log = one(evs, "i", "log", "order=" + msg);
        assertEquals(msg, args(log).get("message"));
        one(evs, "i", "log", "bad=%!d(string=str) %!s(MISSING)");
        one(evs, "i", "log", "only message");
        GoTesting.assertNoLeak(before);
    }

    /** One round of an annotator: a task with nested regions, logs, and misuses now and then. */
    private static void annotate(SplittableRandom rnd, Context parent, String huge) {
        var nt = Trace.newTask(rnd.nextBoolean() ? parent : Context.background(), "stress");
        Context ctx = nt.ctx();
        Region[] rs = new Region[rnd.nextInt(1, 4)];
        for (int k = 0; k < rs.length; k++) {
            rs[k] = Trace.startRegion(ctx, "r" + k);
        }
        switch (rnd.nextInt(8)) {
            case 0 -> Trace.log(ctx, "big", rnd.nextInt(8) == 0 ? huge : "b");
            case 1 -> Trace.logf(ctx, "", "%d %v %q %[1]x", rs.length, List.of(1, 2), "s\n");
            case 2 -> rs[0].end(); // not the innermost: a misuse; it ends in its turn below
            case 3 -> Trace.log(Context.background(), "", ""); // no task, no category, no message
            default -> Trace.log(ctx, "k", "v");
        }
        for (int k = rs.length - 1; k >= 0; k--) {
            rs[k].end();
        }
        if (rnd.nextInt(4) == 0) {
            rs[0].end(); // a second end
        }
        if (rnd.nextInt(10) != 0) { // some tasks never end
            nt.task().end();
        }
        if (rnd.nextInt(10) == 0) {
            nt.task().end();
        }
    }

    /**
     * Annotations from goroutines, a platform thread and a JDK virtual thread (neither a
     * goroutine) while traces start and stop under them: tasks begun in one trace and ended in
     * the next or never, regions cut by a stop, misuses, a region ended on another goroutine,
     * 64 KiB messages. Every trace passes TraceCheck (format and semantics).
     */
    @Test
    void annotationsWhileTracesStartAndStop() throws Exception {
        int before = Go.numGoroutine();
        String huge = "m".repeat(1 << 16);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong rounds = new AtomicLong();
        Context shared = Trace.newTask(Context.background(), "shared").ctx();
        Runnable thread = () -> {
            SplittableRandom rnd = new SplittableRandom(Thread.currentThread().threadId());
            while (!stop.get()) {
                annotate(rnd, shared, huge);
                rounds.incrementAndGet();
                try {
                    Thread.sleep(1); // a pace, so that TraceCheck's checks stay short
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        };
        Thread platform = Thread.ofPlatform().start(thread), virtual = Thread.ofVirtual().start(thread);
        int traces = 0, tasks = 0, regions = 0, logs = 0;
        try {
            int[] counts = GoTesting.inGoroutine(60, () -> {
                Chan<Void> done = Chan.make(0);
                int workers = 3;
                for (int w = 0; w < workers; w++) {
                    int seed = w;
                    Go.go(() -> {
                        SplittableRandom rnd = new SplittableRandom(seed);
                        while (!stop.get()) {
                            annotate(rnd, shared, huge);
                            if (rnd.nextInt(20) == 0) { // a region ended on another goroutine first
                                Region r = Trace.startRegion(shared, "handed");
                                Chan<Void> ended = Chan.make(0);
                                Go.go(() -> {
                                    r.end();
                                    ended.close();
                                });
                                ended.recv();
                                r.end();
                            }
                            rounds.incrementAndGet();
                            Time.sleep(Duration.ofMillis(1)); // a pace
                        }
                        done.send(null);
                    });
                }
                int[] c = new int[4];
                SplittableRandom rnd = new SplittableRandom(99);
                for (; c[0] < 12 || c[1] == 0 || c[2] == 0 || c[3] == 0; c[0]++) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    Trace.start(out);
                    try {
                        Time.sleep(Duration.ofMillis(rnd.nextInt(1, 40)));
                    } finally {
                        Trace.stop();
                    }
                    byte[] json = out.toByteArray();
                    TraceCheck.check(json);
                    TraceCheck.Semantics sem = TraceCheck.semantics(json, Double.NaN);
                    assertTrue(sem.violations.isEmpty(), "trace " + c[0] + ": " + sem);
                    c[1] += sem.tasks;
                    c[2] += sem.regions;
                    c[3] += sem.logs;
                    assertTrue(c[0] < 200, "no annotations in 200 traces: " + sem);
                }
                stop.set(true);
                for (int w = 0; w < workers; w++) {
                    done.recv();
                }
                return c;
            });
            traces = counts[0];
            tasks = counts[1];
            regions = counts[2];
            logs = counts[3];
        } finally {
            stop.set(true);
            platform.join();
            virtual.join();
        }
        assertTrue(rounds.get() > 0 && tasks > 0 && regions > 0 && logs > 0,
                traces + " traces: " + tasks + " tasks, " + regions + " regions, " + logs + " logs of " + rounds + " rounds");
        GoTesting.assertNoLeak(before);
    }

    /** Nulls throw NullPointerException whether tracing is on or not (docs/DIVERGENCES.md), the context too. */
    @Test
    void nullsThrowOnAndOff() {
        Context bg = Context.background();
        List<Runnable> calls = List.of(
                () -> Trace.newTask(null, "t"), () -> Trace.newTask(bg, null),
                () -> Trace.startRegion(null, "r"), () -> Trace.startRegion(bg, null),
                () -> Trace.withRegion(null, "r", () -> {}), () -> Trace.withRegion(bg, "r", null),
                () -> Trace.log(null, "c", "m"), () -> Trace.log(bg, null, "m"), () -> Trace.log(bg, "c", null),
                () -> Trace.logf(null, "c", "%d", 1), () -> Trace.logf(bg, null, "%d", 1), () -> Trace.logf(bg, "c", null, 1));
        for (boolean on : new boolean[] {false, true}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            if (on) {
                Trace.start(buf);
            }
            try {
                for (int k = 0; k < calls.size(); k++) {
                    int call = k;
                    assertThrows(NullPointerException.class, calls.get(k)::run, () -> "call " + call + (on ? " on" : " off"));
                }
            } finally {
                if (on) {
                    Trace.stop();
                }
            }
        }
    }
}
