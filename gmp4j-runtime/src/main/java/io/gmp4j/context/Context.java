package io.gmp4j.context;

import io.gmp4j.chan.Chan;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Go's {@code context.Context}: carries a deadline, a cancellation signal and request-scoped
 * values across API boundaries and goroutines. Contexts form a tree: cancelling one cancels every
 * descendant, never an ancestor. {@link #done()} is a channel closed on cancellation, usable in
 * {@code Select}; it never becomes ready for a context that cannot be cancelled. {@link #err()}
 * is null until then, and then {@link #CANCELED} or {@link #DEADLINE_EXCEEDED}.
 *
 * <p>Every function that creates a cancellable context returns its cancel function: call it
 * (usually in a finally block, Go's {@code defer cancel()}) as soon as the work is done, or the
 * context stays registered with its parent until the parent is cancelled.
 */
public interface Context {
    /** context.go: Context.Done. Closed when this context is cancelled; Chan.nil()-like (never ready) when it cannot be. */
    Chan<Void> done();

    /** context.go: Context.Err. Null while done() is open; then CANCELED or DEADLINE_EXCEEDED. */
    Throwable err();

    /** context.go: Context.Deadline. */
    Optional<Instant> deadline();

    /** context.go: Context.Value. The value for key on this context or its nearest ancestor, or null. */
    Object value(Object key);

    /** context.go: Canceled. */
    ContextException CANCELED = new ContextException("context canceled", false);

    /** context.go: DeadlineExceeded. */
    ContextException DEADLINE_EXCEEDED = new ContextException("context deadline exceeded", true);

    /** What withCancel, withTimeout and withDeadline return (Go: {@code ctx, cancel := ...}). */
    record WithCancel(Context ctx, Runnable cancel) {}

    /** What withCancelCause returns; cancel takes the cause (null means CANCELED). */
    record WithCancelCause(Context ctx, Consumer<Throwable> cancel) {}

    /** The stop function afterFunc returns (Go: {@code stop func() bool}). */
    @FunctionalInterface
    interface StopFunc {
        /** Stops the association; true if it stopped f from being run. */
        boolean stop();
    }

    /** context.go: Background. Never cancelled, no values, no deadline. */
    static Context background() {
        return EmptyCtx.BACKGROUND;
    }

    /** context.go: TODO. As background, for code not yet given a context. */
    static Context todo() {
        return EmptyCtx.TODO;
    }

    /** context.go: WithCancel. A child whose done() closes when cancel runs or the parent's does. */
    static WithCancel withCancel(Context parent) {
        CancelCtx c = CancelCtx.withCancel(parent);
        return new WithCancel(c, () -> c.cancel(true, CANCELED, null));
    }

    /** context.go: WithCancelCause. As withCancel; the cancel function records a cause ({@link #cause}). */
    static WithCancelCause withCancelCause(Context parent) {
        CancelCtx c = CancelCtx.withCancel(parent);
        return new WithCancelCause(c, cause -> c.cancel(true, CANCELED, cause));
    }

    /** context.go: Cause. Why c was cancelled: the cause given to a cancel function, else err(); null while not cancelled. */
    static Throwable cause(Context c) {
        return CancelCtx.cause(c);
    }

    /** context.go: WithDeadline. Cancelled with DEADLINE_EXCEEDED at d (or earlier by cancel or the parent). */
    static WithCancel withDeadline(Context parent, Instant d) {
        return withDeadlineCause(parent, d, null);
    }

    /** context.go: WithDeadlineCause. As withDeadline; cause(ctx) is {@code cause} when the deadline passes. */
    static WithCancel withDeadlineCause(Context parent, Instant d, Throwable cause) {
        return TimerCtx.withDeadline(parent, d, cause);
    }

    /**
     * context.go: WithTimeout = withDeadline(parent, now + timeout). A timeout past the end of
     * Instant's range saturates to {@link Instant#MAX} (never; its timer is never due), a
     * negative one before its start to {@link Instant#MIN} (already exceeded).
     */
    static WithCancel withTimeout(Context parent, Duration timeout) {
        return withDeadline(parent, TimerCtx.deadlineAfter(timeout));
    }

    /** context.go: WithTimeoutCause. Saturates as {@link #withTimeout}. */
    static WithCancel withTimeoutCause(Context parent, Duration timeout, Throwable cause) {
        return withDeadlineCause(parent, TimerCtx.deadlineAfter(timeout), cause);
    }

    /** context.go: WithValue. A child whose value(key) is val; keys compare with equals. Panics on a null key. */
    static Context withValue(Context parent, Object key, Object val) {
        return ValueCtx.of(parent, key, val);
    }

    /** context.go: WithoutCancel. The parent's values, but never cancelled, no deadline. */
    static Context withoutCancel(Context parent) {
        return WithoutCancelCtx.of(parent);
    }

    /**
     * context.go: AfterFunc. Runs f in its own goroutine once ctx is done (at once if it already
     * is). stop() breaks the association; it returns true if it prevented f from running.
     */
    static StopFunc afterFunc(Context ctx, Runnable f) {
        return AfterFuncCtx.afterFunc(ctx, f);
    }
}
