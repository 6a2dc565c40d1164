package io.gmp4j.internal.runtime;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A goroutine (runtime2.go: type g).
 *
 * <p>A G is a JDK virtual thread whose scheduler is the G itself: the JDK calls
 * {@link #execute} with the same continuation {@code Runnable} whenever the thread becomes
 * runnable (started, unparked, yielded), which is Go's {@code ready}. The G is also the
 * thread's task ({@link #run}), which gives Go's goroutine exit path: panics, Goexit,
 * {@code allgs} removal.
 *
 * <pre>
 * Status (Go's _G* names; written by the G itself or by the M that runs it):
 *   _Grunnable -> _Grunning   an M took it from a run queue (M, before cont.run())
 *   _Grunning  -> _Gwaiting   it parks through gmp4j's Park (the G, in beginWait); a G parked
 *                             by the JDK (j.u.c., sockets, monitors) stays _Grunning with no
 *                             wait reason: dumps derive one, checkdead treats it as wakeable
 *   _Gwaiting  -> _Grunnable  it was readied (execute; any thread)
 *   _Grunning  -> _Grunnable  it yielded or was preempted (M, after cont.run() returned)
 *   _Grunning  -> _Gdead      its task returned or threw (the G, at the end of run)
 *   _Gdead     -> *           never: a virtual thread cannot be restarted, so there is no
 *                             gfput/gfget free list (docs/DIVERGENCES.md)
 * </pre>
 *
 * <p>A virtual thread started inside the goroutine inherits the G as its scheduler (the JDK's
 * constructor takes the parent's): its continuations reach {@link #execute} too, and go to the
 * JDK's own scheduler (ForeignThreads). The thread's own continuation is read from
 * the JDK's field ({@link #cont}), so one reference compare tells them apart. {@code allprev} and
 * {@code allnext} are guarded by the lock of the G's AllGs stripe. {@code preempt} is set by sysmon
 * and cleared by the G. {@code waitReason}/{@code waitSince} are written by the G
 * itself and read racily by dumps (benign: a dump is a snapshot).
 */
public final class G implements Runnable, Executor {
    // runtime2.go: _Grunnable.._Gdead, Go's numbers (no _Gidle: a G is runnable from birth;
    // no _Gsyscall: a blocking JDK call is not seen, sysmon retakes the P instead)
    static final int _Grunnable = 1, _Grunning = 2, _Gwaiting = 4, _Gdead = 6;

    /** runtime2.go: goid. 1 is the main goroutine. */
    public final long goid;
    /**
     * A back-edge check found this G pinned (class initialiser, native frame) and could not
     * yield: later checks leave it to sysmon's hand-off until the next execute. Only the G and
     * the M that executes it write it; sysmon reads it racily (Preempt.pending).
     */
    boolean preemptPinned;
    /**
     * runtime2.go: trackingSeq, runnableTime. One transition to runnable in 8 is timed
     * (proc.go: gTrackingPeriod): the waker stamps readySince (System.nanoTime), the M that
     * executes the G records now - readySince in its P's /sched/latencies histogram and clears it.
     * Plain fields: the waker's stores are published by the run-queue put, read after its take.
     */
    long readySince;
    /**
     * The goroutine's function until the G starts, then the function's class (runtime2.go:
     * startpc, which the tracer names): a running goroutine's closure stays reachable through
     * its own frames while they use it, not through its G. Written by the G as it starts;
     * read racily by the tracer.
     */
    Object fn;
    /**
     * The virtual thread. Its continuation runner (the Runnable the JDK hands {@link #execute},
     * the same object every time) is read from it, not kept here: every field of a G is paid
     * once per parked goroutine (the mem workload), and the JDK field is one load away.
     */
    final Thread thread;
    /** allgs links (their AllGs stripe's lock). */
    G allprev, allnext;
    /** The AllGs stripe this G is linked into (written before it is published). */
    byte allgsStripe;
    /** WaitReason's ordinal: a byte, not a reference, keeps the G at 64 bytes (the mem workload). */
    volatile byte waitReason;
    /** runtime2.go: lockedm. The M this G is wired to by lockOSThread (its m.lockedExt counts), or null. */
    volatile M lockedm;
    volatile int status;
    /**
     * runtime2.go: waitsince, in units of 2^30 ns (about 1.07 s; dumps print whole minutes),
     * truncated to an int: differences stay right across wrap-around for 73 years.
     */
    volatile int waitSince;
    byte trackingSeq;
    /** runtime2.go: preempt. Set by sysmon (retake), cleared by the G at a preemption point. */
    volatile boolean preempt;
    /** Go.gosched asked that the next execute go to the global queue (set by the G itself). */
    boolean toGlobal;
    /** The main goroutine of a Go.run (its Goexit has Go's main semantics). */
    final boolean isMain;
    /**
     * An entry for this G is in a run queue and no M has taken it yet. Set by
     * {@link #execute}, cleared by the M that takes the entry
     * ({@link Proc#takeEntry}). The JDK submits a virtual thread's continuation once per wake-up,
     * except that {@code Thread.getStackTrace} of a runnable one (every goroutine dump) submits
     * it again, in case it ran while the trace held it: without this flag the G would sit in
     * our queues twice, and a locked G's second entry would hand a P to an M busy with, or done
     * with, that G (a P lost for good: CI hung on it twice, 2026-12-04/05).
     */
    volatile boolean queued;

    // Field layout (64 bytes with compressed oops: a 12-byte header, two longs, five references,
    // two ints, eight bytes) is part of the mem workload's figure: keep it packed. Anything
    // more makes the G 72 bytes.

    G(long goid, Runnable fn, boolean isMain) {
        this.goid = goid;
        this.fn = fn;
        this.isMain = isMain;
        this.status = _Grunnable;
        // proc.go: newproc1 seeds trackingSeq with fastrand, so that one new G in 8 has its first
        // transition timed; from 0 every G's was (two nanoTime calls per spawn, 8 % of W1's CPU).
        this.trackingSeq = (byte) ((goid * 0x9E3779B97F4A7C15L) >>> 56);
        // Unnamed, like Go's goroutines: building a name per G costs ~15% of a spawn. Dumps use goid.
        this.thread = JdkInternals.newVirtualThread(this, isMain ? "main goroutine" : "", this);
    }

    /** The JDK continuation runner for {@link #thread}; the same object on every execute. */
    Runnable cont() {
        return JdkInternals.runContinuationOf(thread);
    }

    /** Whole minutes since the G began its wait (runtime2.go: waitsince; traceback.go's "N minutes"). */
    long waitMinutes() {
        int units = (int) (Sched.coarseNanos() >> 30) - waitSince;
        return ((long) units << 30) / 60_000_000_000L;
    }

    /** The goroutine running on the current thread, or null when it is not one of ours. */
    public static G current() {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return null;
        }
        // A JDK virtual thread started in a goroutine has that G as its scheduler too.
        return JdkInternals.schedulerOf(t) instanceof G gp && gp.thread == t ? gp : null;
    }

    /** The virtual thread that is this goroutine. */
    public Thread thread() {
        return thread;
    }

    /** What the goroutine waits for (ZERO when it is not waiting on a gmp4j primitive). */
    public WaitReason waitReason() {
        return WaitReason.ofOrdinal(waitReason);
    }

    // The diagnostic fields (status, waitReason, waitSince) are volatile for their racy
    // readers (dumps, checkdead, schedtrace) but written with release stores: a StoreLoad fence
    // per park would cost ~10 ns twice per goroutine switch, and no reader needs it.

    void beginWait(WaitReason reason) {
        WAIT_SINCE.setRelease(this, (int) (Sched.coarseNanos() >> 30));
        WAIT_REASON.setRelease(this, (byte) reason.ordinal());
        STATUS.setRelease(this, _Gwaiting);
        if (ExecTrace.on) {
            ExecTrace.parking(reason);
        }
    }

    void endWait() {
        M mp = M.current();
        if (mp != null) {
            mp.countParkReturn(); // before the status: see Deadlock.quiescentTicks
        }
        STATUS.setRelease(this, _Grunning);
        WAIT_REASON.setRelease(this, (byte) 0);
        if (ExecTrace.on) {
            ExecTrace.parking(WaitReason.ZERO); // the park returned, yielded or not
        }
    }

    void soStatus(int s) {
        STATUS.setRelease(this, s);
    }

    private static final java.lang.invoke.VarHandle STATUS, WAIT_REASON, WAIT_SINCE, QUEUED;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            STATUS = l.findVarHandle(G.class, "status", int.class);
            QUEUED = l.findVarHandle(G.class, "queued", boolean.class);
            WAIT_REASON = l.findVarHandle(G.class, "waitReason", byte.class);
            WAIT_SINCE = l.findVarHandle(G.class, "waitSince", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * proc.go: ready. Called by the JDK whenever this G's virtual thread becomes runnable,
     * on whatever thread made it so. Thread-safe; never throws (the caller may be a JDK
     * timer or poller thread). A continuation that is not ours belongs to a JDK virtual
     * thread started inside this goroutine: it goes to the JDK's scheduler, whatever our state.
     *
     * <p>G is public (the API packages reach it) and {@link #current} hands it out, so anyone
     * may call this. Every virtual thread's continuation runner is an instance of one JDK
     * class ({@code this::runContinuation} in VirtualThread's constructor), the class of our
     * own {@code cont}; anything else is not a thread's continuation and is rejected, never
     * run on the JDK's carrier pool (off the hot path: our own continuation is the first
     * compare). Our own continuation is not reachable without opening java.lang.
     *
     * @throws RejectedExecutionException when {@code continuation} is not a virtual thread's
     *     continuation (the JDK never passes one)
     */
    @Override
    public void execute(Runnable continuation) {
        Runnable cont = cont();
        if (continuation != cont) {
            if (continuation == null || continuation.getClass() != cont.getClass()) {
                throw new RejectedExecutionException(
                        "not a virtual thread's continuation: goroutines are started with Go.go");
            }
            ForeignThreads.execute(continuation);
            return;
        }
        if (queued) {
            return; // the JDK's resubmission of a G still in our queues: see queued
        }
        QUEUED.setRelease(this, true); // no fence: a resubmission that misses it queues a stale entry, which the taker drops
        soStatus(_Grunnable);
        if ((trackingSeq++ & 7) == 0) { // proc.go: gTrackingPeriod
            readySince = System.nanoTime();
        }
        Proc.ready(this);
    }

    /**
     * The goroutine body, then Go's goexit0 path ({@link #exit}). Kept this small so that the
     * JIT inlines it into VirtualThread.run: a frame of its own would be copied into every
     * parked goroutine's stack chunk (the mem workload).
     */
    @Override
    public void run() {
        Throwable panic = null;
        try {
            Runnable f = (Runnable) fn;
            fn = f.getClass();
            f.run();
        } catch (Throwable t) {
            panic = t;
        }
        exit(panic);
    }

    /** panic (or null) escaped the body; runtime.Goexit ends it with Goexit.Signal. */
    private void exit(Throwable panic) {
        try {
            if (panic != null && !(panic instanceof Goexit.Signal)) {
                try {
                    Panics.crash(this, panic);
                } catch (Goexit.Signal handlerGoexited) {
                    panic = handlerGoexited; // the PanicHandler called Goexit: we end through it
                }
            }
            if (panic instanceof Goexit.Signal && isMain) {
                // Recorded as main ends, not when it calls Goexit: a catch (Throwable) in main
                // may swallow the Goexit, and then main returns as if it had not been called.
                Proc.mainGoexited();
            }
        } finally {
            try {
                Proc.goexit0(this);
            } catch (Throwable e) {
                Panics.runtimeThrow("goexit0", e); // not the JDK's uncaught-exception printout
            }
        }
    }

    @Override
    public String toString() {
        return "goroutine " + goid;
    }
}
