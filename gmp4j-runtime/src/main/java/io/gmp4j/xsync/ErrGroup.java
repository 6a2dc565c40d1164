package io.gmp4j.xsync;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.context.Context;
import io.gmp4j.internal.runtime.WaitReason;
import io.gmp4j.sync.Once;
import io.gmp4j.sync.WaitGroup;
import java.util.function.Consumer;

/**
 * {@code golang.org/x/sync/errgroup.Group}: a group of goroutines working on subtasks of a
 * common task. {@link #await} waits for all and returns the first error (null if none). With
 * {@link #withContext} the first error also cancels the derived context. {@link #setLimit}
 * bounds the number of active goroutines.
 *
 * <p>Errors: a function's error is the exception it throws. A {@link GoPanic} or a
 * {@code java.lang.Error} is not an error but a panic: it crashes the program as any goroutine
 * panic does.
 */
public final class ErrGroup {
    /*
     * Go file and functions: golang.org/x/sync/errgroup/errgroup.go: Group, WithContext, Wait,
     * Go, TryGo, SetLimit, done.
     *
     * sem: Go's `sem chan token`, a channel of zero-size tokens, as a weighted Semaphore of its
     * capacity: go() acquires 1 before starting (blocks with wait reason "chan send" while the
     * limit is reached, served in arrival order as a channel's blocked senders are), done()
     * releases it. A Chan would hold a reference per slot: setLimit(Integer.MAX_VALUE), Go's
     * usual SetLimit(math.MaxInt), panicked "makechan: size out of range". err: written once
     * under errOnce, read by await after wg.await (happens-before through the WaitGroup).
     */
    /** A group task: Go's {@code func() error}; throw to return an error. */
    @FunctionalInterface
    public interface Func {
        /** Runs the task; an exception other than a GoPanic is its error (a GoPanic, or an Error, is a panic). */
        void run() throws Exception;
    }

    /** What withContext returns: the group and its derived context. */
    public record WithContext(ErrGroup group, Context ctx) {}

    private final Consumer<Throwable> cancel;
    private final WaitGroup wg = new WaitGroup();
    private volatile Semaphore sem;
    private final Once errOnce = new Once();
    private Throwable err;

    /** A group without a context (Go's zero Group). */
    public ErrGroup() {
        this(null);
    }

    private ErrGroup(Consumer<Throwable> cancel) {
        this.cancel = cancel;
    }

    /** errgroup.go: WithContext. The context is cancelled by the first error or when await returns. */
    public static WithContext withContext(Context ctx) {
        Context.WithCancelCause c = Context.withCancelCause(ctx);
        return new WithContext(new ErrGroup(c.cancel()), c.ctx());
    }

    /** errgroup.go: Wait. Blocks until every function returned; the first error, or null. */
    public Throwable await() {
        wg.await();
        if (cancel != null) {
            cancel.accept(err);
        }
        return err;
    }

    /**
     * errgroup.go: Go. Runs f in a new goroutine; blocks while the limit is reached. A null f
     * throws NullPointerException here, the group untouched (Go's nil f crashes the program in
     * the new goroutine; it is not an error f returned).
     */
    public void go(Func f) {
        if (f == null) {
            throw new NullPointerException("go: f");
        }
        Semaphore s = sem;
        if (s != null) {
            s.acquire(1, WaitReason.CHAN_SEND);
        }
        start(f, s);
    }

    /** errgroup.go: TryGo. Starts f only if the limit allows it now. A null f: as {@link #go}. */
    public boolean tryGo(Func f) {
        if (f == null) {
            throw new NullPointerException("tryGo: f");
        }
        Semaphore s = sem;
        if (s != null && !s.tryAcquire(1)) {
            return false; // limit reached
        }
        start(f, s);
        return true;
    }

    /**
     * errgroup.go: SetLimit. At most {@code n} active goroutines; {@code n < 0} means no limit.
     * Panics if a limit is set and goroutines of the group are still active.
     */
    public void setLimit(int n) {
        if (n < 0) {
            sem = null;
            return;
        }
        Semaphore s = sem;
        long active = s == null ? 0 : s.held();
        if (active != 0) {
            throw new GoPanic("errgroup: modify limit while " + active + " goroutines in the group are still active");
        }
        sem = new Semaphore(n);
    }

    /** Starts f; s is the limit f holds a slot of (null: none), given back when f ends. */
    private void start(Func f, Semaphore s) {
        wg.add(1);
        Go.go(() -> {
            try {
                f.run();
            } catch (GoPanic panic) {
                throw panic;
            } catch (Exception e) {
                errOnce.run(() -> {
                    err = e;
                    if (cancel != null) {
                        cancel.accept(e);
                    }
                });
            } finally {
                // errgroup.go: done.
                if (s != null) {
                    s.release(1);
                }
                wg.done();
            }
        });
    }
}
