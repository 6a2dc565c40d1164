package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Seed 002, Bug 10: "GOMAXPROCS=1 doesn't mean single-threaded".
 *
 *     runtime.GOMAXPROCS(1)
 *     for i := 0; i < 1000; i++ { go func() { defer wg.Done(); counter++ }() }
 *
 * Part 1 runs the seed's program. On gmp4j a goroutine is switched out only where it parks or
 * yields, so 1000 tiny increments at GOMAXPROCS=1 usually come out right: the race is there
 * (no happens-before), it just does not show.
 * Part 2 makes it show, for a gmp4j-specific reason: goroutines that each compute for longer
 * than 10 ms (sysmon acts after 2 ms). sysmon hands the P of a long-running G to another M (retake -> handoffp), the first
 * G keeps running on its own, P-less, OS thread, so at GOMAXPROCS=1 several goroutines really run
 * in parallel (docs/DIVERGENCES.md). The plain shared counter loses updates; an AtomicLong does not.
 * With back-edge preemption (./gmp4j rewrites classes for it; docs/DESIGN.md) the loop yields
 * its P at a back-edge instead, as in Go: the goroutines still overlap in time (each is preempted
 * mid-loop, so "running at the same moment" counts them all, in Go too), but one computes at a
 * time: CPU time / wall time stays near 1 and the plain counter loses nothing.
 * All counts are measured in this run.
 */
final class NotSingleThreaded implements Example {
    @Override
    public String name() {
        return "gomaxprocs1";
    }

    @Override
    public String summary() {
        return "seed bug 10: GOMAXPROCS=1 is not single-threaded; long-running goroutines overlap (without back-edge checks, GMP4J_AGENT=0, a plain counter loses updates)";
    }

    static long plain; // deliberately unsynchronised
    static volatile long sink;

    /** Part 2's figures. */
    record Result(int goroutines, long expected, long plainTotal, long atomicTotal, int maxOverlap) {}

    @Override
    public int run(String[] args, PrintStream out) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 30_000_000;
        int old = Go.gomaxprocs(1);
        try {
            out.printf("GOMAXPROCS=1%n");
            out.printf("part 1, the seed: 1000 goroutines do counter++ once: counter = %d%n", seedProgram());
            long cpu0 = ProcessCpu.nanos();
            long wall0 = System.nanoTime();
            Result r = overlap(4, iterations);
            double cpuPerWall = (double) (ProcessCpu.nanos() - cpu0) / (System.nanoTime() - wall0);
            out.printf("part 2: %d goroutines each add 1 %,d times (each runs > 10 ms)%n", r.goroutines(), iterations);
            out.printf("  at most %d of them were in progress at the same moment (started, not finished: a preempted one counts, in Go too)%n", r.maxOverlap());
            out.printf("  CPU time / wall time: %.2f (1.00: one computes at a time; the JIT compiler's threads add to it)%n", cpuPerWall);
            out.printf("  plain long counter: %,d of %,d (%,d updates lost)%n", r.plainTotal(), r.expected(),
                    r.expected() - r.plainTotal());
            out.printf("  AtomicLong counter: %,d of %,d%n", r.atomicTotal(), r.expected());
        } finally {
            Go.gomaxprocs(old);
        }
        return 0;
    }

    /** The seed's program: 1000 goroutines, one unsynchronised increment each. */
    static long seedProgram() {
        long[] counter = new long[1];
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < 1000; i++) {
            wg.add(1);
            Go.go(() -> {
                try {
                    counter[0]++; // race!
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        return counter[0];
    }

    /** n goroutines each add 1 {@code iterations} times to a plain and to an atomic counter. */
    static Result overlap(int n, int iterations) {
        plain = 0;
        AtomicLong atomic = new AtomicLong();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxOverlap = new AtomicInteger();
        WaitGroup wg = new WaitGroup();
        for (int g = 0; g < n; g++) {
            wg.add(1);
            Go.go(() -> {
                try {
                    maxOverlap.accumulateAndGet(running.incrementAndGet(), Math::max);
                    long x = 1;
                    for (int i = 0; i < iterations; i++) {
                        x = (x * 1103515245L + 12345) & 0x7fffffff; // real work per step: no folding
                        plain += 1 + (x & 0); // race: load, add, store (C2 may keep it in a register)
                    }
                    sink = x;
                    atomic.addAndGet(iterations);
                    maxOverlap.accumulateAndGet(running.get(), Math::max);
                    running.decrementAndGet();
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        return new Result(n, (long) n * iterations, plain, atomic.get(), maxOverlap.get());
    }
}
