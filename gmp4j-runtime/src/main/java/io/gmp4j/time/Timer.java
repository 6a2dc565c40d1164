package io.gmp4j.time;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.internal.runtime.RuntimeTimer;
import java.time.Duration;
import java.time.Instant;

/**
 * Go's {@code time.Timer}: a single event. When it expires, the current time is sent on
 * {@link #c()} (or, for {@link Time#afterFunc}, f runs in its own goroutine and {@code c()} is
 * null). Go 1.23 semantics: after {@link #stop} or {@link #reset} returns, no value from before
 * the call is received, so {@code if (!t.stop()) t.c().recv()} patterns are not needed.
 */
public final class Timer {
    /*
     * Go file and functions: time/sleep.go: Timer, NewTimer, Stop, Reset, AfterFunc, goFunc.
     * Channel timers delegate to ChanTimer (the Go 1.23 seq/drain protocol is described there);
     * func timers are one RuntimeTimer whose f starts a goroutine (sleep.go: goFunc), so stop and
     * reset are plain deltimer/modtimer: false means f has been started (or the timer was stopped).
     */
    private final ChanTimer chanTimer;
    private final RuntimeTimer funcTimer;

    Timer(Duration d, Runnable f) {
        long when = Time.when(Time.nanos(d));
        if (f == null) {
            chanTimer = new ChanTimer();
            funcTimer = null;
            chanTimer.reset(when, 0);
        } else {
            chanTimer = null;
            funcTimer = new RuntimeTimer(() -> Go.go(f));
            funcTimer.reset(when, 0);
        }
    }

    /**
     * Go's field {@code t.C}: the channel the time is sent on; for an afterFunc timer Go's nil
     * channel ({@link Chan#nil}), which a select case on it never picks.
     */
    public Chan<Instant> c() {
        return chanTimer == null ? Chan.nil() : chanTimer.c;
    }

    /**
     * sleep.go: Stop. Prevents the timer from firing. Returns true if the call stopped it (a value
     * not yet received counts as not fired, Go 1.23), false if it had already fired or been stopped.
     */
    public boolean stop() {
        return chanTimer != null ? chanTimer.stop() : funcTimer.stop();
    }

    /** sleep.go: Reset. Re-arms the timer to fire after {@code d}; returns what {@link #stop} would have. */
    public boolean reset(Duration d) {
        long when = Time.when(Time.nanos(d));
        return chanTimer != null ? chanTimer.reset(when, 0) : funcTimer.reset(when, 0);
    }
}
