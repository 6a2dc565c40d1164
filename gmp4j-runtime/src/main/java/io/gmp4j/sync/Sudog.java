package io.gmp4j.sync;

import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.SudogCache;
import io.gmp4j.internal.runtime.WaitReason;

/*
 * One parked waiter (runtime2.go: type sudog), for Sema, NotifyList and the x/sync types.
 *
 * Wake-up protocol (the park may return spuriously, so the waiter loops on `woken`):
 *   waker:  1. unlink the Sudog under the queue's lock (no one else can wake it now)
 *           2. write ticket (Sema hand-off), then store woken = true with release
 *           3. Park.ready(thread)  (a full fence, then LockSupport.unpark: a permit if the
 *              waiter is not parked yet; the fence keeps the permit read after step 2)
 *   waiter: loop { if getVolatile woken: break; Park.park(...) }
 * The waiter reads ticket after seeing woken (the release store and volatile read order it). An unpark that
 * happens before the park leaves a permit, so the park returns at once: no lost wake-up.
 *
 * Fields: next/prev/ticket-as-queue-key are written under the owning queue's lock; woken is the
 * only field the waiter reads without it.
 */
final class Sudog {
    Thread thread = Thread.currentThread();
    /** sema.go: ticket. Sema: 1 = the releaser handed the count to us. NotifyList: our ticket number. */
    int ticket;
    /** Set once by the waker after unlinking us; read by the waiter in its park loop. */
    volatile boolean woken;
    /** NotifyList: a ticket whose Cond.await threw before waiting; no thread waits here (the queue's lock). */
    boolean abandoned;
    /**
     * sema.go: sudog.acquiretime. When the mutex profile is on, the nanoTime a Sema waiter
     * started waiting (or, once it heads the queue, the time the previous head was released):
     * the releaser records the difference with its own stack. 0 when not profiled. Queue lock.
     */
    long acquireTime;
    /** Queue links (the queue's RuntimeMutex). */
    Sudog next, prev;

    /**
     * Waker side: steps 2 and 3 above. Any thread; the Sudog must already be unlinked. The
     * store to woken is the waker's last access: the waiter may reuse the Sudog after it.
     */
    void ready() {
        Thread t = thread;
        WOKEN.setRelease(this, true); // Park.ready fences: a volatile store would fence twice
        Park.ready(t);
    }

    /**
     * proc.go: acquireSudog, for Sema: a Sudog for the calling thread from its M's cache
     * (SudogCache), else a new one.
     */
    static Sudog acquire() {
        SudogCache cache = SudogCache.current();
        Sudog s = cache == null ? null : (Sudog) cache.getSync();
        if (s == null) {
            return new Sudog();
        }
        s.thread = Thread.currentThread();
        return s;
    }

    /** proc.go: releaseSudog. Only the waiter, with {@code s} off every queue and its waker done. */
    static void release(Sudog s) {
        if (s.next != null || s.prev != null) {
            throw new IllegalStateException("releaseSudog: sudog still queued");
        }
        SudogCache cache = SudogCache.current();
        if (cache != null) {
            s.thread = null;
            s.ticket = 0;
            s.clearWoken();
            cache.putSync(s);
        }
    }

    private static final java.lang.invoke.VarHandle WOKEN;

    static {
        try {
            WOKEN = java.lang.invoke.MethodHandles.lookup().findVarHandle(Sudog.class, "woken", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Only the waiter, before it queues the Sudog again: a plain store, which the queue lock's
     * release publishes to the next waker (a volatile store would fence once more per park).
     */
    void clearWoken() {
        WOKEN.set(this, false);
    }

    /** Waiter side: parks until {@link #ready}. Only the waiting thread. */
    void parkUntilReady(Object blocker, WaitReason reason) {
        boolean interrupted = false;
        while (!woken) {
            interrupted |= Park.park(blocker, reason);
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // Go has no interrupts: kept, not acted on
        }
    }
}
