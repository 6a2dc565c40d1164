package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/*
 * Seed 002, Bug 8 ("goroutine leak despite context cancellation"), and the way Bug 3 ("why does
 * my goroutine count keep growing?") is found: runtime.NumGoroutine trending up, then a
 * goroutine dump showing where they are parked.
 *
 *     func fetch(ctx context.Context) ([]byte, error) {
 *         ch := make(chan []byte)            // unbuffered: the bug
 *         go func() { ch <- slowBackend() }()
 *         select {
 *         case b := <-ch:       return b, nil
 *         case <-ctx.Done():    return nil, ctx.Err()
 *         }
 *     }
 *
 * When ctx times out first, fetch returns and nobody will ever receive: the backend goroutine
 * parks in [chan send] for good. gmp4j shows it as Go does: NumGoroutine grows by one per
 * timed-out call and the dump lists them as "goroutine N [chan send]:". The fix is a buffer of
 * one, so the late send completes and the goroutine ends.
 *
 * Unlike Go's program, this one then receives from the abandoned channels so the leaked
 * goroutines end (the tests check that nothing outlives an example).
 */
final class Leak implements Example {
    @Override
    public String name() {
        return "leak";
    }

    @Override
    public String summary() {
        return "seed bugs 8 + 3: a context-cancelled fetch leaks its goroutine in [chan send]; found with NumGoroutine and the dump [calls=100]";
    }

    /** What one round measured: goroutines left behind once every backend reached its send. */
    record Round(int calls, int timedOut, int leaked, int parkedInChanSend) {}

    @Override
    public int run(String[] args, PrintStream out) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int base = Go.numGoroutine();
        out.printf("NumGoroutine at start: %d%n", base);
        List<Chan<String>> abandoned = new ArrayList<>();
        Round leaky = round(calls, 0, abandoned);
        out.printf("unbuffered result channel: %d calls, %d timed out, NumGoroutine now %d (+%d): %d goroutines [chan send]%n",
                leaky.calls(), leaky.timedOut(), base + leaky.leaked(), leaky.leaked(), leaky.parkedInChanSend());
        String sample = Go.stack(true).lines().filter(l -> l.matches("goroutine \\d+ \\[chan send.*")).findFirst().orElse("");
        out.printf("  e.g. %s  (in %s)%n", sample, "Leak.backend");
        for (Chan<String> ch : abandoned) {
            ch.recv(); // cleanup only: Go's program would keep them forever
        }
        int after = Demo.waitForCount(base);
        out.printf("  (cleanup: received once from each abandoned channel; NumGoroutine back to %d)%n", after);
        Round fixed = round(calls, 1, null);
        out.printf("buffered (cap 1) result channel: %d calls, %d timed out, NumGoroutine back to %d (+%d)%n",
                fixed.calls(), fixed.timedOut(), base + fixed.leaked(), fixed.leaked());
        return 0;
    }

    /**
     * {@code calls} concurrent fetches whose backend (20 ms) is slower than their context (5 ms),
     * with a result channel of capacity {@code cap}; returns once every backend has reached its
     * send. The channels of the calls that timed out are added to {@code abandoned} when it is
     * not null.
     */
    static Round round(int calls, int cap, List<Chan<String>> abandoned) {
        int before = Go.numGoroutine();
        WaitGroup reached = new WaitGroup();
        WaitGroup fetched = new WaitGroup();
        int[] timedOut = new int[1];
        Object lock = new Object();
        reached.add(calls);
        fetched.add(calls);
        for (int i = 0; i < calls; i++) {
            Chan<String> ch = Chan.make(cap);
            Go.go(() -> { // the caller: one request
                try {
                    var wc = Context.withTimeout(Context.background(), Duration.ofMillis(5));
                    try {
                        if (fetch(wc.ctx(), ch, reached) == null) {
                            synchronized (lock) {
                                timedOut[0]++;
                                if (abandoned != null) {
                                    abandoned.add(ch); // a call that got its answer left no sender behind
                                }
                            }
                        }
                    } finally {
                        wc.cancel().run();
                    }
                } finally {
                    fetched.done();
                }
            });
        }
        fetched.await();
        reached.await();
        // The callers have returned; wait for their exit bookkeeping (and, unbuffered, for the
        // backends to finish parking), observing only: the counts are the result.
        // A loaded machine can run a backend's send before its caller's deadline: that call is
        // answered and leaks nothing, so the leak is counted per timed-out call.
        int late;
        synchronized (lock) {
            late = timedOut[0];
        }
        int now = Demo.waitForCount(cap == 0 ? before + late : before);
        int inSend = countChanSend();
        for (long deadline = System.nanoTime() + 5_000_000_000L; cap == 0 && inSend < late && System.nanoTime() < deadline; ) {
            Go.gosched();
            inSend = countChanSend();
        }
        synchronized (lock) {
            return new Round(calls, timedOut[0], now - before, inSend);
        }
    }

    private static int countChanSend() {
        return (int) Go.stack(true).lines().filter(l -> l.matches("goroutine \\d+ \\[chan send.*")).count();
    }

    /** Bug 8's fetch: the result, or null when ctx is done first. */
    static String fetch(Context ctx, Chan<String> ch, WaitGroup reached) {
        Go.go(() -> backend(ch, reached));
        String[] got = new String[1];
        Select.select(ch.onRecv(v -> got[0] = v), ctx.done().onRecv(null));
        return got[0];
    }

    /** The slow backend: 20 ms of "work", then the send that leaks on an unbuffered channel. */
    static void backend(Chan<String> ch, WaitGroup reached) {
        Time.sleep(Duration.ofMillis(20));
        reached.done();
        ch.send("response");
    }
}
