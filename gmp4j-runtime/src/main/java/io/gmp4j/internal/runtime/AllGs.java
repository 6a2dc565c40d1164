package io.gmp4j.internal.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * proc.go: allgs. Every live goroutine, for dumps, deadlock detection and NumGoroutine.
 *
 * <p>Go appends to one slice under allglock and never removes (dead Gs are reused). Our Gs
 * cannot be reused, so each G is linked into one of {@link #SHARDS} intrusive doubly linked
 * lists, chosen by goid, under that shard's lock. Measured on W1 (JDK 25, 2 cores,
 * 2026-11-28): a ConcurrentHashMap plus an AtomicInteger counter cost about 60 ns per
 * goroutine; this costs two uncontended lock acquisitions.
 *
 * <p>Counts are kept per shard under its lock; {@link #count} sums them without locks
 * (a racy snapshot, as runtime.NumGoroutine is).
 */
final class AllGs {
    private AllGs() {}

    private static final int SHARDS = 64;
    private static final Shard[] shards = new Shard[SHARDS];

    static {
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard();
        }
    }

    private static final class Shard {
        /** A RuntimeMutex, not the shard's monitor: sysmon (checkdead) and dumps scan shards. */
        final RuntimeMutex mu = new RuntimeMutex();
        G head;
        volatile int count;
        // Padding against false sharing between shards hit by different Ms.
        long p1, p2, p3, p4, p5, p6;
    }

    static void add(G gp) {
        Shard s = shards[(int) (gp.goid & (SHARDS - 1))];
        s.mu.lock();
        try {
            G h = s.head;
            gp.allnext = h;
            if (h != null) {
                h.allprev = gp;
            }
            s.head = gp;
            s.count++;
        } finally {
            s.mu.unlock();
        }
    }

    static void remove(G gp) {
        Shard s = shards[(int) (gp.goid & (SHARDS - 1))];
        s.mu.lock();
        try {
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
            s.count--;
        } finally {
            s.mu.unlock();
        }
    }

    /** runtime.NumGoroutine. */
    static int count() {
        int n = 0;
        for (Shard s : shards) {
            n += s.count;
        }
        return n;
    }

    /** Whether some live G matches {@code p}; stops at the first (each shard under its lock). */
    static boolean anyMatch(java.util.function.Predicate<G> p) {
        for (Shard s : shards) {
            s.mu.lock();
            try {
                for (G gp = s.head; gp != null; gp = gp.allnext) {
                    if (p.test(gp)) {
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
        for (Shard s : shards) {
            s.mu.lock();
            try {
                for (G gp = s.head; gp != null; gp = gp.allnext) {
                    all.add(gp);
                }
            } finally {
                s.mu.unlock();
            }
        }
        return all;
    }
}
