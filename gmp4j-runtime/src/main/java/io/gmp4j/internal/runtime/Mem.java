package io.gmp4j.internal.runtime;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Go's memory knobs and statistics mapped onto the JVM's collector (docs/DIVERGENCES.md,
 * "Memory"): {@code GOGC} / {@code debug.SetGCPercent}, {@code GOMEMLIMIT} /
 * {@code debug.SetMemoryLimit}, {@code debug.FreeOSMemory}, {@code runtime.ReadMemStats}.
 *
 * <p>Nothing here runs on an M or sysmon: the knobs are applied from schedinit (the thread that
 * calls Go.run) or the goroutine that calls the API; java.management and the HotSpot
 * diagnostic bean are loaded only when a knob is set or the statistics are read.
 */
public final class Mem {
    private Mem() {}

    /** Go's math.MaxInt64: no memory limit. */
    public static final long NO_LIMIT = Long.MAX_VALUE;

    private static int gcPercent = 100;
    private static long memoryLimit = NO_LIMIT;
    private static boolean warnedGogc, warnedLimit;
    private static final AtomicInteger forced = new AtomicInteger();

    /**
     * Whether java.management and jdk.management are there. A jlinked image or
     * {@code --limit-modules} may leave them out (the module path cannot: module-info requires
     * them); then the statistics come from {@link Runtime} alone and the GC counts only
     * runtime.GC's requests.
     */
    public static final boolean MANAGEMENT = ModuleLayer.boot().findModule("java.management").isPresent()
            && ModuleLayer.boot().findModule("jdk.management").isPresent();

    // ---- the environment ------------------------------------------------------------

    /** schedinit (mgcpacer.go: readGOGC, readGOMEMLIMIT): applies GOGC and GOMEMLIMIT when set. */
    static synchronized void init() {
        String gogc = Env.get("GOGC");
        if (gogc != null) {
            Integer p = parseGogc(gogc);
            if (p != null && p != 100) {
                setGCPercent(p);
            }
        }
        String lim = Env.get("GOMEMLIMIT");
        if (lim != null) {
            long l = parseMemLimit(lim);
            if (l >= 0 && l != NO_LIMIT) {
                setMemoryLimit(l);
            }
        }
    }

    /**
     * mgcpacer.go: readGOGC: "off" is -1, else Go's atoi32 (an optional '-' and ASCII digits, in
     * an int32: no '+', spaces or other scripts' digits); anything else null (the default).
     */
    static Integer parseGogc(String s) {
        if (s.equals("off")) {
            return -1;
        }
        long n = Env.atoi32(s);
        return n == Env.BAD ? null : (int) n;
    }

    /**
     * mgcpacer.go: readGOMEMLIMIT / string.go's parseByteCount: "off" is NO_LIMIT, else Go's
     * atoi64 (so "-0" is 0) of a non-negative count with an optional B, KiB, MiB, GiB or TiB
     * suffix that fits an int64; -1 when invalid.
     */
    static long parseMemLimit(String s) {
        if (s.equals("off")) {
            return NO_LIMIT;
        }
        if (s.isEmpty()) {
            return -1;
        }
        char last = s.charAt(s.length() - 1);
        int shift = 0;
        String digits = s;
        if (last < '0' || last > '9') {
            // Failing a trailing digit it must end in B, after a digit or after Ki, Mi, Gi, Ti.
            if (last != 'B' || s.length() < 2) {
                return -1;
            }
            char c = s.charAt(s.length() - 2);
            if (c >= '0' && c <= '9') {
                digits = s.substring(0, s.length() - 1);
            } else if (c != 'i' || s.length() < 4) {
                return -1;
            } else {
                shift = switch (s.charAt(s.length() - 3)) {
                    case 'K' -> 10;
                    case 'M' -> 20;
                    case 'G' -> 30;
                    case 'T' -> 40;
                    default -> -1;
                };
                if (shift < 0) {
                    return -1;
                }
                digits = s.substring(0, s.length() - 3);
            }
        }
        long n = Env.atoi64(digits);
        if (n == Env.BAD || n < 0 || n > (Long.MAX_VALUE >> shift)) {
            return -1; // malformed, negative or past an int64 (Go's overflow checks)
        }
        return n << shift;
    }

    // ---- the knobs ------------------------------------------------------------------

    /** Which collector this JVM runs, from its collector beans' names. */
    enum Collector { G1, ZGC, SHENANDOAH, PARALLEL, SERIAL, EPSILON, OTHER }

