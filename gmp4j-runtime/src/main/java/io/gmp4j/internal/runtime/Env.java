package io.gmp4j.internal.runtime;

import java.util.HashMap;
import java.util.Map;

/**
 * Go's environment knobs (runtime1.go: parsedebugvars; proc.go: schedinit's GOMAXPROCS).
 * Each is read from the system property {@code gmp4j.NAME}, else the environment variable
 * {@code NAME}. An invalid value is ignored and the default used, as Go does: start-up never
 * fails on a bad knob.
 */
public final class Env {
    private Env() {}

    private static volatile Map<String, String> godebug = Map.of();
    /** GOMAXPROCS was given by env/property or runtime.GOMAXPROCS: no cgroup updates. */
    static volatile boolean gomaxprocsFixed;

    /** The value of knob {@code name}: property {@code gmp4j.name} wins over the environment. */
    public static String get(String name) {
        String v = System.getProperty("gmp4j." + name);
        return v != null ? v : System.getenv(name);
    }

    /** GODEBUG=tracebackancestors (runtime1.go): how many creators a goroutine's traceback shows; 0 off. */
    static int tracebackAncestors;

    static void load() {
        godebug = parseGodebug(get("GODEBUG"));
        tracebackAncestors = godebug(godebug, "tracebackancestors", 0);
    }

    /**
     * runtime1.go: parsedebugvars. "a=1,b=2"; an entry without '=' is skipped; nothing is
     * trimmed (Go's " b" is no knob, so neither is ours); a later entry wins, if Go's atoi32
     * takes its value: every knob gmp4j reads is one of the runtime's int32 dbgvars, which Go
     * sets only {@code if n, ok := atoi32(value); ok}, so "schedtrace=100,schedtrace=abc" is
     * still schedtrace=100.
     */
    static Map<String, String> parseGodebug(String s) {
        Map<String, String> m = new HashMap<>();
        if (s == null) {
            return m;
        }
        for (String kv : s.split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && atoi32(kv.substring(eq + 1)) != BAD) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    /** GODEBUG {@code key} as an int, or {@code def} when unset or invalid. */
    public static int godebug(String key, int def) {
        return godebug(godebug, key, def);
    }

    /** Knob {@code key} of a parsed GODEBUG ({@link #parseGodebug}) as an int, or {@code def}. */
    static int godebug(Map<String, String> parsed, String key, int def) {
        String v = parsed.get(key);
        if (v == null) {
            return def;
        }
        long n = atoi32(v);
        return n == BAD ? def : (int) n;
    }

    /**
     * GODEBUG=asyncpreemptoff: Go tests {@code debug.asyncpreemptoff == 0} (proc.go: preemptone,
     * preempt.go, signal_unix.go), so any value but 0 turns preemption off, not only 1.
     */
    static boolean asyncPreemptOff(Map<String, String> parsed) {
        return godebug(parsed, "asyncpreemptoff", 0) != 0;
    }

    /** {@link #asyncPreemptOff(Map)} of the GODEBUG read at start-up. */
    static boolean asyncPreemptOff() {
        return asyncPreemptOff(godebug);
    }

    /** What {@link #atoi64} and {@link #atoi32} return for a value Go's atoi refuses. */
    static final long BAD = Long.MIN_VALUE;

    /**
     * string.go: atoi64, as Go parses its knobs: an optional '-' and ASCII digits, nothing else
     * (no '+', no spaces, no other scripts' digits, which Long.parseLong would take); a lone
     * '-' is 0, as in Go. {@link #BAD} when empty, malformed or out of an int64 (and for
     * Long.MIN_VALUE itself, which no caller accepts).
     */
    static long atoi64(String s) {
        if (s.isEmpty()) {
            return BAD;
        }
        boolean neg = s.charAt(0) == '-';
        long n = 0; // the magnitude, negated at the end: up to 2^63 - 1 here
        for (int i = neg ? 1 : 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9' || n > (Long.MAX_VALUE - (c - '0')) / 10) {
                return BAD;
            }
            n = n * 10 + (c - '0');
        }
        return neg ? -n : n;
    }

    /** string.go: atoi32: {@link #atoi64} within an int32, else {@link #BAD}. */
    static long atoi32(String s) {
        long n = atoi64(s);
        return n == BAD || n != (int) n ? BAD : n;
    }

