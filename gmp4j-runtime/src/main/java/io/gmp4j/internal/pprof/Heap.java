package io.gmp4j.internal.pprof;

import com.sun.net.httpserver.HttpExchange;
import io.gmp4j.internal.runtime.Mem;
import io.gmp4j.internal.runtime.RuntimeApi;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingStream;

/**
 * /debug/pprof/heap and /debug/pprof/allocs from JFR's {@code jdk.ObjectAllocationSample},
 * streamed in-process. The stream starts on the first request (or {@link #start}), never
 * before: a program that never asks pays nothing. Records are cumulative from that moment, as
 * Go's allocation counts are from program start.
 *
 * <p>What the JVM gives honestly: each sample carries its stack and a weight, the bytes the
 * thread allocated since its previous sample, so the sum of weights per stack estimates the
 * bytes allocated there (alloc_space). That weight counts from the JVM thread's previous
 * sample, and a thread (for a virtual thread, its carrier: the event names the virtual thread,
 * the count is the carrier's) has none before the stream starts, so its first sample would
 * carry everything it allocated since it began. {@link #record} takes those bytes out: a
 * platform thread's first sample loses what the thread had allocated at the start; any sample
 * heavier than all the bytes allocated since the start holds bytes from before it and is
 * dropped (with its share after the start: at most one sample a carrier). What is left: a
 * carrier's first sample whose bytes from before the start are fewer than those since.
 * The object count is not known (the event carries no object size): alloc_objects counts
 * samples. Whether the sampled objects are still live is not known either
 * ({@code jdk.OldObjectSample} reports only when a recording ends). The in-use
 * values come from elsewhere, and only on {@code ?gc=1}: the JVM's live-object class histogram
 * after a full collection ({@link #liveHistogram}), one sample per class whose stack is one frame
 * named after the class (where the objects were allocated is not known); the allocation samples'
 * in-use values are 0, and so are all in-use values without gc=1 (docs/DIVERGENCES.md,
 * "Profiling").
 */
public final class Heap {
    private Heap() {}

    /** Samples per second JFR may emit (its default.jfc says 150/s; profile.jfc 300/s). */
    static final String THROTTLE = "1000/s";

    private static final class Bucket {
        final StackTraceElement[] stack;
        final LongAdder count = new LongAdder();
        final LongAdder bytes = new LongAdder();

        Bucket(StackTraceElement[] stack) {
            this.stack = stack;
        }
    }

    private static final Map<List<String>, Bucket> BUCKETS = new ConcurrentHashMap<>();
    private static volatile RecordingStream stream;
    private static volatile long startedNanos;
    /** The JVM's bytes allocated when the stream started (getTotalThreadAllocatedBytes). */
    private static volatile long allocatedAtStart;
    /** Bytes each live platform thread had allocated at the start, until its first sample. */
    private static final Map<Long, Long> ALLOCATED_BEFORE = new ConcurrentHashMap<>();
    /** The latest allocatedSinceStart() read; a lighter sample needs no fresh one. */
    private static volatile long sinceStartBound;

    /** Go's default runtime.MemProfileRate (512 KiB), what setMemProfileRate reports before any call. */
    static final int DEFAULT_RATE = 512 * 1024;
    private static int rate = DEFAULT_RATE;
    /** True once setMemProfileRate(0) turned sampling off: requests no longer start it. */
    private static boolean off;

    /**
     * Debug.setMemProfileRate: rate > 0 starts the sampling now (JFR's throttle decides how often
     * it samples, not the rate, which is kept and returned); 0 stops it and keeps requests from
     * starting it again (the records so far stay); negative only reads. Returns the previous rate.
     */
    public static synchronized int setMemProfileRate(int r) {
        int prev = rate;
        if (r < 0) {
            return prev;
        }
        rate = r;
        if (r == 0) {
            off = true;
            RecordingStream rs = stream;
            stream = null;
            if (rs != null) {
                rs.close();
            }
        } else {
            off = false;
            start();
        }
        return prev;
    }

