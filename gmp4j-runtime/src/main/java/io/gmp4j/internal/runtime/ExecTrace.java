package io.gmp4j.internal.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The execution tracer behind {@code io.gmp4j.trace.Trace} (Go's runtime/trace), writing
 * Chrome trace-event JSON ({@code {"traceEvents":[...]}}) that ui.perfetto.dev and
 * chrome://tracing open. Not Go's binary format (docs/DIVERGENCES.md).
 *
 * <p>Off: the hot paths (execute, ready, newproc) read one static volatile boolean, {@link #on}.
 * On: each M, and sysmon, writes fixed-size records into its own single-producer ring
 * ({@link Buf}, allocated once per M per trace); a goroutine writes into the ring of the M it is
 * mounted on (it runs on that M's stack, so M and G never write at once). Threads that are
 * neither (the JDK's timer and poller threads, the application's platform threads) share one
 * ring under a {@link RuntimeMutex} (a few field writes: nobody parks in it). A full ring drops
 * the event and counts it; the count goes into the trace's {@code otherData}. A platform thread
 * of the tracer's own ({@code gmp4j-trace-writer}) drains the rings every 100 ms and does all
 * formatting and I/O: nothing on an M or sysmon allocates (beyond its ring, once) or writes.
 *
 * <p>Events: a complete event ({@code "ph":"X"}) per goroutine run slice on its P's track
 * (pid 1 "Ps", tid = P id) and its M's (pid 2 "Ms", tid = M id), named
 * {@code G<goid> <start function>}, args goid, m, and how the slice ended; instant events for
 * goroutine creation, blocking (with Go's wait reason), sysmon preemption requests and
 * hand-offs; a flow arrow from each unblock (on the waker's track) to the woken goroutine's
 * next slice. A slice whose P sysmon handed away meanwhile goes on the M's track only. A slice
 * ends where its goroutine announced its park or its own afterYield readied it, not when
 * cont.run() returns to the M: by then the JDK has the thread parked and another M may be
 * running it. One that stopped unseen (a JDK park) ends at its next slice's start at the
 * latest (the writer holds it until then). A slice begun before the trace started (under the
 * previous trace, which its M saw on) is left out, as one begun while tracing was off: every
 * event lies within the trace, and a goroutine running at the start shows from its next slice.
 * A slice still open when the trace stops (its goroutine running, or stopped with its M not yet
 * back: the OS may hold that thread off) is taken by the stop from the M (M.traceSlice: the M
 * and the stop race for it with a CAS) and ends where its goroutine stopped or, still running,
 * at the trace's end ({@code "running"}). A timer
 * firing is an instant ({@code "timer"}) on the track of the P (else the M, else sysmon's
 * "threads without a P") that ran it, naming the goroutine its callback readied or started. The
 * JVM's collections, from its GC notifications, are complete events on a "GC" process (pid 4):
 * pauses on one track, concurrent cycles on another, to the JVM's millisecond (placed at or
 * after the true time, by the notification's delay at most). User annotations
 * ({@link UserAnnotations}): a task is an async slice ("b"/"e", cat task) on a "tasks" process
 * (pid 5), a region a complete slice on its goroutine's track of a "goroutines" process (pid 6,
 * tid goid; pid 7 "threads" for a thread that is not a goroutine), a log or region misuse an
 * instant there. The writer pairs each end with its begin by id, whichever ring it drains first;
 * an end whose begin's trace generation is not this trace's began before it (shown from the
 * trace's start), and what is still open at the stop ends there, "unended".
 */
public final class ExecTrace {
    private ExecTrace() {}

    /** The one check on the hot paths. Written only by start/stop. */
    static volatile boolean on;

    /** SLICE_LATE: a slice whose end the M took on its way back from the G (the writer clamps it). */
    static final int SLICE = 1, CREATE = 2, UNBLOCK = 3, PREEMPT = 4, HANDOFF = 5, TIMER = 6, GC = 7, SLICE_LATE = 8;
    /** The user annotations' records (UserAnnotations: each kind's fields there). */
    static final int TASK_BEGIN = 9, TASK_END = 10, REGION_BEGIN = 11, REGION_END = 12, USER_LOG = 13, REGION_MISUSE = 14;
    /** Events per ring (a power of two); 5 longs and a reference each. */
    static final int CAP = 1 << 15;
    private static final int W = 5;

    /** A single-producer, single-consumer ring of fixed-size records. */
    static final class Buf {
        final long[] data = new long[CAP * W];
        final Object[] refs = new Object[CAP];
        final int gen;
        long head; // reader (the writer thread); HEAD
        long tail; // writer; TAIL
        long dropped; // writer; read after the writer is off (racy read: a count)
        /** The last goroutine this ring's thread readied or created: a timer callback's target. Writer only. */
        long lastTarget;

        Buf(int gen) {
            this.gen = gen;
        }

        /** Whether the record went in (false: the ring was full, the record dropped and counted). */
        boolean put(int kind, long ts, long a, long b, long c, Object ref) {
            long t = tail;
            if (t - (long) HEAD.getAcquire(this) >= CAP) { // pairs with the reader's setRelease
                dropped++;
                return false;
            }
            int i = (int) (t & (CAP - 1));
            int o = i * W;
            data[o] = kind;
            data[o + 1] = ts;
            data[o + 2] = a;
            data[o + 3] = b;
            data[o + 4] = c;
            refs[i] = ref;
            TAIL.setRelease(this, t + 1); // publishes the record; pairs with drain's getAcquire
            return true;
        }

        private static final VarHandle HEAD, TAIL;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                HEAD = l.findVarHandle(Buf.class, "head", long.class);
                TAIL = l.findVarHandle(Buf.class, "tail", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    // ---- state of one trace (start/stop under LOCK; the rest read racily by writers) ----

    private static final Object LOCK = new Object(); // only user threads and the writer thread
    private static volatile int gen;
    private static final RuntimeMutex bufsLock = new RuntimeMutex();
    private static volatile Buf[] bufs = new Buf[0];
    private static Buf sysmonBuf; // sysmon only
    private static Buf sharedBuf; // bufsLock
    private static Writer writer;
    /**
     * A stop is writing its trace (trace.go: trace.shutdown): start() refuses until then, as the
     * stopping writer still drains the rings in {@link #bufs}, which a new trace would replace.
     */
    private static boolean stopping; // LOCK
    /** A start is writing its trace's header (outside LOCK): other starts refuse, stops wait. */
    private static boolean starting; // LOCK

    // ---- recording (any thread; only while on) ----------------------------------------

    /** The caller's ring: its M's (the M itself or a G mounted on it), sysmon's, or null. */
    private static Buf ownBuf(Thread t) {
        M mp = t instanceof M m ? m : (t.isVirtual() && JdkInternals.carrierOf(t) instanceof M m ? m : null);
        int g = gen;
        if (mp != null) {
            Buf b = mp.tbuf;
            if (b == null || b.gen != g) {
                b = mp.tbuf = register(g);
            }
            return b;
        }
        if (Sysmon.isSysmon(t)) {
            Buf b = sysmonBuf;
            if (b == null || b.gen != g) {
                b = sysmonBuf = register(g);
            }
            return b;
        }
        return null;
    }

    private static Buf register(int g) {
        Buf b = new Buf(g);
        bufsLock.lock();
        try {
            Buf[] a = Arrays.copyOf(bufs, bufs.length + 1);
            a[a.length - 1] = b;
            bufs = a;
        } finally {
            bufsLock.unlock();
        }
        return b;
    }

    /** Records an event; returns the caller's own ring, or null when it went to the shared one. */
    private static Buf emit(int kind, long ts, long a, long b, long c, Object ref) {
        Thread t = Thread.currentThread();
        Buf buf = ownBuf(t);
        if (buf != null) {
            buf.put(kind, ts, a, b, c, ref);
            return buf;
        }
        bufsLock.lock();
        try {
            Buf s = sharedBuf;
            if (s != null && s.gen == gen) {
                s.put(kind, ts, a, b, c, ref);
            }
        } finally {
            bufsLock.unlock();
        }
        return null;
    }

    /**
     * Records a user annotation (UserAnnotations) from any thread: returns the generation of the
     * trace whose ring took it, 0 when none did (a full ring, or the shared ring of a finished
     * trace). A region's or task's end carries its begin's generation, so that the writer tells a
     * begin it has not drained yet from one of an earlier trace.
     */
    static int emitUser(int kind, long ts, long a, long b, long c, Object ref) {
        Buf buf = ownBuf(Thread.currentThread());
        if (buf != null) {
            return buf.put(kind, ts, a, b, c, ref) ? buf.gen : 0;
        }
        bufsLock.lock();
        try {
            Buf s = sharedBuf;
            return s != null && s.gen == gen && s.put(kind, ts, a, b, c, ref) ? s.gen : 0;
        } finally {
            bufsLock.unlock();
        }
    }

    private static long curPid() {
        M mp = M.current();
        P pp = mp != null ? mp.p : null;
        return pp != null ? pp.id : -1;
    }

    /** newproc, before the G's thread starts. */
    static void create(G newg) {
        G parent = G.current();
        Buf b = emit(CREATE, System.nanoTime(), newg.goid, parent != null ? parent.goid : 0, curPid(), newg.fn);
        if (b != null) {
            b.lastTarget = newg.goid; // a func timer's goroutine (time.AfterFunc)
        }
    }

    /** Proc.ready: gp became runnable. */
    static void unblock(G gp) {
        G waker = G.current();
        long now = System.nanoTime();
        Buf b = emit(UNBLOCK, now, gp.goid, waker != null ? waker.goid : 0, curPid(), null);
        if (b != null) {
            b.lastTarget = gp.goid; // a sleep's or a timer channel's receiver
        }
        // The JDK's afterYield readying the G its M still returns from (a yield, or a park whose
        // unpark came first): from here another M may run it, so its slice on this M ends here.
        if (Thread.currentThread() instanceof M mp && mp.curg == gp && mp.traceEndNanos == 0) {
            mp.traceParkReason = YIELDED; // first, as parking and exiting: a stop that reads the end reads this
            mp.traceEndNanos = now;
        }
    }

    /**
     * Timers.run, before a callback (an M or sysmon: both have rings): forgets the last target,
     * so that {@link #timerFired} names only a goroutine the callback readied or started.
     */
    static long timerBegin() {
        Buf b = ownBuf(Thread.currentThread());
        if (b != null) {
            b.lastTarget = 0;
        }
        return System.nanoTime();
    }

    /** Timers.run, after t's callback, begun at {@code start}: an instant on the P (or M) that ran it. */
    static void timerFired(RuntimeTimer t, long start) {
        Buf b = ownBuf(Thread.currentThread());
        M mp = M.current();
        P pp = mp != null ? mp.p : null;
        long target = b != null ? b.lastTarget : 0;
        emit(TIMER, start, target, pp != null ? pp.id : -1, mp != null ? mp.id : -1, t);
    }

    /**
     * RuntimeTimer.runSerializedIfDue: a receive or select polling a timer's channel took its
     * due run (Go 1.23: maybeRunChan) and sends itself: an instant on the poller's P, naming
     * the polling goroutine (0 from a thread that is not one), which is the one it delivers to.
     */
    static void timerPolled(RuntimeTimer t) {
        G gp = G.current();
        emit(TIMER, System.nanoTime(), gp != null ? gp.goid : 0, curPid(), M.current() != null ? M.current().id : -1, t);
    }

    /**
     * A JVM collection (a GC notification, on the JDK's notification thread): {@code start} and
     * {@code dur} in nanos on System.nanoTime's clock, {@code concurrent} for a concurrent cycle
     * (ZGC's and Shenandoah's cycles, {@link Mem#concurrent}) rather than a pause.
     */
    static void gc(long start, long dur, boolean concurrent, String[] what) {
        emit(GC, start, dur, concurrent ? 1 : 0, 0, what);
    }

    /** M.traceSlice: no slice; one begun and not yet in a ring; the M putting it in its ring. */
    static final int SLICE_NONE = 0, SLICE_OPEN = 1, SLICE_WRITING = 2;

    /** A slice's status byte for one still running when the trace stopped (cut there by stop). */
    private static final int STILL_RUNNING = 0;

    /** execute, before cont.run: gp's slice begins on mp, on pp. */
    static long sliceStart(M mp, G gp, P pp) {
        mp.traceEndNanos = 0;
        mp.traceParkReason = 0; // not a previous, untraced slice's (begun while tracing was off)
        long now = System.nanoTime();
        mp.traceSliceStart = now;
        mp.traceSliceG = gp;
        mp.traceSliceP = pp;
        mp.traceSlice = SLICE_OPEN; // publishes the three above to a stop that takes the slice
        return now;
    }

    /**
     * execute, after cont.run returned: gp ran on mp from {@code start}; {@code pid} is its P's
     * id, or -1 when sysmon handed the P away meanwhile. Nothing when a stop took the slice.
     */
    static void slice(M mp, int pid, G gp, long start) {
        if (!mp.casTraceSlice(SLICE_OPEN, SLICE_WRITING)) {
            return; // Trace.stop took it and writes it itself (takeOpenSlices)
        }
        long end = mp.traceEndNanos;
        int kind = SLICE;
        if (end < start) { // 0: it stopped unseen (a JDK park)
            end = System.nanoTime();
            kind = SLICE_LATE;
        }
        bufOf(mp).put(kind, start, end, gp.goid, (long) pid << 40 | mp.id << 16 | how(mp.traceParkReason), gp.fn);
        mp.traceParkReason = 0;
        mp.traceSliceG = null;
        mp.traceSlice = SLICE_NONE; // after the put: a stop that waited for it sees the record
    }

    /**
     * How a slice ended, as its G noted it on its M when it did: not the G's own fields, which
     * by then may be another M's run's (it yielded, was run elsewhere, and parked or exited).
     */
    private static long how(byte parked) {
        return parked > 0 ? G._Gwaiting | (long) parked << 8
                : parked == YIELDED ? G._Grunnable
                : parked == EXITED ? G._Gdead
                : G._Grunning; // stopped unseen: a JDK park
    }

    /**
     * Trace.stop, with {@code on} off: takes every M's open slice (its goroutine still running,
     * or stopped and its M not yet back: the OS may hold that thread off a while) and returns
     * them as records to write, ended where their goroutine stopped or, still running, at
     * {@code stopNanos} (Go's StopTrace stops the world and so ends every slice). A slice whose
     * M is putting it in its ring is waited for, up to {@code timeoutNanos} in all.
     */
    private static List<Object[]> takeOpenSlices(long stopNanos, long timeoutNanos) {
        M[] ms;
        Sched.lock.lock();
        try {
            ms = Sched.allm();
        } finally {
            Sched.lock.unlock();
        }
        long deadline = System.nanoTime() + timeoutNanos;
        List<Object[]> taken = new ArrayList<>();
        for (M mp : ms) {
            while (mp.traceSlice == SLICE_WRITING && System.nanoTime() - deadline < 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
            if (!mp.casTraceSlice(SLICE_OPEN, SLICE_NONE)) {
                continue;
            }
            G gp = mp.traceSliceG;
            P pp = mp.traceSliceP;
            long start = mp.traceSliceStart, end = mp.traceEndNanos;
            long how = end != 0 ? how(mp.traceParkReason) : STILL_RUNNING;
            mp.traceSliceG = null;
            // Its P's track only while the M still runs on it: sysmon may have handed it away.
            long pid = pp.running == mp ? pp.id : -1;
            // Still running (or stopped unseen: a JDK park, and perhaps run on by another M
            // whose slice is taken too): SLICE_LATE, which the writer ends at the goroutine's
            // next slice at the latest, and at the last event it drains at the earliest.
            taken.add(new Object[] {new long[] {end != 0 ? SLICE : SLICE_LATE, start, end != 0 ? end : stopNanos, gp.goid,
                    pid << 40 | mp.id << 16 | how}, gp.fn});
        }
        return taken;
    }

    /**
     * proc.go: traceGoPark. The G on this M is about to park for {@code reason} (ZERO: its park
     * returned): noted on the M, which reads it when the slice ends. Only the G mounted on the M.
     */
    static void parking(WaitReason reason) {
        M mp = M.current();
        if (mp != null) {
            mp.traceParkReason = (byte) reason.ordinal();
            // Before the park: once the JDK has the thread parked, a waker may run it on another M.
            mp.traceEndNanos = reason == WaitReason.ZERO ? 0 : System.nanoTime();
        }
    }

    /** traceParkReason's values besides a WaitReason's ordinal: the G yielded; it exited. */
    static final byte YIELDED = -1, EXITED = -2;

    /** goexit0, on the exiting G: its slice ends here, as an exit. */
    static void exiting() {
        M mp = M.current();
        if (mp != null) {
            mp.traceParkReason = EXITED;
            mp.traceEndNanos = System.nanoTime();
        }
    }

    /** sysmon asked gp, running on pp, to yield. */
    static void preempt(P pp, G gp) {
        emit(PREEMPT, System.nanoTime(), gp.goid, pp.id, 0, null);
    }

    /** sysmon handed pp away from under gp. */
    static void handoff(P pp, G gp, boolean blocked) {
        emit(HANDOFF, System.nanoTime(), gp.goid, pp.id, blocked ? 1 : 0, null);
    }

    /** For M.tbufPut. */
    static Buf bufOf(M mp) {
        int g = gen;
        Buf b = mp.tbuf;
        if (b == null || b.gen != g) {
            b = mp.tbuf = register(g);
        }
        return b;
    }

    // ---- start / stop -----------------------------------------------------------------

    /** Go's err.Error() when StartTrace refuses: its errorString, "runtime error: " and the text. */
    public static final String ALREADY_ENABLED = "runtime error: tracing is already enabled";

    /** Whether a start now would be refused with {@link #ALREADY_ENABLED} (a trace runs or is being written). */
    public static boolean busy() {
        synchronized (LOCK) {
            return writer != null || stopping || starting;
        }
    }

    /** trace.Start. */
    public static void start(OutputStream out) {
        startOwned(out);
    }

    /**
     * trace.Start, returning the trace's token for {@link #stop(Object)}: the debug server's
     * handler stops the trace it started, not one the program started after stopping that one.
     */
    public static Object startOwned(OutputStream out) {
        if (out == null) {
            throw new NullPointerException("out");
        }
        synchronized (LOCK) {
            if (writer != null || stopping || starting) {
                throw new IllegalStateException(ALREADY_ENABLED);
            }
            starting = true;
        }
        // The header outside LOCK: a stream that blocks holds up this start only (Go's Start
        // writes nothing itself); other starts are refused meanwhile, stops wait for it.
        Writer w;
        boolean written = false;
        try {
            w = new Writer(out, System.nanoTime());
            w.header();
            written = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            // the stream's own unchecked failure, as Writer.failure takes it at any later write
            // (its IllegalStateException would read as "already enabled")
            throw new UncheckedIOException(new IOException(e));
        } finally {
            if (!written) {
                synchronized (LOCK) {
                    starting = false;
                    LOCK.notifyAll();
                }
            }
        }
        synchronized (LOCK) {
            starting = false;
            LOCK.notifyAll();
            int g = gen + 1;
            bufsLock.lock();
            try {
                bufs = new Buf[0];
                sharedBuf = new Buf(g);
                bufs = new Buf[] {sharedBuf};
            } finally {
                bufsLock.unlock();
            }
            gen = g;
            writer = w;
            w.gen = g;
            try {
                GcEvents.start();
                w.start();
            } catch (Throwable e) { // no thread for the writer: no trace runs, the next start may try
                writer = null;
                throw e;
            }
            on = true;
            return w;
        }
    }

    /**
     * trace.Stop: stops tracing, writes what the rings hold and the trailer. A no-op when off;
     * while another thread's stop is writing its trace, waits until that one is written (Go's
     * Stop holds the tracing lock throughout). Until the trace is written a start fails with
     * "runtime error: tracing is already enabled", as Go's StartTrace does while
     * trace.shutdown is set.
     */
    public static void stop() {
        stop(null);
    }

    /** {@link #stop()} when the running trace is the one {@link #startOwned} gave {@code token} for (null: any). */
    public static void stop(Object token) {
        boolean mine;
        synchronized (LOCK) {
            awaitWhile(() -> starting);
            mine = writer != null && (token == null || writer == token);
        }
        if (mine && on) {
            GcEvents.catchUp(500_000_000L);
        }
        Writer w;
        synchronized (LOCK) {
            w = writer;
            if (w == null || token != null && w != token) {
                // trace.Stop "only returns after all the writes for the trace have completed":
                // another thread's stop that is writing it is waited for (Go's tracing lock).
                if (w == null) {
                    awaitWhile(() -> stopping); // no trace runs: another thread's stop may be writing one
                }
                return;
            }
            on = false;
            writer = null;
            stopping = true;
        }
        try {
            long stopNanos = System.nanoTime();
            w.finish(takeOpenSlices(stopNanos, STOP_SLICE_WAIT_NANOS), stopNanos);
        } finally {
            synchronized (LOCK) {
                stopping = false;
                LOCK.notifyAll();
            }
        }
        if (w.failure != null) {
            throw new UncheckedIOException(w.failure);
        }
    }

    /** How long a stop waits for Ms that are putting a slice in their ring (takeOpenSlices). */
    static final long STOP_SLICE_WAIT_NANOS = 100_000_000L;

    /**
     * Under LOCK: waits on LOCK while {@code cond} holds (a start writing its header: that trace
     * is then on, or failed; a stop writing its trace), keeping an interrupt for after.
     */
    private static void awaitWhile(java.util.function.BooleanSupplier cond) {
        boolean interrupted = false;
        while (cond.getAsBoolean()) {
            try {
                LOCK.wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a trace is being taken (tests). */
    public static boolean enabled() {
        return on;
    }

    /**
     * GC slices from the JVM's GC notifications (as gctrace gets them: the JVM collects, not
     * gmp4j). A holder, so that the runtime loads java.management only when a trace starts. The
     * listener stays installed and records only while tracing is on.
     */
    private static final class GcEvents {
        private static final String NOTIFICATION = "com.sun.management.gc.notification";
        private static boolean listening; // LOCK
        /**
         * System.nanoTime() at GcInfo's time zero (HotSpot's management start-up, tens of ms
         * after the JVM's: not RuntimeMXBean's uptime origin). Estimated from each notification
         * as its arrival minus the collection's end: an upper bound (the notification comes after
         * the end), so the least one seen is kept. Notification thread only.
         */
        private static long originNanos = Long.MAX_VALUE;
        private static final java.util.concurrent.atomic.AtomicLong notes = new java.util.concurrent.atomic.AtomicLong();
        private static volatile long notesAtStart, collectionsAtStart;

        /** Under LOCK, before tracing is on. */
        static void start() {
            if (!listening) {
                try {
                    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                        if (gc instanceof javax.management.NotificationEmitter emitter) {
                            emitter.addNotificationListener(GcEvents::note, null, null);
                        }
                    }
                    listening = true;
                } catch (RuntimeException | LinkageError e) {
                    return; // no java.management (a jlinked image): a trace without GC slices
                }
            }
            notesAtStart = notes.get();
            collectionsAtStart = collections();
        }

        private static long collections() {
            long c = 0;
            for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                c += Math.max(0, gc.getCollectionCount());
            }
            return c;
        }

        /**
         * Trace.stop, while still on: waits (up to {@code timeoutNanos}) for the notifications of
         * the collections that ended since start, which the JVM sends later from its own thread.
         */
        static void catchUp(long timeoutNanos) {
            if (!listening) {
                return;
            }
            GcTrace.awaitNotes(() -> notes.get() - notesAtStart, collections() - collectionsAtStart, timeoutNanos);
        }

        private static void note(javax.management.Notification n, Object handback) {
            if (!NOTIFICATION.equals(n.getType())) {
                return;
            }
            try {
                long now = System.nanoTime();
                if (on) {
                    var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                            (javax.management.openmbean.CompositeData) n.getUserData());
                    var gi = info.getGcInfo();
                    String name = info.getGcName();
                    boolean concurrent = Mem.concurrent(name); // G1's remark and cleanup are pauses
                    originNanos = Math.min(originNanos, now - gi.getEndTime() * 1_000_000L);
                    gc(originNanos + gi.getStartTime() * 1_000_000L, gi.getDuration() * 1_000_000L, concurrent,
                            new String[] {name, info.getGcAction(), info.getGcCause()});
                }
            } catch (Throwable e) {
                Panics.runtimeThrow("trace GC listener", e); // the JDK's thread would drop it
            } finally {
                notes.incrementAndGet();
            }
        }
    }

    /** The drainer: a platform thread that formats and writes. Never an M's or sysmon's work. */
    private static final class Writer extends Thread {
        private final OutputStream out;
        private final long t0;
        private volatile boolean done;
        IOException failure;
        private final StringBuilder sb = new StringBuilder(1 << 16);
        private boolean first = true;
        private long flowSeq;
        private final Map<Long, long[]> pendingFlow = new HashMap<>(); // goid -> {flow id, unblock ts}
        private final Map<Class<?>, String> names = new HashMap<>();
        private final TreeSet<Long> ps = new TreeSet<>(), ms = new TreeSet<>();
        private boolean gcPauses, gcCycles;
        /** This trace's generation (ExecTrace.gen): an end that names it has its begin in this trace. */
        int gen;
        /** Tasks whose "b" is written and "e" not yet: id -> taskType. */
        private final Map<Long, String> openTasks = new HashMap<>();
        /** Task ends whose begin (of this trace) is not drained yet: id -> {record, taskType}. */
        private final Map<Long, Object[]> taskEndsEarly = new HashMap<>();
        /** Regions begun and not yet ended: id -> {begin record, regionType}. */
        private final Map<Long, Object[]> openRegions = new HashMap<>();
        /** Region ends whose begin (of this trace) is not drained yet: id -> {record, {regionType, task}}. */
        private final Map<Long, Object[]> regionEndsEarly = new HashMap<>();
        /** The goroutines (pid 6) and other threads (pid 7) with regions or logs; whether any task. */
        private final TreeSet<Long> gTracks = new TreeSet<>(), tTracks = new TreeSet<>();
        private boolean tasks;
        private final List<long[]> round = new ArrayList<>();
        private final List<Object> roundRefs = new ArrayList<>();
        /**
         * The SLICE_LATE slice of each goroutine that stopped unseen (a JDK park), or that ended
         * in a yield, written when its next slice comes (or at stop) with its end clamped to that
         * one's start: its M took the end on its way back from the G (or, for a yield, in a JDK
         * afterYield that may have run late, for the G's next park), when another M may have
         * been running it.
         */
        private final Map<Long, Held> held = new HashMap<>();
        /**
         * The latest start of each live goroutine's written slices: a slice that reaches us after
         * one that began later (another M's ring drained first) ended by then at the latest.
         */
        private final Map<Long, Long> lastStart = new HashMap<>();
        /**
         * The start of each goroutine's exit slice, for {@link #EXIT_ROUNDS} to twice as many
         * rounds (two generations, rotated): a slice of it that reaches us later (its M held
         * off by the OS between the goroutine's JDK park and its own return, or still open at
         * the stop, while the goroutine ran on elsewhere and exited) ended by then. Not kept
         * for the whole trace: a trace of millions of short goroutines would keep them all.
         */
        private Map<Long, Long> exits = new HashMap<>(), exitsBefore = new HashMap<>();
        private int rounds;
        private static final int EXIT_ROUNDS = 10;

        private static final class Held {
            long[] e;
            Object ref;
            long flow;

            Held(long[] e, Object ref, long flow) {
                this.e = e;
                this.ref = ref;
                this.flow = flow;
            }
        }

        Writer(OutputStream out, long t0) {
            super(Deadlock.HELPERS, null, "gmp4j-trace-writer"); // a helper: wakes no goroutine (checkdead)
            setDaemon(true);
            this.out = out;
            this.t0 = t0;
        }

        void header() throws IOException {
            out.write("{\"traceEvents\":[\n".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void run() {
            while (!done) {
                // Woken by finish()'s unpark, not an interrupt: an interrupt that came during a
                // write to an interruptible channel's stream (FileChannel.open's, a socket
                // channel's) closed the channel and failed the rest of the trace.
                java.util.concurrent.locks.LockSupport.parkNanos(this, 100_000_000L);
                drainAndWrite(List.of());
            }
        }

        /** After the last round: the rings' last events and {@code open}, the slices stop took (takeOpenSlices). */
        void finish(List<Object[]> open, long stopNanos) {
            done = true;
            java.util.concurrent.locks.LockSupport.unpark(this);
            boolean interrupted = false;
            for (;;) {
                try {
                    join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            drainAndWrite(open); // events recorded after the writer's last round
            sb.setLength(0);
            for (Held h : held.values()) {
                slice(h.e, h.ref, h.flow);
            }
            held.clear();
            unendedAnnotations(Math.max(stopNanos, lastTs));
            write();
            long dropped = 0;
            for (Buf b : bufs) {
                dropped += b.dropped;
            }
            sb.setLength(0);
            for (long p : ps) {
                sep();
                sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":").append(p)
                        .append(",\"args\":{\"name\":\"P").append(p).append("\"}}");
            }
            for (long m : ms) {
                sep();
                sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":2,\"tid\":").append(m)
                        .append(",\"args\":{\"name\":\"M").append(m).append("\"}}");
            }
            sep();
            sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":3,\"tid\":0,\"args\":{\"name\":\"threads without a P\"}}");
            annotationTrackNames();
            if (gcPauses || gcCycles) {
                for (int tid = 0; tid < 2; tid++) {
                    if (tid == 0 ? gcPauses : gcCycles) {
                        sep();
                        sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":4,\"tid\":").append(tid)
                                .append(",\"args\":{\"name\":\"").append(tid == 0 ? "pauses" : "concurrent cycles").append("\"}}");
                    }
                }
            }
            String[] procs = {"Ps", "Ms", "runtime", "GC"};
            for (int i = 0; i < (gcPauses || gcCycles ? 4 : 3); i++) {
                sep();
                sb.append("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":").append(i + 1)
                        .append(",\"args\":{\"name\":\"").append(procs[i]).append("\"}}");
                sep();
                sb.append("{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":").append(i + 1)
                        .append(",\"args\":{\"sort_index\":").append(i + 1).append("}}");
            }
            sb.append("\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"format\":\"gmp4j trace-event JSON\"")
                    .append(",\"droppedEvents\":").append(dropped)
                    .append(",\"ringEvents\":").append(CAP).append("}}\n");
            write();
            if (failure == null) {
                try {
                    out.flush();
                } catch (IOException | RuntimeException e) {
                    failure = failure(e);
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * The stream's failure: its IOException, or an unchecked exception it threw (which would
         * otherwise end this thread, and leave the rings undrained) as one.
         */
        private static IOException failure(Exception e) {
            return e instanceof IOException io ? io : new IOException(e);
        }

        private void sep() {
            if (!first) {
                sb.append(",\n");
            }
            first = false;
        }

        private void write() {
            if (failure != null) {
                sb.setLength(0);
                return;
            }
            try {
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException | RuntimeException e) {
                failure = failure(e); // the rest is drained and discarded; stop() throws it
            }
            sb.setLength(0);
        }

        /** The latest timestamp drained so far (this thread, then the stopping one after join). */
        private long lastTs;

        private void drainAndWrite(List<Object[]> extra) {
            round.clear();
            roundRefs.clear();
            for (Buf b : bufs) {
                long h = b.head;
                long t = (long) Buf.TAIL.getAcquire(b); // pairs with put's setRelease
                for (; h < t; h++) {
                    int i = (int) (h & (CAP - 1));
                    int o = i * W;
                    round.add(Arrays.copyOfRange(b.data, o, o + W));
                    roundRefs.add(b.refs[i]);
                    b.refs[i] = null;
                }
                Buf.HEAD.setRelease(b, h); // frees the slots; pairs with put's getAcquire
            }
            for (long[] e : round) {
                lastTs = Math.max(lastTs, e[1]);
            }
            for (Object[] r : extra) {
                long[] e = (long[]) r[0];
                if (e[0] == SLICE_LATE) {
                    // Cut at the stop: its goroutine may have stamped an event after the stop's
                    // clock read, having read `on` before it went off.
                    e[2] = Math.max(e[2], lastTs);
                }
                round.add(e);
                roundRefs.add(r[1]);
            }
            Integer[] order = new Integer[round.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Long.compare(round.get(x)[1], round.get(y)[1]));
            sb.setLength(0);
            for (int i : order) {
                format(round.get(i), roundRefs.get(i));
            }
            write();
            if (++rounds % EXIT_ROUNDS == 0) {
                exitsBefore = exits;
                exits = new HashMap<>();
            }
        }

        private void ts(long nanos) {
            long ns = Math.max(0, nanos - t0);
            long us = ns / 1000, frac = ns % 1000;
            sb.append(us).append('.');
            if (frac < 100) {
                sb.append('0');
            }
            if (frac < 10) {
                sb.append('0');
            }
            sb.append(frac);
        }

        private void instant(String name, long pid, long tid, long ts) {
            sep();
            sb.append("{\"name\":\"").append(name).append("\",\"ph\":\"i\",\"s\":\"t\",\"pid\":").append(pid)
                    .append(",\"tid\":").append(tid).append(",\"ts\":");
            ts(ts);
        }

        private void track(long p) {
            // An event from a thread with no P goes on the runtime process's single track.
            if (p >= 0) {
                ps.add(p);
            }
        }

        private void format(long[] e, Object ref) {
            int kind = (int) e[0];
            if (e[1] < t0) {
                if (kind != GC) {
                    // Begun before this trace: a slice whose M checked `on` during the previous
                    // trace and took its end in this one (its ring is this trace's by then), or
                    // an event whose thread read the previous trace's gen. Not of this trace.
                    return;
                }
                // A collection under way when the trace started: the part inside the trace.
                e[2] = Math.max(0, e[1] + e[2] - t0);
                e[1] = t0;
            }
            switch (kind) {
                case SLICE, SLICE_LATE -> {
                    long goid = e[3];
                    Long later = lastStart.get(goid);
                    if (later == null) {
                        later = exits.get(goid);
                    }
                    if (later == null) {
                        later = exitsBefore.get(goid);
                    }
                    if (later != null && later > e[1]) {
                        e[2] = Math.min(e[2], later);
                    }
                    long[] pending = pendingFlow.get(goid);
                    long flow = 0;
                    if (pending != null && pending[1] <= e[1]) { // not a slice that ran before the unblock
                        pendingFlow.remove(goid);
                        flow = pending[0];
                    }
                    Held h = held.get(goid);
                    if (h != null && h.e[1] > e[1]) { // a slice that reached us after the G's next one
                        e[2] = Math.min(e[2], h.e[1]);
                        slice(e, ref, flow);
                        return;
                    }
                    if (h != null) {
                        held.remove(goid);
                        h.e[2] = Math.min(h.e[2], e[1]);
                        slice(h.e, h.ref, h.flow);
                    }
                    // Held till the G's next slice: one that stopped unseen, and a yield, whose end
                    // unblock noted on an M whose curg it still was: that may be a stale carrier's
                    // late afterYield (its permit check for the G's next JDK park, run elsewhere).
                    if ((kind == SLICE_LATE && (e[4] & 0xFFFF) != G._Gdead) // an exit: no slice follows
                            || (e[4] & 0xFFFF) == G._Grunnable) {
                        held.put(goid, new Held(e, ref, flow));
                    } else {
                        slice(e, ref, flow);
                    }
                }
                case CREATE -> {
                    long p = e[4];
                    track(p);
                    instant("GoCreate", p >= 0 ? 1 : 3, Math.max(p, 0), e[1]);
                    sb.append(",\"args\":{\"goid\":").append(e[2]).append(",\"parent\":").append(e[3])
                            .append(",\"fn\":\"").append(esc(name(ref))).append("\"}}");
                }
                case UNBLOCK -> {
                    long p = e[4], goid = e[2];
                    track(p);
                    long pid = p >= 0 ? 1 : 3, tid = Math.max(p, 0);
                    instant("GoUnblock", pid, tid, e[1]);
                    sb.append(",\"args\":{\"goid\":").append(goid).append(",\"by\":").append(e[3]).append("}}");
                    long id = ++flowSeq;
                    pendingFlow.put(goid, new long[] {id, e[1]});
                    sep();
                    sb.append("{\"name\":\"unblock\",\"cat\":\"flow\",\"ph\":\"s\",\"id\":").append(id)
                            .append(",\"pid\":").append(pid).append(",\"tid\":").append(tid).append(",\"ts\":");
                    ts(e[1]);
                    sb.append('}');
                }
                case PREEMPT, HANDOFF -> {
                    long p = e[3];
                    track(p);
                    instant(kind == PREEMPT ? "preempt" : "sysmon handoff", 1, p, e[1]);
                    sb.append(",\"args\":{\"goid\":").append(e[2]);
                    if (kind == HANDOFF) {
                        sb.append(",\"blocked\":").append(e[4] != 0);
                    }
                    sb.append("}}");
                }
                case TIMER -> {
                    long p = e[3], mid = e[4];
                    long pid = 3, tid = 0; // sysmon
                    if (p >= 0) {
                        track(p);
                        pid = 1;
                        tid = p;
                    } else if (mid >= 0) {
                        ms.add(mid);
                        pid = 2;
                        tid = mid;
                    }
                    instant("timer", pid, tid, e[1]);
                    sb.append(",\"args\":{\"goid\":").append(e[2]).append(",\"timer\":\"").append(esc(timerName(ref))).append("\"}}");
                }
                case GC -> {
                    String[] what = (String[]) ref;
                    boolean concurrent = e[3] != 0;
                    if (concurrent) {
                        gcCycles = true;
                    } else {
                        gcPauses = true;
                    }
                    sep();
                    sb.append("{\"name\":\"GC ").append(esc(what[0])).append("\",\"cat\":\"gc\",\"ph\":\"X\",\"pid\":4,\"tid\":")
                            .append(concurrent ? 1 : 0).append(",\"ts\":");
                    ts(e[1]);
                    sb.append(",\"dur\":");
                    ts(t0 + e[2]);
                    sb.append(",\"args\":{\"collector\":\"").append(esc(what[0])).append("\",\"action\":\"").append(esc(what[1]))
                            .append("\",\"cause\":\"").append(esc(what[2])).append("\"}}");
                }
                case TASK_BEGIN -> {
                    String type = (String) ref;
                    taskB(e[2], type, e[1], e[3], e[4], false);
                    Object[] early = taskEndsEarly.remove(e[2]);
                    if (early != null) {
                        taskE(e[2], type, ((long[]) early[0])[1], ((long[]) early[0])[4]);
                    } else {
                        openTasks.put(e[2], type);
                    }
                }
                case TASK_END -> {
                    String type = (String) ref;
                    if (openTasks.remove(e[2]) != null) {
                        taskE(e[2], type, e[1], e[4]);
                    } else if (e[3] == gen) { // its begin is in a ring drained after this one
                        taskEndsEarly.put(e[2], new Object[] {e, type});
                    } else { // begun before the trace (or under no trace): shown from its start
                        taskB(e[2], type, t0, 0, 0, true);
                        taskE(e[2], type, e[1], e[4]);
                    }
                }
                case REGION_BEGIN -> {
                    Object[] early = regionEndsEarly.remove(e[2]);
                    if (early != null) {
                        region(e[4], (String) ref, e[3], e[1], ((long[]) early[0])[1], null);
                    } else {
                        openRegions.put(e[2], new Object[] {e, ref});
                    }
                }
                case REGION_END -> {
                    Object[] what = (Object[]) ref;
                    Object[] begin = openRegions.remove(e[2]);
                    if (begin != null) {
                        long[] b = (long[]) begin[0];
                        region(b[4], (String) begin[1], b[3], b[1], e[1], null);
                    } else if (e[3] == gen) {
                        regionEndsEarly.put(e[2], new Object[] {e, what});
                    } else {
                        region(e[4], (String) what[0], (Long) what[1], t0, e[1], "\"begin\":\"before the trace\"");
                    }
                }
                case USER_LOG -> {
                    String[] kv = (String[]) ref;
                    // cmd/trace: formatUserLog
                    String name = kv[0].isEmpty() ? kv[1] : kv[1].isEmpty() ? kv[0] : kv[0] + "=" + kv[1];
                    annotationInstant(name.isEmpty() ? "log" : name, "log", e[4], e[1]);
                    sb.append(",\"task\":").append(e[2]).append(",\"category\":\"").append(esc(kv[0]))
                            .append("\",\"message\":\"").append(esc(kv[1])).append("\"}}");
                }
                case REGION_MISUSE -> {
                    annotationInstant("region misuse", "region", e[4], e[1]);
                    sb.append(",\"message\":\"").append(esc((String) ref)).append("\"}}");
                }
                default -> {}
            }
        }

        /** A task's "b" on the tasks process (pid 5): an async slice keyed by its id, named by its type. */
        private void taskB(long id, String type, long ts, long parent, long key, boolean before) {
            tasks = true;
            sep();
            sb.append("{\"name\":\"").append(esc(type)).append("\",\"cat\":\"task\",\"ph\":\"b\",\"id\":").append(id)
                    .append(",\"pid\":5,\"tid\":0,\"ts\":");
            ts(ts);
            sb.append(",\"args\":{\"task\":").append(id);
            if (before) {
                sb.append(",\"begin\":\"before the trace\"");
            } else {
                sb.append(",\"parent\":").append(parent).append(',');
                who(key);
            }
            sb.append("}}");
        }

        /** A task's "e", by goroutine {@code key} (0: none, the task was still open at the stop). */
        private void taskE(long id, String type, long ts, long key) {
            sep();
            sb.append("{\"name\":\"").append(esc(type)).append("\",\"cat\":\"task\",\"ph\":\"e\",\"id\":").append(id)
                    .append(",\"pid\":5,\"tid\":0,\"ts\":");
            ts(ts);
            sb.append(",\"args\":{");
            if (key == 0) {
                sb.append("\"end\":\"unended\"");
            } else {
                who(key);
            }
            sb.append("}}");
        }

        /** args' {@code "goid":N}, or {@code "goid":0,"thread":T} for a thread that is not a goroutine. */
        private void who(long key) {
            sb.append("\"goid\":").append(Math.max(key, 0));
            if (key < 0) {
                sb.append(",\"thread\":").append(-key);
            }
        }

        /** The annotation track of {@code key}: pid 6 (goroutines) tid goid, or pid 7 (threads) tid thread id. */
        private void annotationTrack(long key) {
            if (key > 0) {
                gTracks.add(key);
                sb.append(",\"pid\":6,\"tid\":").append(key);
            } else {
                tTracks.add(-key);
                sb.append(",\"pid\":7,\"tid\":").append(-key);
            }
        }

        /** A region: a complete slice on its goroutine's annotation track; {@code note} an extra arg or null. */
        private void region(long key, String type, long task, long start, long end, String note) {
            sep();
            sb.append("{\"name\":\"").append(esc(type)).append("\",\"cat\":\"region\",\"ph\":\"X\"");
            annotationTrack(key);
            sb.append(",\"ts\":");
            ts(start);
            sb.append(",\"dur\":");
            ts(t0 + Math.max(0, end - start));
            sb.append(",\"args\":{");
            who(key);
            sb.append(",\"task\":").append(task);
            if (note != null) {
                sb.append(',').append(note);
            }
            sb.append("}}");
        }

        /** An instant on {@code key}'s annotation track, its args object left open after "goid". */
        private void annotationInstant(String name, String cat, long key, long ts) {
            sep();
            sb.append("{\"name\":\"").append(esc(name)).append("\",\"cat\":\"").append(cat).append("\",\"ph\":\"i\",\"s\":\"t\"");
            annotationTrack(key);
            sb.append(",\"ts\":");
            ts(ts);
            sb.append(",\"args\":{");
            who(key);
        }

        /**
         * At the stop: regions and tasks still open end at the trace's end ({@code end}), marked
         * "unended"; ends whose begin never came (it was dropped) begin at the trace's start.
         */
        private void unendedAnnotations(long end) {
            for (Object[] r : openRegions.values()) {
                long[] b = (long[]) r[0];
                region(b[4], (String) r[1], b[3], b[1], end, "\"end\":\"unended\"");
            }
            openRegions.clear();
            for (Object[] r : regionEndsEarly.values()) {
                long[] e = (long[]) r[0];
                Object[] what = (Object[]) r[1];
                region(e[4], (String) what[0], (Long) what[1], t0, e[1], "\"begin\":\"before the trace\"");
            }
            regionEndsEarly.clear();
            for (var t : openTasks.entrySet()) {
                taskE(t.getKey(), t.getValue(), end, 0);
            }
            openTasks.clear();
            for (var t : taskEndsEarly.entrySet()) {
                long[] e = (long[]) t.getValue()[0];
                taskB(t.getKey(), (String) t.getValue()[1], t0, 0, 0, true);
                taskE(t.getKey(), (String) t.getValue()[1], e[1], e[4]);
            }
            taskEndsEarly.clear();
        }

        /** Metadata for the annotations' processes and tracks, where the trace has any. */
        private void annotationTrackNames() {
            String[][] procs = {{"5", "tasks"}, {"6", "goroutines"}, {"7", "threads"}};
            boolean[] used = {tasks, !gTracks.isEmpty(), !tTracks.isEmpty()};
            for (int i = 0; i < 3; i++) {
                if (!used[i]) {
                    continue;
                }
                sep();
                sb.append("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":").append(procs[i][0])
                        .append(",\"args\":{\"name\":\"").append(procs[i][1]).append("\"}}");
                sep();
                sb.append("{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":").append(procs[i][0])
                        .append(",\"args\":{\"sort_index\":").append(procs[i][0]).append("}}");
            }
            if (tasks) {
                sep();
                sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":5,\"tid\":0,\"args\":{\"name\":\"tasks\"}}");
            }
            for (long g : gTracks) {
                sep();
                sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":6,\"tid\":").append(g)
                        .append(",\"args\":{\"name\":\"G").append(g).append("\"}}");
            }
            for (long t : tTracks) {
                sep();
                sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":7,\"tid\":").append(t)
                        .append(",\"args\":{\"name\":\"thread ").append(t).append("\"}}");
            }
        }

        /** Writes a slice record (its end clamped), its unblock flow's end ({@code flow}, 0: none) and its block. */
        private void slice(long[] e, Object ref, long flow) {
            long start = e[1], end = e[2], goid = e[3], c = e[4];
            long pid = c >> 40;
            long mid = (c >>> 16) & 0xFF_FFFFL;
            int status = (int) (c & 0xFF);
            if (status == G._Gdead) {
                lastStart.remove(goid); // its last slice
                exits.put(goid, start);
            } else {
                lastStart.merge(goid, start, Math::max);
            }
            WaitReason r = WaitReason.values()[(int) ((c >>> 8) & 0xFF)];
            String how = r != WaitReason.ZERO ? r.text()
                    : status == STILL_RUNNING ? "running"
                    : status == G._Gdead ? "exit"
                    : status == G._Grunnable ? "runnable"
                    : "java park";
            String name = "G" + goid + " " + name(ref);
            ms.add(mid);
            for (int k = pid >= 0 ? 0 : 1; k < 2; k++) {
                long p = k == 0 ? 1 : 2, tid = k == 0 ? pid : mid;
                if (k == 0) {
                    track(pid);
                }
                sep();
                sb.append("{\"name\":\"").append(esc(name)).append("\",\"cat\":\"goroutine\",\"ph\":\"X\",\"pid\":")
                        .append(p).append(",\"tid\":").append(tid).append(",\"ts\":");
                ts(start);
                sb.append(",\"dur\":");
                ts(t0 + Math.max(0, end - start));
                sb.append(",\"args\":{\"goid\":").append(goid).append(",\"m\":").append(mid)
                        .append(",\"p\":").append(pid).append(",\"end\":\"").append(how).append("\"}}");
            }
            if (flow != 0) {
                sep();
                sb.append("{\"name\":\"unblock\",\"cat\":\"flow\",\"ph\":\"f\",\"bp\":\"e\",\"id\":").append(flow)
                        .append(",\"pid\":").append(pid >= 0 ? 1 : 2).append(",\"tid\":").append(pid >= 0 ? pid : mid)
                        .append(",\"ts\":");
                ts(start);
                sb.append('}');
            }
            if (r != WaitReason.ZERO || how.equals("java park")) {
                instant("GoBlock", pid >= 0 ? 1 : 2, pid >= 0 ? pid : mid, end);
                sb.append(",\"args\":{\"goid\":").append(goid).append(",\"reason\":\"").append(how).append("\"}}");
            }
        }

        /** What a timer is for: Time.sleep's sleeper, a timer channel's (Timer/Ticker C), a func timer's function. */
        private String timerName(Object t) {
            String n = t.getClass().getName();
            if (n.endsWith("Time$Sleeper")) {
                return "time.Sleep";
            }
            if (n.contains("ChanTimer$")) {
                return "timer channel";
            }
            if (t instanceof RuntimeTimer rt && rt.f != null) {
                return "func " + name(rt.f);
            }
            return name(t);
        }

        /**
         * A goroutine's start function: its Runnable's class (or that class itself, which a
         * started G keeps: G.fn), a lambda shown as its enclosing class.
         */
        private String name(Object fn) {
            if (fn == null) {
                return "?";
            }
            return names.computeIfAbsent(fn instanceof Class<?> k ? k : fn.getClass(), c -> {
                String n = c.getName();
                int l = n.indexOf("$$Lambda");
                return l >= 0 ? n.substring(0, l) + ".func" : n;
            });
        }

        private static String esc(String s) {
            StringBuilder b = null;
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"' || ch == '\\' || ch < 0x20) {
                    if (b == null) {
                        b = new StringBuilder(s.substring(0, i));
                    }
                    b.append(String.format("\\u%04x", (int) ch));
                } else if (b != null) {
                    b.append(ch);
                }
            }
            return b == null ? s : b.toString();
        }
    }
}
