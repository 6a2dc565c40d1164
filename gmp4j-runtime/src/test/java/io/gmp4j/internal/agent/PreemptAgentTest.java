package io.gmp4j.internal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14: with the agent or the launcher's class loader (PreemptLoader), call-free loops
 * give up their P at back-edge checks, so
 * GOMAXPROCS bounds parallelism. Child JVMs run io.gmp4j.testprog.PreemptProg with
 * {@code -javaagent:} a jar holding only a manifest (the runtime classes come from the class
 * path, as the runtime jar does not exist at test time). A timing run is tried up to three
 * times on this shared machine; one run within all bounds passes.
 */
class PreemptAgentTest {
    private static final String PROG = "io.gmp4j.testprog.PreemptProg";
    private static final Pattern LINE = Pattern.compile(
            "agent=(\\w+) cpu/wall=([\\d.]+) progressed=(\\d+)/(\\d+) sleeps=(\\d+) p99ms=([-\\d.]+) handoffs=(\\d+).* stuck=(\\d+)");

    @TempDir
    static Path dir;
    private static String agentOpt;

    @BeforeAll
    static void agentJar() throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(new Attributes.Name("Premain-Class"), Agent.class.getName());
        Path jar = dir.resolve("gmp4j-agent.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.flush();
        }
        agentOpt = "-javaagent:" + jar;
    }

    record Run(boolean agent, double cpuPerWall, int progressed, int spinners, int sleeps, double p99ms, long handoffs,
            int stuck, String out) {}

    static Run run(List<String> jvmOpts, List<String> env, String mode) {
        Child c = GoTesting.runChild(PROG, jvmOpts, env, 30, mode);
        Matcher m = LINE.matcher(c.stdout());
        if (c.exitCode() != 0 || !m.find()) {
            fail("child exit " + c.exitCode() + "\nstdout: " + c.stdout() + "\nstderr: " + c.stderr());
        }
        assertFalse(c.stderr().contains("preempt agent"), c.stderr());
        return new Run(Boolean.parseBoolean(m.group(1)), Double.parseDouble(m.group(2)), Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Double.parseDouble(m.group(6)),
                Long.parseLong(m.group(7)), Integer.parseInt(m.group(8)), c.stdout().trim());
    }

    static final String LOADER_OPT = "-Djava.system.class.loader=" + PreemptLoader.class.getName();

    /** The agent or the class loader that the launcher uses (PreemptLoader). */
    static String opt(String how) {
        return how.equals("agent") ? agentOpt : LOADER_OPT;
    }

    /** The test: four spinners at GOMAXPROCS=1 share one CPU, and a 1 ms sleeper keeps its pace. */
    @ParameterizedTest
    @ValueSource(strings = {"agent", "loader"})
    void spinnersShareOneP(String how) {
        shareOneP(how, "spinners");
    }

    /**
     * The same with spin-waits that look like counted loops (an int compared with a constant,
     * stepped by one, but only while a flag is up): they must be checked too, not handed off.
     */
    @ParameterizedTest
    @ValueSource(strings = {"agent", "loader"})
    void steppedSpinnersShareOneP(String how) {
        shareOneP(how, "stepped");
    }

    /**
     * The same with spinners in javac's counted for loop, which the transformer strip-mines:
     * the check once per STRIDE iterations, between two runs of the inner loop, must yield.
     */
    @ParameterizedTest
    @ValueSource(strings = {"agent", "loader"})
    void stripMinedSpinnersShareOneP(String how) {
        shareOneP(how, "strip");
    }

    private static void shareOneP(String how, String mode) {
        List<String> seen = new ArrayList<>();
        for (int attempt = 0; attempt < 3; attempt++) {
            Run r = run(List.of(opt(how)), List.of("GOMAXPROCS=1"), mode);
            assertTrue(r.agent(), r.out());
            assertEquals(4, r.progressed(), "every spinner progressed: " + r.out());
            seen.add(r.out());
            // A stepped spinner that reaches no check is handed off (sysmon's fallback) and runs on
            // without a P for good, adding a thread: it stays stuck. On a loaded machine the OS may
            // not run an asked spinner's thread within the grace, so one is handed off all the same
            // (handoffs 1-18 a run with two CPU hogs beside it), but it leaves at its next check.
            boolean handedOff = (mode.equals("stepped") || mode.equals("strip")) && r.stuck() > 0;
            // p99 lateness: 15-21 ms quiet here, 16-41 ms with two CPU hogs; asyncpreemptoff: no sleeps
            if (!handedOff && r.cpuPerWall() <= 1.2 && r.p99ms() >= 0 && r.p99ms() <= 50) {
                return;
            }
        }
        fail("want cpu/wall <= 1.2 and the sleeper's p99 lateness <= 50 ms"
                + (mode.equals("stepped") || mode.equals("strip") ? " and no spinner left handed off (stuck=0)" : "")
                + " in one of three runs:\n" + String.join("\n", seen));
    }

    /**
     * A spinner that first spent 100 ms in a class initialiser (its checks there found it
     * pinned, and sysmon handed its P off) yields at its checks once out of it, so the three
     * spinners share the one P again: the pinned mark must not outlast the initialiser.
     */
    @ParameterizedTest
    @ValueSource(strings = {"agent", "loader"})
    void spinnerOutOfAClassInitialiserSharesOneP(String how) {
        List<String> seen = new ArrayList<>();
        for (int attempt = 0; attempt < 3; attempt++) {
            Run r = run(List.of(opt(how)), List.of("GOMAXPROCS=1"), "afterInit");
            assertTrue(r.agent(), r.out());
            assertEquals(3, r.progressed(), "every spinner progressed: " + r.out());
            seen.add(r.out());
            if (r.cpuPerWall() <= 1.2) {
                return;
            }
        }
        fail("want cpu/wall <= 1.2 in one of three runs:\n" + String.join("\n", seen));
    }

    /** GODEBUG=asyncpreemptoff=1: no checks and no hand-off, so the sleeper waits (Go <= 1.13). */
    @ParameterizedTest
    @ValueSource(strings = {"agent", "loader"})
    void asyncPreemptOffStarvesTheSleeper(String how) {
        Run r = run(List.of(opt(how)), List.of("GOMAXPROCS=1", "GODEBUG=asyncpreemptoff=1"), "spinners");
        assertFalse(r.agent(), r.out());
        assertEquals(0, r.sleeps(), r.out());
        assertEquals(1, r.progressed(), "one spinner holds the only P: " + r.out());
    }

    /** A spinner inside synchronized (yields: JDK 24+ unmounts with monitors) and one in a class initialiser (pinned: the hand-off). */
    @ParameterizedTest
    @ValueSource(strings = {"agent", "loader"})
    void pinnedSpinnersLetOthersRun(String how) {
        Run r = run(List.of(opt(how)), List.of("GOMAXPROCS=1"), "pinned");
        assertTrue(r.agent(), r.out());
        assertEquals(2, r.progressed(), r.out());
        assertTrue(r.sleeps() >= 50, "the 1 ms sleeper ran " + r.sleeps() + " times in 1 s: " + r.out());
    }

    /** Without the agent nothing changes and nothing is said. */
    @Test
    void withoutAgentNothingIsSaid() {
        Child c = GoTesting.runChild(PROG, List.of(), List.of("GOMAXPROCS=1"), 30, "sync");
        assertEquals(0, c.exitCode(), c.stderr());
        assertTrue(c.stdout().startsWith("agent=false "), c.stdout());
        assertEquals("", c.stderr().strip());
    }
}
