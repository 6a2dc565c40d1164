package io.gmp4j.internal.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * A machine: a platform thread that runs Go's scheduler loop (runtime2.go: type m;
 * proc.go: mstart, schedule). See {@link Proc} for the loop itself.
 *
 * <p>Fields: {@code p} is written by this M only (acquirep/releasep). {@code nextp} and
 * {@code spinning} are written by whoever starts the M (startm, under sched.lock or before
 * the wake-up) and read by the M after it wakes: the wake-up is the hand-over
 * ({@link #notewakeup}'s volatile write, read in {@link #notesleep}). {@code curg} is written
 * by this M and read racily by sysmon and dumps.
 */
final class M extends Thread {
    final long id;
    /** The attached P, or null (runtime2.go: m.p). Owned by this M. */
    P p;
    /** The P handed to this M by startm or startlockedm (runtime2.go: m.nextp); see takeNextp. */
    volatile P nextp;
    /** Looking for work (runtime2.go: m.spinning); counted in sched.nmspinning. */
    volatile boolean spinning;
    /** The G this M is running, or null. */
    volatile G curg;
    /** The G wired to this M by lockOSThread (runtime2.go: m.lockedg). */
    volatile G lockedg;
    /** proc.go: p.sudogcache, per M here (SudogCache). Only the G mounted on this M. */
    final SudogCache sudogcache = new SudogCache();
    /** runtime2.go: m.lockedExt, the nesting count of lockedg's lockOSThread (only lockedg writes it). */
    int lockedExt;
    /** Idle M list link (sched.lock). */
    M schedlink;
    /** True while in the idle list (sched.lock). */
    boolean idle;
    /** Set by this M's lockedg ending: the M exits instead of going idle (proc.go: goexit0 + mexit). */
    boolean exitAfterG;
    /** Set as the M leaves mstart: handing it a P from then on would lose the P (checked there). */
    volatile boolean exited;
    /** Gs that exited on this M, still linked in allgs (AllGs.flush). Only this M and its current G. */
    final G[] deadGs = new G[AllGs.EXIT_BATCH];
    int ndeadGs;
    /** When a back-edge check last found this M's G pinned (System.nanoTime; Preempt). Only that G. */
    long preemptPinnedAt;
    /** goid batch (proc.go: p.goidcache). Only this M's current G. */
    long goidcache, goidcacheend;
    /** findRunnable took the G from runnext: execute counts no schedtick (proc.go: inheritTime). Only this M. */
    boolean inheritTime;
    /**
     * startlockedm's hand-off of a G taken from runnext: this locked M runs it in the slice it
     * inherited (stoplockedm moves it to inheritTime). Written before the nextp CAS, read after
     * takeNextp.
     */
    boolean nextInheritTime;
    /**
     * gmp4j waits (Park) that returned on this M. A G pinned to its carrier wakes with no
     * schedtick, so Deadlock's quiescence check counts these too. Written with release by the G
     * mounted on this M; read by sysmon.
     */
    int parkReturns;
    /** Counts this M's mounts of runnext Gs, to time one in Proc.SWITCH_SAMPLE. Only this M. */
    int switchSeq;
    /** In scheduler code, owning {@code p} outright (P.running is null). */
    boolean inScheduler = true;

    private volatile boolean wakeup;
    /**
     * Why the G mounted on this M parked (WaitReason ordinal; ExecTrace.parking), or
     * ExecTrace.YIELDED / EXITED, for its slice's end. Volatile for ExecTrace.stop's reads;
     * written only while tracing.
     */
    volatile byte traceParkReason;
    /**
     * When the G mounted on this M stopped running, 0 while it runs: its slice's end. Taken where
     * the G announces its park (ExecTrace.parking) or its own afterYield readies it
     * (ExecTrace.unblock), before another M can run it; the M returns from cont.run() later.
     * The M and the G mounted on it.
     */
    volatile long traceEndNanos;
    /**
     * The slice this M runs under a trace (ExecTrace.SLICE_NONE, SLICE_OPEN, SLICE_WRITING):
     * OPEN from sliceStart until the M takes it (CAS to WRITING) to put it in its ring, unless a
     * Trace.stop took it first (CAS to NONE) and wrote it itself. The start, G and P below are
     * written by this M before it sets OPEN.
     */
    volatile int traceSlice;
    long traceSliceStart;
    G traceSliceG;
    P traceSliceP;
    /** This M's execution-trace ring (ExecTrace), written by the M and the G mounted on it. */
    ExecTrace.Buf tbuf;
    /** In notesleep (runtime2.go: m.blocked). Written by this M, read racily by schedtrace. */
    volatile boolean blocked;

    M(long id) {
        // The JVM's default stack size, as the JDK's own carrier threads have. (A goroutine's
        // own depth limit is the JDK's virtual-thread limit, not this: ProcTest measures it.)
        super(null, null, "gmp4j-M" + id, 0, false);
        this.id = id;
        setDaemon(true);
    }

    @Override
    public void run() {
        Proc.mstart(this);
    }

    /**
     * The P this M holds, for the dumps (scheddetail, /debug/sched): {@code p}, unless sysmon
     * handed it off meanwhile (retake) and this M has not noticed yet. Go's M has cleared m.p
     * in entersyscall by then and shows p=nil. Any thread; racy, as the dumps' other reads.
     */
    P heldP() {
        P pp = p;
        return pp != null && pp.m == this ? pp : null;
    }

    void soCurg(G gp) {
        CURG.setRelease(this, gp);
    }

    /** Takes the P handed to this M (startm, startlockedm), or null. Only this M. */
    P takeNextp() {
        return nextp == null ? null : (P) NEXTP.getAndSet(this, (P) null);
    }

    /** startlockedm's hand-off (and its withdrawal): one at a time, against takeNextp. */
    boolean casNextp(P expected, P pp) {
        return NEXTP.compareAndSet(this, expected, pp);
    }

    /** A gmp4j wait of the G mounted on this M returned (G.endWait). */
    void countParkReturn() {
        PARK_RETURNS.setRelease(this, parkReturns + 1);
    }

    /** parkReturns, for sysmon. */
    int lvParkReturns() {
        return (int) PARK_RETURNS.getAcquire(this);
    }

    /** ExecTrace's claim on this M's open slice: the M's (OPEN -> WRITING) or a stop's (OPEN -> NONE). */
    boolean casTraceSlice(int expect, int update) {
        return TRACE_SLICE.compareAndSet(this, expect, update);
    }

    private static final java.lang.invoke.VarHandle CURG, NEXTP, PARK_RETURNS, WAKEUP, TRACE_SLICE;

    static {
        try {
            PARK_RETURNS = java.lang.invoke.MethodHandles.lookup().findVarHandle(M.class, "parkReturns", int.class);
            NEXTP = java.lang.invoke.MethodHandles.lookup().findVarHandle(M.class, "nextp", P.class);
            WAKEUP = java.lang.invoke.MethodHandles.lookup().findVarHandle(M.class, "wakeup", boolean.class);
            CURG = java.lang.invoke.MethodHandles.lookup().findVarHandle(M.class, "curg", G.class);
            TRACE_SLICE = java.lang.invoke.MethodHandles.lookup().findVarHandle(M.class, "traceSlice", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** runtime: notesleep(&m.park). Only this M. Returns false on timeout. */
    boolean notesleep(long timeoutNanos) {
        if (ndeadGs != 0) {
            AllGs.flush(this); // no dead G stays reachable while its M sleeps
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        blocked = true;
        try {
            return sleep0(timeoutNanos, deadline);
        } finally {
            blocked = false;
        }
    }

    /**
     * Consumes the wake-up with a CAS: a notewakeup between a plain read of true and a store of
     * false (a second hand-off, a timer kick) would be erased, and this M would sleep through it.
     */
    private boolean sleep0(long timeoutNanos, long deadline) {
        while (!WAKEUP.compareAndSet(this, true, false)) {
            if (timeoutNanos > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
        }
        return true;
    }

    /** runtime: notewakeup(&m.park). Any thread. */
    void notewakeup() {
        wakeup = true; // read by notesleep after its park returns
        LockSupport.unpark(this);
    }

    /** The M running the caller: the caller itself, or the carrier of the current G; else null. */
    static M current() {
        Thread t = Thread.currentThread();
        if (t instanceof M m) {
            return m;
        }
        if (t.isVirtual()) {
            return JdkInternals.carrierOf(t) instanceof M m ? m : null;
        }
        return null;
    }

    @Override
    public String toString() {
        return "M" + id;
    }
}
