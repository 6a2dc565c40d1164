package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.MemStats;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GOGC, GOMEMLIMIT, Debug's memory knobs and Go.readMemStats (docs/DIVERGENCES.md, "Memory"). */
@ExtendWith(GoLeakCheck.class)
class MemKnobsTest {
    private static Child run(String prog, List<String> jvm, List<String> env) {
        return GoTesting.runChild("io.gmp4j.testprog.TestProg", jvm, env, 60, prog);
    }

    /** Go's readGOMEMLIMIT: B, KiB, MiB, GiB, TiB, "off"; anything else invalid (-1). */
    @Test
    void parsesGoByteCounts() {
        assertEquals(64L << 20, Mem.parseMemLimit("64MiB"));
        assertEquals(1L << 30, Mem.parseMemLimit("1GiB"));
        assertEquals(5L << 40, Mem.parseMemLimit("5TiB"));
        assertEquals(3L << 10, Mem.parseMemLimit("3KiB"));
        assertEquals(123, Mem.parseMemLimit("123"));
        assertEquals(123, Mem.parseMemLimit("123B"));
        assertEquals(Long.MAX_VALUE, Mem.parseMemLimit("off"));
        for (String bad : new String[] {"", "64MB", "64mib", "-1", "1.5GiB", "MiB", "x", "99999999999TiB", " 64MiB"}) {
            assertEquals(-1, Mem.parseMemLimit(bad), bad);
        }
        assertEquals(-1, Mem.parseGogc("off"));
        assertEquals(50, Mem.parseGogc("50"));
        assertNull(Mem.parseGogc("fifty"));
    }

    /**
     * mgcpacer.go: readGOGC takes GOGC through the runtime's atoi32 (an optional '-' and ASCII
     * digits): Integer.parseInt also took "+50" and other scripts' digits ("٥٠", "５０"), which
     * Go ignores (GOGC stays 100). strconv's parseByteCount takes "-0" (atoi64 gives 0, not
     * negative): GOMEMLIMIT=-0 and -0B are a limit of 0 in Go. Each value checked against a Go
     * 1.19 binary printing debug.SetGCPercent(100) and debug.SetMemoryLimit(-1).
     */
    @Test
    void parsesAsGoesAtoi() {
        for (String bad : new String[] {"+50", "\u0665\u0660", "\uff15\uff10", " 50", "50 ", "2147483648", "-2147483649", ""}) {
            assertNull(Mem.parseGogc(bad), bad);
        }
        assertEquals(-2147483648, Mem.parseGogc("-2147483648"));
        assertEquals(2147483647, Mem.parseGogc("2147483647"));
        assertEquals(0, Mem.parseGogc("-0"));
        assertEquals(0, Mem.parseGogc("-")); // Go's atoi: a lone '-' is 0
        assertEquals(0, Mem.parseMemLimit("-KiB")); // and so is "-KiB" (Go 1.19 prints lim 0)
        assertEquals(0, Mem.parseMemLimit("-0"));
        assertEquals(0, Mem.parseMemLimit("-0B"));
        assertEquals(0, Mem.parseMemLimit("-0KiB"));
        assertEquals(7, Mem.parseMemLimit("007"));
        for (String bad : new String[] {"-1B", "-5MiB", "+5", "+5B", "\u0665", "\u0665MiB", "1iB", "KiB", "B", "9223372036854775808",
                "8388608TiB", "8796093022208GiB", "5 MiB", "--0", "-", "-B"}) {
            assertEquals(-1, Mem.parseMemLimit(bad), bad);
        }
        assertEquals(Long.MAX_VALUE, Mem.parseMemLimit("9223372036854775807"));
        assertEquals(Long.MAX_VALUE, Mem.parseMemLimit("9223372036854775807B"));
        assertEquals(8388607L << 40, Mem.parseMemLimit("8388607TiB"));
    }

