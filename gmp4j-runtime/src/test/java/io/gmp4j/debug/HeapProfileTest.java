package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import java.util.List;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** /debug/pprof/heap and /debug/pprof/allocs: JFR allocation samples as Go's heap profile. */
@ExtendWith(GoLeakCheck.class)
class HeapProfileTest extends DebugServerFixture {

    static volatile byte[] sink;

    /** The named method the goroutine allocates in: 4 KiB arrays, kept reachable through {@link #sink}. */
    static void allocate4KiB(byte[][] keep, int i) {
        byte[] b = new byte[4096];
        keep[i % keep.length] = b;
        sink = b;
    }

    /**
     * A runtime image without jdk.jfr and java.management (jlink, --limit-modules java.base):
     * runtime.MemProfileRate is still set and read (nothing is sampled), not a
     * NoClassDefFoundError from Heap, which named javax.management.JMException in a catch.
     */
    @Test
    void memProfileRateWithJavaBaseAlone() {
        for (List<String> jvm : List.of(List.<String>of(), List.of("--limit-modules", "java.base"))) {
            GoTesting.Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", jvm, List.of(), 60, "memProfileRate");
            assertEquals(0, c.exitCode(), jvm + ": " + c.stdout() + c.stderr());
            assertEquals("rates 524288 4096 0\n", c.stdout(), jvm + ": " + c.stderr());
            assertEquals("", c.stderr(), jvm.toString());
        }
    }

    @Test
    void heapAndAllocsNameTheAllocatingMethod() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        Go.go(() -> {
            try {
                byte[][] keep = new byte[64][];
                for (int i = 0; !stop.get(); i++) {
                    allocate4KiB(keep, i);
                    if ((i & 1023) == 0) {
                        Go.gosched();
                    }
                }
            } finally {
                wg.done();
            }
        });
        try {
            Response first = request("/debug/pprof/heap"); // starts the stream
            assertEquals(200, first.status());
            assertEquals(0x1f, first.body()[0] & 0xff);
            String text = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Thread.sleep(500);
                text = request("/debug/pprof/heap?debug=1").text();
                if (text.contains(".allocate4KiB\t")) {
                    break;
                }
            }
            assertNotNull(text);
            assertTrue(text.contains("#\tio.gmp4j.debug.HeapProfileTest.allocate4KiB\tHeapProfileTest.java:"), text);
            Matcher h = Pattern.compile("^heap profile: 0: 0 \\[(\\d+): (\\d+)\\] @ heap/1048576\n").matcher(text);
            assertTrue(h.find(), text);
            assertTrue(Long.parseLong(h.group(1)) > 0 && Long.parseLong(h.group(2)) >= 4096, text);
            assertTrue(text.contains("\n# runtime.MemStats\n"), text);

