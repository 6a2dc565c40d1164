package io.gmp4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import io.gmp4j.chan.Chan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import org.junit.jupiter.api.extension.ExtendWith;

/** runtime/metrics names and the JMX view agree with the runtime. */
@ExtendWith(GoLeakCheck.class)
class MetricsTest {
    /**
     * A runtime image without java.management (jlink, --limit-modules): ReadMemStats and the
     * metrics read java.base's figures instead of failing with NoClassDefFoundError; the MBean,
     * which cannot exist there, is refused with the modules it needs.
     */
    @Test
    void readsWithoutJavaManagement() {
        for (List<String> jvm : List.of(List.<String>of(), List.of("--limit-modules", "java.base"))) {
            GoTesting.Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", jvm, List.of(), 60, "memStats");
            assertEquals(0, c.exitCode(), jvm + ": " + c.stdout() + c.stderr());
            String line = "alloc>=4MiB true sys>=alloc true NumForcedGC 1 NumGC>=1 true metrics " + Metrics.all().size()
                    + " live>0 true kept 64\n";
            assertEquals(jvm.isEmpty() ? line : line + "registerMBean: needs the modules java.management and jdk.management\n",
                    c.stdout(), jvm + ": " + c.stderr());
            assertEquals("", c.stderr(), jvm.toString());
        }
    }

