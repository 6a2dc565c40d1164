package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Go's parsing of its knobs (string.go: atoi64/atoi32; runtime1.go: setTraceback, parsedebugvars). */
class EnvTest {
    private static final long BAD = Long.MIN_VALUE;

    @Test
    void atoiTakesWhatGosTakesAndNothingElse() {
        assertEquals(42, Env.atoi64("42"));
        assertEquals(-7, Env.atoi64("-7"));
        assertEquals(0, Env.atoi64("-"), "a lone '-' is 0 in Go");
        assertEquals(Long.MAX_VALUE, Env.atoi64("9223372036854775807"));
        for (String bad : new String[] {"", "+1", " 1", "1 ", "0x10", "1_000", "\u0663", "9223372036854775808", "99999999999999999999"}) {
            assertEquals(BAD, Env.atoi64(bad), "'" + bad + "'");
        }
        assertEquals(Integer.MAX_VALUE, Env.atoi32("2147483647"));
        assertEquals(Integer.MIN_VALUE, Env.atoi32("-2147483648"));
        assertEquals(BAD, Env.atoi32("2147483648"));
        assertEquals(BAD, Env.atoi32("-2147483649"));
    }

    /** runtime1.go: setTraceback or's the level's bits with GOTRACEBACK's, as Go's traceback_cache. */
    @Test
    void setTracebackOrsWithTheEnvironment() {
        String key = "gmp4j.GOTRACEBACK";
        String saved = System.getProperty(key);
        try {
            System.setProperty(key, "all");
            Env.setTraceback("none");
            assertEquals(new Env.Traceback(1, true, false), Env.gotraceback());
            Env.setTraceback("crash");
            assertEquals(new Env.Traceback(3, true, true), Env.gotraceback()); // 1<<2 | 2<<2
            System.setProperty(key, "none");
            Env.setTraceback("system");
            assertEquals(new Env.Traceback(2, true, false), Env.gotraceback());
            Env.setTraceback("5");
            assertEquals(new Env.Traceback(5, true, false), Env.gotraceback());
        } finally {
            if (saved == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, saved);
            }
            Env.resetTracebackForTest();
        }
    }

    @Test
    void gotracebackAsGo119ReadsIt() {
        String key = "gmp4j.GOTRACEBACK";
        String saved = System.getProperty(key);
        try {
            Map<String, Env.Traceback> cases = Map.ofEntries(
                    Map.entry("", new Env.Traceback(1, false, false)),
                    Map.entry("single", new Env.Traceback(1, false, false)),
                    Map.entry("none", new Env.Traceback(0, false, false)),
                    Map.entry("all", new Env.Traceback(1, true, false)),
                    Map.entry("system", new Env.Traceback(2, true, false)),
                    Map.entry("crash", new Env.Traceback(2, true, true)),
                    Map.entry("1", new Env.Traceback(1, true, false)),
                    Map.entry("2", new Env.Traceback(2, true, false)),
                    // Go's default case: all, and the level atoi gives, else 0
                    Map.entry("+1", new Env.Traceback(0, true, false)),
                    Map.entry("bogus", new Env.Traceback(0, true, false)),
                    Map.entry("-1", new Env.Traceback(0, true, false)),
                    Map.entry("4294967295", new Env.Traceback(0x3FFF_FFFF, true, false)),
                    Map.entry("4294967296", new Env.Traceback(0, true, false)),
                    Map.entry("1073741825", new Env.Traceback(1, true, false))); // uint32(n) << 2 keeps 30 bits
            for (Map.Entry<String, Env.Traceback> c : cases.entrySet()) {
                System.setProperty(key, c.getKey());
                assertEquals(c.getValue(), Env.gotraceback(), "GOTRACEBACK='" + c.getKey() + "'");
            }
        } finally {
            if (saved == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, saved);
            }
        }
    }

    @Test
    void godebugEntriesAreTakenAsWritten() {
        Map<String, String> m = Env.parseGodebug("schedtrace=100, scheddetail=1,bad,=3,gctrace=1,gctrace=2");
        assertEquals("100", m.get("schedtrace"));
        assertNull(m.get("scheddetail"), "Go does not trim: ' scheddetail' is no knob");
        assertEquals("1", m.get(" scheddetail"));
        assertEquals("2", m.get("gctrace"), "the later entry wins");
        assertNull(m.get("bad"));
    }

    /**
     * runtime1.go: parsedebugvars sets a knob only when atoi32 takes the value, so a later entry
     * with a bad value leaves the earlier setting (Go 1.19: GODEBUG=schedtrace=100,schedtrace=abc
     * prints SCHED lines every 100 ms); before, the bad entry replaced it and the knob read 0.
     */
    @Test
    void aLaterBadValueLeavesTheEarlierSetting() {
        Map<String, String> m = Env.parseGodebug("schedtrace=100,schedtrace=abc,gctrace=1,gctrace=,scheddetail=+1,panicnil=1,panicnil=1x");
        assertEquals("100", m.get("schedtrace"));
        assertEquals("1", m.get("gctrace"));
        assertNull(m.get("scheddetail"), "'+1' is no int to Go's atoi32");
        assertEquals("1", m.get("panicnil"));
        assertEquals("7", Env.parseGodebug("schedtrace=abc,schedtrace=7").get("schedtrace"));
    }
}
