package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delta profiles, {@code /debug/pprof/NAME?seconds=N} (net/http/pprof: serveDeltaProfile): the
 * profile at the end minus the profile at the start, read with {@code go tool pprof -traces}
 * (Go's profile.Parse; each sample's value and stack). Go's tests retry with longer windows
 * (1, 4, 16, 32 s) until what happened in the window shows; so do these.
 */
@ExtendWith(GoLeakCheck.class)
class DeltaProfileTest extends DebugServerFixture {
    private static final String T = "io.gmp4j.debug.DeltaProfileTest.";

    /** A sample as {@code go tool pprof -traces} prints it: the value, the labels, the stack (leaf first). */
    record Sample(String value, List<String> stack) {}

    /** {@code -traces}: the header (File, Type, Time, Duration...) and the samples. */
    record Traces(String header, List<Sample> samples) {
        /** pprof_test.go: seen: some sample's stack has a function whose name contains {@code fname}. */
        boolean seen(String fname) {
            return samples.stream().anyMatch(s -> s.stack().stream().anyMatch(f -> f.contains(fname)));
        }

        /** The value of the one sample whose stack has {@code fname}, or null when none has it. */
        String valueAt(String fname) {
            List<Sample> at = samples.stream().filter(s -> s.stack().stream().anyMatch(f -> f.contains(fname))).toList();
            assertTrue(at.size() <= 1, "one sample for " + fname + ": " + this);
            return at.isEmpty() ? null : at.get(0).value();
        }
    }

