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
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
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

    // pprof_test.go: TestGoroutineCounts. gmp4j has no pprof.Do / labels API (docs/DIVERGENCES.md:
    // "No `# labels:` lines"), so the second, labelled round of 89 goroutines is left out.
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
            while (!containsInOrder(prof, "\n50 @\n", "\n40 @\n", "\n10 @\n", "\n1 @\n")) {
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

    /** pprof_test.go: containsInOrder. */
    static boolean containsInOrder(String s, String... all) {
        for (String t : all) {
            int i = s.indexOf(t);
            if (i < 0) {
                return false;
            }
            s = s.substring(i + t.length());
        }
        return true;
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
}
