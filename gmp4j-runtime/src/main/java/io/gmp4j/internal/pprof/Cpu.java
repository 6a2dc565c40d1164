package io.gmp4j.internal.pprof;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import io.gmp4j.internal.runtime.ProfLabelEvent;
import io.gmp4j.internal.runtime.ProfLabels;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * /debug/pprof/profile?seconds=N: a CPU profile from an in-process JFR recording, as Go's sample
 * types samples/count and cpu/nanoseconds. On Linux it is JFR's CPU-time sampler
 * ({@code jdk.CPUTimeSample}, JDK 25, experimental): one sample per 10 ms of CPU time a thread
 * uses, in Java, native or the kernel, like Go's per-thread profiling timers
 * (runtime/pprof: setThreadCPUProfiler) at 100 Hz; so the Ms' time in park/unpark shows under
 * the scheduler's frames (proc.go: findRunnable -> stopm), as futexsleep does in Go. Elsewhere
 * it is {@code jdk.ExecutionSample} every 10 ms of wall time, which samples threads running
 * Java code only. A sample taken on a goroutine carries the pprof label {@code goroutine} = its
 * goid (JFR reports the mounted virtual thread, whose id maps to the goid through allgs).
 * Its pprof labels (io.gmp4j.pprof: Do, SetGoroutineLabels) are the sample's labels too.
 * The recording goes to a temporary file (owner-only), read once it stopped and then deleted.
 * The program's own profile (pprof.StartCPUProfile) records the same way: {@link #startApi}.
 */
public final class Cpu {
    private Cpu() {}

    static final long PERIOD_NANOS = 10_000_000L;
    private static final AtomicBoolean busy = new AtomicBoolean();

    /** JFR's CPU-time sampler is there (JDK 25+, Linux only); null until JFR has started. */
    private static volatile Boolean cpuTimeSampler;

    /**
     * Whether JFR has its CPU-time sampler. Asked once a profile is, not in the class's
     * initializer: where JFR cannot start (its repository, under java.io.tmpdir, cannot be
     * made) getFlightRecorder throws, and that must be the profile's 500, not a class that
     * fails to load for good.
     */
    private static boolean cpuTimeSampler() {
        Boolean b = cpuTimeSampler;
        if (b == null) {
            b = System.getProperty("os.name", "").startsWith("Linux")
                    && FlightRecorder.getFlightRecorder().getEventTypes().stream().anyMatch(t -> t.getName().equals("jdk.CPUTimeSample"));
            cpuTimeSampler = b;
        }
        return b;
    }

    static void serve(HttpExchange ex, Map<String, String> q) throws IOException {
        long sec = DebugServer.secondsParam(q, 30);
        if (!busy.compareAndSet(false, true)) {
            throw new DebugServer.BadRequest(500, "Could not enable CPU profiling: cpu profiling already in use");
        }
        try {
            GzipAnswer a = new GzipAnswer(ex, "profile");
            if (DebugServer.isHead(ex)) {
                // The headers only, and no profile: a HEAD answer has no body, so no heartbeat
                // could tell that its client left, and the profile would hold the profiler for
                // all its seconds (as /debug/pprof/trace's HEAD, which starts no trace).
                a.start();
                return;
            }
            byte[] proto = profile(tick -> {
                a.start();
                return DebugServer.sleep(Duration.ofSeconds(sec), () -> {
                    tick.run();
                    a.heartbeat();
                });
            });
            a.finish(proto);
        } finally {
            busy.set(false);
        }
    }

    /** What the profiler waits on while it records: false when its client went away. */
    interface Wait {
        /** Waits; calls {@code tick} now and then (each heartbeat): the goid snapshots. */
        boolean await(Runnable tick) throws IOException;
    }

    /** A CPU-profile bucket: a stack, the goroutine it ran on (0: not a goroutine, or not known) and its labels. */
    private record Key(List<String> stack, long goid, Map<String, String> labels) {}

    /** A sample as read: its stack, its thread (-1: none), its goid, when it was taken. */
    private record Sample(List<StackTraceElement> frames, long tid, long goid, java.time.Instant at) {}

