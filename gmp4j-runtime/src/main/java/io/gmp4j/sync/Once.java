package io.gmp4j.sync;

import io.gmp4j.GoPanic;
import io.gmp4j.internal.runtime.Goexit;
import java.util.function.Supplier;

/**
 * Go's {@code sync.Once}: performs exactly one action. {@link #run} is Go's {@code Do} ({@code do}
 * is a Java keyword). If the function panics (throws), {@code run} rethrows and the Once still
 * counts as done: later calls return without calling anything, as in Go.
 *
 * <p>Go 1.21's {@code sync.OnceFunc}, {@code OnceValue} and {@code OnceValues} are the static
 * {@link #onceFunc}, {@link #onceValue} and {@link #onceValues}: each wraps a function in one that
 * calls it only once and remembers how it ended, its result or its panic.
 */
public final class Once {
    /*
     * Go file and functions: sync/once.go: Do, doSlow.
     *
     * done: 0 -> 1 once, by the goroutine that ran f, in a finally (Go's deferred store), after f
     * returned or threw, with m held. The fast path is one volatile read: a goroutine that sees
     * done == 1 also sees everything f wrote (the volatile write of done in doSlow happens after
     * f, and pairs with the volatile read in run). Callers that arrive while f runs wait on m
     * (wait reason sync.Mutex.Lock, as in Go) and then see done == 1.
     * Why not a CAS 0 -> 1 before calling f: the loser would return before f finished (once.go).
     *
     * oncefunc.go: OnceFunc, OnceValue, OnceValues, as in current Go (f dropped after the call).
     * One OnceCall holds the closure's variables; onceFunc and onceValues are onceValue with
     * other types. f, valid, p and result are plain fields: written only by the goroutine that
     * runs call() inside once.run, read by the others after once.run returned, which orders them
     * as it orders Do's f before every Do's return. call() ends in one of three ways:
     *   f returns          -> result, valid = true
     *   f throws t         -> p = t, rethrown at once: the first caller's stack trace goes into f
     *   f calls Go.goexit  -> p stays null (Go's recover() returns nil during a Goexit), and
     *                         call() panics with nil, as the deferred panic(p) does in Go
     * then f = null, however f ended (TestOnceXGC: f is not kept alive). Every later call finds
     * valid false and throws p again, the same object, or a new nil panic after a Goexit.
     * Differences from Go: see docs/DIVERGENCES.md, "Goroutines and threads" (a panic caught after
     * a Goexit does not resume the Goexit).
     */
    private volatile int done;
    private final Mutex m = new Mutex();

    /** A Once whose function has not run (Go's zero value). */
    public Once() {}

    /** once.go: Do. Calls {@code f} if and only if this is the first call to run for this Once. */
    public void run(Runnable f) {
        if (done == 0) {
            // Outlined slow path so that the fast path inlines (once.go).
            doSlow(f);
        }
    }

    private void doSlow(Runnable f) {
        m.lock();
        try {
            if (done == 0) {
                try {
                    f.run();
                } finally {
                    done = 1; // pairs with the volatile read in run()
                }
            }
        } finally {
            m.unlock();
        }
    }

    /**
     * oncefunc.go: OnceFunc (Go 1.21). Returns a function that calls {@code f} only once; it may
     * be called concurrently, and a call that comes while f runs waits for it, as {@link #run}
     * does. If f panics (throws), every call of the returned function throws that same
     * Throwable object, so its stack trace is the first call's, into f: what a crash prints. If
     * f calls {@link io.gmp4j.Go#goexit}, which Go leaves unspecified, that call and every later
     * one panic with nil ({@code new GoPanic(null)}: a {@link io.gmp4j.PanicNilError}), as Go's
     * code does; catching that first panic does not resume the Goexit as Go's recover does. The
     * returned function drops its reference to f once f has run.
     */
    public static Runnable onceFunc(Runnable f) {
        OnceCall<Void> c = new OnceCall<>(() -> {
            f.run();
            return null;
        });
        return c::get;
    }

    /**
     * oncefunc.go: OnceValue (Go 1.21). Returns a function that calls {@code f} only once and
     * returns its result on every call; panics, Goexit and concurrent calls as in
     * {@link #onceFunc}.
     */
    public static <T> Supplier<T> onceValue(Supplier<? extends T> f) {
        return new OnceCall<>(f);
    }

    /**
     * oncefunc.go: OnceValues (Go 1.21). Go's {@code f} returns two results, most often a value
     * and an error; a Java function returns one, so {@code f} returns both in a {@link Values}
     * record, which every call of the returned function returns. A record rather than two
     * suppliers: the pair comes from one call of f. Otherwise as {@link #onceValue}.
     */
    public static <T1, T2> Supplier<Values<T1, T2>> onceValues(Supplier<? extends Values<T1, T2>> f) {
        return new OnceCall<>(f);
    }

    /** The two results of a function wrapped by {@link #onceValues}: Go's {@code (T1, T2)}. */
    public record Values<T1, T2>(T1 v1, T2 v2) {}

    /** oncefunc.go's closure: the state behind one wrapped function. */
    private static final class OnceCall<T> implements Supplier<T> {
        private final Once once = new Once();
        /** Built once, as Go builds its inner closure once, so the fast path allocates nothing. */
        private final Runnable body = this::call;
        private Supplier<? extends T> f;
        private boolean valid;
        private Throwable p;
        private T result;

        OnceCall(Supplier<? extends T> f) {
            this.f = f;
        }

        @Override
        public T get() {
            once.run(body);
            if (!valid) {
                throw p != null ? rethrow(p) : new GoPanic(null);
            }
            return result;
        }

        private void call() {
            try {
                result = f.get();
                valid = true;
            } catch (Throwable t) {
                if (Goexit.isGoexit(t)) {
                    throw new GoPanic(null); // Go: panic(p) with p == nil
                }
                p = t;
                throw t;
            } finally {
                f = null;
            }
        }
    }

    /** Throws t unchanged, checked or not (f may have thrown a checked exception sneakily). */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
