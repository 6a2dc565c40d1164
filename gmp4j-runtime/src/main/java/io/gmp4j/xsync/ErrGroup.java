package io.gmp4j.xsync;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
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
     * sem: a buffered channel of tokens (Go's `sem chan token`): go() sends before starting (blocks
     * with wait reason "chan send" when the limit is reached), done() receives. err: written once
     * under errOnce, read by await after wg.await (happens-before through the WaitGroup).
     */
    /** A group task: Go's {@code func() error}; throw to return an error. */
    @FunctionalInterface
    public interface Func {
        void run() throws Exception;
    }

    /** What withContext returns: the group and its derived context. */
    public record WithContext(ErrGroup group, Context ctx) {}

    private static final Object TOKEN = new Object();

    private final Consumer<Throwable> cancel;
    private final WaitGroup wg = new WaitGroup();
    private volatile Chan<Object> sem;
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
        Chan<Object> s = sem;
        if (s != null) {
            s.send(TOKEN);
        }
        start(f);
    }

    /** errgroup.go: TryGo. Starts f only if the limit allows it now. A null f: as {@link #go}. */
    public boolean tryGo(Func f) {
        if (f == null) {
            throw new NullPointerException("tryGo: f");
        }
        Chan<Object> s = sem;
        if (s != null && Select.select(s.onSend(TOKEN, () -> {}), Select.onDefault(() -> {})) != 0) {
            return false; // limit reached
        }
        start(f);
        return true;
    }

    /**
     * errgroup.go: SetLimit. At most n active goroutines; n < 0 means no limit. Panics if
     * goroutines of the group are still active.
     */
    public void setLimit(int n) {
        if (n < 0) {
            sem = null;
            return;
        }
        Chan<Object> s = sem;
        if (s != null && s.len() != 0) {
            throw new GoPanic("errgroup: modify limit while " + s.len() + " goroutines in the group are still active");
        }
        sem = Chan.make(n);
    }

    private void start(Func f) {
        wg.add(1);
        Chan<Object> s = sem;
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
                    s.recv();
                }
                wg.done();
            }
        });
    }
}