    /**
     * Records until {@code wait} returns (it is called once the recording runs); the
     * profile.proto, not gzipped.
     *
     * <p>A recording to a file, read once it stopped, not a RecordingStream: a stream's stop
     * waits for its last events until JFR's next periodic flush (ChunkParser.awaitUpdatedHeader
     * sleeps on Utils.waitFlush, up to 1 s, and JFR allows no flush interval under 1 s nor sets
     * one through RecordingStream), so a 1-second profile took 2 s; stopping a recording and
     * reading its file takes some 20 ms. The samples are read after the goroutines they name
     * may have ended: the goids come from snapshots of allgs taken as the recording runs (Goids).
     * Each sample's pprof labels are its goroutine's at the sample's time: those at the start
     * (ProfLabels' snapshot), then the latest ProfLabelEvent of its thread before the sample,
     * both events and samples on JFR's clock.
     */
    static byte[] profile(Wait wait) throws IOException {
        Goids goids = new Goids();
        boolean cpuTime;
        Path file;
        try {
            cpuTime = cpuTimeSampler();
            file = Files.createTempFile("gmp4j-cpu-", ".jfr"); // owner-only (POSIX)
        } catch (IllegalStateException e) {
            throw new DebugServer.BadRequest(500, "Could not enable CPU profiling: " + e.getMessage());
        } catch (IOException e) {
            throw new DebugServer.BadRequest(500, "Could not enable CPU profiling: no temporary file for the recording in java.io.tmpdir (" + e + ")");
        }
        String event = cpuTime ? "jdk.CPUTimeSample" : "jdk.ExecutionSample";
        // The profile's time and duration are the sampling's (Go's: StartCPUProfile to
        // StopCPUProfile): from the recording's start to the stop's call, not JFR's start-up.
        long start, t0, t1;
        List<Sample> samples = new ArrayList<>();
        Map<Long, java.util.TreeMap<java.time.Instant, Long>> labelChanges = new java.util.HashMap<>();
        ProfLabels.Session labels = null;
        Map<Long, Map<String, String>> labelsAtStart;
        try {
            try (Recording r = new Recording()) {
                if (cpuTime) {
                    r.enable(event).with("throttle", PERIOD_NANOS / 1_000_000 + "ms").withStackTrace();
                } else {
                    r.enable(event).withPeriod(Duration.ofNanos(PERIOD_NANOS)).withStackTrace();
                }
                r.enable(ProfLabelEvent.NAME).withoutStackTrace();
                r.setToDisk(true);
                r.setDestination(file);
                try {
                    r.start();
                } catch (IllegalStateException e) {
                    throw new DebugServer.BadRequest(500, "Could not enable CPU profiling: " + e.getMessage());
                }
                labels = ProfLabels.startSession();
                labelsAtStart = labels.snapshot();
                start = System.currentTimeMillis() * 1_000_000L;
                t0 = System.nanoTime();
                goids.snapshot();
                try {
                    wait.await(goids::tick);
                } finally {
                    t1 = System.nanoTime();
                    goids.snapshot();
                    r.stop(); // writes the file
                    labels.close();
                }
            }
            try (RecordingFile rf = new RecordingFile(file)) {
                while (rf.hasMoreEvents()) {
                    RecordedEvent ev = rf.readEvent();
                    String type = ev.getEventType().getName();
                    if (type.equals(ProfLabelEvent.NAME)) {
                        // Two changes at one instant keep the later one read (a thread's events are in order).
                        labelChanges.computeIfAbsent(ev.getLong("tid"), k -> new java.util.TreeMap<>()).put(ev.getStartTime(), ev.getLong("labels"));
                        continue;
                    }
                    RecordedStackTrace st = ev.getStackTrace();
                    if (st == null || !type.equals(event)) {
                        continue;
                    }
                    // jdk.ExecutionSample names it sampledThread, jdk.CPUTimeSample eventThread.
                    RecordedThread t = cpuTime ? ev.getThread() : ev.getThread("sampledThread");
                    // JDK 25 samples a mounted virtual thread as itself (its id, isVirtual), not its carrier.
                    boolean onG = t != null && t.isVirtual();
                    long goid = onG ? goids.of(t.getJavaThreadId()) : 0;
                    // The labels by thread id, the goid or not: a goroutine shorter than the goid snapshots' 200 ms has labels too.
                    samples.add(new Sample(javaFrames(st), onG ? t.getJavaThreadId() : -1, goid, ev.getStartTime()));
                }
            }
        } finally {
            if (labels != null) {
                labels.close();
            }
            Files.deleteIfExists(file);
        }
        Map<Key, long[]> counts = new LinkedHashMap<>();
        Map<Key, StackTraceElement[]> stacks = new LinkedHashMap<>();
        for (Sample sm : samples) {
            Map<String, String> l = null;
            if (sm.tid() >= 0) {
                var changes = labelChanges.get(sm.tid());
                var change = changes != null ? changes.floorEntry(sm.at()) : null;
                l = change != null ? labels.labels(change.getValue()) : labelsAtStart.get(sm.tid());
            }
            Key key = new Key(key(sm.frames()), sm.goid(), l != null ? l : Map.of());
            counts.computeIfAbsent(key, k -> new long[1])[0]++;
            stacks.putIfAbsent(key, sm.frames().toArray(new StackTraceElement[0]));
        }
        ProfileBuilder p = new ProfileBuilder()
                .sampleType("samples", "count")
                .sampleType("cpu", "nanoseconds")
                .period("cpu", "nanoseconds", PERIOD_NANOS)
                .time(start, t1 - t0);
        for (var e : counts.entrySet()) {
            long n = e.getValue()[0];
            long goid = e.getKey().goid();
            // The goroutine's own labels, and gmp4j's goroutine label unless it set one of that key.
            Map<String, String> sampleLabels = new java.util.TreeMap<>(e.getKey().labels());
            if (goid != 0) {
                sampleLabels.putIfAbsent("goroutine", Long.toString(goid));
            }
            p.sample(stacks.get(e.getKey()), sampleLabels, n, n * PERIOD_NANOS);
        }
        return p.encode();
    }

