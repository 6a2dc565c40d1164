package io.gmp4j.examples;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/*
 * Seed 002, Bug 13: "Increased GOMAXPROCS made GC worse". In Go the per-P mcaches and GC mark
 * workers multiply with GOMAXPROCS. On the JVM the collector is the JVM's: its parallel and
 * concurrent GC worker threads are sized from the CPU count the JVM sees (ParallelGCThreads,
 * ConcGCThreads). The honest Java form of the bug: a container with a CPU quota of 2 CPUs on a
 * 16-CPU host, where gmp4j's GOMAXPROCS follows the quota (Go 1.25's cgroup-aware default) but
 * the JVM sizes its GC for the host: 13 parallel G1 workers and 3 concurrent ones contend for 2
 * CPUs' worth of quota with the goroutines' Ms.
 *
 * The example simulates that container in a child JVM, the same on any machine:
 *   - gmp4j's fake cgroup root (-Dgmp4j.cgroupRoot, the runtime's Cgroup): proc/self/status says
 *     the affinity mask is CPUs 0-15 and sys/fs/cgroup/cpu.max says "200000 100000", a quota of
 *     2 CPUs, so the child's default GOMAXPROCS is 2 (its own cgroup reading, not a flag);
 *   - the JVM's own container detection reads the real /sys/fs/cgroup, not the fake root, so
 *     -XX:ActiveProcessorCount=16 stands for "the JVM sees the host's 16 CPUs" (container
 *     support off, or a JVM too old to read cgroups): HotSpot's default GC thread counts follow.
 * buggy: just that. fixed: -XX:ParallelGCThreads=2 -XX:ConcGCThreads=1 (GC threads matched to
 * the quota, as GOMAXPROCS is; -XX:ActiveProcessorCount=2 would do it for every pool).
 * The child runs GOMAXPROCS goroutines allocating 1-16 KiB arrays (about 64 MiB of them kept
 * alive, 256 MiB heap) with GODEBUG=gctrace=1 and reports GOMAXPROCS, NumCPU and the GC thread
 * counts it runs with (HotSpotDiagnosticMXBean), then wall and process CPU time and its
 * collections. The counts are the deterministic part; the times are this machine's, whose real
 * CPUs the 13 GC threads share (on a real 2-CPU quota the cost shows as cgroup throttling).
 */
final class GcThreads implements Example {
    @Override
    public String name() {
        return "gc-threads";
    }

    @Override
    public String summary() {
        return "seed bug 13: a simulated 2-CPU container on a 16-CPU host (fake cgroup root): GOMAXPROCS from the quota vs GC threads sized for the host, gctrace=1; --fixed: GC threads matched [MiB=4000]";
    }

    /** The simulated host's CPUs (the fake affinity mask, the JVM's -XX:ActiveProcessorCount). */
    static final int HOST_CPUS = 16;
    /** The simulated container's cpu.max. */
    static final String CPU_MAX = "200000 100000";
    static final int QUOTA_CPUS = 2;

    /** One child's figures, parsed from its output, plus its gctrace summary. */
    record Child(int exitCode, String sizing, String measured, int gcLines, double gctraceClockMs, String lastGcLine, String stderrTail) {
        /** A figure of the child's sizing line ("GOMAXPROCS=2, NumCPU=16, ..."), or -1. */
        int figure(String name) {
            var m = java.util.regex.Pattern.compile("\\b" + name + "=(\\d+)").matcher(sizing);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }
    }

    @Override
    public int run(String[] args, PrintStream out) throws IOException {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        int mib = a.intNum(0, 4000);
        out.printf("simulated container: cgroup cpu.max \"%s\" (%d CPUs) on a %d-CPU host, through gmp4j's fake cgroup root;%n", CPU_MAX,
                QUOTA_CPUS, HOST_CPUS);
        out.printf("  the JVM's own container detection reads the real cgroup, not the fake one: -XX:ActiveProcessorCount=%d makes it see the host%n",
                HOST_CPUS);
        Child c = child(fixed, mib);
        out.printf("%s: %s%n", fixed ? "GC threads matched to the quota (-XX:ParallelGCThreads=2 -XX:ConcGCThreads=1)" : "GC threads sized for the host",
                c.sizing());
        out.printf("  %s%n", c.measured());
        out.printf("  gctrace: %d lines, %.0f ms clock in all; last: %s%n", c.gcLines(), c.gctraceClockMs(), c.lastGcLine());
        if (c.exitCode() != 0) {
            out.printf("  child JVM exit %d: %s%n", c.exitCode(), c.stderrTail());
            return 1;
        }
        out.println(fixed
                ? "  notice: GOMAXPROCS and the GC's parallel workers now both fit the 2-CPU quota"
                : "  notice: GOMAXPROCS follows the quota (2) but the GC runs " + c.figure("ParallelGCThreads") + " parallel workers on those 2 CPUs: compare --fixed");
        out.printf("  (the times are this machine's %d CPUs; in a real 2-CPU container the extra GC threads show as cgroup throttling)%n",
                Runtime.getRuntime().availableProcessors());
        return 0;
    }

