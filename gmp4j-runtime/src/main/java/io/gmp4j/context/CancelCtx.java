package io.gmp4j.context;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.internal.runtime.ChanBridge;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.Mutex;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
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
     * lock order is always ancestor before descendant, so no cycle. The walk keeps its own stack
     * (cancelTree), and deadline() and ValueCtx's done, err and deadline walk up in a loop: a
     * chain of nested contexts can be far deeper than the JVM's stack, as Go's stack grows.
     * A subclass's extra cancel work (timer stop, AfterFunc's f) is cancelled(), run after
     * cancelCtx.cancel's part as Go's overriding cancel methods do.
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
    static final Chan<Void> CLOSED = makeDone();
    /** The done() of contexts that are never cancelled (Go returns a nil channel). */
    static final Chan<Void> NEVER = Chan.nil();
    /** context.go: goroutines (a test hook): goroutines started by propagateCancel step 4. */
    static final AtomicInteger GOROUTINES = new AtomicInteger();

    static {
        ChanBridge.ops().closeReceiveOnly(CLOSED);
    }

    /**
     * A done channel: Go's Done() is a {@code <-chan struct{}}, so a user's close or send panics
     * here instead of cancelling no one (the context closes it through ChanBridge).
     */
    @SuppressWarnings("unchecked")
    private static Chan<Void> makeDone() {
        Chan.nil(); // initialises Chan, which installs the bridge
        return (Chan<Void>) ChanBridge.ops().makeReceiveOnly(0);
    }

    /** Go's embedded Context: the parent. Written once at creation. */
    Context parent;
    final Mutex mu = new Mutex();
    private volatile Chan<Void> done;
    private Set<CancelCtx> children; // mu
    private Throwable err; // mu
    private Throwable cause; // mu

    CancelCtx() {}

    /** How many children are registered (tests: a failed constructor leaves none behind). */
    int numChildren() {
        mu.lock();
        try {
            return children == null ? 0 : children.size();
        } finally {
            mu.unlock();
        }
    }

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
                d = makeDone();
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
        return deadline(parent);
    }

    /**
     * c.deadline(), walking up through the contexts defined here without recursion (a chain of
     * nested contexts may be deeper than the JVM's stack; Go's stack grows): the nearest
     * deadline context's, or what the first other context says.
     */
    static Optional<Instant> deadline(Context c) {
        for (;;) {
            if (c instanceof TimerCtx t) {
                return t.deadline();
            } else if (c instanceof CancelCtx cc) {
                c = cc.parent;
            } else if (c instanceof ValueCtx v) {
                c = v.parent;
            } else {
                return c.deadline();
            }
        }
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
     * context.go: cancelCtx.cancel. Closes done, cancels each descendant, and if
     * removeFromParent removes this context from its parent's children; then {@link #cancelled}.
     * cause null means err.
     */
    final void cancel(boolean removeFromParent, Throwable err, Throwable cause) {
        if (err == null) {
            throw new GoPanic("context: internal error: missing cancel error");
        }
        if (cause == null) {
            cause = err;
        }
        cancelTree(err, cause);
        if (removeFromParent) {
            removeChild(parent, this);
        }
        cancelled();
    }

    /**
     * What a subclass's cancel adds after cancelCtx.cancel and removeChild (timerCtx: stop the
     * timer; afterFuncCtx: start f). Runs on every cancel call, also of a context already
     * cancelled, as Go's overrides do.
     */
    void cancelled() {}

    /** One level of cancelTree's walk: a context whose lock is held and its children left to cancel. */
    private record Frame(CancelCtx ctx, Iterator<CancelCtx> children) {}

    /**
     * cancelCtx.cancel's own part and its recursion into the children (child.cancel(false, err,
     * cause)), with an explicit stack in place of the Java one: Go's stack grows to 1 GB, while
     * 1 MB of JVM stack held only a few thousand levels of a chain of nested contexts (an
     * overflow there left a lock held). The order is Go's: each child is cancelled while every
     * ancestor's lock is held, depth first, and its cancelled() runs after its subtree, once its
     * own lock is released. A child already cancelled is not descended into, but its
     * cancelled() still runs.
     */
    private void cancelTree(Throwable err, Throwable cause) {
        mu.lock();
        if (!markCancelledOrUnlock(err, cause)) {
            mu.unlock();
            return; // already cancelled
        }
        Iterator<CancelCtx> children = takeChildren();
        if (children == null) {
            mu.unlock();
            return; // no children: the common case needs no stack
        }
        // Held: top's lock and the lock of every frame on the stack.
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        Frame top = new Frame(this, children);
        try {
            for (;;) {
                if (top.children != null && top.children.hasNext()) {
                    CancelCtx child = top.children.next();
                    // NOTE: acquiring the child's lock while holding the parent's (ancestor first).
                    child.mu.lock();
                    if (child.markCancelledOrUnlock(err, cause)) {
                        stack.push(top);
                        top = new Frame(child, child.takeChildren());
                    } else {
                        child.mu.unlock();
                        child.cancelled();
                    }
                    continue;
                }
                CancelCtx finished = top.ctx;
                top = stack.poll(); // null: finished is this
                finished.mu.unlock();
                if (top == null) {
                    return;
                }
                finished.cancelled();
            }
        } catch (Throwable t) {
            // A panic on the way (a done channel closed by its user): release what is held, as
            // the unwinding of Go's recursive calls would, so the contexts stay usable.
            if (top != null) {
                top.ctx.mu.unlock();
            }
            for (Frame f : stack) {
                f.ctx.mu.unlock();
            }
            throw t;
        }
    }

    /** markCancelled; if it throws, mu (held) is released first. */
    private boolean markCancelledOrUnlock(Throwable err, Throwable cause) {
        try {
            return markCancelled(err, cause);
        } catch (Throwable t) {
            mu.unlock();
            throw t;
        }
    }

    /** mu held. Records err and cause and closes done; false if already cancelled. */
    private boolean markCancelled(Throwable err, Throwable cause) {
        if (this.err != null) {
            return false;
        }
        this.err = err;
        this.cause = cause;
        Chan<Void> d = done;
        if (d == null) {
            done = CLOSED;
        } else {
            ChanBridge.ops().closeReceiveOnly(d);
        }
        return true;
    }

    /** mu held, after markCancelled. The children to cancel (null: none); none are registered after. */
    private Iterator<CancelCtx> takeChildren() {
        Set<CancelCtx> c = children;
        children = null;
        return c == null ? null : c.iterator();
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
        return ValueCtx.contextName(this); // parent's name + "." + kind(), without recursion
    }
}
