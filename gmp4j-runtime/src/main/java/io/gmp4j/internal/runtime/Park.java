package io.gmp4j.internal.runtime;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * gopark / goready for gmp4j's own primitives (channels, select, sync, time).
 *
 * <p>A goroutine is a JDK virtual thread on our scheduler, so parking is
 * {@link LockSupport#park}: the G unmounts and its M runs the next G; {@link #ready} is
 * {@link LockSupport#unpark}, which reaches {@code G.execute} and so Go's {@code ready}
 * (the waker's {@code runnext} when the waker is a G on one of our Ms). What this class adds
 * is Go's bookkeeping: the wait reason a goroutine dump shows, the time the wait began, and
 * the cooperative preemption check.
 *
 * <p>Works from any thread: a platform thread that is not a goroutine parks as a thread.
 * Like {@code LockSupport.park}, {@link #park} may return spuriously: callers re-check their
 * condition in a loop.
 */
public final class Park {
    private Park() {}

    /**
     * proc.go: gopark. Parks the caller until {@link #ready} or spuriously; records {@code reason}.
     * Not interruptible, like Go's waits: a pending interrupt is cleared first, so that it does
     * not end the park at once, and reported. The caller parks in a loop until its condition
     * holds and sets the interrupt again once, after the loop, when any park reported one (an
     * interrupt that arrives during the last park is still set). Not after each park: a virtual
     * thread that interrupts itself also makes its park permit available, so the loop's next
     * park would return at once, and the loop would spin on its M until the condition held
     * (InterruptedWaitTest).
     *
     * @return whether a pending interrupt was cleared: the caller owes it back
     */
    public static boolean park(Object blocker, WaitReason reason) {
        // One method, no delegation: every frame here is copied into each parked goroutine's
        // stack chunk (the mem workload).
        boolean interrupted = Thread.interrupted();
        G gp = G.current();
        if (gp != null) {
            gp.beginWait(reason);
        }
        try {
            LockSupport.park(blocker);
        } finally {
            if (gp != null) {
                gp.endWait();
            }
        }
        return interrupted;
    }

    /**
     * lock_futex.go: osyield, for a runtime lock's waiter: the OS thread yields its CPU, to
     * the holder if the OS descheduled it there. A goroutine's {@code Thread.yield} would run
     * another goroutine on the same CPU instead. Any thread.
     */
    public static void osyield() {
        JdkInternals.osyield();
    }

    /**
     * lock_futex.go: futexsleep with a timeout, for a runtime lock's waiter: the OS thread
     * sleeps about {@code nanos} with its goroutine mounted, so its M keeps its P, as in Go.
     * No wake-up comes early; the caller retries. Any thread.
     */
    public static void ossleep(long nanos) {
        JdkInternals.ossleep(nanos);
    }

    /**
     * proc.go: goready. Makes {@code t} runnable; from a G on our M it runs next on that P.
     *
     * <p>Starts with a full fence. The caller has just stored the waiter's wake condition
     * (a sudog's done, a select's param), often with release only, and the JDK's unpark first
     * reads the park permit and returns at once when it is already set. Without the fence that
     * read may pass the store (x86 lets a load overtake an earlier store), and a stale permit
     * (a hand-off the waiter saw before it parked, anyone's LockSupport.unpark) then swallows
     * the wake-up: the waiter consumes the permit, still reads "not done", and parks for good.
     * StalePermitWakeupTest; found with W7 and senders that spun before parking.
     */
    public static void ready(Thread t) {
        VarHandle.fullFence(); // the wake condition before the permit read (see above)
        LockSupport.unpark(t);
    }

    /**
     * The cooperative preemption point (Go's stack-bound check at function entry): when sysmon
     * asked the current goroutine to give up its P, yield now. Cheap when no request is pending;
     * every gmp4j operation that may block calls it.
     */
    public static void checkPreempt() {
        G gp = G.current();
        if (gp != null && gp.preempt) {
            Proc.preemptPark(gp);
        }
    }

    /** Clears a pending preemption request of the caller (it is about to yield anyway). */
    static void checkPreemptCleared() {
        G gp = G.current();
        if (gp != null) {
            gp.preempt = false;
        }
    }

    /**
     * proc.go: sync_runtime_canSpin, less its nmspinning term: more than one CPU, another P
     * not idle (gomaxprocs > npidle + 1) so that a partner can act meanwhile, and the caller's
     * own P with nothing queued, not even runnext: a spin there would keep the G that is to
     * complete the hand-off from running. A spinning M counts as busy: it is about to run the
     * partner. False off our Ms.
     */
    public static boolean canSpin() {
        if (NCPU <= 1 || Sched.gomaxprocs <= Sched.npidle + 1) {
            return false;
        }
        M mp = M.current();
        P pp = mp == null ? null : mp.p;
        return pp != null && RunQueue.runqempty(pp);
    }

    private static final int NCPU = Runtime.getRuntime().availableProcessors();

    /** The current goroutine's id, or 0 on a thread that is not a goroutine. */
    public static long goid() {
        G gp = G.current();
        return gp == null ? 0 : gp.goid;
    }
}