    @Test
    void readAndJmx() throws Exception {
        var m = Metrics.read();
        assertEquals((long) Go.gomaxprocs(0), m.get("/sched/gomaxprocs:threads"));
        assertTrue(m.get("/sched/goroutines:goroutines") >= 0);
        Metrics.registerMBean();
        Metrics.registerMBean();
        Object procs = ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName(Metrics.OBJECT_NAME), "Gomaxprocs");
        assertEquals(Go.gomaxprocs(0), procs);
    }

    /** The JMX goroutine dump shows a goroutine parked in a channel receive, in Go's format. */
    @Test
    void goroutineDumpOverJmx() throws Exception {
        int before = Go.numGoroutine();
        Metrics.registerMBean();
        io.gmp4j.chan.Chan<Integer> c = io.gmp4j.chan.Chan.make(0);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Go.go(() -> {
            c.recv();
            done.countDown();
        });
        String dump = "";
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!dump.contains("[chan receive")) {
            assertTrue(System.nanoTime() < deadline, "no goroutine in chan receive in the dump:\n" + dump);
            Thread.sleep(1);
            dump = (String) ManagementFactory.getPlatformMBeanServer()
                    .invoke(new ObjectName(Metrics.OBJECT_NAME), "goroutineDump", null, null);
        }
        assertTrue(dump.matches("(?s).*goroutine \\d+ \\[chan receive.*"), dump);
        c.send(1);
        assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS));
        io.gmp4j.testing.GoTesting.assertNoLeak(before);
    }

    /** Every metric all() lists reads back with its declared kind; all() is Go's sorted list. */
    @Test
    void allReadableWithDeclaredKind() {
        List<Metrics.Description> all = Metrics.all();
        List<String> names = new ArrayList<>();
        for (Metrics.Description d : all) {
            names.add(d.name());
            assertTrue(d.name().matches("(/[a-z0-9-]+)+:[a-z-*/]+"), d.name());
            assertFalse(d.description().isBlank(), d.name());
        }
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names, "all() sorted by name");
        Map<String, Object> values = Metrics.readAll();
        assertEquals(names, new ArrayList<>(values.keySet()));
        for (Metrics.Description d : all) {
            Object v = values.get(d.name());
            switch (d.kind()) {
                case UINT64 -> assertInstanceOf(Long.class, v, d.name());
                case FLOAT64 -> assertInstanceOf(Double.class, v, d.name());
                case FLOAT64_HISTOGRAM -> {
                    Metrics.Float64Histogram h = assertInstanceOf(Metrics.Float64Histogram.class, v, d.name());
                    assertEquals(h.counts().length + 1, h.buckets().length, d.name());
                    for (int i = 0; i + 1 < h.buckets().length; i++) {
                        assertTrue(h.buckets()[i] < h.buckets()[i + 1], d.name() + " bucket " + i);
                    }
                    assertTrue(d.cumulative(), d.name());
                    assertTrue(Arrays.stream(h.counts()).allMatch(c -> c >= 0), d.name());
                }
                default -> throw new AssertionError(d);
            }
            assertEquals(v.getClass(), Metrics.sample(d.name()).getClass());
        }
        assertEquals((long) Go.gomaxprocs(0), values.get("/sched/gomaxprocs:threads"));
        assertTrue((Long) values.get("/memory/classes/heap/objects:bytes") > 0);
        long total = (Long) values.get("/memory/classes/total:bytes");
        long parts = 0;
        for (String n : names) {
            if (n.startsWith("/memory/classes/") && !n.equals("/memory/classes/total:bytes")) {
                parts += (Long) values.get(n);
            }
        }
        assertEquals(total, parts, "/memory/classes/total is the sum of the classes");
        assertThrows(IllegalArgumentException.class, () -> Metrics.sample("/no/such:metric"));
    }

    /** Go's time-histogram layout: -Inf, 0, 64 ns steps to 256 ns, four sub-buckets per power of two, +Inf. */
    @Test
    void timeHistogramBuckets() {
        var h = (Metrics.Float64Histogram) Metrics.sample("/sched/latencies:seconds");
        double[] b = h.buckets();
        assertEquals(Double.NEGATIVE_INFINITY, b[0]);
        assertEquals(0.0, b[1]);
        assertEquals(64e-9, b[2], 1e-18);
        assertEquals(256e-9, b[5], 1e-18);
        assertEquals(320e-9, b[6], 1e-18);
        assertEquals(512e-9, b[9], 1e-18);
        assertEquals(Double.POSITIVE_INFINITY, b[b.length - 1]);
    }

    /** A ping-pong between two goroutines lands runnable-to-running times in /sched/latencies. */
    @Test
    void schedLatenciesAfterPingPong() throws Exception {
        int before = Go.numGoroutine();
        // At GOMAXPROCS=1 every hand-off parks and readies: with two Ps the pair may run on both
        // and hand off by spinning (HandoffSpin), with no transition to time.
        int prev = Go.gomaxprocs(1);
        try {
            pingPongSamples();
        } finally {
            Go.gomaxprocs(prev);
        }
        io.gmp4j.testing.GoTesting.assertNoLeak(before);
    }

    private static void pingPongSamples() throws Exception {
        long n0 = total((Metrics.Float64Histogram) Metrics.sample("/sched/latencies:seconds"));
        Chan<Integer> ping = Chan.make(0), pong = Chan.make(0);
        CountDownLatch done = new CountDownLatch(2);
        int rounds = 10_000;
        Go.go(() -> {
            for (int i = 0; i < rounds; i++) {
                ping.send(i);
                pong.recv();
            }
            done.countDown();
        });
        Go.go(() -> {
            for (int i = 0; i < rounds; i++) {
                pong.send(ping.recv());
            }
            done.countDown();
        });
        assertTrue(done.await(30, TimeUnit.SECONDS));
        long n1 = total((Metrics.Float64Histogram) Metrics.sample("/sched/latencies:seconds"));
        // 4 park/ready transitions a round trip, one in 8 tracked: about rounds/2 samples.
        assertTrue(n1 - n0 >= rounds / 10, "only " + (n1 - n0) + " samples after " + rounds + " round trips");
    }

    /** runtime.GC's pause lands in /gc/pauses and /sched/pauses/total/gc; cycles count it as forced. */
    @Test
    void gcPausesAfterGc() throws Exception {
        long p0 = total((Metrics.Float64Histogram) Metrics.sample("/gc/pauses:seconds"));
        long f0 = (Long) Metrics.sample("/gc/cycles/forced:gc-cycles");
        Go.gc();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (total((Metrics.Float64Histogram) Metrics.sample("/gc/pauses:seconds")) == p0) {
            assertTrue(System.nanoTime() < deadline, "no pause recorded after runtime.GC");
            Thread.sleep(5);
        }
        Map<String, Object> m = Metrics.readAll();
        assertEquals(total((Metrics.Float64Histogram) m.get("/gc/pauses:seconds")),
                total((Metrics.Float64Histogram) m.get("/sched/pauses/total/gc:seconds")));
        assertTrue((Long) m.get("/gc/cycles/forced:gc-cycles") > f0);
        assertTrue((Long) m.get("/gc/cycles/total:gc-cycles")
                >= (Long) m.get("/gc/cycles/forced:gc-cycles"));
    }

    /** The uint64 figures over JMX as the RuntimeMetrics attribute. */
    @Test
    void runtimeMetricsOverJmx() throws Exception {
        Metrics.registerMBean();
        Object t = ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName(Metrics.OBJECT_NAME), "RuntimeMetrics");
        var table = assertInstanceOf(javax.management.openmbean.TabularData.class, t);
        var row = table.get(new Object[] {"/sched/gomaxprocs:threads"});
        assertEquals((long) Go.gomaxprocs(0), row.get("value"));
    }

    private static long total(Metrics.Float64Histogram h) {
        return Arrays.stream(h.counts()).sum();
    }
}
