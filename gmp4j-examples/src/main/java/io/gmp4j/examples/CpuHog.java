package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/*
 * Seed 002, Bug 1: "My CPU-bound loop hogs everything" (pre-Go 1.14).
 *
 *     runtime.GOMAXPROCS(1)
 *     go func() { for {} }()            // no calls: no cooperative preemption point
 *     time.Sleep(100 * time.Millisecond)
 *     go func() { defer wg.Done(); fmt.Println("second goroutine ran") }()
 *     wg.Wait()
 *
 * Go <= 1.13 hangs: the loop holds the only P. Go 1.14+ preempts it (sysmon, SIGURG). gmp4j:
 * sysmon asks the G to yield once it has held the P for 2 ms (gmp4j.forcePreemptMillis; Go:
 * 10 ms). With back-edge checks (./gmp4j rewrites application classes for them; docs/DESIGN.md)
 * the loop yields at its next back-edge, as in Go. Without them, Go's syscall hand-off: sysmon
 * takes the P away (retake -> handoffp) and gives it to another M; the spinning G keeps its own
 * OS thread, P-less, and the second goroutine runs on the P. Divergence (docs/DIVERGENCES.md):
 * then, while the hog spins, more than GOMAXPROCS goroutines run in parallel, as Go's do during
 * syscalls.
 *
 * GODEBUG=asyncpreemptoff=1 turns that hand-off off and reproduces the pre-1.14 hang:
 *     GODEBUG=asyncpreemptoff=1 ./gmp4j run cpuhog
 * A watchdog (a platform thread, outside the runtime) reports the hang and exits with status 3.
 *
 * The JDK's own virtual-thread scheduler never hands off: at parallelism 1 the second virtual
 * thread does not run while the loop spins (see JdkSpinCheck; `./gmp4j demo` measures it).
 */
final class CpuHog implements Example {
    /** Read by the hog's loop; a volatile read is not a call, so the loop has no preemption point. */
    private static volatile boolean spin;
    static volatile long sink;

    @Override
    public String name() {
        return "cpuhog";
    }

    @Override
    public String summary() {
        return "seed bug 1: GOMAXPROCS=1 and a call-free loop; sysmon hands the P off (GODEBUG=asyncpreemptoff=1 hangs)";
    }

    @Override
    public int run(String[] args, PrintStream out) throws InterruptedException {
        long watchdogMs = args.length > 0 ? Long.parseLong(args[0]) : 5000;
        CountDownLatch finished = new CountDownLatch(1);
        Thread watchdog = Thread.ofPlatform().daemon().name("cpuhog-watchdog").start(() -> {
            try {
                if (!finished.await(watchdogMs, TimeUnit.MILLISECONDS)) {
                    out.printf("hung: the second goroutine did not run within %d ms (the spinning goroutine holds the only P,"
                            + " as in Go <= 1.13)%n", watchdogMs);
                    out.flush();
                    Runtime.getRuntime().halt(3);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Result r = measure();
        finished.countDown();
        watchdog.join();
        out.printf("GOMAXPROCS=1, one goroutine spinning in a call-free loop%n");
        out.printf("main's time.Sleep(100ms) returned after %.1f ms, while the hog spun%n", r.sleepNanos() / 1e6);
        out.printf("second goroutine ran %.2f ms after go (the hog yielded at a back-edge check, or sysmon handed the P off)%n", r.delayNanos() / 1e6);
        out.printf("Ms (OS threads) while the hog spun: %d%n", r.threads());
        return 0;
    }

    /**
     * What one run measured: how long main's 100 ms sleep took, the delay from {@code go} to the
     * second goroutine running (W9), and the number of Ms then.
     */
    record Result(long sleepNanos, long delayNanos, int threads) {}

    /**
     * Bug 1's main, at GOMAXPROCS=1 (restored after): a call-free spinning goroutine, a
     * time.Sleep of 100 ms, then a second goroutine. Returns once the second goroutine ran; the
     * hog is stopped before returning (a Go program would just exit).
     */
    static Result measure() {
        int old = Go.gomaxprocs(1);
        spin = true;
        WaitGroup hogDone = new WaitGroup();
        hogDone.add(1);
        try {
            Go.go(() -> {
                try {
                    long x = 0;
                    while (spin) {
                        x++;
                    }
                    sink = x;
                } finally {
                    hogDone.done();
                }
            });
            long start = System.nanoTime();
            Time.sleep(Duration.ofMillis(100));
            long woke = System.nanoTime();
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            long[] ranAt = new long[1];
            Go.go(() -> {
                ranAt[0] = System.nanoTime();
                wg.done();
            });
            wg.await();
            return new Result(woke - start, ranAt[0] - woke, LockedThreads.threads());
        } finally {
            spin = false;
            hogDone.await();
            Go.gomaxprocs(old);
        }
    }
}
