package io.gmp4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./gmp4j bench [W1 ... W10 W4s PP mem] [--runs N] [--quick] [--json FILE] [--jmh [REGEX]]}
 *
 * <p>Runs each workload of {@code docs/BENCHMARKS.md} on gmp4j, the JDK's default virtual-thread
 * scheduler, platform threads, jox and the Go twin, and prints per workload the median
 * (min .. max) of the measured runs and gmp4j's ratio to every other system.
 *
 * <p>How a workload runs (Context/Decision/Consequences):
 * <ul>
 *   <li>Context: one JVM running every system would let one system's JIT profile (megamorphic
 *       call sites, deoptimisations), heap and GC debt colour the next; separate JVMs run one
 *       after the other would put their runs minutes apart on a shared, noisy machine, where
 *       only same-run ratios are comparable.</li>
 *   <li>Decision: every system gets its own child process (a JVM, or the Go binary), all
 *       started together and then driven in lock-step rounds over a line protocol
 *       ({@link Child}): warm-up rounds, then measured rounds, one system at a time, the order
 *       rotated each round so none always runs first. Idle children block on stdin; each child
 *       collects garbage after a run before it answers, so it is quiet while the next runs.</li>
 *   <li>Consequences: a system's runs are interleaved in time with the others', so drift on
 *       the machine moves all columns alike. Java children start with a 1 GiB heap
 *       ({@link #HEAP_FLAGS}) so that the collection after a run does not shrink it; the
 *       price is one JVM start per system and
 *       workload (about 0.5 s, overlapped) and a few idle processes holding memory. Background
 *       JIT compilation of an idle child can still overlap another's run; the warm-up rounds
 *       keep that small.</li>
 * </ul>
 * A run that exceeds the workload's deadline kills its child: the column reports "did not run
 * within N s" (W9) with the runs it did complete, and is not asked again.
 */
public final class Bench {
    /**
     * The flags every JVM that runs gmp4j gets (README: "Embedding"; the same three in the
     * launcher, the pom's argLine, GoTesting and ChildJvm), plus -XX:+EnableDynamicAgentLoading
     * as in the pom's argLine; all Java children get them. One token each: childJvmFlags
     * drops those the parent already has.
     */
    static final List<String> GMP4J_JVM_FLAGS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Djdk.trackAllThreads=false",
            "--enable-native-access=ALL-UNNAMED", "-XX:+EnableDynamicAgentLoading");

    /**
     * The children's initial heap. Each child runs System.gc() after a run (see the class
     * comment); G1 then shrinks the heap to a few tens of MB, and the next run pays for growing
     * it back: eight young pauses and a concurrent mark in one W6 run, where 100,000 parked
     * threads are live (measured 2026-11-29: W6 130-180 ms on both schedulers with the shrink,
     * 54-66 ms without). A fixed floor, the usual benchmarking practice, measures the workload
     * instead of the harness. Not added when the caller sets an initial heap of its own.
     */
    static final List<String> HEAP_FLAGS = List.of("-Xms1g");

    /**
     * @param baseline another gmp4j runtime to run beside this build's (--baseline), or null
     * @param procs    GOMAXPROCS for every system (--procs; the JDK's scheduler parallelism), or
     *                 0 for each system's default (the CPUs)
     */
    record Options(List<Workload> workloads, Workload.Mode mode, Path json, Set<Kind> systems,
                   boolean jmh, String jmhInclude, Path baseline, int procs) {}

    private Bench() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().equals("help")) { // asked for: the usage alone, on stdout, status 0
                System.out.println(usage());
                System.exit(0);
                return;
            }
            System.err.println("bench: " + e.getMessage() + "; see ./gmp4j bench --help");
            System.exit(2);
            return;
        }
        if (options.jmh()) {
            System.exit(Jmh.run(options.jmhInclude(), childJvmFlags()));
            return;
        }
        run(options, System.out, System.err);
        System.exit(0);
    }

    static String usage() {
        return """
                usage: ./gmp4j bench [W1 ... W10 W4s PP mem] [--runs N] [--quick] [--json FILE]
                                     [--systems gmp4j,jdk-vt,platform,jox,go] [--baseline JAR]
                                     [--procs N]
                       ./gmp4j bench --jmh [REGEX]
                  (no workload ids: all of them)
                  --runs N    measured runs per system (default 5; 3 with --quick; W1, W4, W4s
                              and W8 take at least 25, 10 with --quick, unless --runs is given)
                  --quick     smaller sizes, 1 warm-up: the whole suite in about 2 minutes
                  --json FILE also write the results as JSON
                  --baseline JAR  also run another gmp4j runtime (a jar or classes folder, e.g.
                              an older build's gmp4j-runtime/target/classes) as the column
                              "gmp4j base", interleaved with this build's: an A/B in one run
                  --procs N   GOMAXPROCS=N for gmp4j and Go, the JDK scheduler's parallelism N
                              for jdk-vt and jox (platform threads: unchanged); the CPUs stay
                              what they are: N Ps' scheduling costs, not N cores' speed
                  --jmh       the JMH micro-benchmarks of gmp4j's hot paths instead""";
    }

    static Options parse(String[] args) {
        List<Workload> workloads = new ArrayList<>();
        Workload.Scale scale = Workload.Scale.FULL;
        Integer runs = null;
        Path json = null;
        Set<Kind> systems = EnumSet.allOf(Kind.class);
        boolean jmh = false;
        String jmhInclude = null;
        Path baseline = null;
        int procs = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> scale = Workload.Scale.QUICK;
                case "--tiny" -> scale = Workload.Scale.TINY; // the harness's own tests
                case "--runs" -> runs = positive(value(args, ++i, a), a);
                case "--procs" -> procs = positive(value(args, ++i, a), a);
                case "--json" -> json = Path.of(value(args, ++i, a));
                case "--baseline" -> {
                    baseline = Path.of(value(args, ++i, a)).toAbsolutePath();
                    if (!java.nio.file.Files.exists(baseline)) {
                        throw new IllegalArgumentException("--baseline: no such jar or folder: " + baseline);
                    }
                }
                case "--systems" -> {
                    systems = EnumSet.noneOf(Kind.class);
                    for (String s : value(args, ++i, a).split(",")) {
                        systems.add(Kind.parse(s.trim()));
                    }
                }
                case "--jmh" -> {
                    jmh = true;
                    if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        jmhInclude = args[++i];
                    }
                }
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> {
                    if (a.startsWith("--runs=")) {
                        runs = positive(a.substring(7), "--runs");
                    } else if (a.startsWith("--procs=")) {
                        procs = positive(a.substring(8), "--procs");
                    } else if (a.startsWith("--json=")) {
                        json = Path.of(a.substring(7));
                    } else if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    } else {
                        workloads.add(Workload.parse(a));
                    }
                }
            }
        }
        if (workloads.isEmpty()) {
            workloads.addAll(List.of(Workload.values()));
        }
        int warmups = switch (scale) {
            case FULL -> 2;
            case QUICK -> 1;
            case TINY -> 0;
        };
        int measured = runs != null ? runs : switch (scale) {
            case FULL -> 5;
            case QUICK -> 3;
            case TINY -> 1;
        };
        return new Options(List.copyOf(workloads), new Workload.Mode(scale, warmups, measured, runs != null), json, systems,
                jmh, jmhInclude, baseline, procs);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String s, String option) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // Reported below.
        }
        throw new IllegalArgumentException(option + " needs a positive number, not '" + s + "'");
    }

    /** Runs the selected workloads, prints the report; returns the tables (for --json and tests). */
    static List<Column[]> run(Options o, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        long started = System.nanoTime();
        boolean wantGo = o.systems().contains(Kind.GO)
                && o.workloads().stream().anyMatch(w -> w.notApplicable(Kind.GO) == null);
        GoTwin.Build go = wantGo ? GoTwin.build()
                : new GoTwin.Build(null, null, o.systems().contains(Kind.GO) ? "not needed" : "not selected");
        Machine machine = Machine.describe(go);
        Report report = new Report(out, machine, o.mode(), o.procs());
        report.header();
        Progress progress = new Progress(err, o, started);
        List<Column[]> tables = new ArrayList<>();
        List<long[]> probes = new ArrayList<>();
        for (int i = 0; i < o.workloads().size(); i++) {
            Workload w = o.workloads().get(i);
            progress.workload(w, i);
            long before = CoreProbe.roundTripNanos();
            Column[] columns = runWorkload(w, o, go, progress);
            long[] probe = {before, CoreProbe.roundTripNanos()};
            progress.clear();
            report.table(w, columns, probe);
            tables.add(columns);
            probes.add(probe);
        }
        report.footer((System.nanoTime() - started) / 1_000_000_000L);
        if (o.json() != null) {
            report.writeJson(o.json(), o.workloads(), tables, probes);
            out.println("JSON written to " + o.json());
        }
        return tables;
    }

    static Column[] runWorkload(Workload w, Options o, GoTwin.Build go, Progress progress)
            throws InterruptedException {
        int cpus = o.procs() > 0 ? o.procs() : Runtime.getRuntime().availableProcessors();
        List<Column> cols = new ArrayList<>();
        for (Contender c : w.contenders(cpus)) {
            if (o.procs() > 0) {
                c = c.withProcs(o.procs());
            }
            if (o.systems().contains(c.kind())) {
                cols.add(new Column(c, w.params(c.kind(), o.mode())));
                if (o.baseline() != null && c.kind() == Kind.GMP4J && c.group().isEmpty() && c.name().equals(Kind.GMP4J.label)) {
                    Contender base = c.named(Kind.GMP4J.label + " base").withRuntime(o.baseline().toString());
                    cols.add(new Column(base, w.params(c.kind(), o.mode())));
                }
            }
        }
        for (Column col : cols) {
            start(col, w, go);
        }
        for (Column col : cols) {
            if (col.child != null) {
                try {
                    col.info = col.child.awaitReady(120_000);
                } catch (IOException e) {
                    col.problem = e.getMessage();
                    col.child = null;
                }
            }
        }
        Workload.Mode mode = w.mode(o.mode());
        int k = cols.size();
        int warmRounds = 0;
        long warmNanosNeeded = TimeUnit.MILLISECONDS.toNanos(mode.warmupMillis());
        for (int round = 0; round < warmRounds + mode.runs(); round++) {
            boolean warm = round == warmRounds && warmingUp(w, cols, round, mode, warmNanosNeeded);
            if (warm) {
                warmRounds++;
            }
            for (int i = 0; i < k; i++) {
                Column col = cols.get((round + i) % k);
                if (col.child == null) {
                    continue;
                }
                progress.step(w, col, warm ? "warm-up " + (round + 1)
                        : "run " + (round - warmRounds + 1) + "/" + mode.runs());
                long t0 = System.nanoTime();
                ChildProcess.Outcome outcome = col.child.run(w.runTimeoutMillis(mode));
                switch (outcome) {
                    case ChildProcess.Outcome.Ok ok -> {
                        if (warm) {
                            col.warmNanos += System.nanoTime() - t0;
                            col.prevWarm = col.lastWarm;
                            col.lastWarm = Column.parseMetrics(ok.metrics()).getOrDefault("value", Double.NaN);
                        } else {
                            col.runs.add(Column.parseMetrics(ok.metrics()));
                        }
                    }
                    case ChildProcess.Outcome.Failed f -> {
                        col.problem = "failed: " + f.message();
                        col.child.kill();
                        col.child = null;
                    }
                    case ChildProcess.Outcome.TimedOut t -> {
                        col.starved = true;
                        col.problem = w.starvedText(mode) + (warm ? " (warm-up)"
                                : " (run " + (round - warmRounds + 1) + " of " + mode.runs() + ")");
                        col.child = null; // killed by run()
                    }
                }
            }
        }
        for (Column col : cols) {
            if (col.child != null) {
                col.child.close();
                col.child = null;
            }
        }
        return cols.toArray(new Column[0]);
    }

    /**
     * Whether round {@code round} is another warm-up round: at least {@link Workload.Mode#warmups}
     * of them, then more until every live child has spent {@code needed} ns in warm-up runs (the
     * JIT's share of a short run: one W4s run is 4 ms warm and 20-120 ms in a fresh JVM), at most
     * {@link #MAX_WARMUP_ROUNDS}. A workload that {@link Workload#warmsToSteadyState} warms up
     * instead until every live child's last two warm-up figures agree within
     * {@link #STEADY_TOLERANCE}, at most {@link #MAX_STEADY_ROUNDS}. Every system gets the same
     * rounds, Go's included.
     */
    private static boolean warmingUp(Workload w, List<Column> cols, int round, Workload.Mode mode, long needed) {
        if (round < mode.warmups()) {
            return true;
        }
        boolean steady = w.warmsToSteadyState() && mode.warmupMillis() > 0;
        if (round >= (steady ? MAX_STEADY_ROUNDS : MAX_WARMUP_ROUNDS)) {
            return false;
        }
        for (Column col : cols) {
            if (col.child != null && (steady ? !col.warmSteady(STEADY_TOLERANCE) : col.warmNanos < needed)) {
                return true;
            }
        }
        return false;
    }

    /** How close two warm-up figures must be for a steady-state workload to start measuring. */
    static final double STEADY_TOLERANCE = 0.02;

    /** The cap on a steady-state workload's warm-up rounds (mem: about half a second each). */
    static final int MAX_STEADY_ROUNDS = 12;

    /** The cap on warm-up rounds (a workload of 1 ms a run warms up for at most this many). */
    static final int MAX_WARMUP_ROUNDS = 60;

    private static void start(Column col, Workload w, GoTwin.Build go) {
        Contender c = col.contender;
        String na = w.notApplicable(c.kind());
        if (na != null) {
            col.problem = na;
            return;
        }
        List<String> cmd = new ArrayList<>();
        if (c.oneCpu()) {
            Path taskset = GoTwin.findOnPath("taskset");
            if (taskset == null) {
                col.problem = "taskset not found (cannot confine platform threads to one CPU)";
                return;
            }
            cmd.addAll(List.of(taskset.toString(), "-c", "0"));
        }
        if (c.kind() == Kind.GO) {
            if (!go.ok()) {
                col.problem = go.problem();
                return;
            }
            cmd.add(go.binary().toString());
            cmd.add(w.id());
        } else {
            cmd.add(javaBinary());
            cmd.addAll(childJvmFlags());
            cmd.addAll(c.jvmProps());
            cmd.addAll(List.of("-cp", classPath(c), Child.class.getName(),
                    c.kind().label, w.id()));
        }
        col.params.forEach((key, value) -> cmd.add(key + "=" + value));
        try {
            col.child = new ChildProcess(cmd, childEnv(c));
        } catch (IOException e) {
            col.problem = "could not start: " + e.getMessage();
        }
    }

    /** This JVM's class path, with the gmp4j runtime replaced by the contender's, if it has one. */
    static String classPath(Contender c) {
        String cp = System.getProperty("java.class.path");
        if (c.runtime() == null) {
            return cp;
        }
        List<String> out = new ArrayList<>();
        boolean replaced = false;
        for (String e : cp.split(java.io.File.pathSeparator)) {
            if (isRuntimeEntry(e)) {
                out.add(c.runtime());
                replaced = true;
            } else {
                out.add(e);
            }
        }
        if (!replaced) {
            out.add(0, c.runtime());
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    private static boolean isRuntimeEntry(String e) {
        Path p = Path.of(e).normalize();
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        return name.startsWith("gmp4j-runtime") && name.endsWith(".jar")
                || p.endsWith(Path.of("gmp4j-runtime", "target", "classes"));
    }

    /**
     * The children's environment: the caller's, minus the Go variables gmp4j and Go read, plus
     * the contender's own. Figures then do not depend on what the caller's shell exports.
     */
    private static Map<String, String> childEnv(Contender c) {
        Map<String, String> env = new java.util.HashMap<>();
        for (String name : List.of("GOMAXPROCS", "GODEBUG", "GOGC", "GOMEMLIMIT")) {
            env.put(name, null);
        }
        env.putAll(c.env());
        return env;
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The parent's own JVM flags (minus debugger agents), then gmp4j's required flags, then
     * {@code -Dgmp4j.bench.childJvmArgs}. Every Java child gets the same flags, whatever its
     * system, so the JDK columns run with e.g. {@code -Djdk.trackAllThreads=false} too.
     */
    static List<String> childJvmFlags() {
        List<String> flags = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp") && !a.equals("-Xdebug")
                    && !a.startsWith("-Dgmp4j.bench.")) {
                flags.add(a);
            }
        }
        for (String f : GMP4J_JVM_FLAGS) {
            if (!flags.contains(f)) { // the launcher passes most of them to the parent already
                flags.add(f);
            }
        }
        String extra = System.getProperty("gmp4j.bench.childJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            flags.addAll(List.of(extra.split("\\s+")));
        }
        // A caller's heap flags win: with -Xmx below 1 GiB our -Xms1g would stop the child JVMs.
        if (flags.stream().noneMatch(f -> f.startsWith("-Xms") || f.startsWith("-XX:InitialHeapSize")
                || f.startsWith("-XX:MinHeapSize") || f.startsWith("-Xmx") || f.startsWith("-XX:MaxHeapSize"))) {
            flags.addAll(HEAP_FLAGS);
        }
        return flags;
    }
}
