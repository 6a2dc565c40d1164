package io.gmp4j.xsync;

import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.context.Context;
import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.WaitReason;
import io.gmp4j.sync.Mutex;

/**
 * {@code golang.org/x/sync/semaphore.Weighted}: a weighted semaphore. Acquirers are served in
 * FIFO order: a large request at the head is not overtaken by smaller ones behind it (so it
 * cannot starve), exactly as x/sync's.
 */
public final class Semaphore {
    /*
     * Go file and functions: golang.org/x/sync/semaphore/semaphore.go: NewWeighted, Acquire,
     * TryAcquire, Release, notifyWaiters.
     *
     * State (under mu): cur = weight held; waiters = FIFO of (n, ready) nodes. Invariant after
     * every notifyWaiters: the head waiter (if any) does not fit (size - cur < head.n).
     *
     * A waiter parks (wait reason "select", as Go's Acquire blocks in a select on ctx.Done() and
     * its ready channel) until one of:
     *   ready     set by notifyWaiters under mu after adding n to cur (the weight is ours)
     *   canceled  set by a Context.afterFunc callback when ctx is done (only registered when ctx can
     *             be cancelled: background/withoutCancel contexts cost nothing)
     * Resolution, as semaphore.go's select arms:
     *   ready: if ctx is done by now, give the weight back and return ctx.err(); else success.
     *   canceled first: under mu, if ready was set meanwhile, give the weight back (cur -= n,
     *     notifyWaiters); else unlink; if we were the head and weight is free, notifyWaiters
     *     (the next one may now fit). Return ctx.err().
     *
     * Difference: x/sync wakes waiters by closing a channel; we unpark the waiter directly.
     */
    private final long size;
    private long cur; // mu
    private final Mutex mu = new Mutex();
    private Waiter head, tail; // mu

    private static final class Waiter {
        final long n;
        final Thread thread = Thread.currentThread();
        volatile boolean ready;
        volatile boolean canceled;
        Waiter prev, next; // mu

        Waiter(long n) {
            this.n = n;
        }
    }

    /** semaphore.go: NewWeighted. */
    public Semaphore(long n) {
        this.size = n;
    }

    /**
     * semaphore.go: Acquire. Blocks until n is available or ctx is done. Returns null on success
     * (Go's nil error), else ctx.err() and nothing is acquired. If ctx is already done, fails even
     * when the weight is free.
     */
    public Throwable acquire(Context ctx, long n) {
        return acquire(ctx, n, null);
    }

    /**
     * acquire; {@code as}, when not null, is the wait reason in place of the select's (ErrGroup's
     * limit, Go's channel send).
     */
    private Throwable acquire(Context ctx, long n, WaitReason as) {
        Park.checkPreempt();
        // As semaphore.go: ctx.Done() before the lock, a non-blocking receive on it under the
        // lock, ctx.Err() after it: no Context method runs with mu held, so a null or failing
        // ctx throws with the semaphore untouched (err() under mu left it locked for good).
        Chan<Void> done = ctx.done();
        mu.lock();
        if (done != null && done.tryRecv() != null) {
            // ctx becoming done "happened before" acquiring: prefer to fail (semaphore.go).
            mu.unlock();
            return ctx.err();
        }
        if (size - cur >= n && head == null) {
            cur += n;
            mu.unlock();
            return null;
        }
        Waiter w = new Waiter(n);
        if (n <= size) {
            enqueue(w); // else: doomed; don't make other acquires queue behind it
        }
        mu.unlock();
        Context.StopFunc stop;
        try {
            stop = done == null || done == Context.background().done() ? null : Context.afterFunc(ctx, () -> {
                w.canceled = true;
                Park.ready(w.thread);
            });
        } catch (Throwable t) {
            // afterFunc calls into a foreign ctx (err(), value()), which may throw; semaphore.go
            // calls nothing there. Fail the call with nothing acquired: leave the queue as a
            // cancellation does, or the next release hands the weight to a waiter nobody is.
            mu.lock();
            abandon(w);
            mu.unlock();
            throw t;
        }
        // semaphore.go waits in a select on ctx.Done() and its ready channel; a doomed acquire
        // (n > size) waits on <-ctx.Done() alone, a nil channel for Background.
        WaitReason reason = as != null ? as : n <= size ? WaitReason.SELECT
                : stop == null ? WaitReason.CHAN_RECEIVE_NIL_CHAN : WaitReason.CHAN_RECEIVE;
        boolean interrupted = false;
        while (!w.ready && !w.canceled) {
            interrupted |= Park.park(this, reason);
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // Go has no interrupts: kept, not acted on
        }
        if (stop != null) {
            stop.stop();
        }
        if (w.ready) {
            // semaphore.go checks the done channel, not ctx.Err(): a Context whose err() throws
            // must not fail the call while it holds the weight.
            if (done != null && done.tryRecv() != null) {
                release(n); // acquired, but ctx is done: give it back
                return ctx.err();
            }
            return null;
        }
        mu.lock();
        abandon(w);
        mu.unlock();
        return ctx.err();
    }

    /** The cancelled arm of semaphore.go's Acquire select, for w. mu held. */
    private void abandon(Waiter w) {
        if (w.ready) {
            // Acquired the semaphore after we were canceled: pretend we didn't.
            cur -= w.n;
            notifyWaiters();
        } else if (w.n <= size) {
            boolean isFront = head == w;
            unlink(w);
            // If we were at the front and there is weight left, the next waiter may fit now.
            if (isFront && size > cur) {
                notifyWaiters();
            }
        }
    }

    /** Acquire that cannot be cancelled ({@code acquire(Context.background(), n)}). */
    public void acquire(long n) {
        acquire(Context.background(), n);
    }

    /** Acquire that cannot be cancelled, waiting with {@code reason} (ErrGroup's limit). */
    void acquire(long n, WaitReason reason) {
        acquire(Context.background(), n, reason);
    }

    /** semaphore.go: TryAcquire. Never blocks; false (and nothing acquired) when n is not free or others wait. */
    public boolean tryAcquire(long n) {
        mu.lock();
        boolean success = size - cur >= n && head == null;
        if (success) {
            cur += n;
        }
        mu.unlock();
        return success;
    }

    /** semaphore.go: Release. Panics "semaphore: released more than held". */
    public void release(long n) {
        mu.lock();
        cur -= n;
        if (cur < 0) {
            mu.unlock();
            throw new GoPanic("semaphore: released more than held");
        }
        notifyWaiters();
        mu.unlock();
    }

    /** semaphore.go: notifyWaiters. mu held. */
    private void notifyWaiters() {
        for (;;) {
            Waiter w = head;
            if (w == null) {
                break; // no more waiters blocked
            }
            if (size - cur < w.n) {
                // Not enough weight for the next waiter. We could keep going and serve smaller
                // waiters behind it, but a large one could then starve (semaphore.go).
                break;
            }
            cur += w.n;
            unlink(w);
            w.ready = true; // read by the waiter's park loop
            Park.ready(w.thread);
        }
    }

    private void enqueue(Waiter w) {
        w.prev = tail;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
    }

    private void unlink(Waiter w) {
        if (w.prev == null) {
            head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = w.next = null;
    }

    /** The weight held now (ErrGroup.setLimit's active count; tests). */
    long held() {
        mu.lock();
        try {
            return cur;
        } finally {
            mu.unlock();
        }
    }
}
