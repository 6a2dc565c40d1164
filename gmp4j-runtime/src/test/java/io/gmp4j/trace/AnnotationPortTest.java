package io.gmp4j.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.context.Context;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testprog.Json;
import io.gmp4j.testprog.TraceCheck;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ports of Go 1.19's runtime/trace/annotation_test.go and the package doc's examples. Go's
 * trace.Parse and its linked events are the JSON's events: a task's b/e pair, a region's slice
 * (its begin and end), a log's instant, checked by names, nesting, goroutines and task ids.
 */
@ExtendWith(GoLeakCheck.class)
class AnnotationPortTest {

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> events(byte[] json) {
        TraceCheck.check(json);
        TraceCheck.Semantics s = TraceCheck.semantics(json, Double.NaN);
        assertTrue(s.violations.isEmpty(), s::toString);
        Object root = new Json(new String(json, StandardCharsets.UTF_8)).parseAll();
        List<Map<String, Object>> evs = new ArrayList<>();
        for (Object o : (List<Object>) ((Map<String, Object>) root).get("traceEvents")) {
            evs.add((Map<String, Object>) o);
        }
        return evs;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> args(Map<String, Object> e) {
        return e.get("args") instanceof Map<?, ?> a ? (Map<String, Object>) a : Map.of();
    }

    static double num(Map<String, Object> e, String k) {
        return e.get(k) instanceof Double d ? d : Double.NaN;
    }

    static double end(Map<String, Object> e) {
        return num(e, "ts") + num(e, "dur");
    }

    /** The events of phase {@code ph} (and category {@code cat}, null: any) named {@code name}. */
    static List<Map<String, Object>> named(List<Map<String, Object>> evs, String ph, String cat, String name) {
        List<Map<String, Object>> r = new ArrayList<>();
        for (Map<String, Object> e : evs) {
            if (ph.equals(e.get("ph")) && (cat == null || cat.equals(e.get("cat"))) && name.equals(e.get("name"))) {
                r.add(e);
            }
        }
        return r;
    }

    static Map<String, Object> one(List<Map<String, Object>> evs, String ph, String cat, String name) {
        List<Map<String, Object>> r = named(evs, ph, cat, name);
        assertEquals(1, r.size(), () -> "events " + ph + " " + name + ": " + r);
        return r.get(0);
    }

    static void within(Map<String, Object> inner, Map<String, Object> outer) {
        double eps = 0.0015;
        assertTrue(num(inner, "ts") >= num(outer, "ts") - eps && (inner.get("dur") == null ? num(inner, "ts") : end(inner)) <= end(outer) + eps,
                () -> inner + " not within " + outer);
    }

    // annotation_test.go: TestUserTaskRegion
    @Test
    void userTaskRegion() {
        int before = Go.numGoroutine();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long[] goids = new long[2]; // the test goroutine, the task's goroutine
        GoTesting.inGoroutine(() -> {
            goids[0] = Go.goid();
            var bg = Context.withCancel(Context.background());
            Context bgctx = bg.ctx();
            Region preExistingRegion = Trace.startRegion(bgctx, "pre-existing region");

            Trace.start(buf);
            // Beginning of traced execution
            WaitGroup wg = new WaitGroup();
            var nt = Trace.newTask(bgctx, "task0"); // EvUserTaskCreate("task0")
            Context ctx = nt.ctx();
            wg.add(1);
            Go.go(() -> {
                goids[1] = Go.goid();
                try {
                    Trace.withRegion(ctx, "region0", () -> {
                        Trace.withRegion(ctx, "region1", () -> Trace.log(ctx, "key0", "0123456789abcdef"));
                    });
                } finally {
                    nt.task().end(); // EvUserTaskEnd("task0")
                    wg.done();
                }
            });
            wg.await();
            preExistingRegion.end();
            Region postExistingRegion = Trace.startRegion(bgctx, "post-existing region");
            // End of traced execution
            Trace.stop();
            postExistingRegion.end();
            bg.cancel().run();
        });
        List<Map<String, Object>> evs = events(buf.toByteArray());

        Map<String, Object> taskB = one(evs, "b", "task", "task0"), taskE = one(evs, "e", "task", "task0");
        double task = num(taskB, "id");
        assertEquals(0, num(args(taskB), "parent"), taskB::toString);
        assertEquals(goids[0], (long) num(args(taskB), "goid"), taskB::toString);
        assertEquals(task, num(taskE, "id"));
        assertEquals(goids[1], (long) num(args(taskE), "goid"), taskE::toString);
        Map<String, Object> r0 = one(evs, "X", "region", "region0"), r1 = one(evs, "X", "region", "region1");
        Map<String, Object> log = one(evs, "i", "log", "key0=0123456789abcdef");
        for (Map<String, Object> e : List.of(r0, r1, log)) {
            assertEquals(task, num(args(e), "task"), e::toString);
            assertEquals(goids[1], (long) num(args(e), "goid"), e::toString);
            assertEquals(6.0, num(e, "pid"), e::toString);
            assertEquals(goids[1], (long) num(e, "tid"), e::toString);
        }
        assertEquals("key0", args(log).get("category"));
        assertEquals("0123456789abcdef", args(log).get("message"));
        // Go's order: task create, region0, region1, log, region1 end, region0 end, task end.
        assertTrue(num(taskB, "ts") <= num(r0, "ts"), "region0 before its task");
        within(r1, r0);
        within(log, r1);
        assertTrue(end(r0) <= num(taskE, "ts") + 0.0015, "task ended before region0");
        // Currently, pre-existing region is not recorded (Go: to avoid allocations); the
        // post-existing one is begun in the trace, which ends it.
        assertTrue(named(evs, "X", "region", "pre-existing region").isEmpty(), "pre-existing region recorded");
        Map<String, Object> post = one(evs, "X", "region", "post-existing region");
        assertEquals(0, num(args(post), "task"));
        assertEquals(goids[0], (long) num(args(post), "goid"));
        assertEquals("unended", args(post).get("end"));
        assertTrue(num(post, "ts") >= num(taskE, "ts") - 0.0015, "post-existing region begun before the task ended");
        GoTesting.assertNoLeak(before);
    }

    /** The package doc's two examples: a region with a log and nested regions; a task across goroutines. */
    @Test
    void makeCappuccinoExamples() {
        int before = Go.numGoroutine();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long[] goids = new long[4];
        String orderID = "order-42";
        Trace.start(buf);
        try {
            GoTesting.inGoroutine(() -> {
                goids[0] = Go.goid();
                Context ctx0 = Context.background();
                // trace.WithRegion(ctx, "makeCappuccino", func() { trace.Log(...); three regions })
                Trace.withRegion(ctx0, "makeCappuccino", () -> {
                    Trace.log(ctx0, "orderID", orderID);
                    Trace.withRegion(ctx0, "steamMilk", () -> {});
                    Trace.withRegion(ctx0, "extractCoffee", () -> {});
                    Trace.withRegion(ctx0, "mixMilkCoffee", () -> {});
                });
                // ctx, task := trace.NewTask(ctx, "makeCappuccino"), three goroutines
                var nt = Trace.newTask(ctx0, "makeCappuccino");
                Context ctx = nt.ctx();
                Trace.log(ctx, "orderID", orderID);
                Chan<Boolean> milk = Chan.make(0), espresso = Chan.make(0);
                Chan<Void> done = Chan.make(0);
                Go.go(() -> {
                    goids[1] = Go.goid();
                    Trace.withRegion(ctx, "steamMilk", () -> {});
                    milk.send(true);
                });
                Go.go(() -> {
                    goids[2] = Go.goid();
                    Trace.withRegion(ctx, "extractCoffee", () -> {});
                    espresso.send(true);
                });
                Go.go(() -> {
                    goids[3] = Go.goid();
                    try {
                        espresso.recv();
                        milk.recv();
                        Trace.withRegion(ctx, "mixMilkCoffee", () -> {});
                    } finally {
                        nt.task().end(); // When assemble is done, the order is complete.
                        done.close();
                    }
                });
                done.recv();
            });
        } finally {
            Trace.stop();
        }
        List<Map<String, Object>> evs = events(buf.toByteArray());
        Map<String, Object> outer = one(evs, "X", "region", "makeCappuccino");
        assertEquals(0, num(args(outer), "task"));
        double task = num(one(evs, "b", "task", "makeCappuccino"), "id");
        Map<String, Object> taskE = one(evs, "e", "task", "makeCappuccino");
        assertEquals(goids[3], (long) num(args(taskE), "goid"));
        String[] kinds = {"steamMilk", "extractCoffee", "mixMilkCoffee"};
        for (int k = 0; k < 3; k++) {
            List<Map<String, Object>> rs = named(evs, "X", "region", kinds[k]);
            assertEquals(2, rs.size(), kinds[k] + ": " + rs);
            for (Map<String, Object> r : rs) {
                double t = num(args(r), "task");
                long g = (long) num(args(r), "goid");
                if (t == 0) {
                    assertEquals(goids[0], g, r::toString);
                    within(r, outer);
                } else {
                    assertEquals(task, t, r::toString);
                    assertEquals(goids[k + 1], g, r::toString);
                    assertTrue(end(r) <= num(taskE, "ts") + 0.0015, "region after its task's end: " + r);
                }
            }
        }
        List<Map<String, Object>> logs = named(evs, "i", "log", "orderID=" + orderID);
        assertEquals(2, logs.size(), logs::toString);
        assertEquals(List.of(0.0, task), List.of(num(args(logs.get(0)), "task"), num(args(logs.get(1)), "task")).stream().sorted().toList());
        GoTesting.assertNoLeak(before);
    }
}
