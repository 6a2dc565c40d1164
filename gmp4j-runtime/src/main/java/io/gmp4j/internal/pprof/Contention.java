package io.gmp4j.internal.pprof;

import io.gmp4j.internal.runtime.Traceback;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The mutex and block profiles (runtime/mprof.go: mutexevent, blockevent, blocksampled,
 * saveblockevent; runtime/pprof: writeBlock, writeMutex, printCountCycleProfile).
 *
 * <p>Hooks: a parking path reads {@link #mutexRate} / {@link #blockRate} once (static volatile
 * ints) before it parks and, only when one is positive, takes {@code System.nanoTime()} before
 * the park and calls {@link #event} after it returns (or, for the mutex profile, the releaser
 * calls it). Fast paths (an uncontended lock, a channel operation that finds a partner) read
 * nothing. Recording runs on a goroutine or a user's thread: never on an M's scheduler code.
 *
 * <p>Attribution, as Go's: the block profile has the waiter's stack; the mutex profile has the
 * stack of the unlock that ended the wait for sync.Mutex/RWMutex (io.gmp4j.sync.Sema: the
 * releaser calls {@link #event}), and the waiter's for a contended channel lock
 * ({@link #lockWait}, as Go 1.22's runtime locks with
 * GODEBUG=runtimecontentionstacks=1). Delays are nanoseconds; Go's are CPU ticks, which its
 * text format converts with {@code cycles/second}: here that line says 1000000000.
 *
 * <p>Storage: one bucket per distinct stack (StackWalker, the leading runtime frames dropped
 * but the outermost of them kept, as Go keeps {@code sync.(*Mutex).Lock} or
 * {@code runtime.chanrecv1} as the leaf; at most {@link #MAX_DEPTH} frames), with a count and a
 * total delay. Buckets are never freed, as in Go.
 */
public final class Contention {
    private Contention() {}

    /** runtime.SetMutexProfileFraction's value: 0 off; 1/rate of contention events sampled. */
    public static volatile int mutexRate;
    /** runtime.SetBlockProfileRate's value, in nanoseconds: 0 off. */
    public static volatile int blockRate;

    /** mutexRate > 0 || blockRate > 0: the one read of a hook that feeds both profiles. */
    public static volatile boolean on;

    /** Flags for {@link #event}. */
    public static final int MUTEX = 1, BLOCK = 2;

    static final int MAX_DEPTH = 32;

    /** One bucket: Go's bucket with its blockRecord (count is a float64 there too). */
    static final class Bucket {
        final StackTraceElement[] stack;
        final DoubleAdder count = new DoubleAdder();
        final LongAdder cycles = new LongAdder();

        Bucket(StackTraceElement[] stack) {
            this.stack = stack;
        }
    }

    private record Key(StackTraceElement[] stack) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(stack, k.stack);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(stack);
        }
    }

    private static final ConcurrentHashMap<Key, Bucket> MUTEX_BUCKETS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Key, Bucket> BLOCK_BUCKETS = new ConcurrentHashMap<>();

    /** runtime.SetMutexProfileFraction: a negative rate only reads; returns the previous value. */
    public static synchronized int setMutexProfileFraction(int rate) {
        int old = mutexRate;
        if (rate >= 0) {
            mutexRate = rate;
            on = mutexRate > 0 || blockRate > 0;
        }
        return old;
    }

    /**
     * runtime.SetBlockProfileRate (in nanoseconds; {@code <= 0} turns it off). Returns the
     * previous value (Go's returns nothing; API.md asks for the previous one).
     */
    public static synchronized int setBlockProfileRate(int rate) {
        int old = blockRate;
        blockRate = Math.max(0, rate);
        on = mutexRate > 0 || blockRate > 0;
        return old;
    }

    /**
     * A wait of {@code nanos} just ended on the calling goroutine: mutexevent and/or blockevent
     * by {@code which}. Called only when the hook saw a positive rate.
     */
    public static void event(long nanos, int which) {
        if (nanos <= 0) {
            nanos = 1; // mprof.go: blockevent / mutexevent clamp to 1 as well
        }
        if ((which & MUTEX) != 0) {
            int rate = mutexRate;
            // mprof.go: mutexevent: if rate > 0 && cheaprand64()%rate == 0
            if (rate > 0 && (rate == 1 || ThreadLocalRandom.current().nextInt(rate) == 0)) {
                // saveblockevent, mutexProfile: count += rate, cycles += rate * cycles
                Bucket b = bucket(MUTEX_BUCKETS);
                b.count.add(rate);
                b.cycles.add(rate * nanos);
            }
        }
        if ((which & BLOCK) != 0) {
            int rate = blockRate;
            // mprof.go: blocksampled: rate <= 0 || (rate > cycles && cheaprand64()%rate > cycles) -> not sampled
            if (rate > 0 && !(rate > nanos && ThreadLocalRandom.current().nextLong(rate) > nanos)) {
                Bucket b = bucket(BLOCK_BUCKETS);
                if (nanos < rate) {
                    // saveblockevent: remove the sampling bias (golang.org/cl/299991)
                    b.count.add((double) rate / nanos);
                    b.cycles.add(rate);
                } else {
                    b.count.add(1);
                    b.cycles.add(nanos);
                }
            }
        }
    }

    /**
     * A sampled wait for a runtime lock (a channel's), from {@link #lockWait} to {@link #end}.
     * The waiter's stack is walked before it waits, not inside the critical section it then
     * enters (a walk costs about 20 us; the section tens of nanoseconds). The walk checks the
     * lock at every frame: when it sees the lock free, the wait so far ends there, and any
     * waiting after the walk is added; when not, the walk was part of the wait.
     */
    public static final class LockWait {
        private final int rate;
        private final long t0;
        private long freedAt;
        private long walked;
        private Bucket bucket;

        private LockWait(int rate, long t0) {
            this.rate = rate;
            this.t0 = t0;
        }

        /** The lock was taken: mutexevent's saveblockevent (count += rate, cycles += rate * delay). */
        public void end() {
            long now = System.nanoTime();
            long d = freedAt != 0 ? (freedAt - t0) + (now - walked) : now - t0;
            bucket.count.add(rate);
            bucket.cycles.add(rate * Math.max(1, d));
        }
    }

    /**
     * A goroutine found a runtime lock held and is about to wait: a {@link LockWait} when this
     * contention event is sampled (1/rate, as {@link #event}), else null. {@code held} reads the
     * lock's state. Null too on an M outside a goroutine and on sysmon (timer callbacks'
     * trySend): a bucket lookup may take a ConcurrentHashMap bin monitor that a goroutine holds
     * (docs/HACKING.md, "The one rule").
     */
    public static LockWait lockWait(int rate, java.util.function.BooleanSupplier held) {
        if (rate <= 0 || (rate > 1 && ThreadLocalRandom.current().nextInt(rate) != 0)) {
            return null;
        }
        Thread t = Thread.currentThread();
        if (!t.isVirtual() && (io.gmp4j.internal.runtime.Procs.currentMid() >= 0 || t.getName().equals("gmp4j-sysmon"))) {
            return null;
        }
        LockWait w = new LockWait(rate, System.nanoTime());
        StackTraceElement[] st = callerStack(() -> {
            if (w.freedAt == 0 && !held.getAsBoolean()) {
                w.freedAt = System.nanoTime();
            }
        });
        w.bucket = MUTEX_BUCKETS.computeIfAbsent(new Key(st), k -> new Bucket(k.stack()));
        w.walked = System.nanoTime();
        return w;
    }

    private static Bucket bucket(ConcurrentHashMap<Key, Bucket> table) {
        StackTraceElement[] st = callerStack();
        return table.computeIfAbsent(new Key(st), k -> new Bucket(k.stack()));
    }

    private static final StackWalker WALKER = StackWalker.getInstance();

    /**
     * The caller's stack, leaf first, without the runtime's own frames but the outermost one,
     * and without the frames the goroutine profile hides (a goroutine's entry, Go's goexit).
     */
    static StackTraceElement[] callerStack() {
        return callerStack(null);
    }

    /** callerStack, running {@code perFrame} (when not null) before each frame is converted. */
    static StackTraceElement[] callerStack(Runnable perFrame) {
        return WALKER.walk(frames -> {
            List<StackTraceElement> out = new ArrayList<>();
            StackTraceElement lastRuntime = null;
            boolean leading = true;
            for (var it = frames.iterator(); it.hasNext() && out.size() < MAX_DEPTH; ) {
                StackWalker.StackFrame f = it.next();
                if (perFrame != null) {
                    perFrame.run();
                }
                if (leading) {
                    if (Traceback.isRuntimeFrame(f.getClassName())) {
                        lastRuntime = f.toStackTraceElement();
                        continue;
                    }
                    leading = false;
                    if (lastRuntime != null) {
                        out.add(lastRuntime);
                    }
                }
                if (!Traceback.isHiddenFrame(f.getClassName())) { // a goroutine's G.run, VirtualThread.run
                    out.add(f.toStackTraceElement());
                }
            }
            if (leading && lastRuntime != null) {
                out.add(lastRuntime);
            }
            return out.toArray(StackTraceElement[]::new);
        });
    }

    /** A snapshot record: Go's BlockProfileRecord (Count, Cycles, Stack). */
    record Record(StackTraceElement[] stack, long count, long cycles) {}

    /** The records, the largest delay first (pprof.go: writeProfileInternal sorts by Cycles). */
    static List<Record> records(boolean mutex) {
        List<Record> out = new ArrayList<>();
        for (Bucket b : (mutex ? MUTEX_BUCKETS : BLOCK_BUCKETS).values()) {
            out.add(new Record(b.stack, (long) b.count.sum(), b.cycles.sum()));
        }
        out.sort((a, b) -> Long.compare(b.cycles(), a.cycles()));
        return out;
    }

    /** Test hook: forgets every record. */
    public static void resetForTest() {
        MUTEX_BUCKETS.clear();
        BLOCK_BUCKETS.clear();
    }

    /**
     * ?debug=1, as pprof.go's writeProfileInternal writes it:
     * <pre>
     * --- mutex:
     * cycles/second=1000000000
     * sampling period=1
     * 40123 8 @
     * #	io.gmp4j.sync.Mutex.lock	Mutex.java:101
     * #	com.example.Worker.run	Worker.java:12
     * </pre>
     * {@code --- contention:} and no sampling period line for the block profile. Each group is
     * {@code cycles count @} (delay in nanoseconds first, as Go's order); Go writes the PCs
     * after the "@" and "#\t0xPC\tfunc+0xOFF\tfile:line" frames: Java frames have no PCs.
     */
    static String text(boolean mutex) {
        StringBuilder b = new StringBuilder("--- ").append(mutex ? "mutex" : "contention").append(":\n");
        b.append("cycles/second=1000000000\n");
        if (mutex) {
            b.append("sampling period=").append(mutexRate).append('\n');
        }
        for (Record r : records(mutex)) {
            b.append(r.cycles()).append(' ').append(r.count()).append(" @\n");
            for (StackTraceElement e : r.stack()) {
                b.append("#\t").append(e.getClassName()).append('.').append(e.getMethodName()).append('\t')
                        .append(e.getFileName() != null ? e.getFileName() : "?").append(':').append(Math.max(0, e.getLineNumber())).append('\n');
            }
            b.append('\n'); // pprof.go: printStackRecord ends each group with a blank line
        }
        return b.toString();
    }

    /** pprof.go: writeMutex, writeBlock: debug 1 the text, else the gzipped profile.proto. */
    static byte[] write(boolean mutex, int debug) {
        return debug >= 1 ? text(mutex).getBytes(java.nio.charset.StandardCharsets.UTF_8) : proto(mutex);
    }

    /**
     * The gzipped profile.proto (pprof.go: printCountCycleProfile): sample types
     * contentions/count and delay/nanoseconds, period type contentions/count, period 1 as Go's
     * (the counts and delays are already scaled by the sampling rate).
     */
    static byte[] proto(boolean mutex) {
        ProfileBuilder p = new ProfileBuilder()
                .sampleType("contentions", "count")
                .sampleType("delay", "nanoseconds")
                .period("contentions", "count", 1)
                .time(System.currentTimeMillis() * 1_000_000L, 0);
        for (Record r : records(mutex)) {
            p.sample(r.stack(), r.count(), r.cycles());
        }
        return p.gzipped();
    }
}
