package io.gmp4j.sync;

import io.gmp4j.GoPanic;
import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.Procs;
import io.gmp4j.internal.runtime.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's {@code sync.Mutex}: a mutual exclusion lock for goroutines (and threads). Not reentrant,
 * not owned: any goroutine may unlock it, as in Go. The zero state is unlocked.
 */
public final class Mutex implements Locker {
    /*
     * Go file and functions: sync/mutex.go: Lock, TryLock, lockSlow, Unlock, unlockSlow;
     * runtime/proc.go: sync_runtime_canSpin, sync_runtime_doSpin; semaphore: Sema (sema.go).
     *
     * state (one int, changed only by CAS/getAndAdd, seq-cst as Go's atomics):
     *   bit 0  LOCKED    the mutex is held
     *   bit 1  WOKEN     a waiter was woken (or a spinner announced itself): unlock need not wake another
     *   bit 2  STARVING  starvation mode: ownership is handed directly to the first waiter
     *   bits 3.. the number of goroutines parked (or about to park) on sema
     *
     * Two modes (mutex.go's essay, in short):
     *   normal     waiters queue FIFO, but a woken waiter competes with newly arriving goroutines
     *              (which are running, so they usually win). A loser is requeued at the head (lifo).
     *   starvation entered by a waiter that waited more than STARVATION_THRESHOLD_NANOS (1 ms).
     *              Unlock hands the mutex to the first waiter (Sema hand-off, then yield so it
     *              runs now); newcomers do not spin or barge, they queue at the tail. Left when
     *              the waiter that got the mutex is the last one, or waited less than 1 ms.
     *
     * Transitions of the low bits (old -> new, by whom, why):
     *   0        -> L        Lock fast path (CAS) or lockSlow when not starving
     *   L        -> L|W      a spinner announcing itself so Unlock does not wake another waiter
     *   L(n>0)   -> 0(n>0)   Unlock: getAndAdd(-L); unlockSlow then wakes one: n-1, |W
     *   L|S(n>0) -> S(n>0)   Unlock in starvation mode: hand-off via Sema(handoff = true)
     *   S(n>0)   -> L|S(n-1) the woken waiter takes it in starvation mode (it is not L yet: it owns it)
     *   S(n>0)   -> L(n-1)   ... and leaves starvation (it was the last waiter or did not starve)
     *   L|S      -> ... Lock never sets L while S is set: only the woken waiter may ("inconsistent" otherwise)
     *   unlock of a state without L: panic "sync: unlock of unlocked mutex" (fatal in Go).
     *
     * Spinning (canSpin): Go spins only when it can pay off: multicore, GOMAXPROCS > 1, at least one
     * other P running and the local run queue empty, for at most ACTIVE_SPIN rounds of
     * ACTIVE_SPIN_CNT pauses. We check the first two only: with Go's full check (no spin while
     * the local run queue has work) W8's loop measured a median of 8.5 ns per lock against 4.7
     * (docs/BENCHMARKS.md, W8), so a Mutex may spin where Go's would park.
     *
     * The fast paths (lock: one read and one CAS; unlock: one getAndAdd) are outlined from the
     * slow paths so that they inline, as mutex.go does. Lock's fast path takes any state that is
     * neither LOCKED nor STARVING, where Go's takes only 0. The outcome is the same: with those
     * bits clear, lockSlow's first iteration does not spin and CASes old -> old|LOCKED. But Go's
     * version pays the lockSlow call on every acquisition while a waiter is parked or WOKEN is
     * set, which is most of the time under contention: in W8, 800,000 of 1,000,000 locks went
     * through lockSlow and each cost 8-10 ns instead of 5-6 (docs/BENCHMARKS.md). The read
     * before the CAS is test-and-test-and-set: a bare CAS(0, LOCKED) first makes the uncontended
     * pair faster (4.2 against 4.9 ns on a platform thread, AMD EPYC) but W8 slower (7.50
     * against 6.45 ns, means of 10 processes' medians, 2026-11-29), because a failing CAS takes
     * the line from the holder where a read only shares it.
     *
     * Differences from Go (docs/DIVERGENCES.md): unlock of an unlocked Mutex is a GoPanic, not an
     * unrecoverable fatal error; no race-detector annotations. The mutex profile records a wait at the unlock that ends
     * it, with the unlocker's stack, as Go's (Sema); the block profile at the waiter.
     */
    static final int MUTEX_LOCKED = 1;
    static final int MUTEX_WOKEN = 2;
    static final int MUTEX_STARVING = 4;
    static final int MUTEX_WAITER_SHIFT = 3;
    /** mutex.go: starvationThresholdNs. */
    static final long STARVATION_THRESHOLD_NANOS = 1_000_000L;
    /** proc.go: active_spin, active_spin_cnt (Go's values; untuned on the JVM). */
    private static final int ACTIVE_SPIN = 4;
    private static final int ACTIVE_SPIN_CNT = 30;
    private static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;

    private volatile int state;
    private final Sema sema = new Sema();

    /** An unlocked Mutex (Go's zero value). */
    public Mutex() {}

