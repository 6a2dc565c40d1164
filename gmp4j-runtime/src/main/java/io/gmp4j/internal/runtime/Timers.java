package io.gmp4j.internal.runtime;

import java.util.Arrays;

/**
 * A P's timer heap (time.go, Go 1.14+: per-P 4-ary heap): added to by any thread, run by
 * whoever checks it (proc.go: checkTimers; time.go: runtimer).
 *
 * <p>Invariants, under {@link #lock}: {@code heap[0..len)} is a 4-ary min-heap on
 * {@code when}; {@code whens[i] == heap[i].when} (Go 1.23 keeps the same copy in its heap
 * entries, timerWhen, so that sifting compares a contiguous array instead of chasing one
 * pointer per level); every timer in it is PENDING, knows its index and points back here;
 * {@link #minWhen} is {@code whens[0]}, or 0 when empty (written under the lock, read racily
 * as a hint, as Go's timer0When).
 *
 * <p>Running due timers ({@link #check}): one lock acquisition per timer pops it (one-shot:
 * PENDING -> RUNNING, out of the heap; periodic: re-armed in place), then its callback runs
 * outside the lock. (Popping a batch per acquisition was tried on 2026-11-28 and hung W6; the
 * lock was a Java monitor then, and the longer hold made the monitor-succession hang described
 * in {@link RuntimeMutex} frequent. The gain was within the noise, so it was not retried.)
 *
 * <p>Waking a sleeping M (time.go: wakeNetPoller): an M that stops with timers pending
 * registers as the timer sleeper with its deadline; adding an earlier timer kicks it, and
 * with no sleeper and an idle P a new spinning M is started. Sysmon runs due timers of busy
 * Ps and bounds whatever slips through these races by one sysmon tick.
 */
final class Timers {
    final P pp;
    /** The heap's lock: a RuntimeMutex, taken by goroutines (arming) and Ms (running). */
    final RuntimeMutex lock = new RuntimeMutex();
    private RuntimeTimer[] heap = new RuntimeTimer[8];
    private long[] whens = new long[8];
    private int len;
    volatile long minWhen;
    /** The P was retired and its timers moved to P0's heap (lock). */
    private boolean dead;

    private static volatile M sleeper;
    private static volatile long sleeperWhen;

    Timers(P pp) {
        this.pp = pp;
    }

