package io.gmp4j.internal.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * The local run queues (proc.go: runqput, runqputslow, runqget, runqgrab, runqsteal,
 * runqempty): a 256-slot single-producer ring per P. The owner puts at the tail; the owner
 * and stealers take from the head by CAS. A stealer takes half.
 *
 * <p>Why a take is linearizable: slots [head, tail) are published by the owner's release store
 * of {@code runqtail}; a consumer reads the slots it wants and then CASes {@code runqhead}
 * past them. If the owner overwrote a slot meanwhile, it had to have seen head move past it
 * first, so the consumer's CAS fails and it retries: the value it read is discarded.
 *
 * <p>Owner-only methods say so; "owner" means the M that holds the P and has won
 * {@code P.running} (see {@link P}).
 */
final class RunQueue {
    private RunQueue() {}

    /** proc.go: runqgrab's usleep(3) before stealing the runnext of a running P. */
    static final long RUNNEXT_GRACE_NANOS = 3_000;

    /**
     * proc.go: runqput. Owner only. With {@code next}, g goes to runnext and the G it displaces
     * goes to the tail. A full ring moves half of itself plus g to the global queue.
     */
    static void runqput(P pp, G gp, boolean next) {
        if (next) {
            G old = pp.xchgRunnext(gp);
            if (old == null) {
                return;
            }
            gp = old; // kick the old runnext out to the regular run queue
        }
        for (;;) {
            int h = pp.laRunqhead(); // pairs with casRunqhead of consumers
            int t = pp.runqtail;
            if (t - h < P.RUNQ_SIZE) {
                pp.runq[t & (P.RUNQ_SIZE - 1)] = gp;
                pp.soRunqtail(t + 1); // makes the slot visible to consumers
                return;
            }
            if (runqputslow(pp, gp, h, t)) {
                return;
            }
            // The queue is not full now (a stealer took some): the put above goes through.
        }
    }

    /** proc.go: runqputslow. Owner only. Moves g and half the local queue to the global queue. */
    private static boolean runqputslow(P pp, G gp, int h, int t) {
        int n = (t - h) / 2;
        G[] batch = new G[n + 1];
        for (int i = 0; i < n; i++) {
            batch[i] = pp.runq[(h + i) & (P.RUNQ_SIZE - 1)];
        }
        if (!pp.casRunqhead(h, h + n)) { // commits consume; fails if a stealer moved first
            return false;
        }
        batch[n] = gp;
        if (pp.overflowForTest != null) {
            pp.overflowForTest.accept(batch);
            return true;
        }
        Sched.globrunqputbatch(batch, n + 1);
        return true;
    }

    /** proc.go: runqget. Owner only. runnext first, then the head of the ring. */
    static G runqget(P pp) {
        G next = runnextget(pp);
        return next != null ? next : runqgetRing(pp);
    }

    /** proc.go: runqget's runnext half (the G it returns inherits the time slice). Owner only. */
    static G runnextget(P pp) {
        G next = pp.runnext;
        // A racing stealer can only CAS runnext to null, so a failed CAS here means it is gone.
        return next != null && pp.casRunnext(next, null) ? next : null;
    }

    /** proc.go: runqget's ring half. Owner only. */
    static G runqgetRing(P pp) {
        for (;;) {
            int h = pp.laRunqhead();
            int t = pp.runqtail;
            if (t == h) {
                return null;
            }
            G gp = pp.runq[h & (P.RUNQ_SIZE - 1)];
            if (pp.casRunqhead(h, h + 1)) { // commits consume
                return gp;
            }
        }
    }

    /** proc.go: runqempty. Any thread; exact only for the owner. */
    static boolean runqempty(P pp) {
        // Go re-reads runnext around the head/tail pair to avoid a false "empty" while
        // runqput moves runnext to the tail; the same loop here.
        for (;;) {
            int h = pp.laRunqhead();
            int t = pp.laRunqtail();
            G next = pp.runnext;
            if (pp.laRunqtail() == t) {
                return h == t && next == null;
            }
        }
    }

