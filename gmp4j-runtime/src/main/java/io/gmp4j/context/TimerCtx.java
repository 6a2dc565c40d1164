package io.gmp4j.context;

import io.gmp4j.GoPanic;
import io.gmp4j.internal.runtime.GoTime;
import io.gmp4j.time.Time;
import io.gmp4j.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/*
 * context.go: timerCtx, WithDeadlineCause. A CancelCtx with a deadline and a time.AfterFunc
 * timer that cancels it with DEADLINE_EXCEEDED. If the parent's deadline is already earlier, the
 * result is a plain WithCancel (the parent's deadline will cancel it first).
 * Far deadlines saturate (Go's time.Add and time/sleep.go: when): now + timeout past Instant's
 * range is Instant.MAX; the timer's delay, Duration.between(now, d), saturates to MaxInt64 ns in
 * Time, which arms it at "never" (it is not due before the end of the nanoTime range).
 * Fields: deadline final; timer under mu (set once at creation, nulled by cancel).
 */
final class TimerCtx extends CancelCtx {
    private final Instant deadline;
    private Timer timer; // mu

    private TimerCtx(Instant deadline) {
        this.deadline = deadline;
    }

    static Context.WithCancel withDeadline(Context parent, Instant d, Throwable cause) {
        if (parent == null) {
            throw new GoPanic("cannot create context from nil parent");
        }
        java.util.Objects.requireNonNull(d, "deadline"); // before propagateCancel registers the child
        Optional<Instant> cur = parent.deadline();
        if (cur.isPresent() && cur.get().isBefore(d)) {
            // The current deadline is already sooner than the new one.
            return Context.withCancel(parent);
        }
        TimerCtx c = new TimerCtx(d);
        c.propagateCancel(parent, c);
        Duration dur = Duration.between(Instant.now(), d);
        if (dur.isNegative() || dur.isZero()) {
            c.cancel(true, Context.DEADLINE_EXCEEDED, cause); // deadline has already passed
            return new Context.WithCancel(c, () -> c.cancel(false, Context.CANCELED, null));
        }
        c.mu.lock();
        try {
            if (c.errUnlocked() == null) {
                c.timer = Time.afterFunc(dur, () -> c.cancel(true, Context.DEADLINE_EXCEEDED, cause));
            }
        } finally {
            c.mu.unlock();
        }
        return new Context.WithCancel(c, () -> c.cancel(true, Context.CANCELED, null));
    }

    /** now + timeout, saturated to [Instant.MIN, Instant.MAX] instead of throwing. */
    static Instant deadlineAfter(Duration timeout) {
        Instant now = Instant.now();
        try {
            return now.plus(timeout);
        } catch (java.time.DateTimeException | ArithmeticException outOfRange) {
            return timeout.isNegative() ? Instant.MIN : Instant.MAX;
        }
    }

    private Throwable errUnlocked() {
        // Called with mu held; err() would re-lock the (non-reentrant) Mutex.
        return super.errHeld();
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.of(deadline);
    }

    /** context.go: timerCtx.cancel, after cancelCtx.cancel and removeChild: stop the timer. */
    @Override
    void cancelled() {
        mu.lock();
        try {
            if (timer != null) {
                timer.stop();
                timer = null;
            }
        } finally {
            mu.unlock();
        }
    }

    @Override
    String kind() {
        // context.go: timerCtx.String: the deadline and time.Until(deadline) in Go's text
        return "WithDeadline(" + GoTime.time(deadline) + " [" + GoTime.duration(Duration.between(Instant.now(), deadline)) + "])";
    }
}