    /** HeapAlloc <= HeapSys, NumGC and NumForcedGC grow with Go.gc(), pauses recorded. */
    @Test
    void readMemStatsIsConsistent() {
        MemStats a = Go.readMemStats();
        assertTrue(a.HeapAlloc <= a.HeapSys && a.HeapSys <= a.Sys, a.toString());
        assertTrue(a.TotalAlloc >= a.HeapAlloc, "cumulative, so never below what is live: " + a);
        assertEquals(a.HeapSys, a.HeapIdle + a.HeapInuse, a.toString());
        assertEquals(256, a.PauseNs.length);
        Go.gc();
        Go.gc();
        GoTesting.awaitTrue("NumGC grows", () -> Go.readMemStats().NumGC >= a.NumGC + 2);
        MemStats b = Go.readMemStats();
        assertEquals(a.NumForcedGC + 2, b.NumForcedGC, b.toString());
        assertTrue(b.PauseTotalNs >= a.PauseTotalNs && b.TotalAlloc >= a.TotalAlloc, b.toString());
        assertTrue(b.TotalAlloc >= b.HeapAlloc, b.toString());
        assertTrue(b.GCCPUFraction >= 0 && b.GCCPUFraction <= 1, b.toString());
        GoTesting.awaitTrue("a pause recorded", () -> Go.readMemStats().LastGC > 0);
    }

    /**
     * runtime.MemStats: "The most recent pause is at PauseNs[(NumGC+255)%256]". The ring was
     * indexed by the pauses seen since the first readMemStats, so after collections before that
     * call a Go reader found 0 at (NumGC+255)%256 and the pause elsewhere. With NumGC &lt; 256 the
     * slot after the newest is empty.
     */
    @Test
    void newestPauseSitsWhereGoReadsIt() {
        for (String gc : List.of("-XX:+UseG1GC", "-XX:+UseSerialGC", "-XX:+UseZGC")) {
            Child c = run("pauseRing", List.of(gc), List.of());
            assertEquals(0, c.exitCode(), gc + ": " + c.stderr());
            assertTrue(c.stdout().matches("first=\\d+ numgc=\\d+ lastgc=true newest=true after=true\n"), gc + ": " + c.stdout());
        }
    }

    /** The round trip returns previous values: default 100 and no limit; GOGC/GOMEMLIMIT's when set. */
    @Test
    void knobsReturnPreviousValues() {
        Child d = run("memknobs", List.of(), List.of());
        assertEquals(0, d.exitCode(), d.stderr());
        assertEquals("gogc=100 then=50\nlimit=" + Long.MAX_VALUE + "\n", d.stdout());
        Child e = run("memknobs", List.of("-XX:+UseG1GC"), List.of("GOGC=200", "GOMEMLIMIT=1GiB"));
        assertEquals(0, e.exitCode(), e.stderr());
        assertEquals("gogc=200 then=50\nlimit=" + (1L << 30) + "\n", e.stdout());
    }

    /** Bad values are ignored with the defaults, silently, as Go does. */
    @Test
    void badValuesIgnoredSilently() {
        Child c = run("memknobs", List.of("-XX:+UseG1GC"), List.of("GOGC=lots", "GOMEMLIMIT=64MB"));
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("gogc=100 then=50\nlimit=" + Long.MAX_VALUE + "\n", c.stdout());
        assertEquals("", c.stderr());
    }

    /** GOMEMLIMIT=64MiB on G1 with -Xmx512m: G1 on JDK 25 ignores SoftMaxHeapSize, so the docs promise the warning line. */
    @Test
    void memoryLimitOnG1Warns() {
        Child c = run("memlimit", List.of("-XX:+UseG1GC", "-Xmx512m"), List.of("GOMEMLIMIT=64MiB"));
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("gmp4j: GOMEMLIMIT=67108864 cannot take effect at run time on G1; pass -Xmx64m (a hard limit),"
                + " or -XX:+UseZGC -XX:SoftMaxHeapSize=64m\n", c.stderr());
        assertTrue(c.stdout().startsWith("numgc="), c.stdout());
    }

    /** GOGC=off: the JVM still collects; one stderr line says so and names Epsilon. */
    @Test
    void gogcOffSaysSo() {
        Child c = run("memknobs", List.of("-XX:+UseG1GC"), List.of("GOGC=off"));
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("gogc=-1 then=50\nlimit=" + Long.MAX_VALUE + "\n", c.stdout());
        assertEquals("gmp4j: GOGC=off: the JVM cannot stop collecting; the heap no longer shrinks (MaxHeapFreeRatio=100);"
                + " for no collection at all pass -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC\n", c.stderr());
    }

    /** A limit bigger than -Xmx can take effect trivially: no line. */
    @Test
    void limitAboveXmxIsSilent() {
        Child c = run("memknobs", List.of("-XX:+UseG1GC", "-Xmx256m"), List.of("GOMEMLIMIT=1GiB"));
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("", c.stderr());
    }
}
