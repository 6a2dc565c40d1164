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
 * The recording goes to a temporary file (owner-only), read once it stopped and then deleted.
 */
final class Cpu {
    private Cpu() {}

    static final long PERIOD_NANOS = 10_000_000L;
    private static final AtomicBoolean busy = new AtomicBoolean();

    /** JFR's CPU-time sampler is there (JDK 25+, Linux only). */
    static final boolean CPU_TIME_SAMPLER = System.getProperty("os.name", "").startsWith("Linux")
            && FlightRecorder.getFlightRecorder().getEventTypes().stream().anyMatch(t -> t.getName().equals("jdk.CPUTimeSample"));

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

    /** A CPU-profile bucket: a stack and the goroutine it ran on (0: not a goroutine, or not known). */
    private record Key(List<String> stack, long goid) {}

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
     */
    static byte[] profile(Wait wait) throws IOException {
        Map<Key, long[]> counts = new LinkedHashMap<>();
        Map<Key, StackTraceElement[]> stacks = new LinkedHashMap<>();
        Goids goids = new Goids();
        String event = CPU_TIME_SAMPLER ? "jdk.CPUTimeSample" : "jdk.ExecutionSample";
        // The profile's time and duration are the sampling's (Go's: StartCPUProfile to
        // StopCPUProfile): from the recording's start to the stop's call, not JFR's start-up.
        long start, t0, t1;
        Path file = Files.createTempFile("gmp4j-cpu-", ".jfr"); // owner-only (POSIX)
        try {
            try (Recording r = new Recording()) {
                if (CPU_TIME_SAMPLER) {
                    r.enable(event).with("throttle", PERIOD_NANOS / 1_000_000 + "ms").withStackTrace();
                } else {
                    r.enable(event).withPeriod(Duration.ofNanos(PERIOD_NANOS)).withStackTrace();
                }
                r.setToDisk(true);
                r.setDestination(file);
                r.start();
                start = System.currentTimeMillis() * 1_000_000L;
                t0 = System.nanoTime();
                goids.snapshot();
                try {
                    wait.await(goids::snapshot);
                } finally {
                    t1 = System.nanoTime();
                    goids.snapshot();
                    r.stop(); // writes the file
                }
            }
            try (RecordingFile rf = new RecordingFile(file)) {
                while (rf.hasMoreEvents()) {
                    RecordedEvent ev = rf.readEvent();
                    RecordedStackTrace st = ev.getStackTrace();
                    if (st == null || !ev.getEventType().getName().equals(event)) {
                        continue;
                    }
                    List<StackTraceElement> fs = javaFrames(st);
                    // jdk.ExecutionSample names it sampledThread, jdk.CPUTimeSample eventThread.
                    RecordedThread t = CPU_TIME_SAMPLER ? ev.getThread() : ev.getThread("sampledThread");
                    // JDK 25 samples a mounted virtual thread as itself (its id, isVirtual), not its carrier.
                    long goid = t != null && t.isVirtual() ? goids.of(t.getJavaThreadId()) : 0;
                    Key key = new Key(key(fs), goid);
                    counts.computeIfAbsent(key, k -> new long[1])[0]++;
                    stacks.putIfAbsent(key, fs.toArray(new StackTraceElement[0]));
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        ProfileBuilder p = new ProfileBuilder()
                .sampleType("samples", "count")
                .sampleType("cpu", "nanoseconds")
                .period("cpu", "nanoseconds", PERIOD_NANOS)
                .time(start, t1 - t0);
        for (var e : counts.entrySet()) {
            long n = e.getValue()[0];
            long goid = e.getKey().goid();
            Map<String, String> labels = goid != 0 ? Map.of("goroutine", Long.toString(goid)) : Map.of();
            p.sample(stacks.get(e.getKey()), labels, n, n * PERIOD_NANOS);
        }
        return p.encode();
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
        private final Map<Long, Long> byTid = new java.util.HashMap<>();

        void snapshot() {
            for (var e : io.gmp4j.internal.runtime.Procs.goidsByThreadId().entrySet()) {
                if (byTid.size() >= MAX) {
                    return;
                }
                byTid.putIfAbsent(e.getKey(), e.getValue());
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