    /** Local queue length plus runnext (any thread; a snapshot). */
    static int runqsize(P pp) {
        int n = pp.laRunqtail() - pp.laRunqhead();
        if (n < 0) {
            n = 0;
        }
        return n + (pp.runnext != null ? 1 : 0);
    }

    /**
     * proc.go: runqgrab. Any thread. Takes half of pp's queue into {@code batch} starting at
     * {@code batchHead}; returns how many. With {@code stealRunNextG}, may take runnext.
     */
    static int runqgrab(P pp, G[] batch, int batchHead, boolean stealRunNextG) {
        return runqgrab(pp, batch, batchHead, stealRunNextG, true);
    }

    /** runqgrab; without {@code grace} a runnext G is taken at once (Proc's pollWork). */
    private static int runqgrab(P pp, G[] batch, int batchHead, boolean stealRunNextG, boolean grace) {
        for (;;) {
            int h = pp.laRunqhead();
            int t = pp.laRunqtail();
            int n = t - h;
            n = n - n / 2;
            if (n == 0) {
                if (stealRunNextG) {
                    G next = pp.runnext;
                    if (next != null) {
                        // proc.go: "Sleep to ensure that pp isn't about to run the g we are
                        // about to steal. The important use case here is when the g running
                        // on pp ready()s another g and then almost immediately blocks."
                        // Go sleeps 3 us (usleep); so do we. Spinning the 3 us instead kept the
                        // thief's CPU busy next to the owner and cost W2 (ping-pong, 2 Ps)
                        // ~550 vs ~420 ns per round trip, with 60x more migrations (JDK 25,
                        // 2 vCPUs, 2026-11-28; ./gmp4j bench W2 PP).
                        // Go sleeps whenever pp is _Prunning; we only while a G runs user code
                        // on it (running), not while its M is between Gs in schedule. Go's test
                        // made W4 2.5-2.9x slower (173 vs 70.5 ns, 132 vs 46.2; 21 and 15
                        // interleaved runs) and W2/W7 no faster (1.00, 0.96; 2026-12-06).
                        if (grace && pp.running != null) {
                            LockSupport.parkNanos(RUNNEXT_GRACE_NANOS);
                        }
                        if (!pp.casRunnext(next, null)) {
                            continue;
                        }
                        batch[batchHead & (P.RUNQ_SIZE - 1)] = next;
                        return 1;
                    }
                }
                return 0;
            }
            if (n > P.RUNQ_SIZE / 2) { // read inconsistent h and t
                continue;
            }
            for (int i = 0; i < n; i++) {
                batch[(batchHead + i) & (P.RUNQ_SIZE - 1)] = pp.runq[(h + i) & (P.RUNQ_SIZE - 1)];
            }
            if (pp.casRunqhead(h, h + n)) { // commits consume
                return n;
            }
        }
    }

    /**
     * proc.go: runqsteal. Owner of {@code pp} only. Steals half of p2's queue into pp's and
     * returns one G to run, or null.
     */
    static G runqsteal(P pp, P p2, boolean stealRunNextG) {
        return runqsteal(pp, p2, stealRunNextG, true);
    }

    /** runqsteal; without {@code grace} p2's runnext is taken at once, not after 3 us. */
    static G runqsteal(P pp, P p2, boolean stealRunNextG, boolean grace) {
        int t = pp.runqtail;
        int n = runqgrab(p2, pp.runq, t, stealRunNextG, grace);
        if (n == 0) {
            return null;
        }
        pp.steals += n;
        n--;
        G gp = pp.runq[(t + n) & (P.RUNQ_SIZE - 1)];
        if (n == 0) {
            return gp;
        }
        int h = pp.laRunqhead();
        if (t - h + n >= P.RUNQ_SIZE) {
            throw new IllegalStateException("runqsteal: runq overflow");
        }
        pp.soRunqtail(t + n); // makes the stolen Gs visible to consumers
        return gp;
    }
}