    private Traces traces(byte[] profile) throws Exception {
        String out = GoToolPprof.run(goOrSkip(), tmp, "-traces", profile);
        String[] blocks = out.split("(?m)^-----------\\+-+\n");
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i < blocks.length; i++) {
            String value = null;
            List<String> stack = new ArrayList<>();
            for (String line : blocks[i].split("\n")) {
                // report.go: printTraces: "%10s:  %s" a label, "%10s   %s" a frame (the value on the first)
                if (line.length() > 13 && line.charAt(10) != ':') {
                    if (value == null) {
                        value = line.substring(0, 10).strip();
                    }
                    stack.add(line.substring(13).replace(" (inline)", ""));
                }
            }
            if (!stack.isEmpty()) {
                samples.add(new Sample(value, stack));
            }
        }
        return new Traces(blocks[0], samples);
    }

    /** GET {@code path}: the 200's Content-Disposition and body. */
    private static Map.Entry<String, byte[]> getWithName(String path) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + addr.getPort() + path).toURL().openConnection();
        try {
            assertEquals(200, c.getResponseCode(), path);
            try (var in = c.getInputStream()) {
                return Map.entry(c.getHeaderField("Content-Disposition"), in.readAllBytes());
            }
        } finally {
            c.disconnect();
        }
    }

    // ---- pprof_test.go: TestDeltaProfile --------------------------------------------------

    static volatile int sink;

    interface Hogger {
        void hog(Mutex mu1, Mutex mu2, long startNanos, long dtNanos);
    }

    // pprof_test.go: mutexHog1
    static void mutexHog1(Mutex mu1, Mutex mu2, long startNanos, long dtNanos) {
        while (System.nanoTime() - startNanos < dtNanos) {
            mu1.lock();
            mu2.lock();
            mu1.unlock();
            mu2.unlock();
        }
    }

    // pprof_test.go: mutexHog2, mutexHog1 under another name
    static void mutexHog2(Mutex mu1, Mutex mu2, long startNanos, long dtNanos) {
        sink += 2;
        while (System.nanoTime() - startNanos < dtNanos) {
            mu1.lock();
            mu2.lock();
            mu1.unlock();
            mu2.unlock();
        }
    }

    // pprof_test.go: mutexHog: 10 goroutines run the hogger on two mutexes for the duration
    static void mutexHog(Duration d, Hogger hogger) {
        long start = System.nanoTime();
        Mutex mu1 = new Mutex(), mu2 = new Mutex();
        WaitGroup wg = new WaitGroup();
        wg.add(10);
        for (int i = 0; i < 10; i++) {
            Go.go(() -> {
                try {
                    hogger.hog(mu1, mu2, start, d.toNanos());
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
    }

    // pprof_test.go: TestDeltaProfile. Go skips the test when mutexHog1 does not show in the
    // cumulative profile after one 20 ms hog; here it hogs again until it shows (30 s at most).
    @Test
    void deltaProfile() throws Exception {
        goOrSkip();
        int rate = Debug.setMutexProfileFraction(1);
        try {
            // mutexHog1 will appear in non-delta mutex profile if the mutex profile works.
            Traces p = new Traces("", List.of());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!p.seen("mutexHog1")) {
                assertTrue(System.nanoTime() < deadline, "mutex profile is not working: " + p);
                mutexHog(Duration.ofMillis(20), DeltaProfileTest::mutexHog1);
                p = traces(get("/debug/pprof/mutex"));
            }

            // causes mutexHog2 call stacks to appear in the mutex profile.
            Chan<Boolean> done = Chan.make(0);
            Go.go(() -> {
                while (true) {
                    mutexHog(Duration.ofMillis(20), DeltaProfileTest::mutexHog2);
                    AtomicBoolean stop = new AtomicBoolean();
                    Select.select(done.onRecv(v -> stop.set(true)), Select.onDefault(() -> Time.sleep(Duration.ofMillis(10))));
                    if (stop.get()) {
                        done.send(true);
                        return;
                    }
                }
            });
            try {
                for (int d : new int[] {1, 4, 16, 32}) {
                    Map.Entry<String, byte[]> r = getWithName("/debug/pprof/mutex?seconds=" + d);
                    assertEquals("attachment; filename=\"mutex-delta\"", r.getKey());
                    p = traces(r.getValue());
                    if (!p.seen("mutexHog1") && p.seen("mutexHog2") && durationSeconds(p) > 0) {
                        break; // pass
                    }
                    assertTrue(d != 32, "want mutexHog2 but no mutexHog1 in the profile, and non-zero p.DurationNanos, got " + p);
                }
            } finally { // cleanup the above goroutine.
                done.send(true);
                done.recv(); // wait for the goroutine to exit.
            }
            p = traces(get("/debug/pprof/mutex"));
            assertTrue(p.seen("mutexHog1") && p.seen("mutexHog2"), "want both mutexHog1 and mutexHog2 in the profile, got " + p);
        } finally {
            Debug.setMutexProfileFraction(rate);
        }
    }

    /** The profile's DurationNanos in seconds, from -traces' "Duration: 1.01s, Total samples = ..." (absent when 0). */
    private static double durationSeconds(Traces p) {
        Matcher m = Pattern.compile("(?m)^Duration: ([0-9.]+)(ms|s),").matcher(p.header());
        if (!m.find()) {
            return 0;
        }
        double v = Double.parseDouble(m.group(1));
        return m.group(2).equals("ms") ? v / 1000 : v;
    }

    // ---- goroutine: counts go negative -----------------------------------------------------

    static void parkedBefore(Chan<Integer> c) {
        c.recv();
    }

    static void parkedThroughout(Chan<Integer> c) {
        c.recv();
    }

    static void parkedDuring(Chan<Integer> c) {
        c.recv();
    }

    /** Starts {@code n} goroutines in {@code park} on {@code c} and waits until debug=1 groups them. */
    private static void startParked(int n, String method, java.util.function.Consumer<Chan<Integer>> park, Chan<Integer> c) throws Exception {
        for (int i = 0; i < n; i++) {
            Go.go(() -> park.accept(c));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Pattern group = Pattern.compile("\n" + n + " @\n#\tio\\.gmp4j\\.chan\\.Chan\\.recv\t[^\n]*\n#\t" + Pattern.quote(T + method) + "\t");
        String body = "";
        while (!group.matcher(body).find()) {
            assertTrue(System.nanoTime() < deadline, n + " goroutines not grouped in " + method + ":\n" + body);
            body = getText("/debug/pprof/goroutine?debug=1");
        }
    }

    /**
     * goroutine?seconds=N: Merge of p0 scaled by -1 and p1 (net/http/pprof). Goroutines there at
     * both ends drop out; those that exited in the window count negative; those started in it
     * positive. Go gives the same: Scale(-1) keeps negative values and Merge drops only samples
     * whose values are all 0.
     */
    @Test
    void goroutineDelta() throws Exception {
        goOrSkip();
        int base = Go.numGoroutine();
        Chan<Integer> throughout = Chan.make(0);
        try {
            startParked(5, "parkedThroughout", DeltaProfileTest::parkedThroughout, throughout);
            Traces p = null;
            for (int d : new int[] {1, 4, 16}) {
                Chan<Integer> before = Chan.make(0), during = Chan.make(0);
                startParked(30, "parkedBefore", DeltaProfileTest::parkedBefore, before);
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + addr.getPort() + "/debug/pprof/goroutine?seconds=" + d)
                        .toURL().openConnection();
                byte[] body;
                boolean closed = false;
                try {
                    assertEquals(200, c.getResponseCode()); // the 200 comes once p0 is taken
                    assertEquals("attachment; filename=\"goroutine-delta\"", c.getHeaderField("Content-Disposition"));
                    before.close();
                    closed = true;
                    startParked(20, "parkedDuring", DeltaProfileTest::parkedDuring, during);
                    try (var in = c.getInputStream()) {
                        body = in.readAllBytes();
                    }
                } finally {
                    c.disconnect();
                    if (!closed) {
                        before.close();
                    }
                    during.close();
                }
                p = traces(body);
                if ("-30".equals(p.valueAt("parkedBefore")) && "20".equals(p.valueAt("parkedDuring"))) {
                    break;
                }
                awaitGoroutines(base + 5);
            }
            assertEquals("-30", p.valueAt("parkedBefore"), p::toString);
            assertEquals("20", p.valueAt("parkedDuring"), p::toString);
            assertEquals(null, p.valueAt("parkedThroughout"), "there at both ends: dropped, " + p);
            assertTrue(durationSeconds(p) > 0.5, p::header);
        } finally {
            throughout.close();
        }
    }

    private static void awaitGoroutines(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Go.numGoroutine() > n) {
            assertTrue(System.nanoTime() < deadline, Go.numGoroutine() + " goroutines, want " + n);
            Thread.sleep(10);
        }
    }

    // ---- heap and allocs ---------------------------------------------------------------------

    static volatile Object allocSink;

    static void allocatedBefore() {
        for (int i = 0; i < 64; i++) {
            allocSink = new byte[1 << 20];
        }
    }

    static void allocatedDuring() {
        for (int i = 0; i < 64; i++) {
            allocSink = new byte[1 << 20];
        }
    }

    /**
     * allocs?seconds=N and heap?seconds=N: what was allocated in the window and not what was
     * allocated before it (Go: the same sample types, the file name NAME-delta; no gc, so no
     * in-use values here). JFR hands its samples over about once a second: allocatedBefore is
     * waited for in the cumulative profile first, and a window may need to be longer than 1 s
     * for allocatedDuring to show in it (the retries).
     */
    @Test
    void allocsAndHeapDelta() throws Exception {
        goOrSkip();
        Traces p = new Traces("", List.of());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!p.seen("allocatedBefore")) {
            assertTrue(System.nanoTime() < deadline, "allocatedBefore never showed: " + p);
            allocatedBefore();
            p = traces(get("/debug/pprof/allocs"));
        }
        AtomicBoolean stop = new AtomicBoolean();
        Chan<Void> done = Chan.make(0);
        Go.go(() -> {
            while (!stop.get()) {
                allocatedDuring();
                Time.sleep(Duration.ofMillis(10));
            }
            done.close();
        });
        try {
            for (String name : List.of("allocs", "heap")) {
                byte[] last = null;
                for (int d : new int[] {1, 4, 16}) {
                    Map.Entry<String, byte[]> r = getWithName("/debug/pprof/" + name + "?seconds=" + d);
                    assertEquals("attachment; filename=\"" + name + "-delta\"", r.getKey());
                    last = r.getValue();
                    p = traces(last);
                    if (!p.seen("allocatedBefore") && p.seen("allocatedDuring")) {
                        break;
                    }
                    assertTrue(d != 16, name + ": want allocatedDuring and no allocatedBefore, got " + p);
                }
                assertTrue(p.header().contains("Type: alloc_space"), p::header);
                assertTrue(durationSeconds(p) > 0.5, p::header);
                String raw = GoToolPprof.run(goOrSkip(), tmp, "-raw", last);
                assertTrue(raw.contains("\nalloc_objects/count alloc_space/bytes[dflt] inuse_objects/count inuse_space/bytes\n"), raw);
            }
        } finally {
            stop.set(true);
            done.recv();
        }
    }

    // ---- the client leaves -------------------------------------------------------------------

    /** Threads inside Delta.serve: the handlers of delta profiles under way. */
    private static long deltasUnderWay() {
        return Thread.getAllStackTraces().values().stream()
                .filter(st -> java.util.Arrays.stream(st).anyMatch(f -> f.getClassName().equals("io.gmp4j.internal.pprof.Delta")
                        && f.getMethodName().equals("serve")))
                .count();
    }

    /**
     * A client that goes away ends the wait (Go's serveDeltaProfile returns on
     * r.Context().Done()): the handler's thread does not sit out the 600 seconds asked. A HEAD
     * gets the headers at once, as the CPU profile's (no body, so no heartbeat could see its
     * client leave).
     */
    @Test
    void deltaEndsWhenItsClientLeaves() throws Exception {
        try (java.net.Socket s = new java.net.Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET /debug/pprof/goroutine?seconds=600 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertEquals("HTTP/1.1 200 OK", new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII));
            assertEquals(1, deltasUnderWay(), "the handler waits in its window");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (deltasUnderWay() > 0) {
            assertTrue(System.nanoTime() < deadline, "the delta profile's handler still waits after its client left");
            Thread.sleep(20);
        }
        try (java.net.Socket s = new java.net.Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("HEAD /debug/pprof/heap?seconds=600 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String head = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("content-disposition: attachment; filename=\"heap-delta\"\r\n"), head);
        }
    }
}