    /** A pending timer that may start or wake a goroutine: any but a channel timer's. */
    boolean anyMayStartWork() {
        if (minWhen == 0) {
            return false;
        }
        lock.lock();
        try {
            for (int i = 0; i < len; i++) {
                if (!heap[i].onlySendsOnItsChannel()) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The heap a timer armed by the caller goes to: its M's P's; from outside an M (a platform
     * thread, or a goroutine whose M lost its P), a P chosen by the caller's thread id, so that
     * outside threads spread over the Ps. {@link #add} redirects from a P retired meanwhile.
     */
    static Timers target() {
        Proc.schedinit();
        M mp = M.current();
        P pp = mp != null ? mp.p : null;
        if (pp == null || pp.retired) {
            P[] allp = Sched.allp;
            pp = allp[(int) (Thread.currentThread().threadId() % Math.min(allp.length, Sched.gomaxprocs))];
        }
        return pp.timers;
    }

    /**
     * time.go: addtimer/doaddtimer. Caller holds the timer's monitor, or no one else can reach t.
     * A heap retired meanwhile (procresize ran between target() and here) passes the timer to
     * P0's, which is never retired: no timer is left where no M looks.
     */
    void add(RuntimeTimer t, long when, long period) {
        for (Timers h = this; ; h = Sched.allp[0].timers) {
            h.lock.lock();
            try {
                if (h.dead) {
                    continue;
                }
                t.when = when;
                t.period = period;
                t.state = RuntimeTimer.PENDING;
                t.heap = h;
                h.push(t);
            } finally {
                h.lock.unlock();
            }
            wakeNetPoller(when);
            return;
        }
    }

    /** time.go: deltimer. Lock held. True if t was pending here. */
    boolean remove(RuntimeTimer t) {
        assert lock.heldByCurrentThread();
        if (t.heap != this || t.state != RuntimeTimer.PENDING) {
            return false;
        }
        removeAt(t.heapIndex);
        updateMin();
        t.heap = null;
        t.state = RuntimeTimer.IDLE;
        return true;
    }

    boolean hasDue(long now) {
        long w = minWhen;
        return w != 0 && w <= now;
    }

    /**
     * proc.go: checkTimers. Any thread. Runs every timer due at {@code now}, outside the lock;
     * returns the next {@code when}, or 0 when none is pending.
     */
    long check(long now) {
        long w = minWhen;
        if (w == 0 || w > now) {
            return w;
        }
        for (;;) {
            RuntimeTimer due;
            long dueWhen;
            lock.lock();
            try {
                if (len == 0 || whens[0] > now) {
                    return minWhen;
                }
                dueWhen = whens[0]; // before popDue moves a periodic timer on (time.go: unlockAndRun's delay)
                due = popDue(now);
                if (due.f != null) {
                    STARTING.incrementAndGet(); // before updateMin's minWhen store: see startingGoroutines
                }
                updateMin();
            } finally {
                lock.unlock();
            }
            run(due, dueWhen);
            if (due.f != null) {
                STARTING.decrementAndGet(); // after its goroutine is counted (AllGs.add)
            }
        }
    }

    /** time.go: runOneTimer, the heap half: takes heap[0], due at {@code now}. Lock held. */
    private RuntimeTimer popDue(long now) {
        RuntimeTimer due = heap[0];
        if (due.runs != 0) {
            due.addRuns(1); // under the lock: a runSerializedIfDue that finds it gone sees this run
        }
        if (due.period > 0) {
            // time.go: runOneTimer: skip the ticks we missed, keep the phase. Saturates: a
            // period past the end of the clock's range leaves the timer at "never" (maxWhen).
            long next = RuntimeTimer.nextPeriodicWhen(due.when, due.period, now);
            due.when = next;
            whens[0] = next;
            siftDown(0);
        } else {
            removeAt(0);
            due.heap = null;
            due.state = RuntimeTimer.RUNNING;
        }
        return due;
    }

    /**
     * RuntimeTimer.runSerializedIfDue's heap part: popDue for t, wherever it sits, run by its
     * caller instead of an M. Lock held. The when of the run taken if t was pending here and due
     * at {@code now}, else {@link RuntimeTimer#NOT_DUE}.
     */
    long takeIfDue(RuntimeTimer t, long now) {
        assert lock.heldByCurrentThread();
        if (t.heap != this || t.state != RuntimeTimer.PENDING || t.when > now) {
            return RuntimeTimer.NOT_DUE;
        }
        long dueWhen = t.when;
        int i = t.heapIndex;
        if (t.period > 0) {
            long next = RuntimeTimer.nextPeriodicWhen(t.when, t.period, now);
            t.when = next;
            whens[i] = next;
            siftDown(i); // later than before: it can only move down
        } else {
            removeAt(i);
            t.heap = null;
            t.state = RuntimeTimer.IDLE; // its run is the caller's: nothing to end with casRunningToIdle
        }
        updateMin();
        return dueWhen;
    }

    /** time.go: runOneTimer, the callback half, for the run due at {@code dueWhen}. No lock held. */
    private static void run(RuntimeTimer due, long dueWhen) {
        long traceStart = ExecTrace.on ? ExecTrace.timerBegin() : 0; // the one check when tracing is off
        try {
            due.run(dueWhen);
        } catch (Throwable e) {
            Panics.runtimeThrow("timer callback", e);
        }
        if (due.runs != 0) {
            due.addRuns(-1); // after the callback: RuntimeTimer.awaitRuns
        }
        if (traceStart != 0) {
            ExecTrace.timerFired(due, traceStart);
        }
        if (due.period == 0) {
            due.casRunningToIdle(); // fails if a reset re-armed it meanwhile: then it is PENDING
        }
    }

    /**
     * Moves every timer to {@code to} and marks this heap dead until {@link #revive} (procresize
     * retiring this P), so that an add racing with the retirement goes to {@code to} as well.
     * Returns the earliest moved timer's when (0: none moved), for the caller to pass to
     * {@link #wakeNetPoller} once it has dropped sched.lock, which a wakep takes.
     */
    long moveTo(Timers to) {
        if (to == this) {
            return 0;
        }
        RuntimeTimer[] moved;
        lock.lockHoldingOthers(); // under sched.lock, possibly on a goroutine (Go.gomaxprocs)
        try {
            dead = true;
            moved = Arrays.copyOf(heap, len);
            for (int i = 0; i < len; i++) {
                heap[i] = null;
            }
            len = 0;
            minWhen = 0;
            for (RuntimeTimer t : moved) {
                to.lock.lockHoldingOthers();
                try {
                    t.heap = to;
                    to.push(t);
                } finally {
                    to.lock.unlock();
                }
            }
        } finally {
            lock.unlock();
        }
        long earliest = 0;
        for (RuntimeTimer t : moved) {
            if (earliest == 0 || t.when < earliest) {
                earliest = t.when;
            }
        }
        return earliest;
    }

    /** The P is in use again (procresize grew GOMAXPROCS). */
    void revive() {
        lock.lockHoldingOthers(); // under sched.lock
        try {
            dead = false;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return len;
        } finally {
            lock.unlock();
        }
    }

    /** a + b for b >= 0, saturating at Long.MAX_VALUE (time.go: maxWhen). */
    static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }

    /**
     * The pending timers over every P's heap (test hook, and the count gctrace-like dumps may
     * want): takes each heap lock in turn, so it is a snapshot per heap, not a global one.
     */
    static int pendingCount() {
        int n = 0;
        for (P p : Sched.allp) {
            n += p.timers.size();
        }
        return n;
    }

    /**
     * Runs taken from a heap whose callback is a plain function (time.AfterFunc's {@code go f()})
     * and has not returned: out of every heap, its goroutine perhaps not started yet. Go's M
     * running such a timer is not idle, so checkdead waits for it; main's Goexit deadlock
     * (Proc.goexit0) reads this after the heaps. Only such runs count: a sleep's wakes its own
     * goroutine, which is counted already, and a channel timer's sends.
     */
    private static final java.util.concurrent.atomic.AtomicInteger STARTING = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Whether a popped run of a function timer has not returned. Read after the heaps: its
     * count is raised before the heap's minWhen store that hides the timer, and lowered after
     * the callback's Go.go counted the goroutine (a caller that reads 0 and then counts the
     * goroutines sees it).
     */
    static boolean startingGoroutines() {
        return STARTING.get() != 0;
    }

    /** The earliest pending timer over all Ps, or 0 (proc.go: timeSleepUntil). */
    static long earliest() {
        long min = 0;
        for (P p : Sched.allp) {
            long w = p.timers.minWhen;
            if (w != 0 && (min == 0 || w < min)) {
                min = w;
            }
        }
        return min;
    }

    // ---- waking an M for a new earliest timer -----------------------------------------

    static void registerSleeper(M mp, long when) {
        if (sleeper == null || when < sleeperWhen) {
            sleeperWhen = when;
            sleeper = mp;
        }
    }

    static void unregisterSleeper(M mp) {
        if (sleeper == mp) {
            sleeper = null;
        }
    }

    /** time.go: wakeNetPoller. Any thread not holding sched.lock. */
    static void wakeNetPoller(long when) {
        M s = sleeper;
        if (s != null) {
            if (when < sleeperWhen) {
                s.notewakeup();
            }
        } else if (Sched.npidle > 0 && Proc.started()) {
            Proc.wakep();
        }
    }

    // ---- the 4-ary heap (lock held) -------------------------------------------------

    private void push(RuntimeTimer t) {
        if (len == heap.length) {
            heap = Arrays.copyOf(heap, len * 2);
            whens = Arrays.copyOf(whens, len * 2);
        }
        heap[len] = t;
        whens[len] = t.when;
        t.heapIndex = len;
        siftUp(len++);
        updateMin();
    }

    /** Removes heap[i]; the caller updates minWhen (updateMin) before it drops the lock. */
    private void removeAt(int i) {
        RuntimeTimer removed = heap[i];
        int last = --len;
        removed.heapIndex = -1;
        if (i != last) {
            heap[i] = heap[last];
            whens[i] = whens[last];
            heap[i].heapIndex = i;
            heap[last] = null;
            siftDown(i);
            siftUp(i);
        } else {
            heap[last] = null;
        }
    }

    private void updateMin() {
        minWhen = len == 0 ? 0 : Math.max(1, whens[0]);
    }

    private void siftUp(int i) {
        RuntimeTimer t = heap[i];
        long when = whens[i];
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (whens[parent] <= when) {
                break;
            }
            heap[i] = heap[parent];
            whens[i] = whens[parent];
            heap[i].heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        whens[i] = when;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        RuntimeTimer t = heap[i];
        long when = whens[i];
        for (;;) {
            int first = 4 * i + 1;
            if (first >= len) {
                break;
            }
            int end = Math.min(first + 4, len);
            int child = first;
            long childWhen = whens[first];
            for (int c = first + 1; c < end; c++) {
                if (whens[c] < childWhen) {
                    child = c;
                    childWhen = whens[c];
                }
            }
            if (when <= childWhen) {
                break;
            }
            heap[i] = heap[child];
            whens[i] = childWhen;
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = t;
        whens[i] = when;
        t.heapIndex = i;
    }
}
