package io.gmp4j.examples;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/*
 * Seed 002, Bug 13: "Increased GOMAXPROCS made GC worse". In Go the per-P mcaches and GC mark
 * workers multiply with GOMAXPROCS. On the JVM the collector is the JVM's: its parallel and
 * concurrent GC worker threads are sized from the CPU count the JVM sees (ParallelGCThreads,
 * ConcGCThreads). The honest Java form of the bug: a process sized for the host (GOMAXPROCS and
 * GC threads = the host's CPUs) running in a container whose CPU quota is far smaller. Then the
 * GC's workers and the goroutines' Ms compete for the few CPUs the quota gives.
 *
 * The example runs the same allocation-heavy program (GOMAXPROCS goroutines allocating 1-16 KiB
 * arrays, about 64 MiB of them kept alive in all, on a 256 MiB heap) in two child JVMs
 * with GODEBUG=gctrace=1 on this machine, whose NumCPU stands in for the quota:
 *   buggy: GOMAXPROCS and -XX:ParallelGCThreads = 8 x NumCPU ("the host"), ConcGCThreads a
 *          quarter of that (HotSpot's ratio);
 *   fixed: GOMAXPROCS = NumCPU, -XX:ParallelGCThreads = NumCPU, ConcGCThreads = max(1, NumCPU/4).
 * It prints, per child, what the child measured: wall and process CPU time, the collections and
 * their total pause time from the JVM's GC beans, and the gctrace lines' count and their summed
 * "clock" figure, with the last line as a sample. The JVM is container-aware by default (it reads
 * the cgroup quota itself), so the buggy sizing has to be forced with flags here; what it costs
 * depends on the machine and is whatever the numbers say (on few CPUs it is often small).
 */
final class GcThreads implements Example {
    @Override
    public String name() {
        return "gc-threads";
    }

    @Override
    public String summary() {
        return "seed bug 13: GOMAXPROCS and GC threads sized for the host vs matched to the CPU quota, in child JVMs with gctrace=1: wall, CPU, GC pauses [MiB=4000]";
    }

    /** One child's figures, parsed from its output, plus its gctrace summary. */
    record Child(int exitCode, String sizing, String measured, int gcLines, double gctraceClockMs, String lastGcLine, String stderrTail) {}

    @Override
    public int run(String[] args, PrintStream out) {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        int mib = a.intNum(0, 4000);
        int quota = Go.numCPU();
        Child c = child(fixed, quota, mib);
        out.printf("%s: %s; %s%n", fixed ? "matched to " + quota + " CPUs" : "sized for a host of " + 8 * quota + " CPUs on " + quota,
                c.sizing(), c.measured());
        out.printf("  gctrace: %d lines, %.0f ms clock in all; last: %s%n", c.gcLines(), c.gctraceClockMs(), c.lastGcLine());
        if (c.exitCode() != 0) {
            out.printf("  child JVM exit %d: %s%n", c.exitCode(), c.stderrTail());
            return 1;
        }
        return 0;
    }

    /** Runs the allocation program in a child JVM, sized for the host (8 x quota) or matched to quota. */
    static Child child(boolean fixed, int quota, int mib) {
        int procs = fixed ? quota : 8 * quota;
        int conc = Math.max(1, procs / 4);
        List<String> opts = new ArrayList<>(ChildJvm.GMP4J_FLAGS);
        opts.addAll(List.of("-Xmx256m", "-Xms256m", "-XX:+UseG1GC", "-XX:ParallelGCThreads=" + procs, "-XX:ConcGCThreads=" + conc));
        ChildJvm.Result r = ChildJvm.run(Program.class.getName(), opts,
                List.of("GOMAXPROCS=" + procs, "GODEBUG=gctrace=1"), 300, Integer.toString(mib));
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
                System.out.printf("GOMAXPROCS=%d, ParallelGCThreads=%s, ConcGCThreads=%s%n", procs,
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