    /**
     * runtime1.go: setTraceback, for {@code GOTRACEBACK}: how much a crash prints. {@code level}
     * 0 prints no goroutine, 1 user frames, 2 also the runtime's; {@code all}: every goroutine,
     * not only the one that crashed; {@code crash}: Go aborts for a core dump (see Panics).
     */
    record Traceback(int level, boolean all, boolean crash) {}

    /**
     * GOTRACEBACK as Go 1.19 reads it: none, single (the default, also when unset or empty),
     * all, system, crash; a number n means level n with all (0, 1 and 2 are Go's historical
     * synonyms of none, all and system); anything else is level 0 with all, as Go's default
     * case makes it (Go does not fall back to single for a typo, so neither do we). A
     * {@link #setTraceback} since then is added to it.
     */
    static Traceback gotraceback() {
        int t = tracebackCache;
        if (t == UNSET) {
            t = tracebackBits(get("GOTRACEBACK"));
        }
        return new Traceback(t >>> TRACEBACK_SHIFT, (t & TRACEBACK_ALL) != 0, (t & TRACEBACK_CRASH) != 0);
    }

    /** runtime1.go: tracebackCrash, tracebackAll, tracebackShift. */
    private static final int TRACEBACK_CRASH = 1, TRACEBACK_ALL = 2, TRACEBACK_SHIFT = 2, UNSET = -1;

    /** runtime1.go: traceback_cache, once runtime/debug.SetTraceback has set it. */
    private static volatile int tracebackCache = UNSET;

    /** runtime1.go: setTraceback's switch: a level's bits. */
    private static int tracebackBits(String level) {
        return switch (level == null ? "" : level) {
            case "none" -> 0;
            case "single", "" -> 1 << TRACEBACK_SHIFT;
            case "all" -> 1 << TRACEBACK_SHIFT | TRACEBACK_ALL;
            case "system" -> 2 << TRACEBACK_SHIFT | TRACEBACK_ALL;
            case "crash" -> 2 << TRACEBACK_SHIFT | TRACEBACK_ALL | TRACEBACK_CRASH;
            default -> {
                // t = tracebackAll; if n, ok := atoi(level); ok && n == int(uint32(n)) { t |= uint32(n) << tracebackShift }:
                // the level is what survives the shift in 32 bits
                long n = atoi64(level);
                yield TRACEBACK_ALL | (n != BAD && n >= 0 && n <= 0xFFFF_FFFFL ? (int) n << TRACEBACK_SHIFT : 0);
            }
        };
    }

    /**
     * runtime/debug.SetTraceback: the level's bits or'ed with GOTRACEBACK's (runtime1.go:
     * {@code t |= traceback_env}), so that a call can raise the environment's setting, never
     * lower it; two levels combine bit by bit as Go's do ("single" with "system" is level 3).
     */
    public static void setTraceback(String level) {
        tracebackCache = tracebackBits(level) | tracebackBits(get("GOTRACEBACK"));
    }

    /** Back to GOTRACEBACK alone (tests: a process sets its traceback once). */
    static void resetTracebackForTest() {
        tracebackCache = UNSET;
    }

    /** A positive int from knob {@code name}, or 0 when unset or invalid (Go's atoi32 + n > 0). */
    static int positiveInt(String name) {
        String v = get(name);
        if (v == null) {
            return 0;
        }
        long n = atoi32(v);
        return n > 0 ? (int) n : 0;
    }

    /** proc.go: schedinit: GOMAXPROCS from the environment, else Go 1.25's default. */
    static int initialGomaxprocs() {
        int n = positiveInt("GOMAXPROCS");
        if (n > 0) {
            gomaxprocsFixed = true;
            return n; // no cap since Go 1.10 (_MaxGomaxprocs)
        }
        return defaultGomaxprocs();
    }

    /** Go 1.25: the CPUs we may run on, lowered to the cgroup CPU limit (containermaxprocs). */
    static int defaultGomaxprocs() {
        int procs = Cgroup.affinityCpus();
        if (godebug("containermaxprocs", 1) != 0) {
            procs = Cgroup.adjust(procs, Cgroup.cpuLimit());
        }
        return procs;
    }
}
