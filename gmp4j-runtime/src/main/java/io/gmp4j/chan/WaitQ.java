package io.gmp4j.chan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A FIFO of waiting sudogs (chan.go: type waitq, enqueue, dequeue; select.go: dequeueSudoG).
 *
 * <p>Every method runs with the owning channel's lock held. {@code first} is also read
 * without the lock by the non-blocking fast paths ({@link #lvFirst}); it is therefore
 * written with release ({@link #soFirst}) so that a racy reader that sees a sudog also sees
 * it initialised. {@code last}, {@code next} and {@code prev} are lock-only.
 */
final class WaitQ {
    private Sudog first;
    private Sudog last;

    /** chan.go: waitq.enqueue. Lock held. */
    void enqueue(Sudog sg) {
        assert sg.prev == null && sg.next == null && first != sg : "enqueue: sudog already queued";
        Sudog tail = last;
        sg.prev = tail;
        if (tail == null) {
            soFirst(sg); // pairs with lvFirst in Chan.full/empty
        } else {
            tail.next = sg;
        }
        last = sg;
    }

    /**
     * chan.go: waitq.dequeue. Removes and returns the first sudog whose operation can still
     * complete, or null. A select sudog counts only if this caller wins its
     * {@code selectDone} CAS: the select may already have been won on another channel, in
     * which case the sudog is dropped here and its G removes the rest itself (pass 3).
     * Lock held.
     */
    Sudog dequeue() {
        for (;;) {
            Sudog sg = first;
            if (sg == null) {
                return null;
            }
            unlink(sg);
            if (sg instanceof SelectSudog ss && !ss.sel.casSelectDone()) {
                continue;
            }
            return sg;
        }
    }

    /** select.go: dequeueSudoG. Removes {@code sg} if a dequeue has not already. Lock held. */
    void remove(Sudog sg) {
        if (sg.prev != null || first == sg) { // select.go: dequeueSudoG
            unlink(sg);
        }
    }

    private void unlink(Sudog sg) {
        Sudog before = sg.prev, after = sg.next;
        if (before == null) {
            soFirst(after); // pairs with lvFirst in Chan.full/empty
        } else {
            before.next = after;
        }
        if (after == null) {
            last = before;
        } else {
            after.prev = before;
        }
        sg.next = null;
        sg.prev = null;
    }

    /** The number of queued sudogs, stale select ones included. Lock held (tests, dumps). */
    int size() {
        int n = 0;
        for (Sudog sg = first; sg != null; sg = sg.next) {
            n++;
        }
        return n;
    }

    /** Racy read for the lock-free fast paths: is anyone (possibly stale) waiting? */
    Sudog lvFirst() {
        return (Sudog) FIRST.getAcquire(this); // pairs with soFirst
    }

    private void soFirst(Sudog sg) {
        FIRST.setRelease(this, sg); // pairs with lvFirst
    }

    private static final VarHandle FIRST;

    static {
        try {
            FIRST = MethodHandles.lookup().findVarHandle(WaitQ.class, "first", Sudog.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
