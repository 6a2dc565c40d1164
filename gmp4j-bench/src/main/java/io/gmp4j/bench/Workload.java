package io.gmp4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ten workloads of {@code docs/BENCHMARKS.md} (W1-W10, W4s), "mem", and PP (the original
 * design's park/unpark ping-pong spike, no channels): what each measures, its sizes in full and
 * {@code --quick} mode, and the systems it runs on.
 *
 * <p>Sizes are per system where a system is two orders of magnitude slower (platform threads
 * handing off through a {@code SynchronousQueue} cost microseconds, not nanoseconds): the
 * figure is per operation, so a smaller n changes the run time, not the unit. The table says
 * n whenever it differs from gmp4j's.
 */
enum Workload {
    W1("spawn 100,000 Gs that each call wg.done(); wait", "ns/G"),
    W2("two Gs, two unbuffered channels, 1,000,000 round trips", "ns/round trip"),
    PP("two Gs hand a volatile turn back and forth with LockSupport.park/unpark, 1,000,000 round trips",
            "ns/round trip"),
    W3("1 producer -> 1 consumer, cap 1024, 10,000,000 ints (range + close)", "ns/msg"),
    W4("1000 producers x 100 msgs -> 1 consumer, one channel cap 100", "ns/msg"),
    W4s("as W4, 8 channels (producer id % 8), one consumer each", "ns/msg"),
    W5("1000 jobs x 1e6 LCG steps; workers = NumCPU, then 4 x NumCPU", "ratio 4x/1x"),
    W6("100,000 Gs each sleep 10 ms then wg.done()", "total ms"),
    W7("2 producers on 2 unbuffered channels, 1 consumer select over both, 1,000,000 msgs", "ns/msg"),
    W8("8 Gs x 125,000 lock/increment/unlock on one Mutex", "ns/lock"),
    W9("GOMAXPROCS=1: one G spins; at 100 ms a second G is made runnable; delay until it runs", "ms"),
    W10("GOMAXPROCS=P: 2P spinning Gs, one G sleeping 1 ms in a loop; wake lateness", "ms p99"),
    MEM("100,000 Gs parked on an unbuffered channel receive", "bytes/G");

    final String title;
    final String unit;

    Workload(String title, String unit) {
        this.title = title;
        this.unit = unit;
    }

    /** The id users type and tables print: W1 .. W10, W4s, PP, mem. */
    String id() {
        return this == MEM ? "mem" : name();
    }

    static Workload parse(String s) {
        for (Workload w : values()) {
            if (w.id().equalsIgnoreCase(s)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + s + "' (W1 .. W10, W4s, PP, mem)");
    }

    /** Every figure is "lower is better" except none so far; kept explicit for the ratio text. */
    boolean lowerIsBetter() {
        return true;
    }

    /** Secondary metrics a run reports besides {@code value}, in print order. */
    List<String> extraMetrics() {
        return switch (this) {
            case W5 -> List.of("ms_1x", "ms_4x");
            case W10 -> List.of("p50", "max", "samples");
            default -> List.of();
        };
    }

    /**
     * Whether warm-up goes on until the figures stop moving rather than for a time (mem). A
     * parked goroutine's stack chunk holds its frames as they were when it parked: interpreted
     * or C1 frames are several times the size of C2's, and which of them a round parks in
     * depends on where the tiers stand, and on the deoptimizations that the previous round's
     * wake-ups caused: gmp4j's figure settled only from the sixth round on (2026-12-05,
     * docs/BENCHMARKS.md (8)), after the time-based warm-up's three. The figure meant is a
     * long-running program's, whose park paths are compiled.
     */
    boolean warmsToSteadyState() {
        return this == MEM;
    }

    /**
     * The bound on one run. W9's is the "did not run within N s" of the report: a system
     * that starves the second G is killed when it expires.
     */
    long runTimeoutMillis(Mode mode) {
        return switch (this) {
            case W9 -> w9MarkMillis() + mode.starveSeconds() * 1000L + 300;
            case W10 -> w10DurationMillis(mode) + mode.starveSeconds() * 1000L + 2000;
            default -> mode.scale == Scale.FULL ? 120_000 : 60_000;
        };
    }

    /** The text for a run that hit {@link #runTimeoutMillis}. */
    String starvedText(Mode mode) {
        return switch (this) {
            case W9 -> "did not run within " + mode.starveSeconds() + " s";
            default -> "did not finish within " + runTimeoutMillis(mode) / 1000 + " s";
        };
    }

    static long w9MarkMillis() {
        return 100;
    }

    static long w10DurationMillis(Mode mode) {
        return switch (mode.scale) {
            case FULL -> 2000;
            case QUICK -> 500;
            case TINY -> 200;
        };
    }

    /** The parameters a child receives as key=value arguments (Java and Go alike). */
    Map<String, String> params(Kind kind, Mode mode) {
        Scale s = mode.scale;
        boolean platform = kind == Kind.PLATFORM;
        Map<String, String> p = new LinkedHashMap<>();
        switch (this) {
            case W1 -> p.put("n", n(s, platform ? 10_000 : 100_000, platform ? 2_000 : 100_000, 1_000));
            case W2 -> p.put("n", n(s, platform ? 100_000 : 1_000_000, platform ? 20_000 : 200_000, 2_000));
            case PP -> p.put("n", n(s, platform ? 100_000 : 1_000_000, platform ? 20_000 : 200_000, 2_000));
            case W3 -> {
                p.put("n", n(s, platform ? 2_000_000 : 10_000_000, platform ? 200_000 : 1_000_000, 20_000));
                p.put("cap", "1024");
            }
            case W4, W4s -> {
                p.put("producers", n(s, 1000, 1000, 50));
                p.put("msgs", "100");
                p.put("cap", "100");
                if (this == W4s) {
                    p.put("shards", "8");
                }
            }
            case W5 -> {
                p.put("jobs", n(s, 1000, 100, 8));
                p.put("steps", n(s, 1_000_000, 1_000_000, 100_000));
            }
            case W6 -> {
                p.put("n", n(s, 100_000, 100_000, 1_000));
                p.put("sleepMs", "10");
            }
            case W7 -> p.put("n", n(s, platform ? 100_000 : 1_000_000, platform ? 20_000 : 200_000, 2_000));
            case W8 -> {
                p.put("workers", "8");
                p.put("iters", n(s, 125_000, 125_000, 1_000));
            }
            case W9 -> p.put("markMs", Long.toString(w9MarkMillis()));
            case W10 -> {
                p.put("durationMs", Long.toString(w10DurationMillis(mode)));
                p.put("sleepMs", "1");
            }
            case MEM -> p.put("n", n(s, 100_000, 100_000, 1_000));
        }
        return p;
    }

    private static String n(Scale s, int full, int quick, int tiny) {
        return Integer.toString(switch (s) {
            case FULL -> full;
            case QUICK -> quick;
            case TINY -> tiny;
        });
    }

    /** The columns of this workload's table, gmp4j first. {@code cpus} is the machine's P. */
    List<Contender> contenders(int cpus) {
        List<Contender> c = new ArrayList<>();
        Contender gmp = Contender.of(Kind.GMP4J);
        Contender vt = Contender.of(Kind.JDK_VT);
        Contender platform = Contender.of(Kind.PLATFORM);
        Contender jox = Contender.of(Kind.JOX);
        Contender go = Contender.of(Kind.GO);
        switch (this) {
            case W1, W8 -> c.addAll(List.of(gmp, vt, platform, go));
            case W2, W3, W4, W4s, W7 -> c.addAll(List.of(gmp, vt, platform, jox, go));
            case W5 -> c.addAll(List.of(gmp, vt, platform, go));
            // 100,000 sleeping OS threads is not a design anyone would choose: no platform column.
            case W6 -> c.addAll(List.of(gmp, vt, go));
            case W9 -> {
                c.add(gmp.withProps("-Dgmp4j.GOMAXPROCS=1"));
                c.add(gmp.named("gmp4j asyncpreemptoff=1")
                        .withProps("-Dgmp4j.GOMAXPROCS=1", "-Dgmp4j.GODEBUG=asyncpreemptoff=1"));
                c.add(vt.withProps("-Djdk.virtualThreadScheduler.parallelism=1",
                        "-Djdk.virtualThreadScheduler.maxPoolSize=1"));
                c.add(platform.named("platform 1 cpu").pinnedToOneCpu());
                c.add(go.withEnv(Map.of("GOMAXPROCS", "1")));
                c.add(go.named("go asyncpreemptoff=1").withEnv(Map.of("GOMAXPROCS", "1", "GODEBUG", "asyncpreemptoff=1")));
            }
            case W10 -> {
                c.add(gmp.withProps("-Dgmp4j.GOMAXPROCS=" + cpus));
                c.add(vt.withProps("-Djdk.virtualThreadScheduler.parallelism=" + cpus));
                c.add(platform);
                c.add(go.withEnv(Map.of("GOMAXPROCS", Integer.toString(cpus))));
            }
            case MEM -> c.addAll(List.of(gmp, vt, jox, go));
            case PP -> {
                // The default pair (P = CPUs), then the same pair on one P / one carrier (the
                // anchors' spike: ~289 ns with 1 M, ~309 with 2 Ms; JDK ~314 / ~649); the
                // second pair's ratio is against gmp4j GOMAXPROCS=1.
                String one = "P=1";
                c.add(gmp);
                c.add(vt);
                c.add(gmp.named("gmp4j GOMAXPROCS=1").withProps("-Dgmp4j.GOMAXPROCS=1").inGroup(one));
                c.add(vt.named("jdk-vt parallelism=1").withProps("-Djdk.virtualThreadScheduler.parallelism=1",
                        "-Djdk.virtualThreadScheduler.maxPoolSize=1").inGroup(one)
                        .noted("gmp4j/this is against gmp4j GOMAXPROCS=1"));
                c.add(platform);
                c.add(go);
            }
        }
        return c;
    }

    /**
     * Why {@code kind} has no program for this workload ("n/a: ..."), or null. The column is
     * still printed, with this text, so a missing figure is explained rather than absent.
     */
    String notApplicable(Kind kind) {
        if (this == PP && kind == Kind.GO) {
            // A cap-1 channel used as a permit would be the nearest user-level Go code, but it
            // measures channel locking too, i.e. a W2 variant; W2's go row is the Go reference.
            return "n/a: Go has no user-level park/unpark (gopark/goready are runtime-internal); see W2";
        }
        return null;
    }

    /** Run-size and repetition settings of one invocation. */
    enum Scale { FULL, QUICK, TINY }

    /**
     * This workload's settings: {@code mode} with more measured runs for the short workloads
     * (W1, W4, W4s, W8), unless the runs were given on the command line. One W8 run is 6-10 ms,
     * so the default 5 runs measure each system for 50 ms, and the first runs of a fresh JVM
     * decide the median (2026-11-29: the same build gave gmp4j/jdk-vt 0.84-1.02 over 5-15 runs
     * and 0.50-0.69 over 40). W1 (15 ms a run) and W4 (2-30 ms) spread by +-20 % and more from
     * run to run on a 2-CPU machine (2026-12-05: W1 medians of 5-7 runs went from 0.93 to 1.38
     * of the JDK between invocations of one build). 25 runs cost about a second per system.
     */
    Mode mode(Mode mode) {
        if (!SHORT.contains(this) || mode.runsGiven()) {
            return mode;
        }
        int min = switch (mode.scale()) {
            case FULL -> 25;
            case QUICK -> 10;
            case TINY -> 1;
        };
        return new Mode(mode.scale(), mode.warmups(), Math.max(min, mode.runs()), false);
    }

    private static final java.util.Set<Workload> SHORT = java.util.EnumSet.of(W1, W4, W4s, W8);

    record Mode(Scale scale, int warmups, int runs, boolean runsGiven) {
        /**
         * Warm-up time each system gets before its measured runs, beyond the {@link #warmups}
         * rounds: JMH's reasoning (measure the compiled code, not the JIT), in rounds because
         * the systems take turns. Measured 2026-12-04: W4s gmp4j went 126, 99, 87, 225, 53 ns/msg
         * over its first runs and 25-45 after a second of them; W2 852, 604, 572, 544 ns, then
         * 420-520.
         */
        long warmupMillis() {
            return switch (scale) {
                case FULL -> 1500;
                case QUICK -> 300;
                case TINY -> 0;
            };
        }

        /** The N of "did not run within N s" (W9) and the slack W10 gets. */
        int starveSeconds() {
            return switch (scale) {
                case FULL -> 5;
                case QUICK -> 2;
                case TINY -> 1;
            };
        }

        @Override
        public String toString() {
            return scale.name().toLowerCase(Locale.ROOT) + ", " + warmups + "+ warm-up rounds (until each system has run "
                    + warmupMillis() + " ms) + " + runs + " measured runs";
        }
    }
}
