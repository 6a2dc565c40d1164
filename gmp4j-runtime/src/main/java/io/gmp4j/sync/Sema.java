package io.gmp4j.sync;

import io.gmp4j.internal.pprof.Contention;
import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.RuntimeMutex;
import io.gmp4j.internal.runtime.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * A runtime semaphore: sema.go's semacquire1/semrelease1 for one address. Go keys its wait
 * queues by the address of a uint32 in a global treap (semtable); in Java each sync object owns
 * its Sema, so the "address" is the object and the treap disappears.
 *
 * Go file and functions: runtime/sema.go: cansemacquire, semacquire1, semrelease1,
 * semaRoot.queue (lifo) and semaRoot.dequeue, plus goyield for the hand-off.
 *
 * Invariants:
 *   - count >= 0; it is the semaphore value (Go's *addr). Changed only by CAS/getAndAdd.
 *   - nwait = the number of threads that are between "nwait++" and "nwait--" in acquire, i.e.
 *     queued or about to check the count once more under the lock; lock held for every write.
 *   - head..tail is a FIFO of parked Sudogs (a lifo acquire inserts at head); lock held.
 *
 * No lost wake-up (the Dekker pair, both sides seq-cst as Go's atomics):
 *   T1 acquire: lock; nwait++ ; cansemacquire() fails ; enqueue ; unlock ; park
 *   T2 release: count++ ; nwait == 0 ?
 *   Either T2 sees nwait > 0 (it then takes the lock, so it runs after T1 enqueued, and wakes
 *   T1 or someone queued earlier), or T1's cansemacquire sees T2's count++ and never parks.
 *
 * Hand-off (handoff = true, Mutex starvation mode): the releaser takes the count back for the
 * woken waiter (ticket = 1) and yields, so the waiter, now in the releaser's runnext, runs at
 * once and inherits the time slice (sema.go: semrelease1, issue 33747).
 *
 * Profiles, as sema.go's: a parked acquire records its wait (from the first try to the
 * acquisition) in the block profile, with the waiter's stack. The mutex profile (Mutex and
 * RWMutex waits, not WaitGroup's) is recorded by the releaser, with its own stack (the end of the
 * critical section that made others wait): a profiled waiter carries its start time in
 * Sudog.acquireTime; the release that dequeues it records now - acquireTime and restarts the
 * clock of the waiter that heads the queue next (semaRoot.dequeue: t.acquiretime = now), so a
 * stretch of waiting is counted once, at the unlock that ended it.
 */
final class Sema {
    /** sema.go: *addr. getVolatile/compareAndSet/getAndAdd only. */
    private volatile int count;
    /** sema.go: semaRoot.nwait. Written under lock with getAndAdd; read lock-free in release. */
    private volatile int nwait;
    /** sema.go: semaRoot.lock. */
    private final RuntimeMutex lock = new RuntimeMutex();
    /** The wait queue (lock). */
    private Sudog head, tail;

    Sema() {}

    Sema(int initial) {
        this.count = initial;
    }

    /** sema.go: cansemacquire. Any thread. */
    boolean tryAcquire() {
        for (;;) {
            int v = count;
            if (v == 0) {
                return false;
            }
            if (COUNT.compareAndSet(this, v, v - 1)) {
                return true;
            }
        }
    }

    /**
     * sema.go: semacquire1. Waits until the count is positive and takes one. {@code lifo}: queue
     * at the head (a Mutex waiter that was already woken once goes back first).
     */
    void acquire(boolean lifo, WaitReason reason) {
        if (tryAcquire()) {
            return;
        }
        acquireSlow(lifo, reason);
    }