    static Collector collector() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String n = gc.getName();
            if (n.startsWith("G1 ")) return Collector.G1;
            if (n.startsWith("ZGC")) return Collector.ZGC;
            if (n.startsWith("Shenandoah")) return Collector.SHENANDOAH;
            if (n.startsWith("PS ")) return Collector.PARALLEL;
            if (n.equals("Copy") || n.equals("MarkSweepCompact")) return Collector.SERIAL;
            if (n.startsWith("Epsilon")) return Collector.EPSILON;
        }
        return ManagementFactory.getGarbageCollectorMXBeans().isEmpty() ? Collector.EPSILON : Collector.OTHER;
    }

    private static HotSpotDiagnosticMXBean hotspot() {
        return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    }

    /** Sets a manageable VM flag; false when it is missing, not writeable or refuses the value. */
    private static boolean setFlag(String name, String value) {
        try {
            HotSpotDiagnosticMXBean d = hotspot();
            if (d == null || !d.getVMOption(name).isWriteable()) {
                return false;
            }
            d.setVMOption(name, value);
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static long flagLong(String name, long def) {
        try {
            return Long.parseLong(hotspot().getVMOption(name).getValue());
        } catch (RuntimeException | LinkageError e) {
            return def;
        }
    }

    /**
     * debug.SetGCPercent. On G1 and Serial, GOGC=p becomes the heap-free ratios they resize the
     * heap by after a full collection (and G1 after a concurrent cycle's remark): Go's goal
     * live*(1+p/100) leaves p/(100+p) of the heap free, so MinHeapFreeRatio = that share and
     * MaxHeapFreeRatio = it + 30. Young collections pace themselves regardless. A negative p
     * (GOGC=off) sets MaxHeapFreeRatio=100 (the heap never shrinks) and says, once, that the
     * JVM still collects. Other collectors: one stderr line with the flags to pass instead.
     */
    public static synchronized int setGCPercent(int percent) {
        int prev = gcPercent;
        gcPercent = percent < 0 ? -1 : percent;
        try {
            Collector c = collector();
            boolean ratios = c == Collector.G1 || c == Collector.SERIAL;
            if (percent < 0) {
                boolean ok = ratios && setFlag("MaxHeapFreeRatio", "100");
                warnGogc("gmp4j: GOGC=off: the JVM cannot stop collecting; "
                        + (ok ? "the heap no longer shrinks (MaxHeapFreeRatio=100); " : "")
                        + "for no collection at all pass -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC\n");
            } else if (ratios) {
                int min = (int) Math.min(99, Math.round(100.0 * percent / (100.0 + percent)));
                int max = Math.min(100, min + 30);
                // Keep Min <= Max at every step: the flags' constraint refuses anything else.
                boolean ok = setFlag("MaxHeapFreeRatio", "100") && setFlag("MinHeapFreeRatio", Integer.toString(min))
                        && setFlag("MaxHeapFreeRatio", Integer.toString(max));
                if (!ok) {
                    warnGogc("gmp4j: GOGC=" + percent + " cannot take effect at run time; pass -XX:MinHeapFreeRatio="
                            + min + " -XX:MaxHeapFreeRatio=" + max + "\n");
                }
            } else if (percent != 100) {
                warnGogc("gmp4j: GOGC=" + percent + " cannot take effect on " + c
                        + "; size the heap with -Xmx/-Xms or switch to -XX:+UseG1GC\n");
            }
        } catch (RuntimeException | LinkageError e) {
            warnGogc("gmp4j: GOGC=" + percent + " cannot take effect: no java.management\n");
        }
        return prev;
    }

    private static void warnGogc(String line) {
        if (!warnedGogc) {
            warnedGogc = true;
            Print.stderr(line);
        }
    }

    /**
     * debug.SetMemoryLimit. A negative limit only returns the current one. ZGC and Shenandoah
     * take the limit as SoftMaxHeapSize (clamped to -Xmx), the heap size they aim to stay under;
     * NO_LIMIT restores SoftMaxHeapSize to -Xmx. G1 on JDK 25 accepts the flag but does not act on
     * it (measured: the committed heap still grows to -Xmx), and Parallel and Serial have no such
     * flag: there one stderr line says so, once, and what to pass instead.
     */
    public static synchronized long setMemoryLimit(long bytes) {
        long prev = memoryLimit;
        if (bytes < 0) {
            return prev;
        }
        memoryLimit = bytes;
        try {
            long max = flagLong("MaxHeapSize", Long.MAX_VALUE);
            long soft = Math.max(1L << 20, Math.min(bytes, max));
            Collector c = collector();
            if (c == Collector.ZGC || c == Collector.SHENANDOAH) {
                if (!setFlag("SoftMaxHeapSize", Long.toString(soft)) && bytes != NO_LIMIT) {
                    warnLimit(bytes, c);
                }
            } else if (bytes != NO_LIMIT && bytes < max) {
                warnLimit(bytes, c);
            }
        } catch (RuntimeException | LinkageError e) {
            warnLimit(bytes, Collector.OTHER);
        }
        return prev;
    }

    private static void warnLimit(long bytes, Collector c) {
        if (!warnedLimit) {
            warnedLimit = true;
            long mib = Math.max(1, bytes >> 20);
            Print.stderr("gmp4j: GOMEMLIMIT=" + bytes + " cannot take effect at run time on " + c
                    + "; pass -Xmx" + mib + "m (a hard limit), or -XX:+UseZGC -XX:SoftMaxHeapSize=" + mib + "m\n");
        }
    }

    /**
     * debug.FreeOSMemory: a full collection (System.gc()), after which G1, Serial and Parallel
     * shrink the committed heap as MaxHeapFreeRatio allows and ZGC uncommits on its own timer.
     */
    public static void freeOSMemory() {
        gc();
    }

    /** runtime.GC: System.gc(), counted for MemStats.NumForcedGC. */
    public static void gc() {
        forced.incrementAndGet();
        System.gc();
    }

    // ---- statistics -----------------------------------------------------------------

    /** Pause history from the JVM's GC notifications, kept from the first readMemStats on. */
    private static final long[] pauseNs = new long[256];
    private static final long[] pauseEnd = new long[256];
    private static int pauses;
    private static boolean listening;
    /** /gc/pauses:seconds: every pause seen since listen(), in TimeHist's layout (Mem's lock). */
    private static final long[] pauseHist = new long[TimeHist.COUNTS];

    /** The GOGC percent last set (-1: off). */
    public static synchronized int gcPercent() {
        return gcPercent;
    }

    /** The GOMEMLIMIT last set (NO_LIMIT: none). */
    public static synchronized long memoryLimit() {
        return memoryLimit;
    }

    /**
     * The stop-the-world pauses the JVM's GC notifications reported since the first statistics
     * read (this one starts listening), TimeHist's layout. The JVM gives millisecond durations.
     */
    public static long[] pauseHistogram() {
        listen();
        synchronized (Mem.class) {
            return pauseHist.clone();
        }
    }

    /**
     * Starts keeping the pause history (GC notifications) now rather than at the first
     * statistics read: the debug server and the MBean call it, so /gc/pauses covers their life.
     */
    public static void keepPauseHistory() {
        listen();
    }

    private static synchronized void listen() {
        if (listening) {
            return;
        }
        listening = true;
        if (!MANAGEMENT) {
            return; // no notifications without java.management: no pause history
        }
        long start = ManagementFactory.getRuntimeMXBean().getStartTime();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter && !concurrent(gc.getName())) {
                emitter.addNotificationListener((note, handback) -> {
                    if ("com.sun.management.gc.notification".equals(note.getType())) {
                        var info = GarbageCollectionNotificationInfo.from((CompositeData) note.getUserData());
                        var gi = info.getGcInfo();
                        synchronized (Mem.class) {
                            int i = pauses++ % 256;
                            pauseNs[i] = gi.getDuration() * 1_000_000L;
                            pauseEnd[i] = (start + gi.getEndTime()) * 1_000_000L;
                            TimeHist.record(pauseHist, pauseNs[i]);
                        }
                    }
                }, null, null);
            }
        }
    }

    /**
     * A bean that counts concurrent cycles rather than pauses (ZGC's and Shenandoah's "Cycles").
     * G1's "G1 Concurrent GC" is not one: it reports the mark cycle's remark and cleanup pauses
     * (JDK 20, JDK-8297247), stop-the-world time that belongs in PauseNs and /gc/pauses.
     */
    static boolean concurrent(String bean) {
        return bean.contains("Cycles");
    }

    /** runtime.ReadMemStats' figures, in MemStats' field order; see io.gmp4j.MemStats. */
    public record Snapshot(long alloc, long totalAlloc, long sys, long heapSys, long heapIdle,
            long heapInuse, long nextGC, long lastGC, long pauseTotalNs, long[] pauseNs, long[] pauseEnd,
            int numGC, int numForcedGC, double gcCPUFraction, long stackInuse) {}

    private static final java.util.concurrent.atomic.AtomicLong TOTAL_ALLOC_SEEN = new java.util.concurrent.atomic.AtomicLong();

    /** The bytes the JVM's threads have allocated since it started, or -1 when not known. */
    public static long threadsAllocatedBytes() {
        try {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
                return t.getTotalThreadAllocatedBytes(); // -1 when unsupported or disabled
            }
        } catch (RuntimeException | LinkageError e) {
            // as not known
        }
        return -1;
    }

    /** The largest NumGC, runtime.GC requests and NumGC - NumForcedGC reported so far (Mem's lock). */
    private static int cyclesTotal, cyclesAsked, cyclesAutomatic;

    /**
     * NumGC and NumForcedGC from the beans' count and the runtime.GC requests, such that NumGC,
     * NumForcedGC and their difference (/gc/cycles/automatic) never fall, as Go's, which counts
     * a forced cycle when it ends, with NumGC. A request is counted before its System.gc() and
     * the beans count the collection at its end, so while one runs, beans - requests is one too
     * low. The automatic count is therefore the largest beans - requests seen: the beans are
     * read before the requests, so no request counted in a beans figure is missing from the
     * requests read after it, and that difference never exceeds the true automatic count.
     */
    private static synchronized int[] cycles(int beans, int asked) {
        cyclesTotal = Math.max(cyclesTotal, beans);
        cyclesAsked = Math.max(cyclesAsked, asked);
        cyclesAutomatic = Math.max(cyclesAutomatic, cyclesTotal - Math.min(cyclesTotal, cyclesAsked));
        return new int[] {cyclesTotal, cyclesTotal - cyclesAutomatic};
    }

    public static Snapshot read(int goroutines) {
        if (!MANAGEMENT) {
            return readBase(goroutines);
        }
        listen();
        var mem = ManagementFactory.getMemoryMXBean();
        MemoryUsage heap = mem.getHeapMemoryUsage();
        MemoryUsage nonHeap = mem.getNonHeapMemoryUsage();
        long total = Math.max(0, threadsAllocatedBytes());
        long pauseTotal = 0;
        long gcMillis = 0;
        int numGC = 0;
        boolean cycles = false;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            cycles |= gc.getName().contains("Cycles");
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String n = gc.getName();
            long count = Math.max(0, gc.getCollectionCount());
            long time = Math.max(0, gc.getCollectionTime());
            if (!cycles || n.contains("Cycles")) {
                gcMillis += time; // a cycle's time includes its pauses': count them once
            }
            if (!concurrent(n)) {
                pauseTotal += time * 1_000_000L;
            }
            // Go counts cycles: ZGC's and Shenandoah's "Cycles" beans; else each pause collection.
            if (cycles ? n.contains("Cycles") : !n.contains("Concurrent")) {
                numGC += (int) count;
            }
        }
        int[] gcs = cycles(numGC, forced.get()); // the requests read after the beans: see cycles
        // runtime.MemStats: "The most recent pause is at PauseNs[(NumGC+255)%256]". The history
        // holds the pauses seen since listen(), in arrival order; laid out backwards from NumGC's
        // newest slot, never more of them than NumGC counts (the slots past it stay empty, as Go's).
        long[] ns = new long[256];
        long[] end = new long[256];
        long last;
        synchronized (Mem.class) {
            int k = Math.min(Math.min(pauses, 256), gcs[0]);
            for (int j = 1; j <= k; j++) {
                int from = (pauses - j) % 256, to = Math.floorMod(gcs[0] - j, 256);
                ns[to] = pauseNs[from];
                end[to] = pauseEnd[from];
            }
            last = pauses == 0 ? 0 : pauseEnd[(pauses - 1) % 256];
        }
        long uptime = Math.max(1, ManagementFactory.getRuntimeMXBean().getUptime());
        long used = heap.getUsed();
        long committed = Math.max(used, heap.getCommitted());
        // Go's TotalAlloc >= HeapAlloc and never falls. The threads' counters miss what the heap
        // holds unallocated (CDS's archived objects are mapped in), more than they count at first.
        total = TOTAL_ALLOC_SEEN.accumulateAndGet(Math.max(total, used), Math::max);
        return new Snapshot(used, total, committed + nonHeap.getCommitted(), committed, committed - used, used,
                committed, last, pauseTotal, ns, end, gcs[0], gcs[1],
                Math.min(1.0, (double) gcMillis / uptime), goroutines * 2048L);
    }

    /** {@link #read} from java.base alone: the heap's figures, no pauses, the forced GCs only. */
    private static Snapshot readBase(int goroutines) {
        Runtime rt = Runtime.getRuntime();
        long committed = rt.totalMemory();
        long used = Math.max(0, committed - rt.freeMemory());
        long total = TOTAL_ALLOC_SEEN.accumulateAndGet(used, Math::max);
        int[] gcs = cycles(forced.get(), forced.get());
        return new Snapshot(used, total, committed, committed, committed - used, used, committed, 0, 0,
                new long[256], new long[256], gcs[0], gcs[1], 0, goroutines * 2048L);
    }
}