    // ---- runtime/pprof: StartCPUProfile, StopCPUProfile ------------------------------------

    /** Go's error text when a CPU profile runs already (the debug server's or the program's). */
    public static final String ALREADY_IN_USE = "cpu profiling already in use";

    /** The program's profile (pprof.go: cpu): guarded by API_LOCK, as Go's cpu mutex. */
    private static final Object API_LOCK = new Object();
    private static ApiProfile api;

    private record ApiProfile(java.util.concurrent.CountDownLatch stop, java.util.concurrent.CompletableFuture<byte[]> proto,
            java.io.OutputStream out) {}

    /**
     * pprof.StartCPUProfile: records on a daemon platform thread of its own (Go's profileWriter
     * goroutine; never a goroutine, as the debug server's threads) until {@link #stopApi};
     * returns once the recording runs.
     *
     * @throws IllegalStateException {@link #ALREADY_IN_USE}, or why the recording did not start
     */
    public static void startApi(java.io.OutputStream out) {
        java.util.Objects.requireNonNull(out, "out");
        synchronized (API_LOCK) {
            if (!busy.compareAndSet(false, true)) {
                throw new IllegalStateException(ALREADY_IN_USE);
            }
            var started = new java.util.concurrent.CountDownLatch(1);
            var stop = new java.util.concurrent.CountDownLatch(1);
            var proto = new java.util.concurrent.CompletableFuture<byte[]>();
            Thread.ofPlatform().daemon().name("gmp4j-cpu-profile").start(() -> {
                try {
                    proto.complete(profile(tick -> {
                        started.countDown();
                        while (!awaitUninterruptibly(stop, DebugServer.HEARTBEAT_NANOS)) {
                            tick.run();
                        }
                        return true;
                    }));
                } catch (Throwable e) {
                    proto.completeExceptionally(e);
                } finally {
                    started.countDown();
                }
            });
            while (!awaitUninterruptibly(started, Long.MAX_VALUE)) {
                // until the recording runs or failed
            }
            if (proto.isCompletedExceptionally()) {
                busy.set(false);
                throw new IllegalStateException("could not start the CPU profile: " + proto.exceptionNow(), proto.exceptionNow());
            }
            api = new ApiProfile(stop, proto, out);
        }
    }

