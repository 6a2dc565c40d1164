package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.Cond;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import java.net.HttpURLConnection;
import java.net.URI;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ports of Go 1.19's runtime/pprof/pprof_test.go that apply to gmp4j's profiles, served by the
 * debug server (Go's {@code Lookup(name).WriteTo(w, debug)} is {@code /debug/pprof/NAME?debug=N}).
 * Go's {@code profile.Parse} + {@code CheckValid} is {@code go tool pprof -traces}, which parses
 * and checks the proto and prints each sample's stack.
 */
@ExtendWith(GoLeakCheck.class)
class PprofPortTest extends DebugServerFixture {
    /** Turns off the profiles these tests turn on (DebugServerFixture resets nothing). */
    @AfterEach
    void off() {
        Debug.setMutexProfileFraction(0);
        Debug.setBlockProfileRate(0);
    }

    /** {@code go tool pprof -traces} on the proto at {@code path}: the samples' stacks, leaf first. */
    private List<List<String>> protoStacks(String path) throws Exception {
        String go = goOrSkip();
        String out = GoToolPprof.run(go, tmp, "-traces", get(path));
        List<List<String>> stacks = new ArrayList<>();
        for (String block : out.split("-----------\\+-+\n")) {
            List<String> stk = new ArrayList<>();
            for (String line : block.split("\n")) {
                // "      1ms   io.gmp4j.chan.Chan.recv" then "            io.gmp4j...caller"
                Matcher m = Pattern.compile("^\\s+(?:\\S+\\s+)?([\\w$.<>/]+\\.[\\w$<>]+)$").matcher(line);
                if (m.matches() && !line.contains("Type:") && !line.contains("Time:")) {
                    stk.add(m.group(1));
                }
            }
            if (!stk.isEmpty()) {
                stacks.add(stk);
            }
        }
        return stacks;
    }

    /** pprof_test.go: containsStack: some stack starts with {@code want}. */
    private static boolean containsStack(List<List<String>> got, List<String> want) {
        for (List<String> stk : got) {
            if (stk.size() >= want.size() && stk.subList(0, want.size()).equals(want)) {
                return true;
            }
        }
        return false;
    }

    private static final String T = "io.gmp4j.debug.PprofPortTest.";

    /**
     * pprof_test.go: awaitBlockedGoroutine: polls Go.stack(true) (gosched between) until a
     * goroutine in {@code state} has {@code fName} on its stack.
     */
    static void awaitBlockedGoroutine(String state, String fName) {
        Pattern r = Pattern.compile("(?m)^goroutine \\d+ \\[" + Pattern.quote(state) + "\\]:\n(?:.+\n\t.+\n)*"
                + Pattern.quote(T + fName) + "\\(");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Go.gosched();
            String dump = Go.stack(true);
            if (r.matcher(dump).find()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + r + "\n" + dump);
            }
        }
    }

    static void blockChanRecv() {
        Chan<Boolean> c = Chan.make(0);
        Go.go(() -> {
            awaitBlockedGoroutine("chan receive", "blockChanRecv");
            c.send(true);
        });
        c.recv();
    }

    static void blockChanSend() {
        Chan<Boolean> c = Chan.make(0);
        Go.go(() -> {
            awaitBlockedGoroutine("chan send", "blockChanSend");
            c.recv();
        });
        c.send(true);
    }

    static void blockChanClose() {
        Chan<Boolean> c = Chan.make(0);
        Go.go(() -> {
            awaitBlockedGoroutine("chan receive", "blockChanClose");
            c.close();
        });
        c.recv();
    }

    static void blockSelectRecvAsync() {
        int numTries = 3;
        Chan<Boolean> c = Chan.make(1);
        Chan<Boolean> c2 = Chan.make(1);
        Go.go(() -> {
            for (int i = 0; i < numTries; i++) {
                awaitBlockedGoroutine("select", "blockSelectRecvAsync");
                c.send(true);
            }
        });
        for (int i = 0; i < numTries; i++) {
            Select.select(c.onRecv(v -> {}), c2.onRecv(v -> {}));
        }
    }

    static void blockSelectSendSync() {
        Chan<Boolean> c = Chan.make(0);
        Chan<Boolean> c2 = Chan.make(0);
        Go.go(() -> {
            awaitBlockedGoroutine("select", "blockSelectSendSync");
            c.recv();
        });
        Select.select(c.onSend(true, () -> {}), c2.onSend(true, () -> {}));
    }

    /** Go 1.19 waits for "semacquire"; gmp4j names a Mutex wait as Go 1.20+ does, "sync.Mutex.Lock". */
    static void blockMutex() {
        Mutex mu = new Mutex();
        mu.lock();
        Go.go(() -> {
            awaitBlockedGoroutine("sync.Mutex.Lock", "blockMutex");
            mu.unlock();
        });
        mu.lock();
    }

    static void blockCond() {
        Mutex mu = new Mutex();
        Cond c = new Cond(mu);
        mu.lock();
        Go.go(() -> {
            awaitBlockedGoroutine("sync.Cond.Wait", "blockCond");
            mu.lock();
            c.signal();
            mu.unlock();
        });
        c.await();
        mu.unlock();
    }

    record BlockCase(String name, Runnable f, List<String> stk, String re) {}

    /** The caller of every block* function: Go's TestBlockProfile frame. */
    static void testBlockProfile(List<BlockCase> tests) {
        for (BlockCase test : tests) {
            test.f().run();
        }
    }

    private static BlockCase blockCase(String name, Runnable f, String fName, String leaf, String leafFile) {
        List<String> stk = List.of(leaf, T + fName, T + "testBlockProfile");
        // Go's "N N @ 0x..." then "#\t0xPC\tfunc+0xOFF\tfile:line" per frame; gmp4j's frames have no
        // PCs (docs/DIVERGENCES.md, "Profiling").
        String re = "\n[0-9]+ [0-9]+ @\n"
                + "#\t" + Pattern.quote(leaf) + "\t" + Pattern.quote(leafFile) + ":[0-9]+\n"
                + "#\t" + Pattern.quote(T + fName) + "\tPprofPortTest\\.java:[0-9]+\n"
                + "#\t" + Pattern.quote(T + "testBlockProfile") + "\tPprofPortTest\\.java:[0-9]+\n";
        return new BlockCase(name, f, stk, re);
    }

    // pprof_test.go: TestBlockProfile
    @Test
    void blockProfile() throws Exception {
        int before = Go.numGoroutine();
        List<BlockCase> tests = List.of(
                blockCase("chan recv", PprofPortTest::blockChanRecv, "blockChanRecv", "io.gmp4j.chan.Chan.recv", "Chan.java"),
                blockCase("chan send", PprofPortTest::blockChanSend, "blockChanSend", "io.gmp4j.chan.Chan.send", "Chan.java"),
                blockCase("chan close", PprofPortTest::blockChanClose, "blockChanClose", "io.gmp4j.chan.Chan.recv", "Chan.java"),
                blockCase("select recv async", PprofPortTest::blockSelectRecvAsync, "blockSelectRecvAsync",
                        "io.gmp4j.chan.Select.select", "Select.java"),
                blockCase("select send sync", PprofPortTest::blockSelectSendSync, "blockSelectSendSync",
                        "io.gmp4j.chan.Select.select", "Select.java"),
                blockCase("mutex", PprofPortTest::blockMutex, "blockMutex", "io.gmp4j.sync.Mutex.lock", "Mutex.java"),
                blockCase("cond", PprofPortTest::blockCond, "blockCond", "io.gmp4j.sync.Cond.await", "Cond.java"));

        Debug.setBlockProfileRate(1);
        // Go's test runs as a goroutine; so does this body.
        GoTesting.inGoroutine(() -> testBlockProfile(tests));
        Debug.setBlockProfileRate(0);

        // debug=1
        String prof = getText("/debug/pprof/block?debug=1");
        assertTrue(prof.startsWith("--- contention:\ncycles/second="), "Bad profile header:\n" + prof);
        assertFalse(prof.endsWith("#\t0x0\n\n"), "Useless 0 suffix:\n" + prof);
        for (BlockCase test : tests) {
            assertTrue(Pattern.compile(test.re().replace("\t", "\t+")).matcher(prof).find(),
                    "Bad " + test.name() + " entry, expect:\n" + test.re() + "\ngot:\n" + prof);
        }

        // proto
        List<List<String>> stks = protoStacks("/debug/pprof/block");
        for (BlockCase test : tests) {
            assertTrue(containsStack(stks, test.stk()), "No matching stack entry for " + test.name() + ", want " + test.stk()
                    + "\ngot " + stks);
        }
        GoTesting.assertNoLeak(before);
    }

    // pprof_test.go: TestMutexProfile
    @Test
    void mutexProfile() throws Exception {
        int before = Go.numGoroutine();
        int old = Debug.setMutexProfileFraction(1);
        assertEquals(0, old, "need MutexProfileRate 0");
        GoTesting.inGoroutine(PprofPortTest::blockMutex);
        Debug.setMutexProfileFraction(0);

        // debug=1. Go's test reads a fresh process's profile, one record: 6 lines. Records are
        // never freed (as Go's), and other tests in this JVM add their own, so the record of
        // blockMutex's unlock is looked up and checked as Go checks lines 3 to 5.
        String prof = getText("/debug/pprof/mutex?debug=1");
        assertTrue(prof.startsWith("--- mutex:\ncycles/second="), "Bad profile header:\n" + prof);
        String[] lines = null;
        for (String g : prof.strip().split("\n\n")) {
            if (g.contains(T + "lambda$blockMutex$")) {
                lines = g.lines().filter(l -> !l.startsWith("--- ") && !l.contains("=")).toArray(String[]::new);
            }
        }
        assertNotNull(lines, "no record of blockMutex's unlock:\n" + prof);
        // "35258904 1 @" (no PCs: docs/DIVERGENCES.md); then the unlocker, then the goroutine's
        // function: nothing below it, as Go drops runtime.goexit.
        assertTrue(lines[0].matches("^\\d+ \\d+ @$"), lines[0]);
        assertEquals(3, lines.length, "the record: count line and two frames\n" + String.join("\n", lines));
        assertTrue(lines[1].matches("^#\tio\\.gmp4j\\.sync\\.Mutex\\.unlock\t.*$"), lines[1]);
        assertTrue(lines[2].matches("^#.*PprofPortTest.lambda\\$blockMutex\\$.*$"), lines[2]);

        // proto
        List<List<String>> stks = protoStacks("/debug/pprof/mutex");
        boolean found = false;
        for (List<String> stk : stks) {
            found |= stk.size() >= 2 && stk.get(0).equals("io.gmp4j.sync.Mutex.unlock")
                    && stk.get(1).startsWith(T + "lambda$blockMutex$");
        }
        assertTrue(found, "No matching stack entry for [Mutex.unlock, blockMutex's goroutine]: " + stks);
        GoTesting.assertNoLeak(before);
    }

    static void func1(Chan<Integer> c) {
        c.recv();
    }

    static void func2(Chan<Integer> c) {
        c.recv();
    }

    static void func3(Chan<Integer> c) {
        c.recv();
    }

    // pprof_test.go: TestGoroutineCounts, over the debug server; the labelled round of 89
    // goroutines is in io.gmp4j.pprof.PprofTest.goroutineCounts (Pprof.run is pprof.Do).
    @Test
    void goroutineCounts() throws Exception {
        int before = Go.numGoroutine();
        Chan<Integer> c = Chan.make(0);
        // Setting GOMAXPROCS to 1 ensures we can force all goroutines to the desired blocking point.
        GoTesting.withProcs(1, () -> GoTesting.inGoroutine(() -> {
            for (int i = 0; i < 100; i++) {
                if (i % 10 == 0) {
                    Go.go(() -> func1(c));
                } else if (i % 2 == 0) {
                    Go.go(() -> func2(c));
                } else {
                    Go.go(() -> func3(c));
                }
                // Let goroutines block on channel
                for (int j = 0; j < 5; j++) {
                    Go.gosched();
                }
            }
        }));
        try {
            // Go's profile has the test goroutine itself as "1 @"; here the profile is read by the
            // debug server's platform thread, so a goroutine parked elsewhere stands for it.
            Chan<Integer> one = Chan.make(0);
            Go.go(() -> one.recv());
            String prof = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!GoToolPprof.containsInOrder(prof, "\n50 @\n", "\n40 @\n", "\n10 @\n", "\n1 @\n")) {
                if (System.nanoTime() > deadline) {
                    fail("expected sorted goroutine counts:\n" + prof);
                }
                Thread.sleep(10);
                prof = getText("/debug/pprof/goroutine?debug=1");
            }
            one.close();
            // Each group lists its function.
            for (String[] want : new String[][] {{"50", "func3"}, {"40", "func2"}, {"10", "func1"}}) {
                int at = prof.indexOf("\n" + want[0] + " @\n");
                String group = prof.substring(at, prof.indexOf("\n\n", at));
                assertTrue(group.contains("#\t" + T + want[1] + "\t"), group);
            }

            // proto: the count is the single value in the sample.
            List<String[]> samples = protoSamples("/debug/pprof/goroutine");
            List<Long> counts = new ArrayList<>();
            for (String[] s : samples) {
                assertEquals(1, s.length, "one value per sample: " + String.join(" ", s));
                counts.add(Long.parseLong(s[0]));
            }
            for (long want : new long[] {50, 40, 10}) {
                assertTrue(counts.contains(want), "expected count profile to contain " + want + ", got " + counts);
            }
        } finally {
            c.close();
        }
        GoTesting.assertNoLeak(before);
    }

    /** {@code go tool pprof -raw}'s sample lines: the values before each ':'. */
    private List<String[]> protoSamples(String path) throws Exception {
        String go = goOrSkip();
        String raw = GoToolPprof.run(go, tmp, "-raw", get(path));
        List<String[]> out = new ArrayList<>();
        boolean inSamples = false;
        for (String line : raw.split("\n")) {
            if (line.startsWith("Samples:")) {
                inSamples = true;
                continue;
            }
            if (line.startsWith("Locations")) {
                break;
            }
            Matcher m = Pattern.compile("^\\s+([\\d ]+?):").matcher(line);
            if (inSamples && m.find()) {
                out.add(m.group(1).trim().split("\\s+"));
            }
        }
        return out;
    }

    // pprof_test.go: TestTracebackAll: runtime.Stack(all) over and over while the CPU profiler
    // samples (Go 1.19: a profiling signal during a traceback once crashed gccgo, #29448).
    @Test
    void tracebackAll() throws Exception {
        int before = Go.numGoroutine();
        CompletableFuture<byte[]> cpu = new CompletableFuture<>();
        Thread profiler = Thread.ofPlatform().start(() -> {
            try {
                cpu.complete(get("/debug/pprof/profile?seconds=1"));
            } catch (Throwable e) {
                cpu.completeExceptionally(e);
            }
        });
        Chan<Integer> ch = Chan.make(0);
        try {
            int count = 10;
            for (int i = 0; i < count; i++) {
                Go.go(() -> ch.recv()); // block
            }
            GoTesting.inGoroutine(() -> {
                for (int i = 0; i < 500; i++) {
                    String s = Go.stack(true);
                    assertTrue(s.startsWith("goroutine "), s);
                }
            });
        } finally {
            ch.close();
        }
        assertTrue(cpu.get(60, TimeUnit.SECONDS).length > 0);
        profiler.join();
        GoTesting.assertNoLeak(before);
    }
    // ---- CPU profiles: pprof_test.go's cpuHog1/cpuHog2/cpuHogger ----

    static volatile int salt1, salt2;

    /** The actual CPU hogging function: no calls nor heap access in the loop. */
    static int cpuHog0(int x, int n) {
        int foo = x;
        for (int i = 0; i < n; i++) {
            if (foo > 0) {
                foo *= foo;
            } else {
                foo *= foo + 1;
            }
        }
        return foo;
    }

    static int cpuHog1(int x) {
        return cpuHog0(x, 100_000);
    }

    static int cpuHog2(int x) {
        int foo = x;
        for (int i = 0; i < 100_000; i++) {
            if (foo > 0) {
                foo *= foo;
            } else {
                foo *= foo + 2;
            }
        }
        return foo;
    }

    /**
     * pprof_test.go: cpuHogger: at least 500 iterations, then until {@code until} is done (Go:
     * for dur; here the profile's end, as its start is JFR's start-up and not known here).
     */
    static int cpuHogger(java.util.function.IntUnaryOperator f, int y, java.util.concurrent.Future<?> until) {
        int accum = y;
        for (int i = 0; i < 500 || !until.isDone(); i++) {
            accum = f.applyAsInt(accum);
        }
        return accum;
    }

    /** The CPU profile a 1-second /debug/pprof/profile took while {@code hog} ran (given the request's future). */
    private static byte[] cpuProfile(java.util.function.Consumer<CompletableFuture<byte[]>> hog) throws Exception {
        CompletableFuture<byte[]> prof = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                prof.complete(get("/debug/pprof/profile?seconds=1"));
            } catch (Throwable e) {
                prof.completeExceptionally(e);
            }
        });
        hog.accept(prof);
        return prof.get(60, TimeUnit.SECONDS);
    }

    /** {@code go tool pprof -raw}: sample types, then per sample its values and stack (function names, leaf first). */
    private record Raw(String types, List<long[]> values, List<List<String>> stacks) {
        long total(int i) {
            long t = 0;
            for (long[] v : values) {
                t += v[i];
            }
            return t;
        }

        /** pprof_test.go: matchAndAvoidStacks(stackContains, ...): the samples with {@code fn} on their stack. */
        long samplesIn(String fn) {
            long n = 0;
            for (int i = 0; i < stacks.size(); i++) {
                if (stacks.get(i).contains(fn)) {
                    n += values.get(i)[0];
                }
            }
            return n;
        }
    }

    private Raw raw(byte[] proto) throws Exception {
        String out = GoToolPprof.run(goOrSkip(), tmp, "-raw", proto);
        String types = "";
        java.util.Map<String, String> fnOfLoc = new java.util.HashMap<>();
        List<long[]> values = new ArrayList<>();
        List<String[]> locs = new ArrayList<>();
        String section = "";
        String[] lines = out.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("Samples:")) {
                section = "s";
                types = lines[++i].trim();
                continue;
            }
            if (line.startsWith("Locations")) {
                section = "l";
                continue;
            }
            if (line.startsWith("Mappings")) {
                section = "";
                continue;
            }
            Matcher m;
            if (section.equals("s") && (m = Pattern.compile("^\\s+([\\d ]+?):((?: \\d+)*)\\s*$").matcher(line)).matches()) {
                values.add(java.util.Arrays.stream(m.group(1).trim().split("\\s+")).mapToLong(Long::parseLong).toArray());
                locs.add(m.group(2).trim().isEmpty() ? new String[0] : m.group(2).trim().split(" "));
            } else if (section.equals("l") && (m = Pattern.compile("^\\s+(\\d+): 0x\\S+ M=\\d+ (\\S+) ").matcher(line)).find()) {
                fnOfLoc.put(m.group(1), m.group(2));
            } else if (section.equals("l") && (m = Pattern.compile("^\\s+(\\d+): 0x\\S+ (\\S+) ").matcher(line)).find()) {
                fnOfLoc.put(m.group(1), m.group(2));
            }
        }
        List<List<String>> stacks = new ArrayList<>();
        for (String[] l : locs) {
            List<String> stk = new ArrayList<>();
            for (String id : l) {
                stk.add(fnOfLoc.getOrDefault(id, "?" + id));
            }
            stacks.add(stk);
        }
        assertTrue(!values.isEmpty(), "no samples:\n" + out);
        return new Raw(types, values, stacks);
    }

    // pprof_test.go: TestCPUProfile
    @Test
    void cpuProfile() throws Exception {
        int before = Go.numGoroutine();
        byte[] p = cpuProfile(prof -> GoTesting.inGoroutine(() -> salt1 = cpuHogger(PprofPortTest::cpuHog1, salt1, prof)));
        Raw r = raw(p);
        assertEquals("samples/count cpu/nanoseconds", r.types());
        assertTrue(r.samplesIn(T + "cpuHog1") >= 1, "no samples in cpuHog1: " + r.stacks());
        GoTesting.assertNoLeak(before);
    }

    // pprof_test.go: TestCPUProfileMultithreaded
    @Test
    void cpuProfileMultithreaded() throws Exception {
        int before = Go.numGoroutine();
        int prev = Go.gomaxprocs(2);
        try {
            byte[] p = cpuProfile(prof -> GoTesting.inGoroutine(() -> {
                Chan<Integer> c = Chan.make(0);
                Go.go(() -> {
                    salt1 = cpuHogger(PprofPortTest::cpuHog1, salt1, prof);
                    c.send(1);
                });
                salt2 = cpuHogger(PprofPortTest::cpuHog2, salt2, prof);
                c.recv();
            }));
            Raw r = raw(p);
            for (String fn : List.of("cpuHog1", "cpuHog2")) {
                assertTrue(r.samplesIn(T + fn) >= 1, "no samples in " + fn + ": " + r.stacks());
            }
        } finally {
            Go.gomaxprocs(prev);
        }
        GoTesting.assertNoLeak(before);
    }

    /** Process CPU time (user + system), nanoseconds: Go's diffCPUTime reads getrusage. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    // pprof_test.go: TestCPUProfileMultithreadMagnitude: serial (1 worker) and parallel
    // (GOMAXPROCS workers). Go runs the workload while it profiles and requires the profile's
    // total within 10% (40% in short mode) of the process's CPU time (getrusage) over the
    // workload. Here the workload starts when the server's 200 says the profiler samples, runs
    // 0.7 s of the profile's second (Go's cpuHogger: for dur), after one profile has warmed JFR
    // and the workload's compilation up. JFR's sampler sees Java frames only (GC, JIT and JFR's
    // own native threads are invisible) and loses samples (docs/DIVERGENCES.md, "Profiling"),
    // and on a loaded machine the client sees the 200 late (the workload may then run past the
    // sampling): the bounds are generous, at least half the process's CPU time over the
    // workload, and no more than the process used from before the request to the profile's end
    // (a sample's slack per thread).
    @Test
    void cpuProfileMultithreadMagnitude() throws Exception {
        int before = Go.numGoroutine();
        // JFR's start-up and the workload's compilation
        cpuProfile(prof -> GoTesting.inGoroutine(() -> salt1 = cpuHogger(PprofPortTest::cpuHog1, salt1, prof)));
        for (int workers : new int[] {1, Go.gomaxprocs(0)}) {
            long[] cpu = new long[3];
            CompletableFuture<Void> sampling = new CompletableFuture<>();
            CompletableFuture<byte[]> prof = new CompletableFuture<>();
            cpu[2] = processCpuNanos();
            Thread.ofPlatform().start(() -> {
                try {
                    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + addr.getPort() + "/debug/pprof/profile?seconds=1")
                            .toURL().openConnection();
                    assertEquals(200, c.getResponseCode()); // the profiler samples
                    sampling.complete(null);
                    try (var in = c.getInputStream()) {
                        prof.complete(in.readAllBytes());
                    }
                } catch (Throwable e) {
                    sampling.completeExceptionally(e);
                    prof.completeExceptionally(e);
                }
            });
            sampling.get(60, TimeUnit.SECONDS);
            GoTesting.inGoroutine(() -> {
                cpu[0] = processCpuNanos();
                CompletableFuture<Void> dur = CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(700, TimeUnit.MILLISECONDS));
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < workers; i++) {
                    wg.add(1);
                    Go.go(() -> {
                        salt1 = cpuHogger(PprofPortTest::cpuHog1, 0, dur);
                        wg.done();
                    });
                }
                wg.await();
                cpu[1] = processCpuNanos();
            });
            Raw r = raw(prof.get(60, TimeUnit.SECONDS));
            long all = processCpuNanos() - cpu[2];
            assertEquals("samples/count cpu/nanoseconds", r.types());
            assertTrue(r.samplesIn(T + "cpuHog1") >= 1, "no samples in cpuHog1: " + r.stacks());
            long value = r.total(1), total = cpu[1] - cpu[0];
            String msg = workers + " workers: process CPU " + total / 1_000_000 + " ms over the workload (" + all / 1_000_000
                    + " ms over the request), profile " + value / 1_000_000 + " ms";
            System.err.println("cpuProfileMultithreadMagnitude: " + msg);
            assertTrue(value >= total / 2, "CPU usage reports are too different: " + msg);
            assertTrue(value <= all + 20 * Cpu_PERIOD, "the profile counts more than the process used: " + msg);
        }
        GoTesting.assertNoLeak(before);
    }

    private static final long Cpu_PERIOD = 10_000_000L;

    /**
     * A CPU profile's duration is the time it sampled, as Go's (duration_nanos: from
     * StartCPUProfile to StopCPUProfile): pprof's "Total samples = 1s (N%)" is a share of it.
     * While the profile was a JFR RecordingStream, whose stop waits up to a flush period (1 s)
     * for its last events while no longer sampling, that wait was counted: a 1-second profile
     * said 1.9 s.
     */
    @Test
    void cpuProfileDurationIsTheSampledTime() throws Exception {
        int before = Go.numGoroutine();
        for (int i = 0; i < 2; i++) {
            byte[] p = cpuProfile(prof -> GoTesting.inGoroutine(() -> salt1 = cpuHogger(PprofPortTest::cpuHog1, salt1, prof)));
            String top = GoToolPprof.run(goOrSkip(), tmp, "-top", p);
            Matcher m = Pattern.compile("Duration: ([0-9.]+)(ms|s),").matcher(top);
            assertTrue(m.find(), top);
            double secs = Double.parseDouble(m.group(1)) / (m.group(2).equals("ms") ? 1000 : 1);
            assertTrue(secs >= 0.9 && secs < 1.5, "profile " + i + " of seconds=1 says it lasted " + secs + " s:\n" + top);
        }
        GoTesting.assertNoLeak(before);
    }

    // pprof_test.go: TestGoroutineSwitch: a CPU profile of goroutine switches (Gosched in a
    // loop). Go checks no sample's traceback went through gogo's switch; a JFR sample taken
    // mid-mount has the carrier's or the goroutine's Java frames: the check here is that the
    // profile parses, no sample has an empty stack, and the switching loop is seen.
    @Test
    void goroutineSwitch() throws Exception {
        int before = Go.numGoroutine();
        byte[] p = cpuProfile(prof -> GoTesting.inGoroutine(() -> {
            Chan<Integer> c = Chan.make(0);
            Go.go(() -> {
                goschedLoop(prof);
                c.send(1);
            });
            goschedLoop(prof);
            c.recv();
        }));
        Raw r = raw(p);
        for (List<String> stk : r.stacks()) {
            assertFalse(stk.isEmpty(), "a sample with an empty stack: " + r.stacks());
        }
        assertTrue(r.samplesIn(T + "goschedLoop") >= 1, "no samples in the switching loop: " + r.stacks());
        GoTesting.assertNoLeak(before);
    }

    static void goschedLoop(java.util.concurrent.Future<?> until) {
        for (int i = 0; i < 1000 || !until.isDone(); i++) {
            Go.gosched();
        }
    }
    // ---- mprof_test.go ----

    static volatile Object memSink;

    static void allocateTransient1M() {
        for (int i = 0; i < 1024; i++) {
            memSink = new byte[1024];
        }
    }

    static void allocateTransient2M() {
        memSink = new byte[2 << 20];
    }

    /** Go's test has a //go:noinline twin; Java's JIT decides, and JFR names inlined frames too. */
    static void allocateTransient2MInline() {
        memSink = new byte[2 << 20];
    }

    static final class Obj32 {
        Obj32 link;
        long pad0, pad1;
    }

    static volatile Obj32 persistentMemSink;

    static void allocatePersistent1K() {
        for (int i = 0; i < 32; i++) {
            Obj32 obj = new Obj32();
            obj.link = persistentMemSink;
            persistentMemSink = obj;
        }
    }

    static void allocateReflectTransient() {
        memSink = new byte[2 << 20];
    }

    static void allocateReflect() {
        try {
            PprofPortTest.class.getDeclaredMethod("allocateReflectTransient").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    // mprof_test.go: TestMemoryProfiler. The heap profile is JFR's allocation samples
    // (docs/DIVERGENCES.md, "Heap and allocs profiles"): Go's MemProfileRate = 1 (every
    // allocation) is only stored, JFR's throttle decides, so Go's exact counts ("32: 1024 [32:
    // 1024]") cannot be asked for: a group's count is samples and its bytes an estimate, its
    // in-use values 0 (no gc=1). Each of Go's allocation sites is asked for in a group
    // "0: 0 [N: B] @" with its stack, as Go's transient entries, except allocatePersistent1K:
    // 1 KiB is far below what JFR samples (about one sample per TLAB), and in-use objects are not
    // per allocation site here. The stream records from setMemProfileRate on and hands its
    // samples over about once a second: the program is run again until its sites show (Go runs
    // it once).
    @Test
    void memoryProfiler() throws Exception {
        int oldRate = Debug.setMemProfileRate(1);
        try {
            String prof = "";
            String[][] tests = {
                {"allocateTransient1M", null},
                {"allocateTransient2M", Integer.toString(2 << 20)},
                {"allocateTransient2MInline", Integer.toString(2 << 20)},
                {"allocateReflectTransient", Integer.toString(2 << 20)},
            };
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (boolean all = false; !all; ) {
                assertTrue(System.nanoTime() < deadline, "the allocation sites never showed:\n" + prof);
                // Allocate a meg to ensure that mcache.nextSample is updated to 1.
                for (int i = 0; i < 1024; i++) {
                    memSink = new byte[1024];
                }
                // Do the interesting allocations.
                allocateTransient1M();
                allocateTransient2M();
                allocateTransient2MInline();
                allocatePersistent1K();
                allocateReflect();
                memSink = null;
                Thread.sleep(50);
                prof = getText("/debug/pprof/heap?debug=1");
                all = true;
                for (String[] t : tests) {
                    all &= entry(prof, t[0]) != null;
                }
            }
            assertTrue(prof.startsWith("heap profile: "), prof);
            for (String[] t : tests) {
                String fn = t[0];
                Matcher m = entry(prof, fn);
                // Transient: nothing in use; N samples of B bytes, B at least one allocation's
                // size per sample where the site allocates 2 MiB at once.
                assertEquals("0", m.group(1), m.group());
                assertEquals("0", m.group(2), m.group());
                long n = Long.parseLong(m.group(3)), b = Long.parseLong(m.group(4));
                assertTrue(n >= 1 && b > 0, m.group());
                if (t[1] != null) {
                    assertTrue(b >= n * Long.parseLong(t[1]), "less than " + t[1] + " B a sample: " + m.group());
                }
            }

            // proto: a sample's stack is [allocateX, memoryProfiler] (reflection: allocateReflectTransient leads).
            List<List<String>> stks = protoStacks("/debug/pprof/heap");
            for (String[] t : tests) {
                List<String> want = t[0].equals("allocateReflectTransient") ? List.of(T + t[0]) : List.of(T + t[0], T + "memoryProfiler");
                assertTrue(containsStack(stks, want), "No matching stack entry for " + want + "\ngot " + stks);
            }
        } finally {
            Debug.setMemProfileRate(oldRate);
        }
    }

    /** The debug=1 heap group whose stack is [fn, memoryProfiler] (fn alone for the reflective call). */
    private static Matcher entry(String prof, String fn) {
        String caller = fn.equals("allocateReflectTransient") ? "" : "#\t" + Pattern.quote(T + "memoryProfiler") + "\tPprofPortTest\\.java:[0-9]+\n";
        Matcher m = Pattern.compile("(?m)^([0-9]+): ([0-9]+) \\[([0-9]+): ([0-9]+)\\] @\n#\t" + Pattern.quote(T + fn) + "\tPprofPortTest\\.java:[0-9]+\n" + caller)
                .matcher(prof);
        return m.find() ? m : null;
    }

    // pprof_test.go: TestGoroutineProfileConcurrency. Its finalizer subtests have no counterpart
    // (no finalizer goroutine), nor its labels (no pprof labels API): "overlapping profile
    // requests" is kept (each profile is whole: its total is the sum of its groups), and "goroutine
    // launches" checks with goids (debug=2) what Go checks with labels: every goroutine alive
    // from before the profile to after it is in it, while goroutines are created and exit.
    @Test
    void goroutineProfileConcurrency() throws Exception {
        int before = Go.numGoroutine();
        // overlapping profile requests
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        List<CompletableFuture<Integer>> reqs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            reqs.add(f);
            Thread.ofPlatform().start(() -> {
                try {
                    int n = 0;
                    while (System.nanoTime() < end || n == 0) {
                        String prof = getText("/debug/pprof/goroutine?debug=1");
                        Matcher m = Pattern.compile("^goroutine profile: total (\\d+)\n").matcher(prof);
                        assertTrue(m.find(), prof);
                        long sum = 0;
                        Matcher g = Pattern.compile("(?m)^(\\d+) @").matcher(prof);
                        while (g.find()) {
                            sum += Long.parseLong(g.group(1));
                        }
                        assertEquals(Long.parseLong(m.group(1)), sum, prof);
                        n++;
                    }
                    f.complete(n);
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
        }
        for (CompletableFuture<Integer> f : reqs) {
            assertTrue(f.get(60, TimeUnit.SECONDS) > 0);
        }

        // goroutine launches (Go: 100 runs, 5 in short mode)
        String go = goOrSkip();
        for (int run = 0; run < 5; run++) {
            testLaunches(run == 0 ? go : null);
        }
        GoTesting.assertNoLeak(before);
    }

    /** One run of "goroutine launches"; with {@code go}, each proto taken meanwhile must parse (Go: profile.Parse). */
    private void testLaunches(String go) {
        GoTesting.inGoroutine(() -> {
            WaitGroup done = new WaitGroup();
            java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
            Chan<Integer> ch = Chan.make(0);
            java.util.Set<Long> alive = java.util.concurrent.ConcurrentHashMap.newKeySet();
            WaitGroup ready = new WaitGroup();
            // These goroutines all survive until the end of the subtest.
            ready.add(1);
            done.add(1);
            Go.go(() -> {
                for (int i = 0; !cancelled.get(); i++) {
                    done.add(1);
                    Go.go(() -> {
                        alive.add(Go.goid());
                        ch.recv();
                        done.done();
                    });
                    for (int j = 0; j < i; j++) {
                        Go.gosched();
                    }
                    if (i == 0) {
                        ready.done();
                    }
                }
                done.done();
            });
            // Short-lived goroutines exercise other code paths (goroutines that exit).
            ready.add(1);
            done.add(1);
            Go.go(() -> churn(0, cancelled, ready, done));
            ready.await();
            try {
                for (int i = 0; i < 3; i++) {
                    java.util.Set<Long> known = java.util.Set.copyOf(alive);
                    String dump = getText("/debug/pprof/goroutine?debug=2");
                    java.util.Set<Long> listed = new java.util.HashSet<>();
                    Matcher m = Pattern.compile("(?m)^goroutine (\\d+) \\[").matcher(dump);
                    while (m.find()) {
                        listed.add(Long.parseLong(m.group(1)));
                    }
                    for (long g : known) {
                        assertTrue(listed.contains(g), "profile #" + (i + 1) + " lacks goroutine " + g + ", alive throughout:\n" + dump);
                    }
                    if (go != null) {
                        String raw = GoToolPprof.run(go, tmp, "-raw", get("/debug/pprof/goroutine"));
                        assertTrue(raw.contains("Samples:"), raw);
                    }
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                cancelled.set(true);
                ch.close();
                done.await();
            }
        });
    }

    static void churn(int i, java.util.concurrent.atomic.AtomicBoolean cancelled, WaitGroup ready, WaitGroup done) {
        if (i == 0) {
            ready.done();
        } else if (i % 16 == 0) {
            // Yield on occasion so this sequence of goroutine launches doesn't monopolize a P.
            Go.gosched();
        }
        if (!cancelled.get()) {
            done.add(1);
            Go.go(() -> churn(i + 1, cancelled, ready, done));
        }
        done.done();
    }

    // pprof_test.go: TestBlockProfileBias: blockevent (Go's test links runtime.blockevent) with
    // synthetic delays: 100,000 events of rate/10 and 10,000 of rate; sampling must not bias
    // either: their delays agree within 20%. gmp4j's blockevent is Contention.event.
    @Test
    void blockProfileBias() throws Exception {
        int rate = 1000; // arbitrary value
        Debug.setBlockProfileRate(rate);
        try {
            // simulate blocking events
            blockFrequentShort(rate);
            blockInfrequentLong(rate);
        } finally {
            Debug.setBlockProfileRate(0);
        }
        String raw = GoToolPprof.run(goOrSkip(), tmp, "-traces", get("/debug/pprof/block"));
        double il = -1, fs = -1;
        for (String block : raw.split("-----------\\+-+\n")) {
            // "      10ms   io.gmp4j..." : -traces prints the delay (sample index delay) of each sample.
            Matcher v = Pattern.compile("^\\s+(\\S+)\\s").matcher(block);
            if (!v.find()) {
                continue;
            }
            if (block.contains(T + "blockInfrequentLong\n")) {
                il = nanos(v.group(1));
            } else if (block.contains(T + "blockFrequentShort\n")) {
                fs = nanos(v.group(1));
            }
        }
        assertTrue(il != -1 && fs != -1, "block profile is missing expected functions:\n" + raw);
        // stddev of bias from 100 runs on local machine multiplied by 10x
        double threshold = 0.2, bias = (il - fs) / il;
        assertTrue(Math.abs(bias) <= threshold, "bias: abs(" + bias + ") > " + threshold + " (long " + il + " ns, short " + fs + " ns)");
    }

    /** A pprof duration ("1.10ms", "100us", "2s") in nanoseconds. */
    private static double nanos(String d) {
        Matcher m = Pattern.compile("^([0-9.]+)(ns|us|µs|ms|s|mins|hrs)$").matcher(d);
        assertTrue(m.matches(), d);
        double v = Double.parseDouble(m.group(1));
        return v * switch (m.group(2)) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "mins" -> 60e9;
            default -> 3600e9;
        };
    }

    /** 100,000 block events with an average duration of rate / 10. */
    static void blockFrequentShort(int rate) {
        for (int i = 0; i < 100_000; i++) {
            io.gmp4j.internal.pprof.Contention.event(rate / 10, io.gmp4j.internal.pprof.Contention.BLOCK);
        }
    }

    /** 10,000 block events with an average duration of rate. */
    static void blockInfrequentLong(int rate) {
        for (int i = 0; i < 10_000; i++) {
            io.gmp4j.internal.pprof.Contention.event(rate, io.gmp4j.internal.pprof.Contention.BLOCK);
        }
    }
}
