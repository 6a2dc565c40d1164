package io.gmp4j.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * The lock that guards a semaphore's or a notify list's wait queue: Go's runtime mutex
 * (lock_futex.go: lock2/unlock2), reduced to what its critical sections need.
 *
 * A holder never parks, yields or calls user code while holding it; every critical section is a
 * handful of pointer moves (enqueue or dequeue one Sudog). So a contender first spins
 * (lock_futex.go: active_spin = 4 rounds of active_spin_cnt = 30 PAUSE), then yields its thread
 * (lock_futex.go: passive_spin, osyield) until the holder is done. It never sleeps on a futex as
 * Go's does: the holder is always running, on some M or OS thread, because it cannot park.
 *
 * State: 0 = free, 1 = held. lock: CAS 0 -> 1 (acquire). unlock: setRelease 0 (release; pairs
 * with the CAS of the next locker).
 *
 * Thread.yield in a goroutine goes back through our scheduler (local run queue tail); in a
 * platform thread it is the OS's sched_yield. Either way the holder, which is running, finishes.
 */
final class RuntimeMutex {
    private volatile int state;

    /** lock_futex.go: lock2. Any thread; not reentrant. */
    void lock() {
        if (!STATE.compareAndSet(this, 0, 1)) {
            lockSlow();
        }
    }

    /** lock_futex.go: lock2, the contended part (outlined so that {@link #lock} inlines). */
    private void lockSlow() {
        for (int round = 0; ; round++) {
            if (state == 0 && STATE.compareAndSet(this, 0, 1)) {
                return;
            }
            if (round < 4) {
                for (int i = 0; i < 30; i++) {
                    Thread.onSpinWait();
                }
            } else {
                Thread.yield();
            }
        }
    }

    /** lock_futex.go: unlock2. Only the holder. */
    void unlock() {
        assert state == 1 : "unlock: runtime mutex not held";
        STATE.setRelease(this, 0); // pairs with the CAS in lock/lockSlow
    }

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RuntimeMutex.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
