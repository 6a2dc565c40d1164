package io.gmp4j.sync;

import io.gmp4j.internal.runtime.Park;

/**
 * Go's {@code sync.Cond}: a rendezvous point for goroutines waiting for, or announcing, an
 * event. {@link #await} is Go's {@code Wait} ({@code Object.wait} is final). As in Go, the
 * caller of await holds the Locker; it is unlocked while waiting and locked again before await
 * returns; signal and broadcast may be called with or without it. Wake-ups are in await order.
 */
public final class Cond {
    /*
     * Go file and functions: sync/cond.go: NewCond, Wait, Signal, Broadcast; the waiting list is
     * NotifyList (runtime/sema.go: notifyList*).
     *
     * await():  t = notify.add()   (ticket taken while L is held: orders us against signals
     *                               made after we check our condition)
     *           L.unlock(); notify.await(t) (wait reason sync.Cond.Wait); L.lock()
     * A signal between L.unlock() and the park is not lost: the ticket is already counted.
     * If L.unlock() throws (await without holding a Mutex: Go's fatal "sync: unlock of unlocked
     * mutex", a GoPanic here as Mutex.unlock's), the ticket is cancelled before the panic
     * propagates, so the next signal still reaches a real waiter.
     *
     * Differences from Go: no copyChecker (a Java object cannot be copied by value).
     */
    private final Locker l;
    private final NotifyList notify = new NotifyList();

    /** cond.go: NewCond. {@code l} is usually a {@link Mutex} or {@link RWMutex#rLocker()}. */
    public Cond(Locker l) {
        this.l = l;
    }

    /** Go's field {@code c.L}: the Locker held while observing or changing the condition. */
    public Locker locker() {
        return l;
    }

    /**
     * cond.go: Wait. Unlocks L, waits for signal/broadcast, locks L again. Without L held, L's
     * unlock panics (a Mutex: "sync: unlock of unlocked mutex") and await waits for nothing.
     */
    public void await() {
        Park.checkPreempt();
        int t = notify.add();
        try {
            l.unlock();
        } catch (Throwable e) {
            notify.cancel(t); // the ticket must not swallow a later signal
            throw e;
        }
        try {
            notify.await(t, this);
        } finally {
            l.lock();
        }
    }

    /** cond.go: Signal. Wakes the longest-waiting goroutine, if any. */
    public void signal() {
        notify.notifyOne();
    }

    /** cond.go: Broadcast. Wakes all waiting goroutines. */
    public void broadcast() {
        notify.notifyAll0();
    }
}
