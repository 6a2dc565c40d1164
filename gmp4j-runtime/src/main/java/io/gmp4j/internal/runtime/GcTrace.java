package io.gmp4j.internal.runtime;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * {@code GODEBUG=gctrace=1} (mgc.go: gcMarkTermination's summary line), made from the JVM's GC
 * notifications, since the JVM collects, not gmp4j. One line per cycle on fd 2, numbered as
 * MemStats.NumGC counts (Mem.read):
 * <pre>
 * gc 3 @1.204s 2%: 4.0+0+0 ms clock, 20+0/0/0+0 ms cpu, 220->41->41 MB, 512 MB goal, 2 P (forced)
 * </pre>
 * Go's fields and what fills them here:
 * <ul>
 *   <li>{@code gc N @Ts P%}: the collection's number, its start since the JVM started, and the
 *       share of the run so far spent in the JVM's collections (pauses and concurrent cycles).
 *       Lines come as cycles end, so a ZGC major cycle, which runs alongside minor ones, can
 *       start before the line above it.</li>
 *   <li>{@code a+b+c ms clock}: Go's stop-the-world sweep termination, concurrent mark and
 *       stop-the-world mark termination. A JVM pause (a young, mixed or full collection) is
 *       reported as {@code a}. G1's concurrent mark cycle, begun by a young pause that has its
 *       own line, reports only its remark and cleanup pauses (the "G1 Concurrent GC" bean, which
 *       NumGC does not count): they print no line of their own but go into the next line as
 *       {@code c}, as the mark's concurrent CPU goes into that line's cpu section, so that the
 *       lines stay numbered as NumGC. ZGC and Shenandoah report a cycle twice, on a
 *       "... Cycles" bean (its wall time, pauses included) and on the matching "... Pauses" bean
 *       (each pause, before the cycle ends): their pauses print no line of their own but go
 *       into the cycle's, the first (ZGC's Pause Mark Start, Shenandoah's Init Mark) as
 *       {@code a}, the others as {@code c}, and the rest of the cycle as {@code b}.</li>
 *   <li>{@code x->y->z MB}: heap in use before, after, and live after. The JVM reports no marked
 *       size, so z is y.</li>
 *   <li>{@code MB goal}: the heap the JVM has committed after the collection (Go's goal is the
 *       heap size that triggers the next cycle; the committed size is the JVM's nearest figure).</li>
 *   <li>{@code N P}: GOMAXPROCS. {@code (forced)}: the cause was {@code System.gc()} ({@code Go.gc()}).</li>
 * </ul>
 * <ul>
 *   <li>{@code A+B/C/D+E ms cpu}: Go's STW CPU, assist/background/idle mark CPU and mark
 *       termination CPU. On Linux, from the JVM's GC threads' CPU time in
 *       {@code /proc/self/task/}{@code *}{@code /stat} (10 ms ticks) since the previous line: the
 *       stop-the-world workers ({@code GC Thread#N}) as A, the concurrent ones ({@code G1 Conc#N},
 *       {@code G1 Main Marker}, {@code G1 Refine#N}, {@code G1 Service}, ZGC's and Shenandoah's
 *       workers) as C. B and D are 0 (JVM mutators do not assist marking; there is no idle-P
 *       marking) and E is 0 (a JVM pause is one figure, in A). Elsewhere the section is
 *       {@code -+-/-/-+- ms cpu}.</li>
 * </ul>
 * Left out, because the JVM does not report them per collection: stack and globals sizes
 * (goroutine stacks are heap objects here).
 */
final class GcTrace {
    private GcTrace() {}

    private static final String NOTIFICATION = "com.sun.management.gc.notification";
    private static int n;
    /** Notifications handled, a line printed or not (flush waits for them all). */
    private static long notes;
    /** Pauses of a cycle still running, by its "... Cycles" bean (ZGC, Shenandoah). */
    private static final Map<String, List<GcInfo>> PENDING = new HashMap<>();
    /** G1's remark and cleanup pause ms since the previous line (its "Concurrent GC" bean). */
    private static long markPauseMillis;
    private static long gcMillis;
    private static boolean installed;
    private static long collectionsAtInstall;
    /** The listeners are installed (false without java.management). */
    private static boolean listening;

    /** Installs the listener when GODEBUG has gctrace > 0. Once; from schedinit. */
    static synchronized void install() {
        if (installed || Env.godebug("gctrace", 0) <= 0) {
            return;
        }
        installed = true;
        try {
            collectionsAtInstall = collections();
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener((note, handback) -> {
                        try {
                            if (NOTIFICATION.equals(note.getType())) {
                                report(GarbageCollectionNotificationInfo.from((CompositeData) note.getUserData()));
                            }
                        } catch (Throwable e) {
                            Panics.runtimeThrow("gctrace", e); // the JDK's thread would drop it
                        }
                    }, null, null);
                }
            }
            listening = true;
        } catch (RuntimeException | LinkageError e) {
            // No java.management or jdk.management (a jlinked image): no trace, as Go without it.
        }
    }

    /** The JVM's collections so far, as its collectors count them (one notification each). */
    private static long collections() {
        long c = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            c += Math.max(0, gc.getCollectionCount());
        }
        return c;
    }

    /**
     * Waits, up to {@code timeoutNanos}, until every collection since install has been reported.
     * Go prints a gctrace line as each cycle ends; the JVM notifies from its own thread later,
     * so a program that ends right after a burst of collections would lose their lines (a
     * child allocating 1.5 GiB in 0.75 s printed none of its 50, 2026-12-04). Go.run's caller
     * calls it when the main goroutine has returned.
     */
    static void flush(long timeoutNanos) {
        long want;
        synchronized (GcTrace.class) {
            if (!listening) {
                return;
            }
            want = collections() - collectionsAtInstall;
        }
        awaitNotes(GcTrace::handled, want, timeoutNanos);
    }

    /**
     * Polls every millisecond, for at most {@code timeoutNanos}, until {@code handled} reaches
     * {@code want}: the JVM's GC notifications come late, from its own thread (flush, and the
     * tracer's catch-up). An interrupt is cleared for the wait and set again after: set, it
     * would end every park at once, a spin.
     */
    static void awaitNotes(java.util.function.LongSupplier handled, long want, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = Thread.interrupted();
        while (handled.getAsLong() < want && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many lines have been printed (tests wait for the asynchronous listener). */
    static synchronized int reported() {
        return n;
    }

    private static synchronized long handled() {
        return notes;
    }

    /** "ZGC Minor Cycles" for "ZGC Minor Pauses" (likewise Shenandoah's); null for other beans. */
    static String cycleBeanOf(String pauseBean) {
        return pauseBean.endsWith(" Pauses") ? pauseBean.substring(0, pauseBean.length() - 6) + "Cycles" : null;
    }

    /** Runs on the JMX notification thread, one collection at a time. */
    private static synchronized void report(GarbageCollectionNotificationInfo info) {
        notes++;
        GcInfo gi = info.getGcInfo();
        String bean = info.getGcName();
        String cycle = cycleBeanOf(bean);
        if (cycle != null) {
            // Pauses end before their cycle, and one thread delivers both beans' notifications in order.
            PENDING.computeIfAbsent(cycle, k -> new ArrayList<>()).add(gi);
            return;
        }
        if (bean.contains("Concurrent")) {
            // G1's remark or cleanup: a pause of a mark cycle whose young pause had its line. Go's
            // gc N is cycle N (NumGC after it), so no line; the next one carries it (class comment).
            markPauseMillis += gi.getDuration();
            gcMillis += gi.getDuration();
            return;
        }
        long stw1 = 0, conc, stw2 = 0;
        List<GcInfo> pauses = PENDING.remove(bean);
        if (pauses != null) {
            boolean first = true;
            for (GcInfo p : pauses) {
                if (p.getStartTime() < gi.getStartTime()) {
                    continue; // an earlier cycle's, whose own notification came before install
                }
                if (first) {
                    stw1 = p.getDuration();
                    first = false;
                } else {
                    stw2 += p.getDuration();
                }
            }
            conc = Math.max(0, gi.getDuration() - stw1 - stw2);
        } else {
            stw1 = gi.getDuration();
            conc = 0;
            stw2 = markPauseMillis;
            markPauseMillis = 0;
        }
        long before = used(gi.getMemoryUsageBeforeGc());
        long after = used(gi.getMemoryUsageAfterGc());
        long committed = 0;
        for (var e : gi.getMemoryUsageAfterGc().entrySet()) {
            if (Heap.POOLS.contains(e.getKey())) {
                committed += e.getValue().getCommitted();
            }
        }
        long uptime = Math.max(1, gi.getEndTime());
        gcMillis += gi.getDuration(); // a cycle's wall time includes its pauses
        // The JVM reports whole milliseconds.
        String line = String.format(Locale.ROOT, "gc %d @%.3fs %d%%: %s+%s+%s ms clock, %s ms cpu, %d->%d->%d MB, %d MB goal, %d P%s%n",
                ++n, gi.getStartTime() / 1000.0, gcMillis * 100 / uptime, fmtMs(stw1), fmtMs(conc), fmtMs(stw2), cpu(),
                mb(before), mb(after), mb(after), mb(committed), Math.max(1, Sched.gomaxprocs),
                "System.gc()".equals(info.getGcCause()) ? " (forced)" : "");
        Print.stderr(line);
    }

    /**
     * The heap pools' names (GcInfo also reports metaspace and the code cache). A holder, so that
     * install() without gctrace loads none of java.management at start-up.
     */
    private static final class Heap {
        static final java.util.Set<String> POOLS = heapPools();
    }

    private static java.util.Set<String> heapPools() {
        java.util.Set<String> names = new java.util.HashSet<>();
        try {
            for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                    names.add(pool.getName());
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // no java.management: install() will not get this far
        }
        return names;
    }

    private static long used(Map<String, MemoryUsage> pools) {
        long sum = 0;
        for (var e : pools.entrySet()) {
            if (Heap.POOLS.contains(e.getKey())) {
                sum += e.getValue().getUsed();
            }
        }
        return sum;
    }

    private static long stwTicks = 0, concTicks = 0;

    /** "A+0/C/0+0": GC threads' CPU ms since the previous line (class comment); "-+-/-/-+-" when unknown. */
    private static String cpu() {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return "-+-/-/-+-";
        }
        long stw = 0, conc = 0;
        for (java.io.File t : tasks) {
            String stat;
            try {
                stat = java.nio.file.Files.readString(new java.io.File(t, "stat").toPath());
            } catch (java.io.IOException | RuntimeException e) {
                continue; // the thread ended
            }
            int open = stat.indexOf('('), close = stat.lastIndexOf(')');
            if (open < 0 || close < open) {
                continue;
            }
            String name = stat.substring(open + 1, close);
            boolean isStw = name.startsWith("GC Thread#");
            boolean isConc = name.startsWith("G1 Conc#") || name.startsWith("G1 Main Marker") || name.startsWith("G1 Refine#")
                    || name.startsWith("G1 Service") || name.startsWith("ZWorker") || name.startsWith("ZDriver")
                    || name.startsWith("ZDirector") || name.startsWith("Shenandoah");
            if (!isStw && !isConc) {
                continue;
            }
            String[] f = stat.substring(close + 2).split(" ");
            if (f.length < 13) {
                continue;
            }
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
            if (isStw) {
                stw += ticks;
            } else {
                conc += ticks;
            }
        }
        long a = Math.max(0, stw - stwTicks), c = Math.max(0, conc - concTicks);
        stwTicks = stw;
        concTicks = conc;
        return (a * 10) + "+0/" + (c * 10) + "/0+0"; // USER_HZ 100: 10 ms a tick
    }

    /**
     * mgc.go: fmtNSAsMS for a whole number of milliseconds (the JVM's resolution): whole ms
     * from 10 ms on, else two significant digits, so 1 to 9 ms read "N.0"; 0 is "0".
     */
    static String fmtMs(long ms) {
        return ms >= 10 || ms <= 0 ? Long.toString(Math.max(0, ms)) : ms + ".0";
    }

    private static long mb(long bytes) {
        return bytes >> 20;
    }
}
