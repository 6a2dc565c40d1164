package io.gmp4j.internal.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A processor: the right to run goroutines (runtime2.go: type p).
 *
 * <p>Holds the local run queue (a 256-slot ring, owner puts at the tail, anyone takes from the
 * head; operations in {@link RunQueue}), {@code runnext}, the per-P timer heap and counters.
 *
 * <pre>
 * Status (runtime2.go: _Pidle, _Prunning, _Pdead, Go's numbers; no _Psyscall, see {@code running}
 * below; no _Pgcstop, procresize never stops the world):
 *   _Pidle    -> _Prunning  acquirep by an M (from the idle list, or handed to a new M)
 *   _Prunning -> _Pidle     releasep: the M found nothing to run, or sysmon retook the P
 *   _Pidle    -> _Pdead     procresize shrinks GOMAXPROCS: an idle P above the limit is
 *                           taken off the idle list and retired at once
 *   _Prunning -> _Pdead     a P above the limit held by an M is marked {@code retired}; the
 *                           M retires it at its next schedule (retirep), or handoffp does
 *   _Pdead    -> _Pidle     procresize grows GOMAXPROCS again: the P is revived onto the
 *                           idle list
 * </pre>
 * Retiring moves the P's queue to the global queue and its timers to P0.
 *
 * <p>Who writes what:
 * <ul>
 *   <li>{@code runqtail}: the owner M only (release; pairs with stealers' acquire).</li>
 *   <li>{@code runqhead}: any thread, by CAS (the owner too, in runqget).</li>
 *   <li>{@code runnext}: the owner by exchange/CAS, stealers by CAS.</li>
 *   <li>{@code m}, {@code status}, {@code link}: the owning M, or under {@code sched.lock}.</li>
 *   <li>{@code running}: the M whose G runs user code on this P right now, or null while the
 *       M is in scheduler code. A G-side operation that touches the P (runqput from
 *       {@code ready}) and the M returning from a G take it by CAS(m, null); sysmon retakes
 *       the P with the same CAS. Only the winner may touch the run queue as owner. This is how
 *       the JVM does Go's {@code _Psyscall} hand-off: we cannot stop the G, so the P is taken
 *       away from under it and the G, when it next stops, finds it gone.</li>
 *   <li>{@code schedtick}: the owner (plain, read racily by sysmon: benign).</li>
 * </ul>
 */
final class P {
    static final int _Pidle = 0, _Prunning = 1, _Pdead = 4;
    /** runtime2.go: the local run queue's size. */
    static final int RUNQ_SIZE = 256;

    final int id;
    volatile int status = _Pidle;
    /** The M holding this P (runtime2.go: p.m). */
    volatile M m;
    /** Idle P list link (sched.lock). */
    P link;

    // RunQueue fields (proc.go: runqput/runqget/runqgrab).
    int runqhead; // accessed through RUNQHEAD: acquire loads, CAS
    int runqtail; // accessed through RUNQTAIL: owner stores release, others load acquire
    final G[] runq = new G[RUNQ_SIZE];
    volatile G runnext;

    /** Above GOMAXPROCS: retired by its M at its next schedule (procresize). sched.lock. */
    volatile boolean retired;

    /** The M running a G on this P, or null while in scheduler code (see class comment). */
    volatile M running;
    /**
     * Incremented when a G starts a new time slice (runtime2.go: schedtick): every execute but
     * those of a G taken from runnext, which inherit the slice. Sysmon preempts the running G
     * when it has not moved for forcePreemptNS.
     */
    /**
     * /sched/latencies:seconds: runnable-to-running times of the tracked transitions of the Gs
     * this P ran (TimeHist's layout). Written by the M holding this P only; read racily.
     */
    final long[] schedLat = new long[TimeHist.COUNTS];
    volatile int schedtick;
    /** Set by sysmon when the running slice is over; cleared by the owner in findRunnable. */
    volatile boolean sliceOver;
    /** Incremented on every execute, inherited slice or not: sysmon's "same G still mounted". */
    volatile int runticks;
    /** Incremented on every hand-off (runtime2.go: syscalltick). */
    volatile int syscalltick;

    /** sysmon's view (runtime2.go: sysmontick), owned by sysmon. */
    int sysmonSchedtick;
    long sysmonSchedwhen;
    /** sysmon's view of runticks: the value and when it was first seen. */
    int sysmonRunticks;
    long sysmonRunwhen;
    /** The runticks at which sysmon asked the running G to yield, or -1. */
    int sysmonPreemptRun = -1;
    /** When sysmon asked (sysmonPreemptRun was set). */
    long sysmonPreemptWhen;
    /** The slice (its sysmonSchedwhen) in which sysmon last asked a G of this P to yield. */
    long sysmonAskSlice;

    /** Per-P timer heap (Go 1.14+). */
    final Timers timers = new Timers(this);

    /** Counters for tests and schedtrace: Gs this P stole and Gs stolen from it. */
    volatile long steals;

    /** Tests only: where runqputslow sends its batch instead of the global queue. */
    java.util.function.Consumer<G[]> overflowForTest;

    P(int id) {
        this.id = id;
    }

    void soSchedtick(int t) {
        SCHEDTICK.setRelease(this, t);
    }

    void soRunticks(int t) {
        RUNTICKS.setRelease(this, t);
    }

    void soRunning(M mp) {
        RUNNING.setRelease(this, mp);
    }

    boolean casRunning(M expect, M update) {
        return RUNNING.compareAndSet(this, expect, update);
    }

    int laRunqhead() {
        return (int) RUNQHEAD.getAcquire(this); // pairs with casRunqhead of consumers
    }

    boolean casRunqhead(int expect, int update) {
        return RUNQHEAD.compareAndSet(this, expect, update); // pairs with laRunqhead in runqput
    }

    int laRunqtail() {
        return (int) RUNQTAIL.getAcquire(this); // pairs with soRunqtail: the slots below it are written
    }

    void soRunqtail(int tail) {
        RUNQTAIL.setRelease(this, tail); // pairs with laRunqtail of consumers
    }

    boolean casRunnext(G expect, G update) {
        return RUNNEXT.compareAndSet(this, expect, update);
    }

    G xchgRunnext(G update) {
        return (G) RUNNEXT.getAndSet(this, update);
    }

    @Override
    public String toString() {
        return "P" + id;
    }

    private static final VarHandle RUNNING, RUNQHEAD, RUNQTAIL, RUNNEXT, SCHEDTICK, RUNTICKS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUNNING = l.findVarHandle(P.class, "running", M.class);
            RUNQHEAD = l.findVarHandle(P.class, "runqhead", int.class);
            RUNQTAIL = l.findVarHandle(P.class, "runqtail", int.class);
            RUNNEXT = l.findVarHandle(P.class, "runnext", G.class);
            SCHEDTICK = l.findVarHandle(P.class, "schedtick", int.class);
            RUNTICKS = l.findVarHandle(P.class, "runticks", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
