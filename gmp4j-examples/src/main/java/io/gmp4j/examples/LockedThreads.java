package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.metrics.Metrics;
import io.gmp4j.sync.WaitGroup;
import java.io.PrintStream;
import java.util.concurrent.locks.LockSupport;

/*
 * Seed 002, Bug 5: "My LockOSThread goroutine won't stop".
 *
 *     go func() { runtime.LockOSThread(); /* forgot UnlockOSThread * / <-quit }()
 *
 * A goroutine wired to its M keeps that M (an OS thread, here a platform thread) for as long as
 * it lives, even parked: no other goroutine may run on it, so the runtime starts other Ms to keep
 * the Ps busy. n such goroutines parked on a channel hold n extra threads. When a goroutine ends
 * while still locked, its M is not reused but exits (proc.go: goexit0 -> mexit), so the threads
 * go away again. With `defer runtime.UnlockOSThread()` the parked goroutines hold no thread.
 * The counts printed are gmp4j's Ms (runtime/metrics' /sched/threads:threads), measured.
 */
final class LockedThreads implements Example {
    @Override
    public String name() {
        return "lockosthread";
    }

    @Override
    public String summary() {
        return "seed bug 5: goroutines that LockOSThread and park hold one OS thread (M) each; counts measured [n=8]";
    }

    /** Ms before, while n goroutines were parked, and after they ended. */
    record Counts(int before, int parked, int after) {}

    @Override
    public int run(String[] args, PrintStream out) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        Counts forgot = park(n, false);
        out.printf("%d goroutines, LockOSThread without Unlock, parked on <-quit: Ms %d -> %d; after they ended: %d%n",
                n, forgot.before(), forgot.parked(), forgot.after());
        out.printf("  (a locked goroutine owns its M even while parked; when it ends locked, the M exits;%n"
                + "   Ms started meanwhile to keep the Ps busy stay, idle, as Go's do: %d idle now)%n", idleThreads());
        Counts fixed = park(n, true);
        out.printf("%d goroutines, defer UnlockOSThread, parked on <-quit:     Ms %d -> %d; after they ended: %d%n",
                n, fixed.before(), fixed.parked(), fixed.after());
        return 0;
    }

    /** Parks n goroutines on a channel (locked to their M unless {@code unlock}), counts Ms, releases them. */
    static Counts park(int n, boolean unlock) {
        int before = threads();
        Chan<Void> quit = Chan.make(0);
        WaitGroup ready = new WaitGroup();
        WaitGroup ended = new WaitGroup();
        ready.add(n);
        ended.add(n);
        for (int i = 0; i < n; i++) {
            Go.go(() -> {
                Go.lockOSThread();
                try {
                    if (unlock) {
                        Go.unlockOSThread();
                    }
                    ready.done();
                    quit.recv();
                } finally {
                    ended.done();
                }
            });
        }
        ready.await();
        // Observation only: wait (up to 5 s) until all n show as parked in the dump.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (parkedOnQuit() < n && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        int parked = threads();
        quit.close();
        ended.await();
        // Ms of goroutines that ended locked exit asynchronously; observe for up to 2 s.
        deadline = System.nanoTime() + 2_000_000_000L;
        while (threads() > before && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        return new Counts(before, parked, threads());
    }

    /** Live Ms (Go's runtime/metrics /sched/threads:threads). */
    static int threads() {
        return Metrics.read().get("/sched/threads:threads").intValue();
    }

    /** Idle Ms (/sched/threads/idle:threads). */
    static int idleThreads() {
        return Metrics.read().get("/sched/threads/idle:threads").intValue();
    }

    private static long parkedOnQuit() {
        String[] blocks = Go.stack(true).split("\n\n");
        long k = 0;
        for (String b : blocks) {
            if (b.contains("[chan receive") && b.contains("LockedThreads")) {
                k++;
            }
        }
        return k;
    }
}