    /** mutex.go: Lock. Blocks (wait reason {@code sync.Mutex.Lock}) until the mutex is free. */
    @Override
    public void lock() {
        int old = state;
        if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == 0 && STATE.compareAndSet(this, old, old | MUTEX_LOCKED)) {
            return; // fast path: grab an unlocked mutex, waiters or not (normal mode lets newcomers barge)
        }
        lockSlow();
    }

    /** mutex.go: TryLock. Never blocks; false when locked or in starvation mode. */
    public boolean tryLock() {
        int old = state;
        if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) != 0) {
            return false;
        }
        // There may be a goroutine waiting for the mutex, but we are running now and can try to
        // grab it before that goroutine wakes up (mutex.go).
        return STATE.compareAndSet(this, old, old | MUTEX_LOCKED);
    }

    /** mutex.go: lockSlow. */
    private void lockSlow() {
        Park.checkPreempt();
        long waitStartTime = 0;
        boolean starving = false;
        boolean awoke = false;
        int iter = 0;
        int old = state;
        for (;;) {
            // Don't spin in starvation mode: ownership is handed off to waiters.
            if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == MUTEX_LOCKED && canSpin(iter)) {
                // Set WOKEN so that Unlock does not wake other blocked goroutines.
                if (!awoke && (old & MUTEX_WOKEN) == 0 && (old >>> MUTEX_WAITER_SHIFT) != 0
                        && STATE.compareAndSet(this, old, old | MUTEX_WOKEN)) {
                    awoke = true;
                }
                doSpin();
                iter++;
                old = state;
                continue;
            }
            int next = old;
            if ((old & MUTEX_STARVING) == 0) {
                next |= MUTEX_LOCKED; // newcomers do not take a starving mutex
            }
            if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) != 0) {
                next += 1 << MUTEX_WAITER_SHIFT;
            }
            // Switch to starvation mode only if the mutex is still locked: Unlock expects
            // starving mutexes to have waiters, which is not true of an unlocked one.
            if (starving && (old & MUTEX_LOCKED) != 0) {
                next |= MUTEX_STARVING;
            }
            if (awoke) {
                if ((next & MUTEX_WOKEN) == 0) {
                    throw new GoPanic("sync: inconsistent mutex state"); // mutex.go: throw
                }
                next &= ~MUTEX_WOKEN;
            }
            if (STATE.compareAndSet(this, old, next)) {
                if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == 0) {
                    return; // locked the mutex with the CAS
                }
                // Waited before: go back to the front of the queue.
                boolean queueLifo = waitStartTime != 0;
                if (waitStartTime == 0) {
                    waitStartTime = System.nanoTime();
                }
                sema.acquire(queueLifo, WaitReason.SYNC_MUTEX_LOCK);
                starving = starving || System.nanoTime() - waitStartTime > STARVATION_THRESHOLD_NANOS;
                old = state;
                if ((old & MUTEX_STARVING) != 0) {
                    // We were handed the mutex: state is inconsistent (LOCKED not set, we are
                    // still counted as a waiter); fix it.
                    if ((old & (MUTEX_LOCKED | MUTEX_WOKEN)) != 0 || (old >>> MUTEX_WAITER_SHIFT) == 0) {
                        throw new GoPanic("sync: inconsistent mutex state"); // mutex.go: throw
                    }
                    int delta = MUTEX_LOCKED - (1 << MUTEX_WAITER_SHIFT);
                    if (!starving || (old >>> MUTEX_WAITER_SHIFT) == 1) {
                        // Exit starvation mode; do it here to avoid lock-step hand-offs between
                        // two goroutines (mutex.go).
                        delta -= MUTEX_STARVING;
                    }
                    STATE.getAndAdd(this, delta);
                    return;
                }
                awoke = true;
                iter = 0;
            } else {
                old = state;
            }
        }
    }

    /** mutex.go: Unlock. Panics "sync: unlock of unlocked mutex" when not locked. */
    @Override
    public void unlock() {
        int next = (int) STATE.getAndAdd(this, -MUTEX_LOCKED) - MUTEX_LOCKED; // fast path: drop the lock bit
        if (next != 0) {
            // Outlined slow path so that the fast path inlines.
            unlockSlow(next);
        }
    }

    /** mutex.go: unlockSlow. */
    private void unlockSlow(int next) {
        if (((next + MUTEX_LOCKED) & MUTEX_LOCKED) == 0) {
            STATE.getAndAdd(this, MUTEX_LOCKED); // undo, so the state stays consistent
            throw new GoPanic("sync: unlock of unlocked mutex");
        }
        if ((next & MUTEX_STARVING) == 0) {
            int old = next;
            for (;;) {
                // No waiters, or a goroutine has already been woken or grabbed the lock, or the
                // mutex went into starvation mode: nobody to wake.
                if ((old >>> MUTEX_WAITER_SHIFT) == 0 || (old & (MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING)) != 0) {
                    return;
                }
                // Take the right to wake someone.
                int woken = (old - (1 << MUTEX_WAITER_SHIFT)) | MUTEX_WOKEN;
                if (STATE.compareAndSet(this, old, woken)) {
                    sema.release(false);
                    return;
                }
                old = state;
            }
        } else {
            // Starvation mode: hand ownership to the next waiter and yield our time slice so that
            // it starts at once. LOCKED stays clear; the waiter sets it. While STARVING is set a
            // newcomer does not take the mutex.
            sema.release(true);
        }
    }

    /** proc.go: sync_runtime_canSpin, without the run-queue and idle-P conditions (see above). */
    private static boolean canSpin(int iter) {
        return iter < ACTIVE_SPIN && MULTICORE && Procs.maxProcs() > 1;
    }

    /** proc.go: sync_runtime_doSpin (procyield(active_spin_cnt)). */
    private static void doSpin() {
        for (int i = 0; i < ACTIVE_SPIN_CNT; i++) {
            Thread.onSpinWait();
        }
    }

    /** Test hook: the raw state word (racy). */
    int stateForTest() {
        return state;
    }

    @Override
    public String toString() {
        int s = state;
        return "Mutex[" + ((s & MUTEX_LOCKED) != 0 ? "locked" : "unlocked")
                + ((s & MUTEX_STARVING) != 0 ? ",starving" : "") + ",waiters=" + (s >>> MUTEX_WAITER_SHIFT) + "]";
    }

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Mutex.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
