package io.gmp4j.sync;

import io.gmp4j.runtime.RuntimeMutex;
import io.gmp4j.runtime.WaitReason;
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
        if (tail == null) {
            head = s;
        } else {
            tail.next = s;
        }
        tail = s;
        lock.unlock();
        s.parkUntilReady(blocker, WaitReason.SYNC_COND_WAIT);
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
            s.ready();
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
        // Re-check under the lock.
        int t = notify;
        if (t == wait) {
            lock.unlock();
            return;
        }
        // Update the next notify ticket. The waiter with ticket t may not have queued yet: then
        // it sees notify > t in await() and does not park.
        notify = t + 1;
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
                lock.unlock();
                s.next = null;
                s.ready();
                return;
            }
        }
        lock.unlock();
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
