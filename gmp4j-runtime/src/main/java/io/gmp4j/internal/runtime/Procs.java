package io.gmp4j.internal.runtime;

/**
 * Scheduler facts for gmp4j's own packages (sync.Pool shards, time, tests): racy hints, like
 * Go's procPin without the pin.
 */
public final class Procs {
    private Procs() {}

    /** The current P's id, or -1 when the caller is not on a P. */
    public static int currentPid() {
        M mp = M.current();
        P pp = mp != null ? mp.p : null;
        return pp != null ? pp.id : -1;
    }

    /** The current GOMAXPROCS. */
    public static int maxProcs() {
        Proc.schedinit();
        return Sched.gomaxprocs;
    }

    /** Live goroutines (runtime.NumGoroutine). */
    public static int numGoroutine() {
        return AllGs.count();
    }

    /**
     * Every live goroutine's virtual-thread id (Thread.threadId) mapped to its goid: a snapshot
     * of allgs under each shard's lock, for the CPU profile's goroutine labels. Any thread.
     */
    public static java.util.Map<Long, Long> goidsByThreadId() {
        java.util.List<G> all = AllGs.snapshot();
        java.util.Map<Long, Long> m = new java.util.HashMap<>(all.size() * 2);
        for (G gp : all) {
            m.put(gp.thread().threadId(), gp.goid);
        }
        return m;
    }

    /** Live Ms: platform threads running the scheduler. */
    public static int threads() {
        return Sched.mcount.get();
    }

    /** Idle Ms parked on the idle list. */
    public static int idleThreads() {
        Sched.lock.lock();
        try {
            return Sched.nmidle;
        } finally {
            Sched.lock.unlock();
        }
    }

    /**
     * Gs each P has stolen from others since start, indexed by P id, then one more entry: the
     * steals of Ps that lowering GOMAXPROCS dropped.
     */
    public static long[] steals() {
        P[] allp;
        long dropped;
        Sched.lock.lock(); // allp and the dropped sum together: trimAllp moves a P's steals there
        try {
            allp = Sched.allp;
            dropped = Sched.droppedSteals;
        } finally {
            Sched.lock.unlock();
        }
        long[] s = new long[allp.length + 1];
        for (int i = 0; i < allp.length; i++) {
            s[i] = allp[i].steals;
        }
        s[allp.length] = dropped;
        return s;
    }

    /** The id of the M the caller runs on, or -1. */
    public static long currentMid() {
        M mp = M.current();
        return mp != null ? mp.id : -1;
    }

    /** Prints a schedtrace line (GODEBUG=schedtrace's format) to {@code out}. */
    public static void schedtrace(java.io.PrintStream out, boolean detailed) {
        Proc.schedinit();
        SchedTrace.print(out, detailed, System.nanoTime());
    }
}
