package io.gmp4j.context;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.Mutex;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cancellable context (context.go: cancelCtx); the base of the deadline and afterFunc contexts.
 */
class CancelCtx implements Context {
    /*
     * Go file and functions: context/context.go (Go 1.21+): cancelCtx (Value, Done, Err, cancel,
     * propagateCancel), parentCancelCtx, removeChild, Cause, closedchan, cancelCtxKey, canceler.
     *
     * State (all under mu, Go's c.mu; done is also read without it):
     *   err == null, children = set of registered descendants    -> live
     *   err != null, cause != null, children = null, done closed  -> cancelled (final)
     * cancel() is idempotent: the first call wins (its err and cause stay).
     *
     * done is created lazily (most contexts are never waited on): done() reads the volatile field,
     * and creates the channel under mu if absent. cancel() closes the existing channel, or stores
     * the shared, already-closed CLOSED when no one asked for done() yet.
     *
     * Propagation (propagateCancel) when a child is created:
     *   1. parent.done() is NEVER (cannot be cancelled): nothing to do.
     *   2. parent already cancelled: cancel the child now with the parent's err and cause.
     *   3. parent is (or wraps, via value(CANCEL_CTX_KEY)) one of our CancelCtx and its done channel
     *      is the one the parent returns: register the child in its children set, under its mu.
     *      Re-check err under that mu: a cancel in between has either seen the child or will not
     *      run again, so the child is cancelled here.
     *   4. otherwise (a foreign Context implementation): a goroutine waits in select for the
     *      parent's or the child's done (counted in GOROUTINES, as Go's test hook).
     * Cancelling walks children parent-first, holding the parent's mu while taking each child's:
     * lock order is always ancestor before descendant, so no cycle.
     *
     * Differences from Go: no afterFuncer fast path for foreign parents (they use step 4).
     */
    static final Object CANCEL_CTX_KEY = new Object() {
        @Override
        public String toString() {
            return "cancelCtxKey";
        }
    };
    /** context.go: closedchan. */
    static final Chan<Void> CLOSED = Chan.make(0);
    /** The done() of contexts that are never cancelled (Go returns a nil channel). */
    static final Chan<Void> NEVER = Chan.nil();
    /** context.go: goroutines (a test hook): goroutines started by propagateCancel step 4. */
    static final AtomicInteger GOROUTINES = new AtomicInteger();

    static {
        CLOSED.close();
    }

    /** Go's embedded Context: the parent. Written once at creation. */
    Context parent;
    final Mutex mu = new Mutex();
    private volatile Chan<Void> done;
    private Set<CancelCtx> children; // mu
    private Throwable err; // mu
    private Throwable cause; // mu

    CancelCtx() {}

    /** context.go: withCancel. */
    static CancelCtx withCancel(Context parent) {
        if (parent == null) {
            throw new GoPanic("cannot create context from nil parent");
        }
        CancelCtx c = new CancelCtx();
        c.propagateCancel(parent, c);
        return c;
    }

    @Override
    public Chan<Void> done() {
        Chan<Void> d = done;
        if (d != null) {
            return d;
        }
        mu.lock();
        try {
            d = done;
            if (d == null) {
                d = Chan.make(0);
                done = d;
            }
            return d;
        } finally {
            mu.unlock();
        }
    }

    @Override
    public Throwable err() {
        mu.lock();
        try {
            return err;
        } finally {
            mu.unlock();
        }
    }

    /** err with mu already held (Mutex is not reentrant). */
    final Throwable errHeld() {
        return err;
    }

    @Override
    public Optional<Instant> deadline() {
        return parent.deadline();
    }

    @Override
    public Object value(Object key) {
        if (key == CANCEL_CTX_KEY) {
            return this;
        }
        return ValueCtx.lookup(parent, key);
    }

    /** context.go: cancelCtx.propagateCancel. Arranges for child to be cancelled when parent is. */
    final void propagateCancel(Context parent, CancelCtx child) {
        this.parent = parent;
        Chan<Void> pdone = parent.done();
        if (pdone == NEVER || pdone == null) {
            return; // step 1: the parent is never cancelled
        }
        Throwable perr = parent.err();
        if (perr != null) {
            child.cancel(false, perr, cause(parent)); // step 2: already cancelled
            return;
        }
        CancelCtx p = parentCancelCtx(parent);
        if (p != null) { // step 3
            p.mu.lock();
            try {
                if (p.err != null) {
                    // The parent has already been cancelled.
                    child.cancel(false, p.err, p.cause);
                } else {
                    if (p.children == null) {
                        p.children = new HashSet<>();
                    }
                    p.children.add(child);
                }
            } finally {
                p.mu.unlock();
            }
            return;
        }
        // Step 4: a foreign parent.
        GOROUTINES.incrementAndGet();
        Go.go(() -> Select.select(
                pdone.onRecv(v -> child.cancel(false, parent.err(), cause(parent))),
                child.done().onRecv(v -> {})));
    }

    /**
     * context.go: parentCancelCtx. The CancelCtx behind parent, if parent's done() is that
     * context's own channel (a wrapper that returns a different channel does not qualify).
     */
    static CancelCtx parentCancelCtx(Context parent) {
        Chan<Void> d = parent.done();
        if (d == CLOSED || d == NEVER || d == null) {
            return null;
        }
        if (!(parent.value(CANCEL_CTX_KEY) instanceof CancelCtx p)) {
            return null;
        }
        if (p.done != d) {
            return null;
        }
        return p;
    }

    /** context.go: removeChild. */
    static void removeChild(Context parent, CancelCtx child) {
        CancelCtx p = parentCancelCtx(parent);
        if (p == null) {
            return;
        }
        p.mu.lock();
        try {
            if (p.children != null) {
                p.children.remove(child);
            }
        } finally {
            p.mu.unlock();
        }
    }

    /**
     * context.go: cancelCtx.cancel. Closes done, cancels each child, and if removeFromParent
     * removes this context from its parent's children. cause null means err.
     */
    void cancel(boolean removeFromParent, Throwable err, Throwable cause) {
        if (err == null) {
            throw new GoPanic("context: internal error: missing cancel error");
        }
        if (cause == null) {
            cause = err;
        }
        mu.lock();
        try {
            if (this.err != null) {
                return; // already cancelled
            }
            this.err = err;
            this.cause = cause;
            Chan<Void> d = done;
            if (d == null) {
                done = CLOSED;
            } else {
                d.close();
            }
            if (children != null) {
                for (CancelCtx child : children) {
                    // NOTE: acquiring the child's lock while holding the parent's (ancestor first).
                    child.cancel(false, err, cause);
                }
            }
            children = null;
        } finally {
            mu.unlock();
        }
        if (removeFromParent) {
            removeChild(parent, this);
        }
    }

    /** context.go: Cause. */
    static Throwable cause(Context c) {
        if (c.value(CANCEL_CTX_KEY) instanceof CancelCtx cc) {
            cc.mu.lock();
            try {
                return cc.cause;
            } finally {
                cc.mu.unlock();
            }
        }
        // Not a descendant of one of ours: there is no specific cause.
        return c.err();
    }

    /** Test hook: the number of registered children. */
    int childrenForTest() {
        mu.lock();
        try {
            return children == null ? 0 : children.size();
        } finally {
            mu.unlock();
        }
    }

    /** context.go: contextName + ".WithCancel". */
    String kind() {
        return "WithCancel";
    }

    @Override
    public String toString() {
        return parent + "." + kind();
    }
}
