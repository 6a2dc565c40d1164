package io.gmp4j.time;

import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import java.time.Duration;
import java.time.Instant;

/**
 * Go's {@code time.Ticker}: sends the time on {@link #c()} every period. A slow receiver misses
 * ticks (the channel holds one value; a tick that finds it full is dropped), as in Go. After
 * {@link #stop} or {@link #reset} returns no stale tick is received (Go 1.23).
 */
public final class Ticker {
    /* Go file and functions: time/tick.go: NewTicker, Stop, Reset. The engine is ChanTimer. */
    private final ChanTimer chanTimer = new ChanTimer();

    Ticker(long periodNanos) {
        chanTimer.reset(Time.when(periodNanos), periodNanos);
    }

    /** Go's field {@code t.C}. */
    public Chan<Instant> c() {
        return chanTimer.c;
    }

    /** tick.go: Stop. No more ticks are sent; the channel is not closed. */
    public void stop() {
        chanTimer.stop();
    }

    /** tick.go: Reset. Stops the ticker and restarts it with period {@code d}; panics
     * ("non-positive interval for Ticker.Reset") when {@code d <= 0}. */
    public void reset(Duration d) {
        long ns = Time.nanos(d);
        if (ns <= 0) {
            throw new GoPanic("non-positive interval for Ticker.Reset");
        }
        chanTimer.reset(Time.when(ns), ns);
    }
}
