package io.gmp4j.xsync;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.internal.runtime.ChanBridge;
import io.gmp4j.internal.runtime.Goexit;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code golang.org/x/sync/singleflight.Group}: duplicate call suppression. While a function
 * runs for a key, other calls for that key wait for it and receive its results instead of
 * running their own. {@link #run} is Go's {@code Do} ({@code do} is a Java keyword), as
 * {@link io.gmp4j.sync.Once#run} is.
 *
 * <p>Results and errors: Go's {@code fn} returns {@code (value, error)}; here it is a
 * {@link Callable}, and its error is the exception it throws, as for {@link ErrGroup}: any
 * {@link Exception} other than a {@link GoPanic} (checked or not) is the error, returned in
 * {@link Result#err} to every caller. A {@code GoPanic}, or an {@link Error}, is a panic: every
 * caller waiting in {@code run} throws it, the same object (its stack trace is fn's, the stack
 * Go's {@code panicError} adds). If a {@link #doChan} caller is waiting too, nothing could
 * deliver a result to its channel, so the panic crashes the program from a new goroutine, as in
 * Go. If fn calls {@link Go#goexit}, every {@code run} caller exits its goroutine too (Go's
 * {@code errGoexit}), and {@code doChan} channels receive nothing.
 *
 * <p>Waiting callers park as goroutines (a {@link WaitGroup}); the group's lock is an
 * {@link io.gmp4j.sync.Mutex} held only for map updates. Keys are compared with
 * {@code equals}/{@code hashCode} (Go's keys are strings); null is a key like any other.
 */
public final class SingleFlight<K, V> {
    /*
     * Go file and functions: golang.org/x/sync/singleflight/singleflight.go: Group, Do, DoChan,
     * doCall, Forget, call, Result, panicError, errGoexit.
     *
     * One Call per key in flight, in m. The first caller (the leader: run's caller, or doChan's
     * new goroutine) adds it with wg at 1 and runs fn; later callers find it, count themselves
     * in dups and wait on wg (run) or add a channel to chans (doChan). When fn ends:
     *   returns v                -> val = v
     *   throws an Exception e    -> err = e (not a GoPanic: that is a panic)
     *   throws a GoPanic/Error p -> panic = p
     *   calls Go.goexit          -> goexit = true; the Goexit goes on unwinding the leader
     * then, under mu: wg.done(), m.remove(key, c) (only c: after forget a new call may own the
     * key), and unless it was a panic or Goexit, one Result per channel (each has room for one:
     * never blocks). A panic with channels waiting is rethrown by a new goroutine, which crashes
     * the program, and the leader parks for good (Go: `go panic(e); select {}`, so a recover in
     * the leader's caller cannot leave the channels waiting forever); Go parks holding mu, gmp4j
     * unlocks it first so that a crash replaced by Go.setPanicHandler leaves the other keys
     * usable. Otherwise the leader rethrows it.
     *
     * Fields of Call: val, err, panic, goexit written once by the leader before wg.done(), read
     * by waiters after wg.await() (happens-before through the WaitGroup), and by the leader.
     * dups and chans only under mu; they stop changing once c leaves m (under mu), so the
     * leader's read of dups after doCall is ordered by mu too.
     */

    /** What {@link #run} returns and {@link #doChan} sends: Go's {@code (v, err, shared)} and {@code Result}. */
    public record Result<V>(V val, Throwable err, boolean shared) {}

    private static final class Call<V> {
        final WaitGroup wg = new WaitGroup();
        V val;
        Throwable err;
        Throwable panic;
        boolean goexit;
        int dups;
        List<Chan<Result<V>>> chans;
    }

    /** Chan's operations for the receive-only result channels: doChan makes them, doCall sends. */
    private static final ChanBridge.Ops CHANS = chanOps();

    private final Mutex mu = new Mutex();
    private final HashMap<K, Call<V>> m = new HashMap<>(); // under mu

    /** An empty group (Go's zero Group). */
    public SingleFlight() {}

    /**
     * singleflight.go: Do. Runs {@code fn} for {@code key} unless a call for it is in flight, in
     * which case it waits for that call and returns its results. {@code shared} tells whether
     * the value went to more than one caller. Panics and Goexit: see the class comment.
     */
    public Result<V> run(K key, Callable<? extends V> fn) {
        Call<V> c = new Call<>();
        Call<V> inFlight;
        mu.lock();
        try {
            inFlight = m.putIfAbsent(key, c);
            if (inFlight != null) {
                inFlight.dups++;
            } else {
                c.wg.add(1);
            }
        } finally {
            mu.unlock(); // also when the key's hashCode or equals throws
        }
        if (inFlight != null) {
            inFlight.wg.await();
            if (inFlight.panic != null) {
                throw rethrow(inFlight.panic);
            }
            if (inFlight.goexit) {
                Go.goexit();
            }
            return new Result<>(inFlight.val, inFlight.err, true);
        }
        doCall(c, key, fn);
        return new Result<>(c.val, c.err, c.dups > 0);
    }

    /**
     * singleflight.go: DoChan. As {@link #run}, but returns at once a channel that will receive
     * the {@link Result}; fn runs in a new goroutine unless a call for the key is in flight. The
     * channel is receive-only, as Go's {@code <-chan Result}: a send or close panics. It is never
     * closed.
     */
    public Chan<Result<V>> doChan(K key, Callable<? extends V> fn) {
        @SuppressWarnings("unchecked")
        Chan<Result<V>> ch = (Chan<Result<V>>) CHANS.makeReceiveOnly(1);
        Call<V> c = new Call<>();
        c.chans = new ArrayList<>(2);
        c.chans.add(ch);
        Call<V> inFlight;
        mu.lock();
        try {
            inFlight = m.putIfAbsent(key, c);
            if (inFlight != null) {
                inFlight.dups++;
                if (inFlight.chans == null) {
                    inFlight.chans = new ArrayList<>(2);
                }
                inFlight.chans.add(ch);
            } else {
                c.wg.add(1);
            }
        } finally {
            mu.unlock();
        }
        if (inFlight == null) {
            Go.go(() -> doCall(c, key, fn));
        }
        return ch;
    }

    /**
     * singleflight.go: Forget. Later calls for {@code key} run their function instead of waiting
     * for the call now in flight (whose callers still get its results).
     */
    public void forget(K key) {
        mu.lock();
        try {
            m.remove(key);
        } finally {
            mu.unlock();
        }
    }

    /** The waiting callers of key's call in flight, -1 if none (tests: XsyncExport). */
    int dups(K key) {
        mu.lock();
        try {
            Call<V> c = m.get(key);
            return c == null ? -1 : c.dups;
        } finally {
            mu.unlock();
        }
    }

    /** singleflight.go: doCall. Runs fn for the leader and hands its outcome to every caller. */
    private void doCall(Call<V> c, K key, Callable<? extends V> fn) {
        Throwable unwinding = null;
        try {
            c.val = fn.call();
        } catch (Throwable t) {
            if (Goexit.isGoexit(t)) {
                c.goexit = true;
                unwinding = t;
            } else if (t instanceof Exception && !(t instanceof GoPanic)) {
                c.err = t;
            } else {
                c.panic = t;
            }
        }

        boolean crash = false;
        mu.lock();
        try {
            c.wg.done();
            m.remove(key, c);
            if (c.panic != null) {
                crash = c.chans != null;
            } else if (!c.goexit && c.chans != null) {
                Result<V> r = new Result<>(c.val, c.err, c.dups > 0);
                for (Chan<Result<V>> ch : c.chans) {
                    CHANS.trySend(ch, r); // room for one, and the only send: never fails
                }
            }
        } finally {
            mu.unlock();
        }
        if (c.panic != null) {
            if (crash) {
                // Not recoverable: a caller catching it would leave the channels waiting forever.
                Throwable p = c.panic;
                Go.go(() -> {
                    throw rethrow(p);
                });
                Select.select(); // stay, so that the crash's goroutine dump shows this goroutine
            }
            throw rethrow(c.panic);
        }
        if (unwinding != null) {
            throw rethrow(unwinding); // the Goexit goes on
        }
    }

    private static ChanBridge.Ops chanOps() {
        Chan.nil(); // initialises Chan, which installs the bridge
        return ChanBridge.ops();
    }

    /** Throws t unchanged, checked or not. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
