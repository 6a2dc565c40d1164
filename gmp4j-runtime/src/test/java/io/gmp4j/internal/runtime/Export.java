package io.gmp4j.internal.runtime;

import java.util.function.Consumer;

/** Test access to runtime internals (Go's export_test.go). Tests use nothing else. */
public final class Export {
    private Export() {}

    /** A P outside the scheduler whose overflow goes to {@code overflow}. */
    public static Object newP(int id, Consumer<Object[]> overflow) {
        P pp = new P(id);
        pp.overflowForTest = overflow::accept;
        return pp;
    }

    /** An unstarted G (never scheduled) for run queue tests. */
    public static Object newG(long goid) {
        return new G(goid, () -> {}, false);
    }

    public static long goid(Object g) {
        return ((G) g).goid;
    }

    public static void runqput(Object pp, Object gp, boolean next) {
        RunQueue.runqput((P) pp, (G) gp, next);
    }

    public static Object runqget(Object pp) {
        return RunQueue.runqget((P) pp);
    }

    /** Steals half of victim's queue into thief's; returns one G or null. Thief owner only. */
    public static Object runqsteal(Object thief, Object victim, boolean stealRunNext) {
        return RunQueue.runqsteal((P) thief, (P) victim, stealRunNext);
    }

    public static boolean runqempty(Object pp) {
        return RunQueue.runqempty((P) pp);
    }

    public static int runqsize(Object pp) {
        return RunQueue.runqsize((P) pp);
    }

    public static int runqCapacity() {
        return P.RUNQ_SIZE;
    }

    /** The P id the caller runs on, -1 if none. */
    public static int currentPid() {
        return Procs.currentPid();
    }

    /** The schedtick of the caller's P (it changes when an M starts a new slice there), or -1. */
    public static int currentSchedtick() {
        M mp = M.current();
        P pp = mp == null ? null : mp.p;
        return pp == null ? -1 : pp.schedtick;
    }

    public static long currentMid() {
        return Procs.currentMid();
    }

    /** Raises the calling goroutine's preempt flag, as sysmon does at a slice's end. */
    public static void requestPreempt() {
        G.current().preempt = true;
    }

    /** Whether the calling goroutine's preempt flag is still up (a preemption point clears it). */
    public static boolean preemptPending() {
        return G.current().preempt;
    }

    /** How many times sched.lock has been taken since the runtime started. */
    public static long schedLockAcquisitions() {
        return Sched.lock.acquisitions();
    }

    public static int globalRunqSize() {
        return Sched.runqsize;
    }

    public static int threads() {
        return Sched.mcount.get();
    }

    public static int gomaxprocs() {
        return Procs.maxProcs();
    }

    public static long forcePreemptNanos() {
        return Sysmon.forcePreemptNanos;
    }

    public static String godebugParsed(String s, String key) {
        return Env.parseGodebug(s).get(key);
    }

    public static int cgroupAdjust(int procs, double limit) {
        return Cgroup.adjust(procs, limit < 0 ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(limit));
    }

    public static int countCpuList(String s) {
        return Cgroup.countCpuList(s);
    }

    public static double parseCpuMax(String s) {
        var v = Cgroup.parseCpuMax(s);
        return v.isPresent() ? v.getAsDouble() : -1;
    }

    /** Collections GODEBUG=gctrace has printed so far. */
    public static int gcTraceReported() {
        return GcTrace.reported();
    }

    /** Runtime timers pending over every P's heap (each heap's count under its lock). */
    public static int timersPending() {
        return Timers.pendingCount();
    }
}
