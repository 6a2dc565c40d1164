package io.gmp4j.sync;

import io.gmp4j.internal.runtime.Procs;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.management.NotificationEmitter;

/**
 * Go's {@code sync.Pool}: a set of temporary objects that may be individually saved and
 * retrieved. Any object in the pool may be dropped at any time (at each garbage collection, after
 * one cycle in the victim cache), so it is for caching allocated-but-unused objects, not for
 * anything that must survive. {@code get} returns a pooled object or, when the pool is empty,
 * {@code New()} (the constructor's supplier) or null when there is none.
 */
public final class Pool<T> {
    /*
     * Go file and functions: sync/pool.go: Put, Get, getSlow, pin, pinSlow, poolCleanup,
     * indexLocal; the shards are PoolLocal (pool.go: poolLocal; poolqueue.go: poolChain).
     *
     * Layout: local[i] is P i's shard (local.length = GOMAXPROCS when it was allocated); victim
     * is the previous cycle's local, read only by getSlow.
     *
     * Get: own shard's private, own shard's shared head, then getSlow: steal from the other shards'
     *      tails, then the victim (own private, own tail, other tails); if the victim is empty mark
     *      it so (victim = null) for later gets. Then New.
     * Put: own shard's private if free, else own shard's shared head.
     *
     * poolCleanup (once per JVM GC cycle, see GcHook): for the pools in oldPools victim = null;
     * for those in allPools victim = local, local = null; oldPools = allPools; allPools = []. A
     * pool re-registers itself in allPools when a later Get/Put reallocates local (pinSlow).
     *
     * Shard choice: Procs.currentPid(), a racy hint (Go pins the G to its P instead; we cannot),
     * so shards tolerate concurrent "owners" (PoolLocal). A thread that is not on a P (pid -1)
     * uses the shard of its thread id modulo the shard count.
     *
     * Fields: local, victim: getAcquire/setRelease (pinSlow and poolCleanup publish fresh arrays;
     * the readers are every Get/Put). allPools/oldPools: allPoolsMu.
     *
     * Differences from Go (docs/DIVERGENCES.md): the cleanup runs after a JVM GC cycle ends (a
     * GarbageCollectorMXBean notification), not at the start of Go's stop-the-world, so it races
     * with Get/Put; that only moves objects between local and victim early or late. No race-
     * detector random drops.
     */
    private final Supplier<? extends T> newFn;
    private volatile PoolLocal[] local;
    private volatile PoolLocal[] victim;

    /** A pool without New: {@link #get} returns null when empty. */
    public Pool() {
        this(null);
    }

    /** A pool whose {@link #get} calls {@code newFn} (Go's {@code Pool.New}) when empty. */
    public Pool(Supplier<? extends T> newFn) {
        this.newFn = newFn;
        GcHook.install();
    }

    /** pool.go: Put. Adds x to the pool; null is ignored, as Go ignores nil. */
    public void put(T x) {
        if (x == null) {
            return;
        }
        PoolLocal l = pin();
        if (!l.offerPrivate(x)) {
            l.pushHead(x);
        }
    }

    /** pool.go: Get. */
    @SuppressWarnings("unchecked")
    public T get() {
        PoolLocal[] ls = pinLocals();
        int i = shardIndex(ls.length);
        PoolLocal l = ls[i];
        Object x = l.takePrivate();
        if (x == null) {
            // Try to pop the head of the local shard. We prefer the head over the tail for
            // temporal locality of reuse (pool.go).
            x = l.popHead();
            if (x == null) {
                x = getSlow(ls, i);
            }
        }
        if (x == null && newFn != null) {
            x = newFn.get();
        }
        return (T) x;
    }

    /** pool.go: getSlow. */
    private Object getSlow(PoolLocal[] ls, int i) {
        int size = ls.length;
        // Try to steal one element from other shards.
        for (int k = 0; k < size; k++) {
            Object x = ls[(i + k + 1) % size].popTail();
            if (x != null) {
                return x;
            }
        }
        // Try the victim cache. We do this after attempting to steal from all primary caches
        // because we want objects in the victim cache to age out if at all possible (pool.go).
        PoolLocal[] vs = (PoolLocal[]) VICTIM.getAcquire(this); // pairs with setRelease in poolCleanup
        if (vs == null) {
            return null;
        }
        int vsize = vs.length;
        PoolLocal l = vs[i % vsize];
        Object x = l.takePrivate();
        if (x != null) {
            return x;
        }
        for (int k = 0; k < vsize; k++) {
            x = vs[(i + k) % vsize].popTail();
            if (x != null) {
                return x;
            }
        }
        // Mark the victim cache as empty for future gets (benign if a cleanup replaced it since).
        VICTIM.compareAndSet(this, vs, (PoolLocal[]) null);
        return null;
    }

