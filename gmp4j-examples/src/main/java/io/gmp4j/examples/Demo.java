package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import io.gmp4j.metrics.Metrics;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/*
 * The showcase (./gmp4j demo): four short scenes, every figure measured in this run.
 *   1. spawn: N goroutines started and joined with a WaitGroup (W1), ns per goroutine;
 *   2. pipeline: generator -> 4 workers (fan-out) -> merge (fan-in) -> consumer with select,
 *      all stopped by a context timeout; then the goroutine count is back to its start;
 *   3. seed Bug 1 (CpuHog): at GOMAXPROCS=1 a call-free spinning goroutine, and a second
 *      goroutine still runs because sysmon hands the P off; then the same program on the JDK's
 *      default virtual-thread scheduler at parallelism 1, in a child JVM with a time limit;
 *   4. observability: a schedtrace line (GODEBUG=schedtrace's format) and an excerpt of the
 *      goroutine dump (runtime.Stack) with Go's wait reasons.
 * --quick shrinks the counts and skips the child JVM (used by the tests).
 */
final class Demo implements Example {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "the showcase: 100,000 goroutines, a pipeline with select + context, sysmon vs a CPU hog, a dump [--quick]";
    }

    @Override
    public int run(String[] args, PrintStream out) {
        boolean quick = List.of(args).contains("--quick");
        out.printf("gmp4j demo: Go's G-M-P scheduler on JDK %s, %d CPUs, GOMAXPROCS=%d%n%n",
                Runtime.version().feature(), Go.numCPU(), Go.gomaxprocs(0));
        spawn(out, quick ? 10_000 : 100_000);
        pipeline(out, Duration.ofMillis(quick ? 100 : 200));
        cpuHog(out, quick);
        dump(out);
        return 0;
    }

    /** Scene 1: spawns n goroutines that each call wg.done(), waits; best of three after a warm-up. */
    static void spawn(PrintStream out, int n) {
        out.printf("1. go f() x %,d, joined with a sync.WaitGroup%n", n);
        spawnOnce(n); // warm-up: JIT, G free lists
        long best = Long.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            best = Math.min(best, spawnOnce(n));
        }
        out.printf(Locale.ROOT, "   %.1f ms for %,d goroutines: %.0f ns per goroutine (spawn + Done + Wait, best of 3)%n%n",
                best / 1e6, n, (double) best / n);
    }

    private static long spawnOnce(int n) {
        WaitGroup wg = new WaitGroup();
        long start = System.nanoTime();
        wg.add(n);
        for (int i = 0; i < n; i++) {
            Go.go(wg::done);
        }
        wg.await();
        return System.nanoTime() - start;
    }

    /** What scene 2 measured. */
    record PipelineResult(long received, long sumCheckedOk, Throwable err, long stopNanos, int leftover) {}

    /** Scene 2: an endless pipeline cut by a context timeout. */
    static PipelineResult pipeline(PrintStream out, Duration timeout) {
        out.printf("2. pipeline: generate -> square x 4 workers -> merge -> main, select on ctx.Done(), timeout %d ms%n",
                timeout.toMillis());
        int before = Go.numGoroutine();
        var wc = Context.withTimeout(Context.background(), timeout);
        Context ctx = wc.ctx();
        WaitGroup stages = new WaitGroup();
        long received = 0;
        long badSquares = 0;
        long deadlineSeen;
        try {
            Chan<Long> nums = Chan.make(16);
            stage(stages, () -> { // generate: 1, 2, 3, ...
                for (long i = 1; ; i++) {
                    if (!sendOrDone(ctx, nums, i)) {
                        return;
                    }
                }
            });
            Chan<long[]> squares = Chan.make(16);
            WaitGroup workers = new WaitGroup();
            for (int w = 0; w < 4; w++) {
                workers.add(1);
                stage(stages, () -> {
                    try {
                        for (;;) {
                            Chan.Recv<Long> r = recvOrDone(ctx, nums);
                            if (r == null || !r.ok()) {
                                return;
                            }
                            long v = r.value();
                            if (!sendOrDone(ctx, squares, new long[] {v, v * v})) {
                                return;
                            }
                        }
                    } finally {
                        workers.done();
                    }
                });
            }
            stage(stages, () -> { // close squares once every worker is gone: the consumer's range ends
                workers.await();
                squares.close();
            });
            boolean[] done = {false};
            while (!done[0]) {
                long[][] got = new long[1][];
                Select.select(squares.onRecvOk((v, ok) -> {
                    if (ok) {
                        got[0] = v;
                    } else {
                        done[0] = true;
                    }
                }), ctx.done().onRecv(v -> done[0] = true));
                if (got[0] != null) {
                    received++;
                    if (got[0][1] != got[0][0] * got[0][0]) {
                        badSquares++;
                    }
                }
            }
            deadlineSeen = System.nanoTime();
        } finally {
            wc.cancel().run();
        }
        stages.await();
        long stopNanos = System.nanoTime() - deadlineSeen;
        int leftover = waitForCount(before) - before;
        out.printf(Locale.ROOT, "   main received %,d squares (%d wrong) before ctx.Err() = \"%s\"%n", received, badSquares,
                ctx.err() == null ? null : ctx.err().getMessage());
        out.printf(Locale.ROOT, "   all 6 pipeline goroutines returned %.2f ms later; goroutines now %d (before: %d)%n%n",
                stopNanos / 1e6, Go.numGoroutine(), before);
        return new PipelineResult(received, badSquares, ctx.err(), stopNanos, leftover);
    }

    private static void stage(WaitGroup stages, Runnable body) {
        stages.add(1);
        Go.go(() -> {
            try {
                body.run();
            } finally {
                stages.done();
            }
        });
    }

    /** select { case ch <- v: true; case <-ctx.Done(): false } */
    private static <T> boolean sendOrDone(Context ctx, Chan<T> ch, T v) {
        return Select.select(ch.onSend(v, null), ctx.done().onRecv(null)) == 0;
    }

    /** select { case v, ok := <-ch: ...; case <-ctx.Done(): null } */
    private static <T> Chan.Recv<T> recvOrDone(Context ctx, Chan<T> ch) {
        @SuppressWarnings("unchecked")
        Chan.Recv<T>[] got = new Chan.Recv[1];
        Select.select(ch.onRecvOk((v, ok) -> got[0] = new Chan.Recv<>(v, ok)), ctx.done().onRecv(null));
        return got[0];
    }

    /**
     * A finished goroutine's bookkeeping runs just after its last statement: waits (up to 5 s)
     * for the count to come back to {@code target}; returns the count then.
     */
    static int waitForCount(int target) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Go.numGoroutine() > target && System.nanoTime() < deadline) {
            Go.gosched();
            LockSupport.parkNanos(100_000);
        }
        return Go.numGoroutine();
    }

    /** Scene 3: seed Bug 1 on gmp4j, then (unless quick) on the JDK's default scheduler in a child JVM. */
    static CpuHog.Result cpuHog(PrintStream out, boolean quick) {
        out.println("3. seed Bug 1 at GOMAXPROCS=1: go func() { for {} }(); time.Sleep(100ms); go second()");
        CpuHog.Result r = CpuHog.measure();
        out.printf(Locale.ROOT, "   gmp4j: main's 100 ms sleep took %.1f ms; the second goroutine ran %.2f ms after go:%n",
                r.sleepNanos() / 1e6, r.delayNanos() / 1e6);
        out.printf("          sysmon saw one G hold the P past its slice (forcePreempt: 2 ms; Go: 10 ms) and asked it to yield: with back-edge%n"
                + "          checks (./gmp4j rewrites classes for them) the spinner gives up the P at its next loop back-edge, as Go's;%n"
                + "          without them sysmon hands the P to a new M (retake -> handoffp) and the spinner keeps its own thread (%d Ms now)%n",
                r.threads());
        if (quick) {
            out.printf("   JDK default scheduler at parallelism=1: not measured (--quick)%n%n");
            return r;
        }
        int waitMs = 1000;
        ChildJvm.Result c = ChildJvm.run(JdkSpinCheck.class.getName(),
                List.of("-Djdk.virtualThreadScheduler.parallelism=1"), List.of(), 30, String.valueOf(waitMs));
        String line = c.stdout().strip();
        if (c.exitCode() != 0 || line.isEmpty()) {
            line = "child JVM failed (exit " + c.exitCode() + "): " + c.stderr().strip().lines().findFirst().orElse("");
        }
        out.printf("   JDK default scheduler (child JVM, -Djdk.virtualThreadScheduler.parallelism=1): %s%n%n", line);
        return r;
    }

    /** Scene 4: parks goroutines on five primitives, prints the scheduler's metrics and their part of the dump. */
    static String dump(PrintStream out) {
        out.println("4. observability: the scheduler's runtime/metrics now (GODEBUG=schedtrace=1000 prints Go's SCHED line every second), and runtime.Stack(all) for the goroutines parked below");
        int before = Go.numGoroutine();
        Chan<Integer> never = Chan.make(0);
        Chan<Integer> unbuffered = Chan.make(0);
        Mutex mu = new Mutex();
        WaitGroup blocker = new WaitGroup();
        blocker.add(1);
        var wc = Context.withCancel(Context.background());
        WaitGroup all = new WaitGroup();
        List<Runnable> parked = new ArrayList<>();
        parked.add(DumpSubjects.receiver(never));
        parked.add(DumpSubjects.sender(unbuffered));
        parked.add(DumpSubjects.locker(mu));
        parked.add(DumpSubjects.waiter(blocker));
        parked.add(DumpSubjects.selecter(wc.ctx()));
        mu.lock();
        for (Runnable r : parked) {
            all.add(1);
            Go.go(() -> {
                try {
                    r.run();
                } finally {
                    all.done();
                }
            });
        }
        String[] reasons = {"[chan receive]", "[chan send]", "[sync.Mutex.Lock]", "[sync.WaitGroup.Wait]", "[select]"};
        String stack = waitForDump(reasons);
        // Go has no call for one schedtrace line on demand; runtime/metrics has the scheduler's counts.
        StringBuilder metrics = new StringBuilder("   runtime/metrics now:");
        Metrics.read().forEach((name, v) -> metrics.append(' ').append(name).append('=').append(v));
        out.println(metrics);
        StringBuilder excerpt = new StringBuilder();
        for (String block : stack.split("\n\n")) {
            if (block.contains("DumpSubjects")) {
                // The header, then the first frame outside gmp4j's packages (Go shows runtime.gopark,
                // runtime.chanrecv... there; so does gmp4j: they are cut here for brevity).
                List<String> lines = block.lines().toList();
                excerpt.append(lines.get(0)).append('\n');
                for (int i = 1; i + 1 < lines.size(); i++) {
                    if (lines.get(i).startsWith("io.gmp4j.examples.")) {
                        excerpt.append("  ...\n").append(lines.get(i)).append('\n').append(lines.get(i + 1)).append('\n');
                        break;
                    }
                }
            }
        }
        out.print(excerpt.toString().replace("\t", "        ").indent(3));
        // Release them all: each primitive's own way.
        never.close();
        unbuffered.recv();
        mu.unlock();
        blocker.done();
        wc.cancel().run();
        all.await();
        out.printf("   released all five; goroutines now %d (before: %d)%n", waitForCount(before), before);
        return excerpt.toString();
    }

    /** Polls the dump (observation only, not synchronisation) until every reason shows, up to 5 s. */
    private static String waitForDump(String[] reasons) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (;;) {
            String s = Go.stack(true);
            boolean all = true;
            for (String r : reasons) {
                all &= s.contains(r);
            }
            if (all || System.nanoTime() > deadline) {
                return s;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
