package io.gmp4j.internal.runtime;

/**
 * A runtime timer (time.go: type timer): calls {@code f} at {@code when}, then every
 * {@code period} nanos if that is positive. Lives in one P's heap ({@link Timers}) while
 * pending; run by that P's M from findRunnable, by a stealing M, or by sysmon when the P is
 * busy with a long-running G.
 *
 * <pre>
 * State (written under the owning heap's lock; see Timers):
 *   IDLE    -> PENDING   reset (modtimer/addtimer)
 *   PENDING -> IDLE      stop (deltimer): f will not run for this arming
 *   PENDING -> RUNNING   a heap check popped it: f is about to run (periodic: re-armed, stays PENDING)
 *   PENDING -> IDLE      runSerializedIfDue took a due one-shot's run: its caller acts instead
 *                        of f (periodic: re-armed, stays PENDING)
 *   RUNNING -> IDLE      f returned
 *   RUNNING -> PENDING   reset while f runs: a new arming
 * </pre>
 *
 * <p>{@code f} runs on a scheduler thread and must not block: unpark a G, a non-blocking
 * channel send, or {@code Go.go} for anything longer. A subclass may instead override
 * {@link #run} (Time.sleep's sleeper does: one object per sleep, as Go's gp.timer plus its
 * closure, instead of a timer and a Runnable).
 */
public class RuntimeTimer {
    static final int IDLE = 0, PENDING = 1, RUNNING = 2;

    final Runnable f;
    // Guarded by heap.lock while heap != null.
    long when;
    long period;
    volatile int state = IDLE;
    Timers heap;
    int heapIndex = -1;
    /**
     * 0: not counted, for good. Else 1 + the runs a heap check popped whose callback has not
     * returned ({@link #awaitRuns}): RUNS.getAndAdd in Timers.popDue (heap lock held) and
     * Timers.run, which read it plainly only to test for 0, a value it never takes or leaves.
     */
    int runs;

    public RuntimeTimer(Runnable f) {
        this.f = java.util.Objects.requireNonNull(f, "RuntimeTimer: f");
    }

    /** For a subclass that overrides {@link #run}. */
    protected RuntimeTimer() {
        this.f = null;
    }

    /**
     * For a subclass that overrides {@link #run} and, with {@code countRuns}, may wait for a run
     * that an M popped from its heap to finish ({@link #awaitRuns}; ChanTimer's poll). Counting
     * costs two atomic adds per run, so only such timers count.
     */
    protected RuntimeTimer(boolean countRuns) {
        this.f = null;
        this.runs = countRuns ? 1 : 0;
    }

    /** The callback: runs {@code f}. Same rules as {@code f}: a scheduler thread, must not block. */
    protected void run() {
        f.run();
    }

    /**
     * The callback for the run that was due at {@code when} (System.nanoTime clock; for a
     * periodic timer the grid point this run stands for, before the heap moved it on): calls
     * {@link #run()}. A subclass that needs how late it runs (time.go: unlockAndRun's
     * {@code delay := now - t.when}, passed to the callback) overrides this one instead.
     */
    protected void run(long when) {
        run();
    }

    /**
     * A channel timer's arming: its run only sends on its channel (a buffer of one), so with no
     * goroutine left it can wake nobody (Go 1.23 keeps such a timer out of the heaps unless a
     * goroutine waits on its channel). Main's Goexit deadlock does not wait for it.
     */
    protected boolean onlySendsOnItsChannel() {
        return false;
    }

    /** What {@link #runSerializedIfDue} returns when it took no run. No heap holds this when. */
    public static final long NOT_DUE = Long.MIN_VALUE;

    /**
     * time.go: modtimer. Arms the timer for {@code whenNanos} (System.nanoTime clock) and then
     * every {@code periodNanos} (0: once). Returns true if it was pending. Any thread.
     */
    public synchronized boolean reset(long whenNanos, long periodNanos) {
        boolean pending = removeIfPending();
        Timers.target().add(this, whenNanos, Math.max(0, periodNanos));
        return pending;
    }

    /**
     * Arms a one-shot timer that no other thread can reach yet (Time.sleep's sleeper): a reset
     * without the monitor, which only orders reset and stop calls made on the same timer.
     */
    public void startOneShot(long whenNanos) {
        Timers.target().add(this, whenNanos, 0);
    }

    /**
     * Arms, once, a timer whose {@link #start} and {@link #stopSerialized} calls the caller
     * orders with its own lock (ChanTimer's mu: one timer per arming, armed under that lock).
     * As {@link #reset} on an idle timer, without the monitor.
     */
    public void start(long whenNanos, long periodNanos) {
        Timers.target().add(this, whenNanos, Math.max(0, periodNanos));
    }

