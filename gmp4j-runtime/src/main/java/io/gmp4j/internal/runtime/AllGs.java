package io.gmp4j.internal.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * proc.go: allgs. Every live goroutine, for dumps, deadlock detection and NumGoroutine.
 *
 * <p>Go appends to one slice under allglock and never removes: dead Gs go to per-P free lists
 * and are reused, so a spawn touches no shared line. Our Gs cannot be reused (a virtual thread
 * cannot be restarted), so every G is linked into, and later unlinked from, one of
 * {@link #STRIPES} intrusive doubly linked lists. The costs are kept off shared lines:
 *
 * <ul>
 *   <li><b>Adding</b> links the G into the stripe of the creating M (its id modulo STRIPES;
 *       outside an M, of the thread): the stripe's lock and head stay in that core's cache, and
 *       the G remembers its stripe ({@code G.allgsStripe}). When another M holds that stripe's
 *       lock to unlink a batch, the G goes to the next stripe whose lock is free instead.
 *   <li><b>Exiting</b> counts the exit on the exiting M's stripe (one atomic add on a line of
 *       its own) and leaves the G, now {@code _Gdead}, in its list: the exiting M buffers it and,
 *       between two Gs, unlinks {@link #EXIT_BATCH} at a time, taking each stripe's lock once
 *       per run of Gs from that stripe ({@link #flush}). An M also flushes before it sleeps and
 *       when it exits, so at most EXIT_BATCH dead Gs per M stay reachable, and only while that
 *       M runs.
 *   <li><b>Readers</b> (dumps, checkdead, schedtrace) walk the lists under each stripe's lock and
 *       skip {@code _Gdead} Gs; {@link #count} sums adds minus exits over the stripes without
 *       locks, a racy snapshot as runtime.NumGoroutine is.
 * </ul>
 *
 * <p>Measured on W1 (spawn 100,000, JDK 25, 2 CPUs, 2026-12-05): with one list per goid
 * modulo 64 and an unlink at every exit, allgs cost ~50 ns of a 155-165 ns spawn (100-135 ns
 * with allgs switched off); the lock of the creator's stripe and the exit contended with the
 * M that was adding, and every unlink pulled the stripe's line and two neighbours across cores.
 */
final class AllGs {
    private AllGs() {}

    static final int STRIPES = 64;
    /** Dead Gs an M unlinks at a time. */
    static final int EXIT_BATCH = 32;
    private static final Stripe[] stripes = new Stripe[STRIPES];

    static {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe((byte) i);
        }
    }

    /** A list, its lock and its counters; padded against false sharing with other stripes. */
    private static final class Stripe {
        long p0, p1, p2, p3, p4, p5, p6;
        /** A RuntimeMutex, not the stripe's monitor: sysmon (checkdead) and dumps scan stripes. */
        final RuntimeMutex mu = new RuntimeMutex();
        final byte index;
        G head;
        /** Gs added to this stripe (written under mu). */
        volatile long adds;
        /** Gs that exited on an M (or thread) of this stripe, whichever stripe they were in. */
        volatile long exits;
        long q0, q1, q2, q3, q4, q5, q6;

        Stripe(byte index) {
            this.index = index;
        }
    }

    private static Stripe stripeOf(M mp) {
        long id = mp != null ? mp.id : Thread.currentThread().threadId();
        return stripes[(int) (id & (STRIPES - 1))];
    }

    /** Links a new G in. {@code mp} is the caller's M (M.current()), or null outside our Ms. */
    static void add(M mp, G gp) {
        Stripe s = stripeOf(mp);
        // A G may join any stripe: one whose lock an exiting M holds for a flush is passed
        // over for the next free one rather than waited for.
        for (int i = 1; !s.mu.tryLock(); i++) {
            if (i == STRIPES) {
                s.mu.lock();
                break;
            }
            s = stripes[(s.index + 1) & (STRIPES - 1)];
        }
        gp.allgsStripe = s.index;
        try {
            G h = s.head;
            gp.allnext = h;
            if (h != null) {
                h.allprev = gp;
            }
            s.head = gp;
            ADDS.setRelease(s, s.adds + 1); // one writer: the lock holder
        } finally {
            s.mu.unlock();
        }
    }

    /**
     * gp, already {@code _Gdead}, has exited on the calling thread (proc.go: goexit0). Counted
     * at once (count() no longer includes it on return); unlinked by this M's next flush.
     */
    static void exited(G gp) {
        M mp = M.current();
        EXITS.getAndAdd(stripeOf(mp), 1L); // a full fence: see count()
        if (mp == null || mp.ndeadGs == EXIT_BATCH) { // the M flushes a full buffer after each G
            unlink(gp);
            return;
        }
        mp.deadGs[mp.ndeadGs++] = gp;
    }

    /** A G that was added but never started (its start threw): out at once. */
    static void abandoned(G gp) {
        EXITS.getAndAdd(stripeOf(M.current()), 1L);
        unlink(gp);
    }

    /** Unlinks the dead Gs mp has buffered. Only mp's own thread, holding no RuntimeMutex. */
    static void flush(M mp) {
        G[] buf = mp.deadGs;
        int n = mp.ndeadGs;
        int i = 0;
        while (i < n) {
            Stripe s = stripes[buf[i].allgsStripe];
            s.mu.lock();
            try {
                do {
                    unlinkLocked(s, buf[i]);
                    buf[i++] = null;
                } while (i < n && buf[i].allgsStripe == s.index);
            } finally {
                s.mu.unlock();
            }
        }
        mp.ndeadGs = 0;
    }

    private static void unlink(G gp) {
        Stripe s = stripes[gp.allgsStripe];
        s.mu.lock();
        try {
            unlinkLocked(s, gp);
        } finally {
            s.mu.unlock();
        }
    }

    private static void unlinkLocked(Stripe s, G gp) {
        G prev = gp.allprev, next = gp.allnext;
        if (prev != null) {
            prev.allnext = next;
        } else {
            s.head = next;
        }
        if (next != null) {
            next.allprev = prev;
        }
        gp.allprev = gp.allnext = null;
    }

    /**
     * runtime.NumGoroutine: adds minus exits over all stripes. Not a snapshot of one instant,
     * as Go's gcount is not; exits first, so that a concurrent exit is not counted before the
     * add of a G its goroutine started. Of two Gs that exit at once, each counting its exit
     * with a full fence before it reads, at least one sees the other's exit: the last
     * goroutine to exit sees 0.
     */
    static int count() {
        long exits = 0, adds = 0;
        for (Stripe s : stripes) {
            exits += s.exits;
        }
        for (Stripe s : stripes) {
            adds += s.adds;
        }
        return (int) Math.max(0, adds - exits);
    }

    /** Whether some live G matches {@code p}; stops at the first (each stripe under its lock). */
    static boolean anyMatch(java.util.function.Predicate<G> p) {
        for (Stripe s : stripes) {
            s.mu.lock();
            try {
                for (G gp = s.head; gp != null; gp = gp.allnext) {
                    if (gp.status != G._Gdead && p.test(gp)) {
                        return true;
                    }
                }
            } finally {
                s.mu.unlock();
            }
        }
        return false;
    }

    /** A snapshot of every live G. */
    static List<G> snapshot() {
        List<G> all = new ArrayList<>();
        for (Stripe s : stripes) {
            s.mu.lock();
            try {
                for (G gp = s.head; gp != null; gp = gp.allnext) {
                    if (gp.status != G._Gdead) {
                        all.add(gp);
                    }
                }
            } finally {
                s.mu.unlock();
            }
        }
        return all;
    }

    private static final java.lang.invoke.VarHandle ADDS, EXITS;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            ADDS = l.findVarHandle(Stripe.class, "adds", long.class);
            EXITS = l.findVarHandle(Stripe.class, "exits", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
