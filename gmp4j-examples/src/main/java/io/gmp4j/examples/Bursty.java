package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Seed 002, Bug 7: "My CPU profile shows runtime.findRunnable". A bursty workload on many Ps:
 * every 200 us a burst of small (~1 us) tasks arrives, then nothing. The buggy form runs at
 * GOMAXPROCS=32 (a 32-CPU host's default; here on whatever CPUs the machine has) and sends the
 * tasks one by one to 32 worker goroutines: each send readies a parked worker, which wakes an
 * idle P and a spinning M (wakep); after each task the Ms look for work (findRunnable:
 * stealWork's 4 rounds over 32 Ps, runqsteal) and park again (stopm), to be woken for the next
 * burst. --fixed applies both of the seed's fixes: GOMAXPROCS = NumCPU and one send per burst
 * carrying every task, so one wake-up per burst.
 *
 * The program measures process CPU time (ProcessCpu) against wall time and against the CPU the
 * tasks themselves took (summed per task with System.nanoTime); the difference is scheduler
 * spinning and wake-ups plus the JVM's own threads (JIT, GC). Then it takes a 3-second CPU
 * profile of the same workload from its own debug server (/debug/pprof/profile, JFR's
 * CPU-time sampler on Linux: see io.gmp4j.internal.pprof.Cpu) and prints the share of samples
 * under the scheduler's findRunnable, stealWork and runqsteal (cumulative) and the top
 * functions. The Ms are platform threads running gmp4j's scheduler in Java, sampled like any
 * thread, their time in park/unpark (futex) included, as Go's profile puts futexsleep under
 * findRunnable -> stopm.
 *
 * Measured on a 2-CPU box (JDK 25.0.3, other work running): buggy 0.9-1.7 CPUs busy for
 * 0.36-0.73 s of wall time, findRunnable under 5-13% of the profile's samples (stealWork 2-4%),
 * the workers' own frames ~35-55%; fixed 0.7-1.0 CPU, findRunnable 0-6%. Go's seed shows 44%
 * under findRunnable: gmp4j's Ms spin as briefly as Go's (4 rounds of stealWork, then stopm),
 * and JFR's CPU-time sampler loses many samples on threads that run in short bursts
 * (jdk.CPUTimeSamplesLost): the totals are low and vary from run to run; read the shares.
 * Before the profile used that sampler (JFR's wall-clock jdk.ExecutionSample, Java code only)
 * it showed no findRunnable at all: much of the Ms' time is park/unpark, outside Java code.
 */
final class Bursty implements Example {
    @Override
    public String name() {
        return "bursty";
    }

    @Override
    public String summary() {
        return "seed bug 7: bursts of small tasks woken one by one on 32 Ps: CPU vs useful work, CPU profile under findRunnable/stealWork; --fixed: Ps = CPUs, one batch per burst [bursts=1000 tasks=64 procs=32]";
    }

    /** What one run measured (nanoseconds). */
    record Result(int procs, long tasks, long done, long wallNanos, long cpuNanos, long workNanos) {}

    @Override
    public int run(String[] args, PrintStream out) {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        int bursts = a.intNum(0, 1000);
        int tasks = a.intNum(1, 64);
        int procs = a.intNum(2, 32);
        Result r = measure(fixed ? Go.numCPU() : procs, bursts, tasks, fixed);
        out.printf("%s, GOMAXPROCS=%d: %,d tasks in %d bursts; wall %.0f ms, process CPU %.0f ms (%.2f CPUs busy), the tasks' own work %.0f ms%n",
                fixed ? "one batch per burst" : "one send per task", r.procs(), r.done(), bursts, r.wallNanos() / 1e6,
                r.cpuNanos() / 1e6, (double) r.cpuNanos() / r.wallNanos(), r.workNanos() / 1e6);
        out.printf("  overhead: %.0f ms of CPU beyond the work (%.1f us per task): spinning, wake-ups, and the JVM's own threads%n",
                (r.cpuNanos() - r.workNanos()) / 1e6, (r.cpuNanos() - r.workNanos()) / 1e3 / r.done());
        CpuView v = profiled(fixed ? Go.numCPU() : procs, bursts, tasks, fixed, 3);
        out.printf("  CPU profile of the same workload (/debug/pprof/profile?seconds=3): %d samples; under Proc.findRunnable %d (%.0f%%), under Proc.stealWork %d (%.0f%%), under RunQueue.runqsteal %d (%.0f%%)%n",
                v.total(), v.findRunnable(), pct(v.findRunnable(), v.total()), v.stealWork(), pct(v.stealWork(), v.total()),
                v.runqsteal(), pct(v.runqsteal(), v.total()));
        out.println(fixed
                ? "  notice: with Ps = CPUs and one wake-up per burst, the Ms' looking for work (findRunnable) is a smaller share, and the process burns less CPU for the same tasks"
                : "  notice: the Ms' looking for work (findRunnable -> stealWork over 32 Ps, then park/unpark) takes a share of the CPU samples; compare --fixed (Ps = CPUs, one send per burst)");
        out.println("  top functions (flat samples):");
        for (var e : v.topFlat()) {
            out.printf("    %6d %5.1f%%  %s%n", e.getValue(), pct(e.getValue(), v.total()), e.getKey());
        }
        return 0;
    }

    private static double pct(long n, long total) {
        return 100.0 * n / Math.max(1, total);
    }

    /** What a CPU profile of the workload showed: samples in all, under the scheduler's functions, and the top leaves. */
    record CpuView(long total, long findRunnable, long stealWork, long runqsteal, List<Map.Entry<String, Long>> topFlat) {}

    static final String FIND_RUNNABLE = "io.gmp4j.internal.runtime.Proc.findRunnable";
    static final String STEAL_WORK = "io.gmp4j.internal.runtime.Proc.stealWork";
    static final String RUNQSTEAL = "io.gmp4j.internal.runtime.RunQueue.runqsteal";

    /**
     * Runs the workload again and again while this process's debug server takes a CPU profile of
     * {@code seconds}, then reads the profile.proto back: samples/count per stack.
     */
    static CpuView profiled(int procs, int bursts, int tasks, boolean batch, int seconds) {
        List<Pprof.Sample> ss = Pprof.cpuProfileWhile(seconds, () -> measure(procs, bursts, tasks, batch));
        return new CpuView(Pprof.total(ss), Pprof.under(ss, FIND_RUNNABLE::equals), Pprof.under(ss, STEAL_WORK::equals),
                Pprof.under(ss, RUNQSTEAL::equals), Pprof.topFlat(ss, 8));
    }

    /** The idle gap between bursts. */
    static final Duration GAP = Duration.ofNanos(200_000);

    /** {@code bursts} bursts, {@link #GAP} apart, of {@code tasks} small tasks each, sent per task or per burst, at the current GOMAXPROCS. */
    static Result measure(int procs, int bursts, int tasks, boolean batch) {
        int was = Go.gomaxprocs(procs);
        try {
            return measure(bursts, tasks, batch);
        } finally {
            Go.gomaxprocs(was);
        }
    }

    static Result measure(int bursts, int tasks, boolean batch) {
        int procs = Go.gomaxprocs(0);
        Chan<int[]> work = Chan.make(tasks);
        AtomicLong done = new AtomicLong();
        AtomicLong workNanos = new AtomicLong();
        WaitGroup wg = new WaitGroup();
        for (int w = 0; w < procs; w++) {
            wg.add(1);
            Go.go(() -> {
                try {
                    long mine = 0;
                    long n = 0;
                    for (int[] batchOfTasks : work) {
                        long t0 = System.nanoTime();
                        for (int seed : batchOfTasks) {
                            Blackhole.sink += task(seed);
                            n++;
                        }
                        mine += System.nanoTime() - t0;
                    }
                    workNanos.addAndGet(mine);
                    done.addAndGet(n);
                } finally {
                    wg.done();
                }
            });
        }
        long cpu0 = ProcessCpu.nanos();
        long start = System.nanoTime();
        for (int b = 0; b < bursts; b++) {
            if (batch) {
                int[] all = new int[tasks];
                Arrays.setAll(all, i -> i);
                work.send(all);
            } else {
                for (int i = 0; i < tasks; i++) {
                    work.send(new int[] {i});
                }
            }
            Time.sleep(GAP);
        }
        work.close();
        wg.await();
        long wall = System.nanoTime() - start;
        long cpu = ProcessCpu.nanos() - cpu0;
        return new Result(procs, (long) bursts * tasks, done.get(), wall, cpu, workNanos.get());
    }

    /** About a microsecond of arithmetic. */
    private static long task(int seed) {
        long x = seed;
        for (int i = 0; i < 300; i++) {
            x = (x * 1103515245L + 12345) & 0x7fffffff;
        }
        return x;
    }

    /** Keeps the tasks' results alive. */
    static final class Blackhole {
        static volatile long sink;
    }
}
