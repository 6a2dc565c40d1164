package io.gmp4j.chan;

import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.SudogCache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A goroutine (or platform thread) waiting in one channel's sendq or recvq
 * (runtime2.go: type sudog). One per blocking operation, taken from the M's cache and given
 * back when the operation is over (proc.go: acquireSudog/releaseSudog; {@link SudogCache}),
 * and one per case of a blocking select, allocated (see Select's pass 2).
 *
 * <p>A select's sudogs are {@link SelectSudog}s, which add the select's waiter, the case index
 * and the pass-3 link: a plain operation's sudog, which every parked goroutine holds (the mem
 * workload), stays at 32 bytes.
 *
 * <p>Reuse is safe because of who may still hold a sudog (runtime2.go's rules): a partner or
 * closechan reaches it only through a wait queue, under the channel's lock, and after
 * dequeuing it, outside the lock, only until its {@link #goready}, whose release store
 * (done) is its last access: the thread to unpark is read before it. The waiter releases it
 * after it saw that store. (Go also reuses a select's sudogs once pass 3 took them off their
 * queues; gmp4j allocates those, see Select's pass 2.)
 */
sealed class Sudog permits SelectSudog {
    /** The parked thread: a goroutine's virtual thread, or a platform thread. */
    Thread thread;
    /**
     * Send: the value to send. Recv: the value received. Written by the waker under
     * {@code c}'s lock, read by the waiter after it saw {@link #done}/{@code sel.param}.
     */
    Object elem;
    /**
     * waitq links, only under the channel's lock. Queued means prev != null or first in its
     * queue (select.go: dequeueSudoG's test; no flag). Once closechan dequeued the sudog,
     * {@code next} links its list of Gs to ready (Go: gList via schedlink), until its goready.
     */
    Sudog next, prev;
    /** True when a value was exchanged, false when close woke us (runtime2.go: success). */
    boolean success;
    /**
     * Plain operations only: the hand-off is complete. The waker writes it with release
     * after {@link #elem}/{@link #success}; the waiter reads it with acquire before them.
     */
    private volatile boolean done;
    /**
     * Plain operations only: the waiter will park, so its waker must unpark it. Set before the
     * sudog is queued (published by the channel's unlock) when the waiter does not spin; a
     * waiter whose spin ran out sets it with {@link #announcePark} and then re-checks
     * {@link #done}, while its waker stores done and then reads this (a Dekker pair, both
     * volatile): one of the two sees the other. A waker that finds it unset skips the unpark,
     * a cross-core read-modify-write of the waiter's thread, so a spun hand-off costs the
     * sudog's line alone.
     */
    boolean parking;

    // 32 bytes with compressed oops (four references, three booleans); every parked goroutine
    // holds one (the mem workload).

    Sudog() {}

    /**
     * proc.go: acquireSudog. A sudog for a plain send or receive by the calling thread, from
     * {@code cache} (the caller's {@link SudogCache#current}, or null) when it has one.
     */
    static Sudog acquire(SudogCache cache, Object elem) {
        Sudog sg = cache == null ? null : (Sudog) cache.get();
        if (sg == null) {
            sg = new Sudog();
        }
        sg.thread = Thread.currentThread();
        sg.elem = elem;
        return sg;
    }

    /**
     * proc.go: releaseSudog. Only the waiter, once no partner can reach {@code sg} (see the class
     * comment); the caller has read {@link #elem} and {@link #success}. {@code cache}: the caller's
     * {@link SudogCache#current} (or null), taken after its last park.
     */
    static void release(SudogCache cache, Sudog sg) {
        if (sg.next != null || sg.prev != null) {
            throw new IllegalStateException("releaseSudog: sudog still queued");
        }
        if (cache == null) {
            return;
        }
        sg.thread = null;
        sg.elem = null;
        sg.success = false;
        // Opaque, not volatile: coherent after the waker's release store, which we saw, and
        // published to the next waiter on this M by the cache; a volatile store fenced once
        // more per hand-off.
        DONE.setOpaque(sg, false);
        cache.put(sg);
    }

    boolean lvDone() {
        return (boolean) DONE.getAcquire(this); // pairs with the stores in goready
    }

    /**
     * The waiter's spin ran out: from here its waker must unpark it. The waiter's half of the
     * Dekker pair: a volatile store of parking, then a volatile load of done (goready's half:
     * a volatile store of done, then a volatile load of parking). The JMM orders a volatile
     * store before a later load only when the load is volatile too; the caller's acquire
     * re-read of done then cannot see an older value than this load saw.
     */
    void announcePark() {
        PARKING.setVolatile(this, true); // the Dekker store: see parking
        DONE.getVolatile(this); // the Dekker load (x86: a plain load; AArch64: ldar, as getAcquire)
    }

    /**
     * proc.go: goready, for the G behind this sudog. Call it after the channel lock is
     * dropped (chan.go: "do not ready a G while holding this lock"), once {@link #elem} and
     * {@link #success} are final. Any thread.
     */
    void goready() {
        Thread t = thread; // read before done: after it the waiter may reuse this sudog
        if (this instanceof SelectSudog ss) {
            ss.sel.soParam(ss); // pairs with Select.Waiter.lvParam
            Park.ready(t);
        } else if (parking) { // it did not spin, or announced its park: unpark
            DONE.setRelease(this, true); // pairs with lvDone in the waiter's loop
            Park.ready(t);
        } else {
            DONE.setVolatile(this, true); // the Dekker store: see parking
            // After done the waiter may have reused this sudog: a parking flag read from its
            // next use at worst unparks t once more, which every wait loop tolerates, and one
            // read unset means t saw done before it could reuse the sudog.
            if ((boolean) PARKING.getVolatile(this)) {
                LockSupport.unpark(t); // the volatile store above is Park.ready's fence
            }
        }
    }

    private static final VarHandle DONE, PARKING;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(Sudog.class, "done", boolean.class);
            PARKING = MethodHandles.lookup().findVarHandle(Sudog.class, "parking", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