    /**
     * {@link #stop} without the monitor, for a timer armed by {@link #start}: the caller's lock
     * orders it after that arming. True if it was pending (then f will not run for it).
     */
    public boolean stopSerialized() {
        return removeIfPending();
    }

    /**
     * time.go: maybeRunChan's heap half, for a timer armed by {@link #start} whose start and stop
     * calls the caller orders with its own lock (Go 1.23 runs a channel timer from the goroutine
     * that polls its channel). If the timer is pending and due at {@code now}, takes this run from
     * its heap as a heap check would (Timers.popDue: a one-shot leaves it, a periodic moves to its
     * next period) and returns true: the caller then does the callback's work itself, and no M
     * runs it for this when. Returns the when of the run taken (for a periodic timer, the grid
     * point before the move), or {@link #NOT_DUE} if it is not due, or not pending (stopped, or
     * popped by an M).
     */
    public long runSerializedIfDue(long now) {
        Timers h = lockHeap();
        if (h == null) {
            return NOT_DUE;
        }
        long dueWhen;
        try {
            dueWhen = h.takeIfDue(this, now);
            if (dueWhen == NOT_DUE) {
                return NOT_DUE;
            }
        } finally {
            h.lock.unlock();
        }
        if (ExecTrace.on) {
            ExecTrace.timerPolled(this); // as Timers.run's timerFired for a scheduler's run
        }
        return dueWhen;
    }

    /**
     * Waits until every run a heap check popped has returned from its callback, for a timer
     * made with countRuns. A goroutine or user's thread, never an M. The callback runs on an M
     * and never waits for the caller (ChanTimer's fire only tryLocks), so this spins, then
     * yields the OS thread as a RuntimeMutex does: a goroutine stays mounted.
     */
    public void awaitRuns() {
        for (int i = 0; (int) RUNS.getAcquire(this) > 1; i++) { // pairs with Timers.run's getAndAdd
            if (i < 120) {
                Thread.onSpinWait();
            } else {
                JdkInternals.osyield();
            }
        }
    }

    /**
     * The first {@code when + k * period} (k >= 1) after {@code now}, saturating at
     * Long.MAX_VALUE: where a periodic timer due at {@code when} is re-armed by a run at
     * {@code now} (time.go: runOneTimer; Timers.popDue).
     */
    public static long nextPeriodicWhen(long when, long period, long now) {
        long next = Timers.saturatingAdd(when, period);
        if (next <= now) {
            next = Timers.saturatingAdd(next, ((now - next) / period + 1) * period);
        }
        return next;
    }

    /** time.go: deltimer. Returns true if it was pending, so {@code f} will not run for that arming. */
    public synchronized boolean stop() {
        return removeIfPending();
    }

    /** Whether the timer is armed. */
    public synchronized boolean pending() {
        Timers h = heap;
        if (h == null) {
            return false;
        }
        h.lock.lock();
        try {
            return heap == h && state == PENDING;
        } finally {
            h.lock.unlock();
        }
    }

    private boolean removeIfPending() {
        Timers h = lockHeap();
        if (h == null) {
            return false;
        }
        try {
            return h.remove(this);
        } finally {
            h.lock.unlock();
        }
    }

    /**
     * The heap this timer is in, its lock taken for the caller to release; null when it is in
     * none. A timer moved to another P's heap meanwhile (procresize) is followed there.
     */
    private Timers lockHeap() {
        for (;;) {
            Timers h = heap;
            if (h == null) {
                return null;
            }
            h.lock.lock();
            if (heap == h) {
                return h;
            }
            h.lock.unlock();
        }
    }

    /**
     * RUNNING -> IDLE after a one-shot callback returned, unless a reset re-armed it meanwhile.
     * A CAS, not this timer's monitor: a goroutine in {@link #reset} may hold that monitor while
     * it waits (unmounted) for a heap lock, and an M must never block behind an unmounted G.
     */
    boolean casRunningToIdle() {
        return STATE.compareAndSet(this, RUNNING, IDLE);
    }

    /** A counted run started (Timers.popDue, heap lock held) or its callback returned (Timers.run). */
    void addRuns(int delta) {
        RUNS.getAndAdd(this, delta); // pairs with awaitRuns's acquire
    }

    private static final java.lang.invoke.VarHandle STATE;
    private static final java.lang.invoke.VarHandle RUNS;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            STATE = l.findVarHandle(RuntimeTimer.class, "state", int.class);
            RUNS = l.findVarHandle(RuntimeTimer.class, "runs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
