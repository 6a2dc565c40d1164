package io.gmp4j.internal.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler's global state (runtime2.go: type schedt, plus allp and allm; allgs is
 * {@link AllGs}).
 *
 * <p>Invariants (checked where cheap):
 * <ul>
 *   <li>The global run queue is the ring {@code globq[globqHead..globqTail)} (indexes masked
 *       by its power-of-two length); {@code runqsize} counts it. Both are read and written only
 *       under {@link #lock} ({@code runqsize} is also read racily as a hint, as Go does).</li>
 *   <li>An idle P is on {@code pidle} and nowhere else; {@code npidle} counts it
 *       (written under the lock, read racily).</li>
 *   <li>An idle M is on {@code midle}, parked in notesleep, with no P.</li>
 *   <li>{@code 0 <= nmspinning}; spinning Ms are at most half the busy Ps (findRunnable).</li>
 * </ul>
 *
 * <p>Lock order: {@code sched.lock} before a P's timer lock; nothing is taken while holding
 * a timer lock. Scheduler code never blocks while holding {@code sched.lock}.
 */
final class Sched {
    private Sched() {}

    /**
     * runtime2.go: sched.lock. A RuntimeMutex, never a Java monitor: an M must not queue behind
     * an unmounted goroutine (see RuntimeMutex).
     */
    static final RuntimeMutex lock = new RuntimeMutex();

    // Global run queue (sched.lock): a growable ring of G references, where Go links Gs through
    // g.schedlink. A batch moves between it and a local queue without touching the Gs: with the
    // linked list, globrunqget chased schedlink through up to 128 cold G objects under the lock
    // (W1 sends ~99 % of its goroutines through this queue).
    private static final int GLOBQ_MIN = 256;
    private static G[] globq = new G[GLOBQ_MIN];
    private static long globqHead, globqTail; // globqTail - globqHead == runqsize
    static volatile int runqsize;

    // Idle Ps (sched.lock).
    static P pidle;
    static volatile int npidle;

    // Idle Ms (sched.lock).
    static M midle;
    static int nmidle;
    /**
     * proc.go: sched.nmidlelocked. Ms asleep in stoplockedm, waiting for their locked G; for
     * scheddetail's header only (checkdead counts otherwise, Deadlock).
     */
    static final AtomicInteger nmidlelocked = new AtomicInteger();
    /** Ms ever started, and alive now (including locked and P-less ones). */
    static long mnext;
    static final AtomicInteger mcount = new AtomicInteger();
    /** debug.SetMaxThreads (proc.go: sched.maxmcount). */
    static volatile int maxmcount = 10_000;
    /**
     * Threads that count against maxmcount besides the Ms in mcount: sysmon's and, once
     * started, the template thread's, both Ms in Go (newm(sysmon, ...) and startTemplateThread's
     * newm reserve their ids through checkmcount), as schedtrace's threads= counts them.
     * Written under sched.lock.
     */
    static volatile int helperThreads = 1;

    /** proc.go: allm. Every M ever started that has not exited (sched.lock to add/remove). */
    private static M[] allm = new M[0];

    static M[] allm() {
        return allm;
    }

    static void allmAdd(M mp) {
        assertLockHeld();
        M[] a = java.util.Arrays.copyOf(allm, allm.length + 1);
        a[allm.length] = mp;
        allm = a;
    }

    static void allmRemove(M mp) {
        lock.lock();
        try {
            M[] a = allm;
            for (int i = 0; i < a.length; i++) {
                if (a[i] == mp) {
                    M[] b = new M[a.length - 1];
                    System.arraycopy(a, 0, b, 0, i);
                    System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                    allm = b;
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** proc.go: sched.nmspinning. */
    static final AtomicInteger nmspinning = new AtomicInteger();
    /** proc.go: sched.needspinning: 1 when a wakep found no idle P. */
    static volatile int needspinning;

    /**
     * All Ps; index = P id. Replaced as a whole by procresize (under sched.lock). Dead Ps at its
     * end, above gomaxprocs, are dropped (trimAllp), as Go's procresize cuts allp to nprocs.
     */
    static volatile P[] allp = new P[0];
    static volatile int gomaxprocs;
    /** The /sched/latencies counts of Ps dropped from allp (trimAllp), so the sums never fall. */
    static final long[] droppedSchedLat = new long[TimeHist.COUNTS];
    /** The steals of Ps dropped from allp (trimAllp). */
    static volatile long droppedSteals;

    /**
     * Drops the dead Ps at the end of allp, above gomaxprocs, keeping their counts: sysmon's
     * loops and checkdead's visit every P in allp, and after GOMAXPROCS went from 100,000 to 2
     * an idle program burnt 40 % of a CPU on them. A retired P that an M still holds stays
     * (with the Ps below it) until that M retires it. Lock held.
     */
    static void trimAllp() {
        assertLockHeld();
        P[] a = allp;
        int keep = a.length;
        while (keep > gomaxprocs && a[keep - 1].status == P._Pdead) {
            keep--;
        }
        if (keep == a.length) {
            return;
        }
        long steals = 0;
        for (int i = keep; i < a.length; i++) {
            long[] c = a[i].schedLat;
            for (int j = 0; j < c.length; j++) {
                droppedSchedLat[j] += c[j];
            }
            steals += a[i].steals;
        }
        droppedSteals += steals;
        allp = java.util.Arrays.copyOf(a, keep);
    }

    /** goid 1 is reserved for the first main goroutine; the rest count from 2. */
    static final AtomicLong goidgen = new AtomicLong(2);
    static final java.util.concurrent.atomic.AtomicBoolean mainGoidTaken = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * A clock good to a millisecond, for wait-since stamps (G.waitSince counts 2^30 ns units):
     * set by {@link #nanotime} when it is a millisecond stale, which sysmon's tick (at most
     * 10 ms) calls. Alone in the middle of its own 256-byte array: it was stored up to once a
     * microsecond per M into the line of the statics above (npidle, nmspinning, allp), and its
     * reads were 3.5 % of W6's CPU samples (2026-12-05, 2 CPUs).
     */
    private static final long[] coarseClock = new long[32];

    private static final int COARSE_AT = 16;
    private static final long COARSE_STALE_NANOS = 1_000_000;

    static {
        coarseClock[COARSE_AT] = System.nanoTime();
    }

    static long coarseNanos() {
        return (long) COARSE.getOpaque(coarseClock, COARSE_AT);
    }

    /** The earlier of two nanoTime instants, 0 meaning none (wrap-safe, as nanoTime asks). */
    static long earlier(long a, long b) {
        return a == 0 ? b : b == 0 || a - b < 0 ? a : b;
    }

    static long nanotime() {
        long now = System.nanoTime();
        if (now - coarseNanos() >= COARSE_STALE_NANOS) {
            COARSE.setOpaque(coarseClock, COARSE_AT, now);
        }
        return now;
    }

    private static final java.lang.invoke.VarHandle COARSE =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

    static void assertLockHeld() {
        assert lock.heldByCurrentThread() : "sched.lock not held";
    }

    /** proc.go: globrunqput. Lock held. */
    static void globrunqput(G gp) {
        assertLockHeld();
        int size = runqsize;
        if (size == globq.length) {
            resizeGlobq(size * 2);
        }
        globq[(int) (globqTail++ & (globq.length - 1))] = gp;
        runqsize = size + 1;
    }

    /** proc.go: globrunqputhead. Lock held. */
    static void globrunqputhead(G gp) {
        assertLockHeld();
        int size = runqsize;
        if (size == globq.length) {
            resizeGlobq(size * 2);
        }
        globq[(int) (--globqHead & (globq.length - 1))] = gp;
        runqsize = size + 1;
    }

    /** proc.go: globrunqputbatch. Takes the lock. */
    static void globrunqputbatch(G[] batch, int n) {
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                globrunqput(batch[i]);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * proc.go: globrunqget. Lock held; pp owned by the caller. Takes up to {@code max}
     * (0 = no limit) Gs: returns one and moves the rest (at most half a local queue) to pp.
     */
    static G globrunqget(P pp, int max) {
        assertLockHeld();
        int size = runqsize;
        if (size == 0) {
            return null;
        }
        int n = size / gomaxprocs + 1;
        if (n > size) {
            n = size;
        }
        if (max > 0 && n > max) {
            n = max;
        }
        if (n > P.RUNQ_SIZE / 2) {
            n = P.RUNQ_SIZE / 2;
        }
        G gp = runqpop();
        for (int i = 1; i < n; i++) {
            RunQueue.runqput(pp, runqpop(), false);
        }
        runqsize = size - n;
        if (size == n && globq.length > 4 * GLOBQ_MIN) {
            globq = new G[GLOBQ_MIN]; // a burst is over: give its memory back
        }
        return gp;
    }

    private static G runqpop() {
        G[] q = globq;
        int i = (int) (globqHead++ & (q.length - 1));
        G gp = q[i];
        q[i] = null;
        return gp;
    }

    /** Copies the ring into an array of {@code capacity} (a power of two), oldest first. Lock held. */
    private static void resizeGlobq(int capacity) {
        G[] old = globq;
        G[] q = new G[capacity];
        int size = (int) (globqTail - globqHead);
        for (int i = 0; i < size; i++) {
            q[i] = old[(int) ((globqHead + i) & (old.length - 1))];
        }
        globq = q;
        globqHead = 0;
        globqTail = size;
    }

    /** proc.go: pidleput. Lock held. pp's queue must be empty. */
    static void pidleput(P pp) {
        assertLockHeld();
        if (!RunQueue.runqempty(pp)) {
            throw new IllegalStateException("pidleput: P has non-empty run queue"); // proc.go's throw
        }
        pp.status = P._Pidle;
        pp.m = null;
        // Go's ring holds guintptrs, which the GC does not trace; ours holds references, and
        // every slot keeps the last G that passed through it (and its thread and closure)
        // reachable. An empty queue's slots are all consumed, and a thief that read one with
        // a stale head fails its CAS, so an idle P clears them.
        java.util.Arrays.fill(pp.runq, null);
        pp.link = pidle;
        pidle = pp;
        npidle++;
    }

    /** proc.go: pidleget. Lock held. */
    static P pidleget() {
        assertLockHeld();
        P pp = pidle;
        if (pp != null) {
            pidle = pp.link;
            pp.link = null;
            npidle--;
        }
        return pp;
    }

    /** proc.go: pidlegetSpinning. Lock held. Records needspinning when no P is idle. */
    static P pidlegetSpinning() {
        P pp = pidleget();
        if (pp == null) {
            needspinning = 1;
            return null;
        }
        return pp;
    }

    /**
     * Unlinks every idle P whose id is nprocs or above (procresize's shrink) in one pass, and
     * returns them chained through P.link (null: none). Lock held.
     */
    static P pidleremoveAbove(int nprocs) {
        assertLockHeld();
        P removed = null;
        P prev = null;
        int n = 0;
        for (P cur = pidle; cur != null; ) {
            P next = cur.link;
            if (cur.id >= nprocs) {
                if (prev == null) {
                    pidle = next;
                } else {
                    prev.link = next;
                }
                cur.link = removed;
                removed = cur;
                n++;
            } else {
                prev = cur;
            }
            cur = next;
        }
        if (n != 0) {
            npidle -= n;
        }
        return removed;
    }

    /** proc.go: mput. Lock held. */
    static void mput(M mp) {
        assertLockHeld();
        mp.schedlink = midle;
        mp.idle = true;
        midle = mp;
        nmidle++;
    }

    /** proc.go: mget. Lock held. */
    static M mget() {
        assertLockHeld();
        M mp = midle;
        if (mp != null) {
            midle = mp.schedlink;
            mp.schedlink = null;
            mp.idle = false;
            nmidle--;
        }
        return mp;
    }

    /** Removes mp from the idle list if it is there (a timed-out notesleep). Lock held. */
    static boolean mremove(M mp) {
        assertLockHeld();
        if (!mp.idle) {
            return false;
        }
        M prev = null;
        for (M cur = midle; cur != null; prev = cur, cur = cur.schedlink) {
            if (cur == mp) {
                if (prev == null) {
                    midle = cur.schedlink;
                } else {
                    prev.schedlink = cur.schedlink;
                }
                cur.schedlink = null;
                cur.idle = false;
                nmidle--;
                return true;
            }
        }
        throw new IllegalStateException("mremove: idle M not on the idle list");
    }
}