            for (String p : new String[] {"/debug/pprof/heap", "/debug/pprof/allocs", "/debug/pprof/heap?gc=1"}) {
                Response r = request(p);
                assertEquals(200, r.status(), p);
                try (var in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
                    String raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                    for (String s : new String[] {"alloc_objects", "alloc_space", "inuse_objects", "inuse_space", "allocate4KiB"}) {
                        assertTrue(raw.contains(s), p + ": " + s);
                    }
                }
                String pprof = pprof("-raw", r.body());
                if (pprof != null) {
                    // default_sample_type (field 14) read back: pprof marks it [dflt]
                    String types = p.endsWith("gc=1")
                            ? "alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes[dflt]" // in-use values there: Go's default
                            : "alloc_objects/count alloc_space/bytes[dflt] inuse_objects/count inuse_space/bytes";
                    assertTrue(pprof.contains(types), pprof);
                    assertTrue(pprof.contains("io.gmp4j.debug.HeapProfileTest.allocate4KiB"), pprof);
                }
            }
            String top = pprof("-top", request("/debug/pprof/allocs").body());
            if (top != null) {
                assertTrue(top.contains("allocate4KiB"), top);
            }
        } finally {
            stop.set(true);
            wg.await();
        }
    }

    static void allocateWhileOff(byte[][] keep, int i) {
        byte[] b = new byte[4096];
        keep[i % keep.length] = b;
        sink = b;
    }

    static void allocateAfterOn(byte[][] keep, int i) {
        byte[] b = new byte[4096];
        keep[i % keep.length] = b;
        sink = b;
    }

    /** Allocates in {@code body} on a goroutine for about {@code millis}. */
    private static void allocateFor(long millis, java.util.function.BiConsumer<byte[][], Integer> body) throws InterruptedException {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        Go.go(() -> {
            try {
                byte[][] keep = new byte[64][];
                for (int i = 0; System.nanoTime() < end; i++) {
                    body.accept(keep, i);
                    if ((i & 1023) == 0) {
                        Go.gosched();
                    }
                }
            } finally {
                wg.done();
            }
        });
        wg.await();
    }

    /** A class only this test allocates, so its line in the live histogram is its objects alone. */
    static final class Retained {
        final long[] payload = new long[4];
    }

    /**
     * heap?gc=1 fills inuse_objects/inuse_space per class from the JVM's live histogram after a
     * full collection: N retained objects of a unique class are counted (>= N: a histogram
     * counts what survived, and they all do), with their bytes.
     */
    @Test
    void gcFillsInUseValuesPerClass() throws Exception {
        int n = 50_000;
        Retained[] keep = new Retained[n];
        for (int i = 0; i < n; i++) {
            keep[i] = new Retained();
        }
        String cls = Retained.class.getName();
        String text = request("/debug/pprof/heap?gc=1&debug=1").text();
        Matcher m = Pattern.compile("(?m)^(\\d+): (\\d+) \\[0: 0\\] @\n#\t" + Pattern.quote(cls) + "\n").matcher(text);
        assertTrue(m.find(), text);
        assertTrue(Long.parseLong(m.group(1)) >= n, text);
        assertTrue(Long.parseLong(m.group(2)) >= 16L * n, text);
        Matcher h = Pattern.compile("^heap profile: (\\d+): (\\d+) \\[").matcher(text);
        assertTrue(h.find() && Long.parseLong(h.group(1)) >= n, text);
        assertTrue(text.contains("\n#\tlong[]\n"), "array classes in source form: " + text);

        Response r = request("/debug/pprof/heap?gc=1");
        assertEquals(200, r.status());
        String pprof = pprof("-raw", r.body());
        if (pprof != null) {
            // -raw: "inuse_objects inuse_space" are the 3rd and 4th values of the sample whose one location is the class
            Matcher loc = Pattern.compile("(?m)^\\s+(\\d+): 0x0 M=1 " + Pattern.quote(cls) + " ").matcher(pprof);
            assertTrue(loc.find(), pprof);
            Matcher s = Pattern.compile("(?m)^\\s+0\\s+0\\s+(\\d+)\\s+(\\d+): " + loc.group(1) + " $").matcher(pprof);
            assertTrue(s.find() && Long.parseLong(s.group(1)) >= n, pprof);
        }
        String plain = request("/debug/pprof/heap?debug=1").text();
        assertTrue(plain.startsWith("heap profile: 0: 0 ["), "without gc=1 no histogram is taken: " + plain.lines().findFirst().orElse(""));
        assertEquals(n, keep.length); // keep reachable until here
    }

    /** gc= is Go's Atoi, a 64-bit int: any value above 0 collects, one past 2^31 too. */
    @Test
    void gcTakesA64BitInteger() throws Exception {
        String text = request("/debug/pprof/heap?gc=99999999999&debug=1").text();
        assertFalse(text.startsWith("heap profile: 0: 0 ["), "gc=99999999999 takes the histogram: " + text.lines().findFirst().orElse(""));
    }

    /**
     * Sampling turned off right after it was turned on, before the helper thread started the
     * stream: nothing is printed (a JFR stream closed before it starts throws on that thread).
     */
    @Test
    void samplingTurnedOffBeforeItsThreadStartsIsQuiet() {
        GoTesting.Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of(), List.of(), 60, "memProfileOnOff");
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("done\n", c.stdout());
        assertEquals("", c.stderr());
    }

    @Test
    void setMemProfileRateTurnsSamplingOffAndOn() throws Exception {
        try {
            assertTrue(Debug.setMemProfileRate(0) > 0, "Go's default 524288, or the rate a test set");
            assertEquals(0, Debug.setMemProfileRate(-1)); // negative: read only
            request("/debug/pprof/heap"); // off: a request does not start it again
            allocateFor(1500, HeapProfileTest::allocateWhileOff);
            Thread.sleep(1500);
            assertFalse(request("/debug/pprof/heap?debug=1").text().contains("allocateWhileOff"));
            assertEquals(0, Debug.setMemProfileRate(4096)); // on now, without a request
            String text = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!text.contains("allocateAfterOn") && System.nanoTime() < deadline) {
                allocateFor(500, HeapProfileTest::allocateAfterOn);
                text = request("/debug/pprof/allocs?debug=1").text();
            }
            assertTrue(text.contains("#\tio.gmp4j.debug.HeapProfileTest.allocateAfterOn\t"), text);
            assertFalse(text.contains("allocateWhileOff"), text);
        } finally {
            Debug.setMemProfileRate(512 * 1024);
        }
    }

    @Test
    void badParametersGetGoText() throws Exception {
        Response r = request("/debug/pprof/heap?debug=x");
        assertEquals(400, r.status());
        assertEquals("invalid value for \"debug\" - must be an integer\n", r.text());
        r = request("/debug/pprof/allocs?seconds=-1");
        assertEquals(400, r.status());
        assertEquals("invalid value for \"seconds\" - must be a positive integer\n", r.text());
        r = request("/debug/pprof/heapx");
        assertEquals(404, r.status());
        assertEquals("Unknown profile\n", r.text());
        r = request("/debug/pprof/heap?gc=abc&debug=1"); // Go: a bad gc is 0
        assertEquals(200, r.status());
        assertTrue(r.text().startsWith("heap profile: "), r.text());
    }

    @Test
    void indexListsHeapAndAllocs() throws Exception {
        String index = request("/debug/pprof/").text();
        assertTrue(index.contains("<a href='heap?debug=1'>heap</a>"), index);
        assertTrue(index.contains("<a href='allocs?debug=1'>allocs</a>"), index);
        assertFalse(index.contains("Exception"), index);
    }

    /**
     * alloc_space counts from when sampling starts: a goroutine allocates 2 GiB, then
     * setMemProfileRate starts the stream, then it allocates 100 MiB; the total is within a
     * factor 3 of that (each carrier's first sample carried everything it had allocated
     * before: some GiB).
     */
    @Test
    void allocsCountFromTheStart() {
        var c = io.gmp4j.testing.GoTesting.runChild("io.gmp4j.testprog.TestProg", java.util.List.of("-Xmx256m"),
                java.util.List.of(), 90, "allocsAfterStart");
        assertEquals(0, c.exitCode(), c.stderr());
        Matcher m = Pattern.compile("heap profile: 0: 0 \\[(\\d+): (\\d+)\\] @ heap/\\d+").matcher(c.stdout());
        assertTrue(m.find(), c.stdout() + c.stderr());
        long bytes = Long.parseLong(m.group(2)), want = 100L << 20;
        assertTrue(bytes >= want / 3 && bytes <= want * 3, bytes + " B in " + m.group(1) + " samples, want about " + want);
        // A goroutine's stacks end at its function, as in the goroutine profile: no JDK entry frames.
        assertTrue(c.stdout().contains("io.gmp4j.testprog.TestProg.lambda$allocsAfterStart"), c.stdout());
        assertFalse(c.stdout().contains("jdk.internal.vm.Continuation") || c.stdout().contains("java.lang.VirtualThread.run"),
                c.stdout());
    }
}
