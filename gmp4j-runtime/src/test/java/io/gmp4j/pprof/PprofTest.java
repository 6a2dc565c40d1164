package io.gmp4j.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.context.Context;
import io.gmp4j.debug.GoToolPprof;
import io.gmp4j.internal.pprof.PprofExport;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** pprof_test.go's tests of runtime/pprof's API: named and custom profiles, labels in the goroutine and CPU profiles. */
@ExtendWith(GoLeakCheck.class)
class PprofTest {
    private static final String T = PprofTest.class.getName() + ".";

    private static String text(Profile p, int debug) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        p.writeTo(b, debug);
        return b.toString(StandardCharsets.UTF_8);
    }

    private static byte[] proto(Profile p) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        p.writeTo(b, 0);
        return b.toByteArray();
    }

    // ---- profiles ----------------------------------------------------------------------

    /** Lookup finds the six built-in profiles, Profiles lists them sorted, and an unknown name is null. */
    @Test
    void builtInProfiles() {
        for (String n : List.of("allocs", "block", "goroutine", "heap", "mutex", "threadcreate")) {
            Profile p = Pprof.lookup(n);
            assertNotNull(p, n);
            assertEquals(n, p.name());
            assertSame(p, Pprof.lookup(n), "Lookup gives the same Profile");
        }
        assertNull(Pprof.lookup("no-such-profile"));
        List<String> names = new ArrayList<>();
        for (Profile p : Pprof.profiles()) {
            names.add(p.name());
        }
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names);
        assertTrue(names.containsAll(List.of("allocs", "block", "goroutine", "heap", "mutex", "threadcreate")), names.toString());
        GoPanic e = assertThrows(GoPanic.class, () -> Pprof.lookup("goroutine").add("x", 0));
        assertEquals("pprof: Add called on built-in Profile goroutine", e.getMessage());
    }

    /** NewProfile's panics, Add, Count, Remove and WriteTo of a custom profile. */
    @Test
    void customProfile() {
        assertEquals("pprof: NewProfile with empty name", assertThrows(GoPanic.class, () -> Pprof.newProfile("")).getMessage());
        assertEquals("pprof: NewProfile name already in use: goroutine",
                assertThrows(GoPanic.class, () -> Pprof.newProfile("goroutine")).getMessage());
        Profile p = Pprof.newProfile("io.gmp4j.pprof.PprofTest.custom");
        assertSame(p, Pprof.lookup("io.gmp4j.pprof.PprofTest.custom"));
        assertTrue(Pprof.profiles().contains(p));
        Object a = new Object(), b = new Object();
        for (Object v : new Object[] {a, b}) {
            addHere(p, v);
        }
        assertEquals(2, p.count());
        assertEquals("pprof: Profile.Add of duplicate value", assertThrows(GoPanic.class, () -> p.add(a, 0)).getMessage());
        String txt = text(p, 1);
        assertTrue(txt.startsWith("io.gmp4j.pprof.PprofTest.custom profile: total 2\n2 @\n#\t" + T + "addHere\t"), txt);
        var parsed = PprofExport.parse(proto(p));
        assertEquals(List.of("io.gmp4j.pprof.PprofTest.custom/count"), parsed.sampleTypes());
        assertEquals(1, parsed.samples().size());
        assertEquals(2, parsed.samples().get(0).values()[0]);
        assertEquals(T + "addHere", parsed.samples().get(0).functions().get(0));
        assertEquals(T + "customProfile", parsed.samples().get(0).functions().get(1));
        p.remove(a);
        p.remove(new Object()); // not there: a no-op
        assertEquals(1, p.count());
        p.remove(b);
        assertEquals(0, p.count());
        assertEquals("io.gmp4j.pprof.PprofTest.custom profile: total 0\n", text(p, 1));
    }

    private static void addHere(Profile p, Object v) {
        p.add(v, 0); // skip 0: the stack starts here
    }

    /** Add's skip: 1 starts the stack at the caller of the method that calls Add. */
    @Test
    void addSkip() {
        Profile p = Pprof.newProfile("io.gmp4j.pprof.PprofTest.skip");
        addSkipping(p, "v");
        var s = PprofExport.parse(proto(p)).samples();
        assertEquals(T + "addSkip", s.get(0).functions().get(0));
        p.remove("v");
    }

    private static void addSkipping(Profile p, Object v) {
        p.add(v, 1);
    }

    /**
     * An Add's stack ends where the goroutine profile's stacks end: at the goroutine's function,
     * without the runtime's frames under it (G.run, VirtualThread.run: Go's runtime.goexit,
     * which Go's stacks print neither). Before, a custom profile showed them (and the main
     * goroutine's RuntimeApi frames), which no other profile does.
     */
    @Test
    void addStackEndsAtTheGoroutinesFunction() {
        Profile p = Pprof.newProfile("io.gmp4j.pprof.PprofTest.bottom");
        Chan<Void> done = Chan.make(0);
        Go.go(() -> {
            addFromGoroutine(p, "g");
            done.close();
        });
        done.recv();
        List<String> fs = PprofExport.parse(proto(p)).samples().get(0).functions();
        assertEquals(T + "addFromGoroutine", fs.get(0), fs.toString());
        assertTrue(fs.get(fs.size() - 1).startsWith(T + "lambda$addStackEndsAtTheGoroutinesFunction"), fs.toString());
        String t = text(p, 1);
        assertFalse(t.contains("io.gmp4j.internal.") || t.contains("java.lang.VirtualThread"), t);
        p.remove("g");
    }

    private static void addFromGoroutine(Profile p, Object v) {
        p.add(v, 0);
    }

    // pprof_test.go: TestEmptyCallStack
    @Test
    void emptyCallStack() {
        String name = "test18836";
        Profile p = Pprof.newProfile(name);
        p.add("foo", 47674);
        String got = text(p, 1);
        p.remove("foo");
        String prefix = name + " profile: total 1\n";
        assertTrue(got.startsWith(prefix), "got:\n" + got + "\nwant prefix:\n" + prefix);
        assertTrue(got.contains("lostProfileEvent"), "got:\n" + got + "\nwant to contain lostProfileEvent");
    }

    /** WriteHeapProfile writes the heap profile's profile.proto. */
    @Test
    void writeHeapProfile() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Pprof.writeHeapProfile(b);
        var parsed = PprofExport.parse(b.toByteArray());
        assertEquals(List.of("alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"), parsed.sampleTypes());
    }

    /** The goroutine profile's debug=2 is the dump of all goroutines, its debug=1 counts the caller too. */
    @Test
    void goroutineDebugLevels() {
        GoTesting.inGoroutine(() -> {
            String dump = text(Pprof.lookup("goroutine"), 2);
            assertTrue(dump.startsWith("goroutine ") && dump.contains("[running]:\n"), dump);
            String one = text(Pprof.lookup("goroutine"), 1);
            assertTrue(one.startsWith("goroutine profile: total "), one);
            assertTrue(one.contains(T + "lambda$goroutineDebugLevels$"), one);
        });
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

    private static void startFuncs(Chan<Integer> c, int n) {
        for (int i = 0; i < n; i++) {
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
    }

    // pprof_test.go: TestGoroutineCounts
    @Test
    void goroutineCounts() {
        int before = Go.numGoroutine();
        Chan<Integer> c = Chan.make(0);
        // Setting GOMAXPROCS to 1 ensures we can force all goroutines to the desired blocking point.
        GoTesting.withProcs(1, () -> GoTesting.inGoroutine(() -> {
            try {
                startFuncs(c, 100);
                Context ctx = Context.background();
                // ... and again, with labels this time (just with fewer iterations to keep sorting deterministic).
                Pprof.run(ctx, Pprof.labels("label", "value"), cx -> startFuncs(c, 89));
                // A goroutine that has not yet parked in c.recv shows elsewhere: wait until all
                // 189 have (Go's Gosched loop makes that certain on its one P; here the JDK's
                // start of a virtual thread may still run after the loop).
                Profile goroutineProf = Pprof.lookup("goroutine");
                String labelStr = "\n# labels: " + PprofExport.labelString(Map.of("label", "value"));
                String[] want = {"\n50 @\n", "\n44 @" + labelStr, "\n40 @\n", "\n36 @" + labelStr,
                    "\n10 @\n", "\n9 @" + labelStr, "\n1 @\n"};
                String prof = text(goroutineProf, 1);
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!GoToolPprof.containsInOrder(prof, want) && System.nanoTime() < deadline) {
                    Go.gosched();
                    prof = text(goroutineProf, 1);
                }
                assertTrue(GoToolPprof.containsInOrder(prof, want), "expected sorted goroutine counts with Labels:\n" + prof);
                // Each labelled group lists its function under the labels line.
                int at = prof.indexOf("\n44 @" + labelStr);
                assertTrue(prof.substring(at, prof.indexOf("\n\n", at)).contains("#\t" + T + "func3\t"), prof);

                // Check proto profile
                var p = PprofExport.parse(proto(goroutineProf));
                Map<Long, Map<String, List<String>>> expected = Map.of(
                        50L, Map.of(), 44L, Map.of("label", List.of("value")), 40L, Map.of(),
                        36L, Map.of("label", List.of("value")), 10L, Map.of(), 9L, Map.of("label", List.of("value")));
                for (var e : expected.entrySet()) {
                    boolean found = false;
                    for (var s : p.samples()) {
                        found |= s.values()[0] == e.getKey() && s.labels().equals(e.getValue());
                    }
                    assertTrue(found, "expected count profile to contain goroutines with count " + e.getKey() + " and labels "
                            + e.getValue() + ", got " + p.samples());
                }
            } finally {
                c.close();
            }
        }));
        GoTesting.assertNoLeak(before);
    }

    /** The group of the goroutine profile's text whose stack has {@code fn}; fails when there is none. */
    private static String group(String prof, String fn) {
        for (String g : prof.split("\n\n")) {
            if (g.contains("#\t" + T + fn + "\t")) {
                return g;
            }
        }
        throw new AssertionError("no group with " + fn + ":\n" + prof);
    }

    /**
     * A goroutine started inside Do inherits its labels and keeps them after Do returns; one
     * started afterwards has none; the caller's own entry has them only inside Do.
     */
    @Test
    void labelsInheritedByGoStatement() {
        int before = Go.numGoroutine();
        GoTesting.inGoroutine(() -> {
            Chan<Void> release = Chan.make(0);
            try {
                Profile gp = Pprof.lookup("goroutine");
                Chan<Void> started = Chan.make(0);
                String[] inside = new String[1];
                Pprof.run(Context.background(), Pprof.labels("req", "r1"), ctx -> {
                    Go.go(() -> inheritedChild(started, release));
                    started.recv();
                    inside[0] = text(gp, 1);
                });
                Go.go(() -> laterGoroutine(started, release));
                started.recv();
                String after = text(gp, 1);
                String labels = "# labels: {\"req\":\"r1\"}\n";
                assertTrue(group(inside[0], "inheritedChild").contains(labels), inside[0]);
                assertTrue(group(inside[0], "text").contains(labels), "the caller inside Do: " + inside[0]);
                assertTrue(group(after, "inheritedChild").contains(labels), "the child keeps them: " + after);
                assertFalse(group(after, "laterGoroutine").contains("# labels:"), after);
                assertFalse(group(after, "text").contains("# labels:"), "the caller after Do: " + after);
            } finally {
                release.close();
            }
        });
        GoTesting.assertNoLeak(before);
    }

    private static void inheritedChild(Chan<Void> started, Chan<Void> release) {
        started.send(null);
        release.recv();
    }

    private static void laterGoroutine(Chan<Void> started, Chan<Void> release) {
        started.send(null);
        release.recv();
    }

    // pprof_test.go: TestGoroutineProfileLabelRace, "reset"
    @Test
    void goroutineProfileLabelRaceReset() {
        int before = Go.numGoroutine();
        GoTesting.inGoroutine(() -> {
            var wc = Context.withCancel(Context.background());
            Context ctx = wc.ctx();
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            Go.go(() -> {
                try {
                    Profile goroutineProf = Pprof.lookup("goroutine");
                    while (ctx.err() == null) {
                        if (text(goroutineProf, 1).contains("loop-i")) {
                            wc.cancel().run();
                        }
                    }
                } finally {
                    wg.done();
                }
            });
            for (int i = 0; ctx.err() == null; i++) {
                Pprof.run(ctx, Pprof.labels("loop-i", Integer.toString(i)), c -> {});
            }
            wg.await();
        });
        GoTesting.assertNoLeak(before);
    }

    // pprof_test.go: TestGoroutineProfileLabelRace, "churn"
    @Test
    void goroutineProfileLabelRaceChurn() {
        int before = Go.numGoroutine();
        GoTesting.inGoroutine(() -> {
            var wc = Context.withCancel(Context.background());
            Context ctx = wc.ctx();
            WaitGroup ready = new WaitGroup(), ended = new WaitGroup();
            ready.add(1);
            ended.add(1);
            Go.go(() -> churn(ctx, 0, ready, ended));
            ready.await();
            Profile goroutineProf = Pprof.lookup("goroutine");
            for (int i = 0; i < 10; i++) {
                goroutineProf.writeTo(OutputStream.nullOutputStream(), 1);
            }
            wc.cancel().run();
            ended.await(); // the last of the chain saw the cancel
        });
        GoTesting.assertNoLeak(before);
    }

    private static void churn(Context ctx, int i, WaitGroup ready, WaitGroup ended) {
        Pprof.setGoroutineLabels(Pprof.withLabels(ctx, Pprof.labels("churn-i", Integer.toString(i))));
        if (i == 0) {
            ready.done();
        }
        if (ctx.err() == null) {
            Go.go(() -> churn(ctx, i + 1, ready, ended));
        } else {
            ended.done();
        }
    }

    // ---- the CPU profile ---------------------------------------------------------------

    static long sink;

    /** pprof_test.go: cpuHogger, until {@code stop}. */
    static void cpuHogger(AtomicBoolean stop) {
        spin(stop);
    }

    static void spin(AtomicBoolean stop) {
        long x = 0;
        while (!stop.get()) {
            for (int i = 0; i < 100_000; i++) {
                x = x * 31 + i;
            }
        }
        sink += x;
    }

    static void cpuHoggerChild(AtomicBoolean stop) {
        spin(stop);
    }

    static void cpuHoggerUnlabelled(AtomicBoolean stop) {
        spin(stop);
    }

    /** The samples whose stack has {@code fn} and how many of them carry label key=value. */
    private static long[] labelled(PprofExport.Parsed p, String fn, String key, String value) {
        long all = 0, with = 0;
        for (var s : p.samples()) {
            if (s.functions().contains(T + fn)) {
                all += s.values()[0];
                if (s.labels().getOrDefault(key, List.of()).equals(List.of(value))) {
                    with += s.values()[0];
                }
            }
        }
        return new long[] {all, with};
    }

    /**
     * pprof_test.go: TestCPUProfileLabel, with the inheritance: the samples of a goroutine in
     * Do carry its labels, so do those of a goroutine it started, and an unlabelled goroutine's
     * carry none. The profile stops while all three still run, so every sample in the hoggers
     * falls inside Do.
     */
    @Test
    void cpuProfileLabel() throws Exception {
        int before = Go.numGoroutine();
        AtomicBoolean stop = new AtomicBoolean();
        WaitGroup done = new WaitGroup();
        done.add(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Pprof.startCPUProfile(out);
        try {
            Go.go(() -> {
                Pprof.run(Context.background(), Pprof.labels("key", "value"), ctx -> {
                    Go.go(() -> {
                        cpuHoggerChild(stop);
                        done.done();
                    });
                    cpuHogger(stop);
                });
                done.done();
            });
            Go.go(() -> {
                cpuHoggerUnlabelled(stop);
                done.done();
            });
            Thread.sleep(1500); // the profile's length, as Go's dur
        } finally {
            Pprof.stopCPUProfile();
            stop.set(true);
        }
        done.await();
        var p = PprofExport.parse(out.toByteArray());
        assertEquals(List.of("samples/count", "cpu/nanoseconds"), p.sampleTypes());
        long[] parent = labelled(p, "cpuHogger", "key", "value");
        long[] child = labelled(p, "cpuHoggerChild", "key", "value");
        long[] none = labelled(p, "cpuHoggerUnlabelled", "key", "value");
        String all = p.samples().toString();
        assertTrue(parent[0] > 0 && parent[1] == parent[0], "cpuHogger samples all labelled key=value: " + parent[1] + "/" + parent[0]);
        assertTrue(child[0] > 0 && child[1] == child[0], "the child's samples labelled key=value: " + child[1] + "/" + child[0]);
        assertTrue(none[0] > 0 && none[1] == 0, "the unlabelled goroutine's samples carry no label: " + none[1] + "/" + none[0]);
        for (var s : p.samples()) {
            if (s.functions().contains(T + "cpuHogger")) {
                assertTrue(s.labels().containsKey("goroutine"), "and the goroutine label: " + s.labels());
            }
        }
        GoTesting.assertNoLeak(before);
    }

    // pprof_test.go: TestLabelRace
    @Test
    void labelRace() throws Exception {
        int before = Go.numGoroutine();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Pprof.startCPUProfile(out);
        try {
            GoTesting.inGoroutine(() -> {
                long start = System.nanoTime();
                WaitGroup wg = new WaitGroup();
                while (System.nanoTime() - start < 1_000_000_000L) {
                    for (int i = 0; i < 10; i++) {
                        wg.add(1);
                        Go.go(() -> {
                            Pprof.run(Context.background(), Pprof.labels("key", "value"), ctx -> cpuHoggerFor(1_000_000L));
                            wg.done();
                        });
                    }
                    wg.await();
                }
            });
        } finally {
            Pprof.stopCPUProfile();
        }
        var p = PprofExport.parse(out.toByteArray());
        long[] n = labelled(p, "cpuHoggerFor", "key", "value");
        assertTrue(n[1] > 0, "samples in cpuHoggerFor labelled key=value: " + n[1] + "/" + n[0]);
        GoTesting.assertNoLeak(before);
    }

    static void cpuHoggerFor(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 31 + i;
            }
        }
        sink += x;
    }

    /** StartCPUProfile while one runs: Go's error; Stop without Start: nothing. */
    @Test
    void cpuProfileAlreadyInUse() {
        Pprof.stopCPUProfile(); // none runs: a no-op
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Pprof.startCPUProfile(out);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pprof.startCPUProfile(new ByteArrayOutputStream()));
            assertEquals("cpu profiling already in use", e.getMessage());
        } finally {
            Pprof.stopCPUProfile();
        }
        assertTrue(out.size() > 0);
        PprofExport.parse(out.toByteArray()); // a whole gzipped profile
        Pprof.stopCPUProfile(); // again: a no-op
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Pprof.startCPUProfile(again); // free again
        Pprof.stopCPUProfile();
        assertTrue(again.size() > 0);
    }

    /** Labels set on a thread that is not a goroutine (here JUnit's) are inherited by the goroutines it starts. */
    @Test
    void labelsSetOutsideAGoroutineAreInherited() {
        int before = Go.numGoroutine();
        Chan<String> got = Chan.make(1);
        Pprof.run(Context.background(), Pprof.labels("thread", "main"), ctx -> Go.go(() -> {
            got.send(text(Pprof.lookup("goroutine"), 1));
        }));
        String prof = got.recv();
        assertTrue(prof.contains("# labels: {\"thread\":\"main\"}"), prof);
        GoTesting.assertNoLeak(before);
    }

    /** net/http/pprof serves a custom profile by name, and refuses a CPU profile while the program's runs. */
    @Test
    void debugServerSharesTheProfiles() throws Exception {
        var addr = io.gmp4j.debug.Debug.serve(":0");
        Profile p = Pprof.newProfile("io.gmp4j.pprof.PprofTest.served");
        addHere(p, "v");
        try {
            var c = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + addr.getPort()
                    + "/debug/pprof/io.gmp4j.pprof.PprofTest.served?debug=1").toURL().openConnection();
            assertEquals(200, c.getResponseCode());
            String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(text(p, 1), body);
            Pprof.startCPUProfile(new ByteArrayOutputStream());
            try {
                var cpu = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + addr.getPort()
                        + "/debug/pprof/profile?seconds=1").toURL().openConnection();
                assertEquals(500, cpu.getResponseCode());
                assertEquals("Could not enable CPU profiling: cpu profiling already in use\n",
                        new String(cpu.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } finally {
                Pprof.stopCPUProfile();
            }
        } finally {
            p.remove("v");
        }
    }
}