    /** Runs the allocation program in a child JVM in the simulated container, GC threads sized for the host or matched to the quota. */
    static Child child(boolean fixed, int mib) throws IOException {
        Path root = fakeCgroupRoot();
        try {
            List<String> opts = new ArrayList<>(List.of("-Dgmp4j.cgroupRoot=" + root, "-XX:ActiveProcessorCount=" + HOST_CPUS,
                    "-Xmx256m", "-Xms256m", "-XX:+UseG1GC"));
            if (fixed) {
                opts.addAll(List.of("-XX:ParallelGCThreads=" + QUOTA_CPUS, "-XX:ConcGCThreads=" + Math.max(1, QUOTA_CPUS / 4)));
            }
            ChildJvm.Result r = ChildJvm.run(Program.class.getName(), opts, List.of("GODEBUG=gctrace=1"), 300, Integer.toString(mib));
            return parse(r);
        } finally {
            try (var files = Files.walk(root)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * A fake root for the runtime's cgroup reader: proc/self/status (affinity CPUs 0-15),
     * proc/self/cgroup (cgroup v2, the root group) and sys/fs/cgroup/cpu.max.
     */
    static Path fakeCgroupRoot() throws IOException {
        Path root = Files.createTempDirectory("gmp4j-cgroup");
        Files.createDirectories(root.resolve("proc/self"));
        Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Files.writeString(root.resolve("proc/self/status"), "Name:\tjava\nCpus_allowed_list:\t0-" + (HOST_CPUS - 1) + "\n");
        Files.writeString(root.resolve("proc/self/cgroup"), "0::/\n");
        Files.writeString(root.resolve("sys/fs/cgroup/cpu.max"), CPU_MAX + "\n");
        return root;
    }

    private static Child parse(ChildJvm.Result r) {
        List<String> gc = r.stderr().lines().filter(l -> l.startsWith("gc ")).toList();
        double clock = 0;
        for (String l : gc) { // "gc N @Ts P%: a+b+c ms clock, ..."
            int colon = l.indexOf(": ");
            int ms = l.indexOf(" ms clock");
            if (colon > 0 && ms > colon) {
                for (String part : l.substring(colon + 2, ms).split("\\+")) {
                    clock += Double.parseDouble(part);
                }
            }
        }
        String[] lines = r.stdout().strip().split("\n", 2);
        String err = r.stderr().lines().filter(l -> !l.startsWith("gc ")).limit(3).reduce("", (a, b) -> a + " | " + b);
        return new Child(r.exitCode(), lines[0], lines.length > 1 ? lines[1] : "(no measurement: see stderr)", gc.size(), clock,
                gc.isEmpty() ? "(none)" : gc.getLast(), err);
    }

    /** The child: GOMAXPROCS goroutines allocate {@code mib} MiB between them; prints sizing, then measurements. */
    public static final class Program {
        static volatile long sink;

        public static void main(String[] args) {
            long mib = Long.parseLong(args[0]);
            Go.run(() -> {
                var hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                int procs = Go.gomaxprocs(0);
                System.out.printf("GOMAXPROCS=%d, NumCPU=%d, ParallelGCThreads=%s, ConcGCThreads=%s%n", procs, Go.numCPU(),
                        hs.getVMOption("ParallelGCThreads").getValue(), hs.getVMOption("ConcGCThreads").getValue());
                long gcCount0 = gcCount();
                long gcMs0 = gcMillis();
                long cpu0 = ProcessCpu.nanos();
                long start = System.nanoTime();
                long perGoroutine = (mib << 20) / procs;
                WaitGroup wg = new WaitGroup();
                for (int g = 0; g < procs; g++) {
                    int seed = g;
                    wg.add(1);
                    Go.go(() -> {
                        try {
                            sink += allocate(perGoroutine, seed, Math.max(1, 7_500 / procs));
                        } finally {
                            wg.done();
                        }
                    });
                }
                wg.await();
                long wall = System.nanoTime() - start;
                long cpu = ProcessCpu.nanos() - cpu0;
                System.out.printf(Locale.ROOT, "%d MiB allocated: wall %.0f ms, process CPU %.0f ms, %d collections, %d ms in collections%n",
                        mib, wall / 1e6, cpu / 1e6, gcCount() - gcCount0, gcMillis() - gcMs0);
            });
        }

        /**
         * Allocates about {@code bytes} bytes in 1-16 KiB arrays, keeping the last {@code keep}
         * alive (7,500 over all goroutines: about 64 MiB live, whatever GOMAXPROCS is).
         */
        static long allocate(long bytes, int seed, int keep) {
            byte[][] live = new byte[keep][];
            long x = seed + 1;
            long done = 0;
            for (int i = 0; done < bytes; i++) {
                x = (x * 1103515245L + 12345) & 0x7fffffff;
                byte[] a = new byte[1024 + (int) (x % 15_360)];
                a[0] = (byte) x;
                live[i % live.length] = a;
                done += a.length;
            }
            long sum = 0;
            for (byte[] a : live) {
                sum += a == null ? 0 : a[0];
            }
            return sum;
        }

        private static long gcCount() {
            return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
        }

        private static long gcMillis() {
            return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        }
    }
}
