package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import io.gmp4j.internal.runtime.Export;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Ticker;
import io.gmp4j.time.Time;
import io.gmp4j.time.Timer;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Timer programs that need a JVM of their own: they leave goroutines or timers behind on
 * purpose, or measure the process's idle CPU (TimerGuaranteeTest). Run as
 * {@code TimerProg <name> <gomaxprocs> [args]}; each prints one line of {@code key=value}s.
 */
public final class TimerProg {
    private TimerProg() {}

    public static void main(String[] args) {
        int procs = Integer.parseInt(args[1]);
        switch (args[0]) {
            case "never" -> Go.run(() -> never(procs));
            case "tickerRace" -> Go.run(() -> tickerRace(procs, Integer.parseInt(args[2])));
            case "closeTimerChan" -> Go.run(() -> closeTimerChan(procs));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /**
     * sleep_test.go: TestOverflowSleep, and the same for every API that takes a far deadline: a
     * goroutine sleeping MaxInt64, timers, tickers and contexts at or past the end of the clock.
     * None fires; a short timer still does; the idle process burns (almost) no CPU.
     */
    private static void never(int procs) {
        Go.gomaxprocs(procs);
        AtomicBoolean sleeperWoke = new AtomicBoolean();
        Go.go(() -> {
            Time.sleep(Duration.ofNanos(Long.MAX_VALUE));
            sleeperWoke.set(true);
        });
        Duration years300 = Duration.ofDays(300 * 366L);
        Timer timer = Time.newTimer(Duration.ofNanos(Long.MAX_VALUE));
        Chan<Instant> after = Time.after(years300);
        Ticker ticker = Time.newTicker(Duration.ofNanos(Long.MAX_VALUE));
        Context.WithCancel ctx1 = Context.withTimeout(Context.background(), years300);
        Context.WithCancel ctx2 = Context.withDeadline(Context.background(), Instant.MAX);
        Context.WithCancel ctx3 = Context.withTimeout(Context.background(), Duration.ofSeconds(Long.MAX_VALUE));

        long t0 = System.nanoTime();
        Time.after(Duration.ofMillis(30)).recv();
        long shortMs = (System.nanoTime() - t0) / 1_000_000;

        // Idle for 2 s (a goroutine sleeping is idle): count the process's CPU meanwhile.
        long cpu0 = cpuNanos();
        Time.sleep(Duration.ofSeconds(2));
        long cpuMs = (cpuNanos() - cpu0) / 1_000_000;

        List<String> fired = new ArrayList<>();
        if (sleeperWoke.get()) {
            fired.add("sleep");
        }
        if (ready(timer.c())) {
            fired.add("newTimer");
        }
        if (ready(after)) {
            fired.add("after");
        }
        if (ready(ticker.c())) {
            fired.add("ticker");
        }
        if (ctx1.ctx().err() != null) {
            fired.add("withTimeout300y");
        }
        if (ctx2.ctx().err() != null) {
            fired.add("withDeadlineMAX");
        }
        if (ctx3.ctx().err() != null) {
            fired.add("withTimeoutMAX");
        }
        boolean timerPending = timer.stop(); // still armed: stop stops it
        System.out.println("fired=" + fired + " timerStopped=" + timerPending + " shortMs=" + shortMs
                + " cpuMs=" + cpuMs + " deadline3=" + ctx3.ctx().deadline().orElse(null));
        Reference.reachabilityFence(after);
        Reference.reachabilityFence(ticker);
        ctx1.cancel().run();
        ctx2.cancel().run();
        ctx3.cancel().run();
    }

    /**
     * The leak of issue 11 item 4: 8 goroutines racing Ticker.reset(1 ms) against stop() on
     * one ticker. After the last stop no runtime timer may be left, and the idle process must
     * not keep running a periodic timer.
     */
    private static void tickerRace(int procs, int rounds) {
        Go.gomaxprocs(procs);
        Ticker tk = Time.newTicker(Duration.ofHours(1));
        WaitGroup wg = new WaitGroup();
        for (int g = 0; g < 8; g++) {
            int k = g;
            wg.add(1);
            Go.go(() -> {
                for (int i = 0; i < rounds; i++) {
                    if ((i + k) % 2 == 0) {
                        tk.reset(Duration.ofMillis(1));
                    } else {
                        tk.stop();
                    }
                }
                wg.done();
            });
        }
        wg.await();
        tk.stop();
        int pendingAfterStop = Export.timersPending();
        long cpu0 = cpuNanos();
        Time.sleep(Duration.ofSeconds(2));
        long cpuMs = (cpuNanos() - cpu0) / 1_000_000;
        boolean tick = ready(tk.c());
        System.out.println("pending=" + pendingAfterStop + " pendingAfterIdle=" + Export.timersPending()
                + " tick=" + tick + " cpuMs=" + cpuMs);
    }

    /**
     * A program closes a Timer's and a Ticker's channel (Go's types forbid it: t.C is
     * receive-only), then uses both timers, polling them as they come due, and a third timer.
     * Prints what close did, the first panic a poll or stop raised, what the timers delivered.
     * A fatal error or a hang ends the child instead.
     */
    private static void closeTimerChan(int procs) {
        Go.gomaxprocs(procs);
        Timer t = Time.newTimer(Duration.ofHours(1));
        Ticker tk = Time.newTicker(Duration.ofHours(1));
        Timer other = Time.newTimer(Duration.ofMillis(20));
        String closeTimer = tryClose(t.c()), closeTicker = tryClose(tk.c());
        String panic = "none";
        int timerValues = 0, ticks = 0;
        try {
            t.reset(Duration.ZERO);
            tk.reset(Duration.ofNanos(2_000));
            for (int i = 0; i < 20_000; i++) {
                if (ready(t.c())) {
                    timerValues++;
                }
                if (ready(tk.c())) {
                    ticks++;
                }
                if (i % 100 == 0) {
                    Time.sleep(Duration.ofNanos(10_000)); // the scheduler's turn to run them too
                }
            }
            t.stop();
            tk.stop();
        } catch (GoPanic e) {
            panic = e.getMessage();
        }
        boolean otherFired = other.c().recv() != null;
        System.out.println("closeTimer=" + closeTimer.replace(' ', '_') + " closeTicker=" + closeTicker.replace(' ', '_')
                + " panic=" + panic.replace(' ', '_') + " timerValues=" + timerValues + " ticks=" + ticks
                + " other=" + otherFired);
    }

    /** close(c): "ok", or the panic's message. */
    private static String tryClose(Chan<Instant> c) {
        try {
            c.close();
            return "ok";
        } catch (GoPanic e) {
            return e.getMessage();
        }
    }

    private static boolean ready(Chan<Instant> c) {
        return Select.select(c.onRecv(v -> {}), Select.onDefault(() -> {})) == 0;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
