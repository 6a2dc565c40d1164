package io.gmp4j.sync;

import io.gmp4j.internal.pprof.Contention;
import io.gmp4j.internal.runtime.RuntimeMutex;
import io.gmp4j.internal.runtime.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * A ticket-based notify list: runtime/sema.go: notifyList, notifyListAdd, notifyListWait,
 * notifyListNotifyAll, notifyListNotifyOne. The engine of Cond.
 *
 * Tickets: add() hands out wait++ (before the caller unlocks its Locker), so the order of
 * tickets is the order of Cond.await calls. notify is the next ticket to wake; tickets below it
 * have been signalled. A waiter whose ticket is already below notify does not park; others queue
 * (in any order; notifyOne searches for the ticket == notify). Ticket comparisons wrap (less()).
 *
 * Cancel: a ticket taken by an await whose unlock threw is withdrawn (cancel()): notifyOne skips
 * it, so a misused Cond does not swallow the next signal.
 *
 * Fields: wait: getAndAdd (any thread, no lock). notify: written under lock, read lock-free by
 *   the fast "nothing to do" check (getVolatile; pairs with the setVolatile under lock).
 *   head/tail: lock.
 *
 * The fast check in notify*: wait == notify means every ticket handed out was notified; a
 * concurrent add() that we miss takes a ticket >= the notify we would have set, so it is not
 * owed this signal (Go's argument: a Signal only wakes goroutines that called Wait before it).
 */
final class NotifyList {
    private volatile int wait;
    private volatile int notify;
    private final RuntimeMutex lock = new RuntimeMutex();
    private Sudog head, tail;

    /** sema.go: notifyListAdd. Any thread; called with the Cond's Locker held. */
    int add() {
        return (int) WAIT.getAndAdd(this, 1);
    }

    /** sema.go: notifyListWait. Parks until ticket t has been notified. */
    void await(int t, Object blocker) {
        lock.lock();
        // Return right away if this ticket has already been notified.
        if (less(t, notify)) {
            lock.unlock();
            return;
        }
        Sudog s = new Sudog();
        s.ticket = t;
        enqueue(s);
        lock.unlock();
        long t0 = Contention.blockRate > 0 ? System.nanoTime() : 0; // the block profile (sema.go: notifyListWait)
        s.parkUntilReady(blocker, WaitReason.SYNC_COND_WAIT);
        if (t0 != 0) {
            Contention.event(System.nanoTime() - t0, Contention.BLOCK);
        }
    }

    /**
     * The caller took ticket t but will not wait for it (its Locker's unlock threw). A signal
     * that already went to t goes on to the next ticket; one still to come skips t, through an
     * abandoned entry in the queue. Without this, t would swallow the next signal and a real
     * waiter would sleep on. (Go has no such path: its Unlock of an unlocked Mutex is fatal.)
     * A Broadcast's notification passed on this way is at worst a spurious wake-up, and only
     * after a misuse.
     */
    void cancel(int t) {
        Sudog s = null;
        lock.lock();
        if (less(t, notify)) {
            s = notifyOneLocked();
        } else {
            Sudog a = new Sudog();
            a.ticket = t;
            a.abandoned = true;
            enqueue(a);
        }
        lock.unlock();
        if (s != null) {
            s.ready();
        }
    }

    private void enqueue(Sudog s) {
        if (tail == null) {
            head = s;
        } else {
            tail.next = s;
        }
        tail = s;
    }

    /** sema.go: notifyListNotifyAll. */
    void notifyAll0() {
        // Fast path: no new waiters since the last notification.
        if (wait == notify) {
            return;
        }
        lock.lock();
        Sudog s = head;
        head = tail = null;
        // Every ticket handed out so far counts as notified.
        notify = wait;
        lock.unlock();
        while (s != null) {
            Sudog next = s.next;
            s.next = null;
            if (!s.abandoned) {
                s.ready();
            }
            s = next;
        }
    }

    /** sema.go: notifyListNotifyOne. */
    void notifyOne() {
        // Fast path: no new waiters since the last notification.
        if (wait == notify) {
            return;
        }
        lock.lock();
        Sudog s = notifyOneLocked();
        lock.unlock();
        if (s != null) {
            s.ready();
        }
    }

    /**
     * Advances notify past the next live ticket and unlinks its waiter, if queued (the caller
     * readies it after dropping the lock). Abandoned tickets are skipped. Lock held.
     */
    private Sudog notifyOneLocked() {
        for (;;) {
            int t = notify;
            if (t == wait) {
                return null;
            }
            // Update the next notify ticket. The waiter with ticket t may not have queued yet:
            // then it sees notify > t in await() and does not park.
            notify = t + 1;
            Sudog s = unlink(t);
            if (s == null) {
                return null;
            }
            if (!s.abandoned) {
                s.next = null;
                return s;
            }
        }
    }

    private Sudog unlink(int t) {
        for (Sudog p = null, s = head; s != null; p = s, s = s.next) {
            if (s.ticket == t) {
                Sudog n = s.next;
                if (p != null) {
                    p.next = n;
                } else {
                    head = n;
                }
                if (n == null) {
                    tail = p;
                }
                return s;
            }
        }
        return null;
    }

    /** sema.go: less. Ticket order with wrap-around. */
    private static boolean less(int a, int b) {
        return a - b < 0;
    }

    private static final VarHandle WAIT;

    static {
        try {
            WAIT = MethodHandles.lookup().findVarHandle(NotifyList.class, "wait", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
