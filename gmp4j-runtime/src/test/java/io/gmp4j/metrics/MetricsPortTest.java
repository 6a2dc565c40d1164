package io.gmp4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gmp4j.Go;
import io.gmp4j.MemStats;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ports of Go 1.19's runtime/metrics/description_test.go and runtime/metrics_test.go, for the
 * metrics gmp4j lists in {@link Metrics#all()} (those Go lists and gmp4j leaves out are in
 * docs/DIVERGENCES.md, "runtime/metrics").
 */
@ExtendWith(GoLeakCheck.class)
class MetricsPortTest {

    // description_test.go: TestDescriptionNameFormat
    @Test
    void descriptionNameFormat() {
        Pattern r = Pattern.compile("^(?<name>/[^:]+):(?<unit>[^:*/]+(?:[*/][^:*/]+)*)$");
        for (Metrics.Description desc : Metrics.all()) {
            assertTrue(r.matcher(desc.name()).matches(), "metrics " + desc.name() + " does not match regexp " + r);
        }
    }

    /**
     * Go 1.19's description.go, for the names gmp4j shares with it: name, kind. (Cumulative and
     * the text follow Go 1.22, which gmp4j's list is: 1.21 made /sched/latencies cumulative and
     * reworded several descriptions.)
     */
    private static final Map<String, Metrics.Kind> GO119_KINDS = Map.ofEntries(
            Map.entry("/gc/cycles/automatic:gc-cycles", Metrics.Kind.UINT64),
            Map.entry("/gc/cycles/forced:gc-cycles", Metrics.Kind.UINT64),
            Map.entry("/gc/cycles/total:gc-cycles", Metrics.Kind.UINT64),
            Map.entry("/gc/heap/allocs:bytes", Metrics.Kind.UINT64),
            Map.entry("/gc/pauses:seconds", Metrics.Kind.FLOAT64_HISTOGRAM),
            Map.entry("/memory/classes/heap/objects:bytes", Metrics.Kind.UINT64),
            Map.entry("/memory/classes/heap/unused:bytes", Metrics.Kind.UINT64),
            Map.entry("/memory/classes/metadata/other:bytes", Metrics.Kind.UINT64),
            Map.entry("/memory/classes/other:bytes", Metrics.Kind.UINT64),
            Map.entry("/memory/classes/total:bytes", Metrics.Kind.UINT64),
            Map.entry("/sched/gomaxprocs:threads", Metrics.Kind.UINT64),
            Map.entry("/sched/goroutines:goroutines", Metrics.Kind.UINT64),
            Map.entry("/sched/latencies:seconds", Metrics.Kind.FLOAT64_HISTOGRAM));

    /** The kinds of the names gmp4j shares with Go 1.19's list are Go's. */
    @Test
    void kindsAsGo119Describes() {
        int shared = 0;
        for (Metrics.Description d : Metrics.all()) {
            Metrics.Kind want = GO119_KINDS.get(d.name());
            if (want != null) {
                shared++;
                assertEquals(want, d.kind(), d.name());
            }
        }
        assertEquals(GO119_KINDS.size(), shared, "every Go 1.19 name listed: " + Metrics.all());
    }

