package io.gmp4j.chan;

import io.gmp4j.internal.runtime.Park;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A goroutine (or platform thread) waiting in one channel's sendq or recvq
 * (runtime2.go: type sudog). One is allocated per blocking operation, and one per case of a
 * blocking select; there is no sudog cache (Go's acquireSudog/releaseSudog): a young-gen
 * allocation is cheaper than a per-thread cache lookup on the JVM.
 */
final class Sudog {
    /** The parked thread: a goroutine's virtual thread, or a platform thread. */
    final Thread thread;
    /** The channel this sudog is queued on (select pass 3 needs it). */
    final Chan<?> c;
    /** The select this sudog belongs to, or null for a plain send/recv (Go: isSelect). */
    final Select.Waiter sel;
    /** The select case index, or -1. */
    final int casi;
    /**
     * Send: the value to send. Recv: the value received. Written by the waker under
     * {@code c}'s lock, read by the waiter after it saw {@link #done}/{@code sel.param}.
     */
    Object elem;
    /** True when a value was exchanged, false when close woke us (runtime2.go: success). */
    boolean success;
    /** waitq links and membership; only under {@code c}'s lock. */
    Sudog next, prev;
    boolean queued;
    /** A select's sudogs in lock order, for pass 3 (select.go: sg.waitlink). Only its own G. */
    Sudog waitlink;
    /** closechan's list of Gs to ready once the lock is dropped (Go: gList via schedlink). */
    Sudog readyLink;
    /**
     * Plain operations only: the hand-off is complete. The waker writes it with release
     * after {@link #elem}/{@link #success}; the waiter reads it with acquire before them.
     */
    private volatile boolean done;

    Sudog(Thread thread, Chan<?> c, Object elem, Select.Waiter sel, int casi) {
        this.thread = thread;
        this.c = c;
        this.elem = elem;
        this.sel = sel;
        this.casi = casi;
    }

    boolean lvDone() {
        return (boolean) DONE.getAcquire(this); // pairs with soDone in goready
    }

    /**
     * proc.go: goready, for the G behind this sudog. Call it after the channel lock is
     * dropped (chan.go: "do not ready a G while holding this lock"), once {@link #elem} and
     * {@link #success} are final. Any thread.
     */
    void goready() {
        if (sel == null) {
            DONE.setRelease(this, true); // pairs with lvDone in the waiter's loop
        } else {
            sel.soParam(this); // pairs with Select.Waiter.lvParam
        }
        Park.ready(thread);
    }

    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(Sudog.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