    private void acquireSlow(boolean lifo, WaitReason reason) {
        Park.checkPreempt();
        // The mutex and block profiles (sema.go: semacquire1's t0 and profile flags): one
        // static read here, nothing more while both are off.
        long t0 = Contention.on ? System.nanoTime() : 0;
        boolean parked = false;
        Sudog s = Sudog.acquire();
        // sema.go: semacquire1, semaMutexProfile; a cached Sudog's clock is reset either way.
        s.acquireTime = t0 != 0 && reason != WaitReason.SYNC_WAITGROUP_WAIT && Contention.mutexRate > 0 ? t0 : 0;
        for (;;) {
            lock.lock();
            NWAIT.getAndAdd(this, 1); // disables the "easy case" in release
            if (tryAcquire()) { // closes the race with a release that read nwait == 0 before our add
                NWAIT.getAndAdd(this, -1);
                lock.unlock();
                Sudog.release(s); // never queued this round; a past waker is done with it
                if (parked && t0 != 0) {
                    profile(t0, reason);
                }
                return;
            }
            s.ticket = 0;
            s.clearWoken();
            enqueue(s, lifo);
            lock.unlock();
            s.parkUntilReady(this, reason);
            parked = true;
            if (s.ticket != 0 || tryAcquire()) {
                Sudog.release(s); // dequeued by its waker, whose last access was the woken store
                if (t0 != 0) {
                    profile(t0, reason);
                }
                return;
            }
        }
    }

    /** The waiter's share: the block profile (semaBlockProfile); the mutex profile is the releaser's. */
    private static void profile(long t0, WaitReason reason) {
        Contention.event(System.nanoTime() - t0, Contention.BLOCK);
    }

    /** sema.go: semrelease1. Adds one to the count and wakes the first waiter, if any. */
    void release(boolean handoff) {
        COUNT.getAndAdd(this, 1);
        if (nwait == 0) { // the easy case; see the class comment for why no waiter is missed
            return;
        }
        releaseSlow(handoff);
    }

    private void releaseSlow(boolean handoff) {
        lock.lock();
        if (nwait == 0) {
            lock.unlock();
            return;
        }
        Sudog s = dequeue();
        long now = 0;
        if (s != null) {
            NWAIT.getAndAdd(this, -1);
            if (s.acquireTime != 0) { // sema.go: semaRoot.dequeue's now; only while the mutex profile is on
                now = System.nanoTime();
                if (head != null) {
                    head.acquireTime = now;
                }
            }
        }
        lock.unlock();
        if (s == null) {
            return;
        }
        if (now != 0) {
            // sema.go: semrelease1: mutexevent(t0-acquiretime), with the releaser's stack.
            Contention.event(now - s.acquireTime, Contention.MUTEX);
        }
        boolean handedOff = handoff && tryAcquire();
        if (handedOff) {
            s.ticket = 1; // written before s.ready()'s volatile store: the waiter sees it
        }
        s.ready(); // our last access to s: the waiter may reuse it from here
        if (handedOff && Thread.currentThread().isVirtual()) {
            // proc.go: goyield. The waiter is in our runnext; let it run now (issue 33747).
            Thread.yield();
        }
    }

    /** sema.go: semaRoot.queue. Lock held. */
    private void enqueue(Sudog s, boolean lifo) {
        if (head == null) {
            s.prev = s.next = null;
            head = tail = s;
        } else if (lifo) {
            s.acquireTime = head.acquireTime; // sema.go: semaRoot.queue (lifo): the head's clock goes on
            s.prev = null;
            s.next = head;
            head.prev = s;
            head = s;
        } else {
            s.next = null;
            s.prev = tail;
            tail.next = s;
            tail = s;
        }
    }

    /** sema.go: semaRoot.dequeue. Lock held. */
    private Sudog dequeue() {
        Sudog s = head;
        if (s != null) {
            head = s.next;
            if (head == null) {
                tail = null;
            } else {
                head.prev = null;
            }
            s.next = s.prev = null;
        }
        return s;
    }

    /** For tests and dumps: the number of parked or about-to-park acquirers (racy). */
    int waiters() {
        return nwait;
    }

    private static final VarHandle COUNT, NWAIT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(Sema.class, "count", int.class);
            NWAIT = l.findVarHandle(Sema.class, "nwait", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
