package io.gmp4j.chan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A channel's two FIFOs of waiting sudogs (chan.go: type waitq, enqueue, dequeue; select.go:
 * dequeueSudoG). {@link #SENDQ} is hchan's sendq, {@link #RECVQ} its recvq.
 *
 * <p>The queues have no objects of their own: their ends are fields of the channel
 * ({@code sendqFirst}, {@code sendqLast}, {@code recvqFirst}, {@code recvqLast}), beside its
 * lock word, so that a hand-off between two Ps finds the lock and the waiting sudog in the
 * lines it has just fetched. With a WaitQ object per queue, a partner on another P fetched the
 * channel's line for the lock, then the queue's for its head, then the sudog's: W2 took
 * 1.16-1.27x as long a round trip (2026-12-05). The price is a 64-byte channel whose written
 * fields span 36 bytes and so straddle two lines at half the addresses, which W3 pays a little
 * for (docs/BENCHMARKS.md, 2026-12-05 (10)). Go's hchan holds its waitqs inline too. Every call
 * passes a constant queue, which the JIT folds.
 *
 * <p>Every method runs with the channel's lock held. A queue's first sudog is also read
 * without the lock by the non-blocking fast paths ({@link #lvFirst}); it is therefore written
 * with release so that a racy reader that sees a sudog also sees it initialised. The last
 * sudog and the {@code next}/{@code prev} links are lock-only.
 */
final class WaitQ {
    private WaitQ() {}

    /** Which of a channel's queues: its blocked senders, or its blocked receivers. */
    static final boolean SENDQ = true, RECVQ = false;

    /** chan.go: waitq.enqueue. Lock held. */
    static void enqueue(Chan<?> c, boolean q, Sudog sg) {
        assert sg.prev == null && sg.next == null && first(c, q) != sg : "enqueue: sudog already queued";
        Sudog tail = q ? c.sendqLast : c.recvqLast;
        sg.prev = tail;
        if (tail == null) {
            soFirst(c, q, sg); // pairs with lvFirst in Chan.full/empty
        } else {
            tail.next = sg;
        }
        setLast(c, q, sg);
    }

    /**
     * chan.go: waitq.dequeue. Removes and returns the first sudog whose operation can still
     * complete, or null. A select sudog counts only if this caller wins its
     * {@code selectDone} CAS: the select may already have been won on another channel, in
     * which case the sudog is dropped here and its G removes the rest itself (pass 3).
     * Lock held.
     */
    static Sudog dequeue(Chan<?> c, boolean q) {
        for (;;) {
            Sudog sg = first(c, q);
            if (sg == null) {
                return null;
            }
            unlink(c, q, sg);
            if (sg instanceof SelectSudog ss && !ss.sel.casSelectDone()) {
                continue;
            }
            return sg;
        }
    }

    /** select.go: dequeueSudoG. Removes {@code sg} if a dequeue has not already. Lock held. */
    static void remove(Chan<?> c, boolean q, Sudog sg) {
        if (sg.prev != null || first(c, q) == sg) { // select.go: dequeueSudoG
            unlink(c, q, sg);
        }
    }

    private static void unlink(Chan<?> c, boolean q, Sudog sg) {
        Sudog before = sg.prev, after = sg.next;
        if (before == null) {
            soFirst(c, q, after); // pairs with lvFirst in Chan.full/empty
        } else {
            before.next = after;
        }
        if (after == null) {
            setLast(c, q, before);
        } else {
            after.prev = before;
        }
        sg.next = null;
        sg.prev = null;
    }

    /** The number of queued sudogs, stale select ones included. Lock held (tests, dumps). */
    static int size(Chan<?> c, boolean q) {
        int n = 0;
        for (Sudog sg = first(c, q); sg != null; sg = sg.next) {
            n++;
        }
        return n;
    }

    /** Racy read for the lock-free fast paths: is anyone (possibly stale) waiting? Any thread. */
    static Sudog lvFirst(Chan<?> c, boolean q) {
        return (Sudog) (q ? SENDQ_FIRST : RECVQ_FIRST).getAcquire(c); // pairs with soFirst
    }

    private static Sudog first(Chan<?> c, boolean q) {
        return q ? c.sendqFirst : c.recvqFirst;
    }

    private static void soFirst(Chan<?> c, boolean q, Sudog sg) {
        (q ? SENDQ_FIRST : RECVQ_FIRST).setRelease(c, sg); // pairs with lvFirst
    }

    private static void setLast(Chan<?> c, boolean q, Sudog sg) {
        if (q) {
            c.sendqLast = sg;
        } else {
            c.recvqLast = sg;
        }
    }

    private static final VarHandle SENDQ_FIRST, RECVQ_FIRST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SENDQ_FIRST = l.findVarHandle(Chan.class, "sendqFirst", Sudog.class);
            RECVQ_FIRST = l.findVarHandle(Chan.class, "recvqFirst", Sudog.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