    /**
     * Whether jdk.jfr is there: a jlinked image or {@code --limit-modules} may leave it out, and
     * then nothing is sampled (the rate is still kept and returned).
     */
    private static final boolean JFR = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    /** Starts the allocation sampling once; later calls do nothing. Returns true when it started now. */
    static boolean start() {
        if (stream != null || !JFR) {
            return false;
        }
        synchronized (Heap.class) {
            if (stream != null || off) {
                return false;
            }
            RecordingStream rs = new RecordingStream();
            rs.enable("jdk.ObjectAllocationSample").with("throttle", THROTTLE).withStackTrace();
            rs.onEvent("jdk.ObjectAllocationSample", Heap::record);
            startedNanos = System.currentTimeMillis() * 1_000_000L;
            snapshotAllocated();
            // Not startAsync: its thread is not a daemon, and the JVM would never exit once a
            // program had sampled allocations (Go's profiling keeps no program alive).
            RuntimeApi.newHelperThread("gmp4j-heap-profile", () -> {
                try {
                    rs.start();
                } catch (IllegalStateException e) {
                    // setMemProfileRate(0) closed the stream before this thread started it:
                    // nothing to sample. Anything else is a real failure.
                    if (stream == rs) {
                        throw e;
                    }
                }
            }).start();
            stream = rs;
            return true;
        }
    }

    static boolean started() {
        return stream != null;
    }

