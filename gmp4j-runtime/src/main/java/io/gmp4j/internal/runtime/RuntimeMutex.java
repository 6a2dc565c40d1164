package io.gmp4j.internal.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's runtime mutex (lock_futex.go: lock2/unlock2): the lock of every structure that both
 * goroutines and scheduler threads touch: sched.lock, the timer heaps, allgs, the wait queues
 * of sync and the timers' channel state.
 *
 * <p>Why not a Java monitor: since JEP 491 a virtual thread that blocks entering a monitor
 * unmounts and queues on it, and the JVM may choose that unmounted thread as the monitor's next
 * owner when it is released. A platform thread queued on the same monitor then sleeps until the
 * chosen goroutine is scheduled, acquires and releases. If that platform thread is an M, the
 * goroutine may be waiting for exactly that M's P: W6 hung this way (2026-11-29: sched.lock
 * free, an M parked on its entry queue, the successor a goroutine in the global run queue, the
 * other Ps idle because the blocked M still counted as spinning). This lock hands nothing to
 * anyone: a contender polls until it gets it.
 *
 * <p>Rules for holders (docs/HACKING.md): never park, yield, block on a monitor or call user
 * code while holding it, so that a holder is always running (on an M or an OS thread) and
 * every contender's wait is bounded by a few pointer moves. Not reentrant (asserted).
 *
 * <p>Contenders spin (lock_futex.go: active_spin = 4 rounds of active_spin_cnt = 30 PAUSE),
 * then yield the OS thread (passive_spin, osyield) until the holder is done: a goroutine too,
 * through {@link JdkInternals#osyield}, because a held lock's holder that is not running was
 * descheduled by the OS, and only an OS-level yield gives it a CPU (a goroutine's Thread.yield
 * would run another goroutine on this M). It never sleeps on a futex as Go's does: the holder
 * cannot be waiting for anything.
 *
 * <p>State: 0 = free, 1 = held. lock: CAS 0 -> 1 (acquire). unlock: setRelease 0 (release;
 * pairs with the CAS of the next locker). {@code holder} is for assertions and dumps only.
 */
public final class RuntimeMutex {
    private volatile int state;
    /** The holding thread (plain: written by the holder after lock, cleared before unlock). */
    private Thread holder;
    /**
     * How many times it was taken (plain: written by holders only, so never lost; read racily):
     * the tests' measure of how often a hot path takes a global lock such as sched.lock.
     */
    private long acquisitions;

    public RuntimeMutex() {}

    /** lock_futex.go: lock2. Any thread; not reentrant. */
    public void lock() {
        if (!STATE.compareAndSet(this, 0, 1)) {
            lockSlow();
        }
        acquired();
    }

    /**
     * One CAS, no wait: true if the caller now holds the lock. For a scheduler thread that must
     * not wait for a holder that may be an unmounted goroutine (ChanTimer's send lock).
     */
    public boolean tryLock() {
        if (state == 0 && STATE.compareAndSet(this, 0, 1)) {
            acquired();
            return true;
        }
        return false;
    }

    /** lock_futex.go: lock2, the contended part (outlined so that {@link #lock} inlines). */
    private void lockSlow() {
        assert holder != Thread.currentThread() : "RuntimeMutex: already held by this thread";
        for (int round = 0; ; round++) {
            if (state == 0 && STATE.compareAndSet(this, 0, 1)) {
                return;
            }
            if (round < 4) {
                for (int i = 0; i < 30; i++) {
                    Thread.onSpinWait();
                }
            } else {
                JdkInternals.osyield();
            }
        }
    }

    /**
     * lock, for a caller that already holds another RuntimeMutex: spins without ever yielding.
     * A goroutine that yielded here would unmount holding the first lock, and the M that should
     * run it again may be the one spinning on that lock.
     */
    public void lockHoldingOthers() {
        while (!STATE.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait();
        }
        acquired();
    }

    /** The caller has just taken the lock. */
    private void acquired() {
        holder = Thread.currentThread();
        acquisitions++;
    }

    /** lock_futex.go: unlock2. Only the holder. */
    public void unlock() {
        assert state == 1 && holder == Thread.currentThread() : "unlock: runtime mutex not held by this thread";
        holder = null;
        STATE.setRelease(this, 0); // pairs with the CAS in lock/lockSlow
    }

    /** How many times it has been taken (racy: a holder may be adding one). */
    long acquisitions() {
        return (long) ACQUISITIONS.getOpaque(this);
    }

    /** Whether the calling thread holds it (for assertions). */
    public boolean heldByCurrentThread() {
        return state == 1 && holder == Thread.currentThread();
    }

    private static final VarHandle STATE;
    private static final VarHandle ACQUISITIONS;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RuntimeMutex.class, "state", int.class);
            ACQUISITIONS = MethodHandles.lookup().findVarHandle(RuntimeMutex.class, "acquisitions", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