    // metrics_test.go: TestReadMetrics. Go reads the metrics and MemStats in one stop-the-world
    // (ReadMetricsSlow); here they are read one after the other, again until no collection came
    // between them, and only the figures that are not heap-usage snapshots are compared (those
    // move with every allocation of any thread: docs/DIVERGENCES.md).
    @Test
    void readMetrics() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            MemStats before = Go.readMemStats();
            Map<String, Object> m = Metrics.readAll();
            MemStats after = Go.readMemStats();
            if (before.NumGC == after.NumGC && before.NumForcedGC == after.NumForcedGC) {
                assertEquals((long) (after.NumGC - after.NumForcedGC), m.get("/gc/cycles/automatic:gc-cycles"));
                assertEquals((long) after.NumForcedGC, m.get("/gc/cycles/forced:gc-cycles"));
                assertEquals((long) after.NumGC, m.get("/gc/cycles/total:gc-cycles"));
                long allocs = (Long) m.get("/gc/heap/allocs:bytes");
                assertTrue(before.TotalAlloc <= allocs && allocs <= after.TotalAlloc,
                        before.TotalAlloc + " <= " + allocs + " <= " + after.TotalAlloc);
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("a collection between every two readMemStats for 20 s");
            }
        }
    }

    // metrics_test.go: TestReadMetricsConsistency
    @Test
    void readMetricsConsistency() {
        // Run a few GC cycles to get some of the stats to be non-zero.
        Go.gc();
        Go.gc();
        Go.gc();
        Map<String, Metrics.Description> descs = new java.util.HashMap<>();
        for (Metrics.Description d : Metrics.all()) {
            descs.put(d.name(), d);
        }
        // Go's test runs on a goroutine, and counts it.
        Map<String, Object> samples = GoTesting.inGoroutine(60, Metrics::readAll);
        long totalVirtualGot = -1, totalVirtualWant = 0;
        for (var e : samples.entrySet()) {
            String name = e.getKey();
            Object v = e.getValue();
            Metrics.Kind want = descs.get(name).kind();
            Metrics.Kind kind = v instanceof Long ? Metrics.Kind.UINT64 : v instanceof Double ? Metrics.Kind.FLOAT64
                    : v instanceof Metrics.Float64Histogram ? Metrics.Kind.FLOAT64_HISTOGRAM : Metrics.Kind.BAD;
            assertEquals(want, kind, "supported metric " + name + " has unexpected kind");
            if (!name.equals("/memory/classes/total:bytes") && name.startsWith("/memory/classes")) {
                long u = (Long) v;
                totalVirtualWant += u;
                // None of these stats should ever get this big (Go: negative as int64).
                assertTrue(u >= 0, name + " has high/negative value: " + u);
            }
            switch (name) {
                case "/memory/classes/total:bytes" -> totalVirtualGot = (Long) v;
                case "/sched/gomaxprocs:threads" -> assertEquals((long) Go.gomaxprocs(0), v,
                        "gomaxprocs doesn't match runtime.GOMAXPROCS");
                case "/sched/goroutines:goroutines" -> assertTrue((Long) v >= 1, "number of goroutines is less than one");
                default -> { }
            }
        }
        assertEquals(totalVirtualWant, totalVirtualGot, "\"/memory/classes/total:bytes\" does not match sum of /memory/classes/**");
        // The object and size-class tallies Go checks next are not listed (the JVM counts no
        // objects). Go's "at least 2 pauses per GC" is Go's collector; the JVM's G1 and Serial
        // make one pause per counted collection, and the pause history starts at the first read.
        assertEquals((Long) samples.get("/gc/cycles/total:gc-cycles"),
                (Long) samples.get("/gc/cycles/automatic:gc-cycles") + (Long) samples.get("/gc/cycles/forced:gc-cycles"),
                "total = automatic + forced");
    }

    static final byte[][] readMetricsSink = new byte[1024][];

    // metrics_test.go: TestReadMetricsCumulative
    @Test
    void readMetricsCumulative() {
        int before = Go.numGoroutine();
        // Set up the set of metrics marked cumulative.
        List<String> names = new ArrayList<>();
        for (Metrics.Description d : Metrics.all()) {
            if (d.cumulative()) {
                names.add(d.name());
            }
        }
        // Start some noise in the background.
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        Chan<Void> done = Chan.make(0);
        Go.go(() -> {
            try {
                while (true) {
                    // Add more things here that could influence metrics.
                    for (int i = 0; i < readMetricsSink.length; i++) {
                        readMetricsSink[i] = new byte[1024];
                        boolean[] stop = {false};
                        Select.select(done.onRecv(v -> stop[0] = true), Select.onDefault(() -> {}));
                        if (stop[0]) {
                            return;
                        }
                    }
                    Go.gc();
                }
            } finally {
                wg.done();
            }
        });
        try {
            // Populate the first generation.
            Map<String, Object> old = Metrics.readAll();
            // Check to make sure that these metrics only grow monotonically (Go: 10
            // generations; more here, each a few GCs apart at most, to meet the races).
            for (int gen = 1; gen < 200; gen++) {
                Map<String, Object> now = Metrics.readAll();
                for (String name : names) {
                    Object vNew = now.get(name), vOld = old.get(name);
                    if (vNew instanceof Long n) {
                        assertTrue(n >= (Long) vOld, name + " decreased: " + n + " < " + vOld + " (generation " + gen + ")");
                    } else if (vNew instanceof Double n) {
                        assertTrue(n >= (Double) vOld, name + " decreased: " + n + " < " + vOld);
                    } else {
                        long n = sum(((Metrics.Float64Histogram) vNew).counts());
                        long o = sum(((Metrics.Float64Histogram) vOld).counts());
                        assertTrue(n >= o, name + " counts decreased: " + n + " < " + o);
                    }
                }
                old = now;
            }
        } finally {
            done.close();
            wg.await();
        }
        GoTesting.assertNoLeak(before);
    }

    private static long sum(long[] us) {
        return Arrays.stream(us).sum();
    }
}