    /** pool.go: pin, without the pin (see the class comment). */
    private PoolLocal pin() {
        PoolLocal[] ls = pinLocals();
        return ls[shardIndex(ls.length)];
    }

    private PoolLocal[] pinLocals() {
        PoolLocal[] ls = (PoolLocal[]) LOCAL.getAcquire(this); // pairs with setRelease in pinSlow
        int pid = Procs.currentPid();
        if (ls == null || pid >= ls.length) {
            ls = pinSlow();
        }
        return ls;
    }

    private static int shardIndex(int n) {
        int pid = Procs.currentPid();
        if (pid >= 0 && pid < n) {
            return pid;
        }
        return (int) Long.remainderUnsigned(Thread.currentThread().threadId(), n);
    }

    /** pool.go: pinSlow. Allocates local (size GOMAXPROCS) and registers the pool; allPoolsMu. */
    private PoolLocal[] pinSlow() {
        synchronized (ALL_POOLS_MU) {
            PoolLocal[] ls = local;
            int size = Math.max(1, Procs.maxProcs());
            if (ls != null && ls.length == size) {
                return ls;
            }
            if (ls == null) {
                allPools.add(this);
            }
            // If GOMAXPROCS changes between GCs, we re-allocate the array and lose the old one.
            PoolLocal[] fresh = new PoolLocal[size];
            for (int k = 0; k < size; k++) {
                fresh[k] = new PoolLocal();
            }
            LOCAL.setRelease(this, fresh); // pairs with getAcquire in pinLocals
            return fresh;
        }
    }

    // ---- poolCleanup ----

    private static final Object ALL_POOLS_MU = new Object();
    /** pool.go: allPools (pools with a non-empty primary cache). ALL_POOLS_MU. */
    private static List<Pool<?>> allPools = new ArrayList<>();
    /** pool.go: oldPools (pools with a non-empty victim cache). ALL_POOLS_MU. */
    private static List<Pool<?>> oldPools = new ArrayList<>();
    private static volatile long cleanups;

    /** pool.go: poolCleanup. Called once per JVM GC cycle (GcHook); any thread. */
    static void poolCleanup() {
        synchronized (ALL_POOLS_MU) {
            // Drop victim caches from all pools.
            for (Pool<?> p : oldPools) {
                VICTIM.setRelease(p, (PoolLocal[]) null); // pairs with getAcquire in getSlow
            }
            // Move primary cache to victim cache.
            for (Pool<?> p : allPools) {
                VICTIM.setRelease(p, p.local); // pairs with getAcquire in getSlow
                LOCAL.setRelease(p, (PoolLocal[]) null); // pairs with getAcquire in pinLocals
            }
            // The pools with non-empty primary caches now have non-empty victim caches and no
            // pools have primary caches.
            oldPools = allPools;
            allPools = new ArrayList<>();
            cleanups++;
        }
    }

    /** How many times poolCleanup has run (tests). */
    static long cleanupsForTest() {
        return cleanups;
    }

    /*
     * Runs poolCleanup when the JVM finishes a GC cycle: one listener per GarbageCollectorMXBean.
     * Beans that report pauses inside a cycle another bean already reports ("G1 Concurrent GC",
     * "ZGC Major Pauses", "Shenandoah Pauses") are skipped so that one cycle counts once and the
     * victim cache survives one full cycle, as in Go. Listeners run on a JDK service thread.
     */
    private static final class GcHook {
        private static final String GC_NOTIFICATION = "com.sun.management.gc.notification";
        private static volatile boolean installed;

        static void install() {
            if (installed) {
                return;
            }
            synchronized (GcHook.class) {
                if (installed) {
                    return;
                }
                installed = true;
                try {
                    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                        String name = gc.getName();
                        if (name.contains("Concurrent") || name.contains("Pauses")) {
                            continue;
                        }
                        if (gc instanceof NotificationEmitter emitter) {
                            emitter.addNotificationListener((n, handback) -> {
                                try {
                                    if (GC_NOTIFICATION.equals(n.getType())) {
                                        poolCleanup();
                                    }
                                } catch (Throwable e) {
                                    // the JDK's thread would drop it, and the victim cache with it
                                    io.gmp4j.internal.runtime.Panics.runtimeThrow("sync.poolCleanup", e);
                                }
                            }, null, null);
                        }
                    }
                } catch (RuntimeException | LinkageError e) {
                    // java.management absent (a jlinked image): pools then never drop objects.
                }
            }
        }
    }

    private static final VarHandle LOCAL, VICTIM;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOCAL = l.findVarHandle(Pool.class, "local", PoolLocal[].class);
            VICTIM = l.findVarHandle(Pool.class, "victim", PoolLocal[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