    /** Before the stream starts: the baselines record() subtracts (class comment). */
    private static void snapshotAllocated() {
        ALLOCATED_BEFORE.clear();
        sinceStartBound = 0;
        allocatedAtStart = -1;
        try {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                    && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
                long[] ids = t.getAllThreadIds();
                long[] bytes = t.getThreadAllocatedBytes(ids);
                for (int i = 0; i < ids.length; i++) {
                    if (bytes[i] > 0) {
                        ALLOCATED_BEFORE.put(ids[i], bytes[i]);
                    }
                }
                allocatedAtStart = t.getTotalThreadAllocatedBytes();
            }
        } catch (RuntimeException | LinkageError e) {
            allocatedAtStart = -1; // no per-thread counts: weights are taken as they come
        }
    }

    /** Bytes the JVM allocated since the stream started; Long.MAX_VALUE when not known. */
    private static long allocatedSinceStart() {
        long at = allocatedAtStart;
        long now = at < 0 ? -1 : Mem.threadsAllocatedBytes();
        return now < 0 ? Long.MAX_VALUE : now - at;
    }

    /** The sample's weight less bytes from before the start, or -1 to drop it (class comment). */
    private static long weightSinceStart(RecordedEvent ev) {
        long weight = Math.max(0, ev.getLong("weight"));
        var thread = ev.getThread();
        if (thread != null && !thread.isVirtual()) {
            Long before = ALLOCATED_BEFORE.remove(thread.getJavaThreadId());
            if (before != null) {
                weight = Math.max(0, weight - before);
            }
        }
        if (weight > sinceStartBound) {
            sinceStartBound = allocatedSinceStart(); // read at or after the sample: an upper bound
            if (weight > sinceStartBound) {
                return -1;
            }
        }
        return weight;
    }

    private static void record(RecordedEvent ev) {
        RecordedStackTrace st = ev.getStackTrace();
        if (st == null) {
            return;
        }
        long weight = weightSinceStart(ev);
        if (weight < 0) {
            return;
        }
        List<StackTraceElement> fs = Cpu.javaFrames(st);
        if (fs.isEmpty()) {
            return;
        }
        List<String> key = Cpu.key(fs);
        Bucket b = BUCKETS.computeIfAbsent(key, k -> new Bucket(fs.toArray(StackTraceElement[]::new)));
        b.count.increment();
        b.bytes.add(weight);
    }

    /** A snapshot record: Go's MemProfileRecord (alloc objects and bytes; in-use is 0 here). */
    record Record(StackTraceElement[] stack, long allocObjects, long allocBytes) {}

    /** The records, the most bytes first (pprof.go: writeHeapInternal sorts by InUseBytes). */
    static List<Record> records() {
        List<Record> out = new ArrayList<>();
        for (Bucket b : BUCKETS.values()) {
            out.add(new Record(b.stack, b.count.sum(), b.bytes.sum()));
        }
        out.sort((a, b) -> Long.compare(b.allocBytes(), a.allocBytes()));
        return out;
    }

    /**
     * net/http/pprof's handler for heap and allocs: gc=1 runs a collection first, debug=1 the
     * text; with seconds, the delta (Go's serveDeltaProfile reads no gc: no collection, no
     * in-use values).
     */
    static void serve(HttpExchange ex, Map<String, String> q, boolean allocs) throws IOException {
        if (DebugServer.servedDelta(ex, q, allocs ? "allocs" : "heap", () -> {
            start();
            return proto(allocs, null);
        })) {
            return;
        }
        int debug = DebugServer.debugParam(q);
        String gc = q.getOrDefault("gc", "");
        List<Live> live = null;
        // Go: strconv.Atoi(gc) > 0, any error 0: ASCII digits after an optional sign, 64-bit,
        // and one past int64's range is its max (ParseInt's range error), so any number above 0.
        if (gc.matches("\\+?[0-9]*[1-9][0-9]*")) {
            // The live-object histogram runs the full collection gc=1 asks for.
            live = liveHistogram();
            if (live == null) {
                System.gc();
            }
        }
        byte[] b = write(allocs, debug, live);
        if (debug >= 1) {
            DebugServer.send(ex, 200, "text/plain; charset=utf-8", b);
        } else {
            DebugServer.sendProfile(ex, allocs ? "allocs" : "heap", b, debug);
        }
    }

    /**
     * pprof.go: writeHeap and writeAlloc (the sampling starts now if it has not): debug 1 the
     * text, else the gzipped profile.proto; {@code live} the in-use values (null: none, as
     * without gc=1).
     */
    static byte[] write(boolean allocs, int debug, List<Live> live) {
        start();
        return debug >= 1 ? text(live).getBytes(StandardCharsets.UTF_8) : proto(allocs, live);
    }

    /** One class's live objects after a full collection: a line of GC.class_histogram. */
    record Live(String className, long objects, long bytes) {}

    private static final Pattern HISTO_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /**
     * The in-use heap, per class: the DiagnosticCommand MBean's {@code gcClassHistogram}
     * (jcmd GC.class_histogram), which runs a full, stop-the-world collection and counts the
     * objects that survived it. Measured on a 250 MB live heap (2-core shared machine, G1):
     * 320-630 ms, hence only on {@code ?gc=1}. Null where the MBean is missing or refuses.
     */
    static List<Live> liveHistogram() {
        String out;
        try {
            MBeanServer s = ManagementFactory.getPlatformMBeanServer();
            out = (String) s.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (Exception e) { // JMException: not named, so that this class links without java.management
            return null;
        }
        List<Live> live = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = HISTO_LINE.matcher(line);
            if (m.find()) {
                live.add(new Live(javaName(m.group(3)), Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
            }
        }
        return live;
    }

    /** A histogram's class name in source form: "[B" is "byte[]", "[Ljava.lang.String;" "java.lang.String[]". */
    static String javaName(String n) {
        int dims = 0;
        while (dims < n.length() && n.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return n;
        }
        String base = switch (n.substring(dims)) {
            case "Z" -> "boolean";
            case "B" -> "byte";
            case "C" -> "char";
            case "S" -> "short";
            case "I" -> "int";
            case "J" -> "long";
            case "F" -> "float";
            case "D" -> "double";
            default -> {
                String r = n.substring(dims);
                yield r.startsWith("L") && r.endsWith(";") ? r.substring(1, r.length() - 1) : r;
            }
        };
        return base + "[]".repeat(dims);
    }

    /**
     * The gzipped profile.proto with Go's four sample types (alloc_objects/count,
     * alloc_space/bytes, inuse_objects/count, inuse_space/bytes) and period type space/bytes.
     * The allocation samples carry in-use 0; with {@code live} (gc=1), one more sample per class
     * carries its live objects and bytes (alloc 0), its stack one frame named after the class.
     * Go's default sample type is inuse_space for heap and alloc_space for allocs; here heap's
     * is inuse_space only when the in-use values are there.
     */
    static byte[] proto(boolean allocs, List<Live> live) {
        ProfileBuilder p = new ProfileBuilder()
                .sampleType("alloc_objects", "count")
                .sampleType("alloc_space", "bytes")
                .sampleType("inuse_objects", "count")
                .sampleType("inuse_space", "bytes")
                .period("space", "bytes", 0)
                .defaultSampleType(!allocs && live != null ? "inuse_space" : "alloc_space")
                .time(System.currentTimeMillis() * 1_000_000L, started() ? System.currentTimeMillis() * 1_000_000L - startedNanos : 0);
        for (Record r : records()) {
            p.sample(r.stack(), r.allocObjects(), r.allocBytes(), 0, 0);
        }
        if (live != null) {
            for (Live l : live) {
                p.sampleAt(l.className(), 0, 0, l.objects(), l.bytes());
            }
        }
        return p.gzipped();
    }

    /**
     * ?debug=1, after pprof.go's writeHeapInternal:
     * <pre>
     * heap profile: 0: 0 [12: 49152] @ heap/1048576
     * 0: 0 [12: 49152] @
     * #	com.example.Worker.fill	Worker.java:12
     *
     * 100000: 4000000 [0: 0] @
     * #	com.example.Entry
     *
     * # runtime.MemStats
     * # Alloc = ...
     * </pre>
     * Go writes PCs after each "@" and "#\t0xPC\tfunc+0xOFF\tfile:line" frames: Java frames
     * have none. "heap/1048576" is Go's 2*MemProfileRate; JFR's sampling is by its throttle.
     * With gc=1, the header's in-use figures and one group per class come from the live
     * histogram (a frame that is the class's name); without, they are 0.
     */
    static String text(List<Live> live) {
        List<Record> rs = records();
        long objs = 0, bytes = 0, liveObjs = 0, liveBytes = 0;
        for (Record r : rs) {
            objs += r.allocObjects();
            bytes += r.allocBytes();
        }
        if (live != null) {
            for (Live l : live) {
                liveObjs += l.objects();
                liveBytes += l.bytes();
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("heap profile: ").append(liveObjs).append(": ").append(liveBytes)
                .append(" [").append(objs).append(": ").append(bytes).append("] @ heap/1048576\n");
        if (live != null) {
            for (Live l : live) {
                b.append(l.objects()).append(": ").append(l.bytes()).append(" [0: 0] @\n#\t").append(l.className()).append("\n\n");
            }
        }
        for (Record r : rs) {
            b.append("0: 0 [").append(r.allocObjects()).append(": ").append(r.allocBytes()).append("] @\n");
            for (StackTraceElement e : r.stack()) {
                b.append("#\t").append(e.getClassName()).append('.').append(e.getMethodName()).append('\t')
                        .append(e.getFileName() != null ? e.getFileName() : "?").append(':').append(Math.max(0, e.getLineNumber())).append('\n');
            }
            b.append('\n');
        }
        // Go's block is runtime.ReadMemStats: the figures Go.readMemStats gives, NumGC counted as it counts
        io.gmp4j.internal.runtime.Mem.Snapshot m = io.gmp4j.internal.runtime.Mem.read(0);
        b.append("\n# runtime.MemStats\n");
        b.append("# Alloc = ").append(m.alloc()).append('\n');
        b.append("# HeapAlloc = ").append(m.alloc()).append('\n');
        b.append("# HeapSys = ").append(m.heapSys()).append('\n');
        b.append("# HeapIdle = ").append(m.heapIdle()).append('\n');
        b.append("# HeapInuse = ").append(m.heapInuse()).append('\n');
        b.append("# NumGC = ").append(m.numGC()).append('\n');
        return b.toString();
    }
}