    /**
     * pprof.StopCPUProfile: stops the program's profile, if one runs, and returns once its
     * gzipped profile.proto is written to its stream (flushed, not closed).
     *
     * @throws java.io.UncheckedIOException when writing to the stream failed
     */
    public static void stopApi() {
        synchronized (API_LOCK) {
            ApiProfile a = api;
            if (a == null) {
                return;
            }
            api = null;
            try {
                a.stop().countDown();
                byte[] proto;
                boolean interrupted = false;
                while (true) {
                    try {
                        proto = a.proto().get();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("CPU profile: " + e.getCause(), e.getCause());
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                try {
                    var gz = new java.util.zip.GZIPOutputStream(a.out());
                    gz.write(proto);
                    gz.finish(); // not close: the stream is the caller's
                    a.out().flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            } finally {
                busy.set(false);
            }
        }
    }

    /** Awaits {@code latch} up to {@code nanos}, an interrupt ignored (kept); true once it is open. */
    private static boolean awaitUninterruptibly(java.util.concurrent.CountDownLatch latch, long nanos) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return latch.await(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Virtual-thread id to goid: the union of snapshots of allgs (Procs.goidsByThreadId) taken
     * at the recording's start, at each heartbeat (every 200 ms) and at its end. A goroutine
     * that started and ended between two snapshots, or a virtual thread that is not a
     * goroutine, gets no label. A thread id is never reused, so the union holds no stale pair;
     * it grows with the goroutines seen, up to {@link #MAX} pairs (then a snapshot adds no more).
     */
    private static final class Goids {
        static final int MAX = 1 << 20;
        /** A heartbeat's snapshot waits this many times the last one's duration: at most ~5 % of a CPU. */
        static final int SPACING = 20;
        private final Map<Long, Long> byTid = new java.util.HashMap<>();
        private long nextTick;

        /** At the start and the end of the recording: always. */
        void snapshot() {
            long t0 = System.nanoTime();
            for (var e : io.gmp4j.internal.runtime.Procs.goidsByThreadId().entrySet()) {
                if (byTid.size() >= MAX) {
                    break;
                }
                byTid.putIfAbsent(e.getKey(), e.getValue());
            }
            long t1 = System.nanoTime();
            nextTick = t1 + SPACING * (t1 - t0);
        }

        /**
         * At a heartbeat (every 200 ms), unless the last snapshot was too long ago for its cost: a
         * walk of a million goroutines takes ~0.5 s, and snapshots back to back would hold a CPU
         * (and show in the profile). A goroutine that starts and ends between two snapshots has
         * no goroutine label.
         */
        void tick() {
            if (System.nanoTime() - nextTick >= 0) {
                snapshot();
            }
        }

        long of(long tid) {
            Long g = byTid.get(tid);
            return g != null ? g : 0;
        }
    }

    /**
     * A JFR stack's Java frames, innermost first (the CPU and the heap profile), without the
     * JDK's continuation entry under a goroutine (VirtualThread.run, Continuation.enter...),
     * which the goroutine, block and mutex profiles leave out too.
     */
    static List<StackTraceElement> javaFrames(RecordedStackTrace st) {
        List<StackTraceElement> fs = new ArrayList<>();
        for (RecordedFrame f : st.getFrames()) {
            if (f.isJavaFrame()) {
                String cls = f.getMethod().getType().getName();
                if (cls.equals("java.lang.VirtualThread") || cls.startsWith("jdk.internal.vm.Continuation")) {
                    continue;
                }
                fs.add(new StackTraceElement(cls, f.getMethod().getName(), sourceFile(cls), f.getLineNumber()));
            }
        }
        return fs;
    }

    /** The bucket key of a stack: its frames as text. */
    static List<String> key(List<StackTraceElement> frames) {
        List<String> key = new ArrayList<>(frames.size());
        for (StackTraceElement e : frames) {
            key.add(e.toString());
        }
        return key;
    }

    /**
     * JFR records no source file: the top-level class's simple name + ".java", the usual case.
     * A lambda's hidden class ({@code Srv$$Lambda.0x...}, its '/' made a '.') is its host's.
     */
    static String sourceFile(String cls) {
        int lambda = cls.indexOf("$$Lambda");
        if (lambda > 0) {
            cls = cls.substring(0, lambda);
        }
        String s = cls.substring(cls.lastIndexOf('.') + 1);
        int dollar = s.indexOf('$');
        return (dollar > 0 ? s.substring(0, dollar) : s) + ".java";
    }
}
