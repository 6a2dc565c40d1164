package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Seed 002, Bug 7: "My CPU profile shows runtime.findRunnable". A bursty workload: every 2 ms
 * a burst of small tasks arrives, then nothing. Sent one by one to GOMAXPROCS worker
 * goroutines, each task readies a parked worker, which wakes an idle P and a spinning M
 * (wakep); between bursts the Ms spin looking for work before they park again. That spinning
 * is CPU the process burns without doing the tasks.
 *
 * The program measures it: process CPU time (com.sun.management.OperatingSystemMXBean) against
 * wall time and against the CPU the tasks themselves took (summed per task with
 * System.nanoTime). The difference is the overhead: scheduler spinning and wake-ups, plus the
 * JVM's own threads (JIT, GC), which this figure cannot separate. --fixed batches: one send per
 * burst carrying every task, so one wake-up per burst. Fewer Ps is the other fix: run it with
 * GOMAXPROCS=1 ./gmp4j run bursty to compare (GODEBUG=schedtrace=100 shows spinningthreads).
 *
 * Then it takes a 1-second CPU profile of the same workload (/debug/pprof/profile?seconds=1 from
 * its own debug server, JFR's execution samples) and prints where the samples fell: the top
 * functions by flat samples, and the share under the scheduler's findRunnable and stealWork
 * (cumulative). The Ms are platform threads running gmp4j's scheduler in Java, so their
 * spinning is sampled like any Java code; a parked M is not sampled (JFR samples threads in
 * Java code only), as Go's profile does not show a parked M either. Measured on a 2-CPU box,
 * GOMAXPROCS=2: a handful of samples in 3 s and none under findRunnable. The spinning itself is
 * short here (stealWork's 4 rounds over 2 Ps, then stopm parks), and the overhead the first
 * lines measure goes to park/unpark (futex, native code) and the JVM's threads, which
 * jdk.ExecutionSample does not sample. The profile says so rather than showing findRunnable.
 */
final class Bursty implements Example {
    @Override
    public String name() {
        return "bursty";
    }

    @Override
    public String summary() {
        return "seed bug 7: bursts of small tasks woken one by one: process CPU vs wall vs useful work (spinning cost); --fixed: one batch per burst [bursts=500 tasks=50]";
    }

    /** What one run measured (nanoseconds). */
    record Result(int procs, long tasks, long done, long wallNanos, long cpuNanos, long workNanos) {}

    @Override
    public int run(String[] args, PrintStream out) {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        int bursts = a.intNum(0, 500);
        int tasks = a.intNum(1, 50);
        Result r = measure(bursts, tasks, fixed);
        out.printf("%s, GOMAXPROCS=%d: %,d tasks in %d bursts; wall %.0f ms, process CPU %.0f ms (%.2f CPUs busy), the tasks' own work %.0f ms%n",
                fixed ? "one batch per burst" : "one send per task", r.procs(), r.done(), bursts, r.wallNanos() / 1e6,
                r.cpuNanos() / 1e6, (double) r.cpuNanos() / r.wallNanos(), r.workNanos() / 1e6);
        out.printf("  overhead: %.0f ms of CPU beyond the work (%.1f us per task): spinning, wake-ups, and the JVM's own threads%n",
                (r.cpuNanos() - r.workNanos()) / 1e6, (r.cpuNanos() - r.workNanos()) / 1e3 / r.done());
        CpuView v = profiled(bursts, tasks, fixed, 3);
        out.printf("  CPU profile of the same workload (/debug/pprof/profile?seconds=3): %d samples; under Proc.findRunnable %d (%.0f%%), under Proc.stealWork %d (%.0f%%)%n",
                v.total(), v.findRunnable(), 100.0 * v.findRunnable() / Math.max(1, v.total()), v.stealWork(),
                100.0 * v.stealWork() / Math.max(1, v.total()));
        if (v.findRunnable() == 0) {
            out.println("  (JFR's execution samples see threads running Java code only: the Ms' parking and waking, native futex calls, are not sampled, so the spinning cost above does not show under findRunnable here)");
        }
        out.println("  top functions (flat samples):");
        for (var e : v.topFlat()) {
            out.printf("    %6d %5.1f%%  %s%n", e.getValue(), 100.0 * e.getValue() / Math.max(1, v.total()), e.getKey());
        }
        return 0;
    }

    /** What a CPU profile of the workload showed: samples in all, under the scheduler's functions, and the top leaves. */
    record CpuView(long total, long findRunnable, long stealWork, List<Map.Entry<String, Long>> topFlat) {}

    static final String FIND_RUNNABLE = "io.gmp4j.internal.runtime.Proc.findRunnable";
    static final String STEAL_WORK = "io.gmp4j.internal.runtime.Proc.stealWork";

    /**
     * Runs the workload again and again while this process's debug server takes a CPU profile of
     * {@code seconds}, then reads the profile.proto back: samples/count per stack.
     */
    static CpuView profiled(int bursts, int tasks, boolean batch, int seconds) {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().daemon().name("bursty-pprof").start(() -> {
            try {
                result.set(Pprof.get("/debug/pprof/profile?seconds=" + seconds));
            } catch (Throwable e) {
                result.set(e);
            }
        });
        do {
            measure(bursts, tasks, batch);
        } while (t.isAlive());
        if (result.get() instanceof Throwable e) {
            throw new IllegalStateException("CPU profile: " + e, e);
        }
        long total = 0, fr = 0, sw = 0;
        Map<String, Long> flat = new HashMap<>();
        for (Pprof.Sample s : Pprof.decode((byte[]) result.get())) {
            long n = s.values()[0];
            total += n;
            fr += s.functions().contains(FIND_RUNNABLE) ? n : 0;
            sw += s.functions().contains(STEAL_WORK) ? n : 0;
            if (!s.functions().isEmpty()) {
                flat.merge(s.functions().getFirst(), n, Long::sum);
            }
        }
        List<Map.Entry<String, Long>> top = new ArrayList<>(flat.entrySet());
        top.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        return new CpuView(total, fr, sw, List.copyOf(top.subList(0, Math.min(8, top.size()))));
    }

    /** {@code bursts} bursts, 2 ms apart, of {@code tasks} small tasks each, sent per task or per burst. */
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
            Time.sleep(Duration.ofMillis(2)); // the idle gap between bursts
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
