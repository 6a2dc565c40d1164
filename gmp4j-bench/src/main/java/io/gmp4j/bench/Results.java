package io.gmp4j.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/** Formatting of one run's metrics ("value=... key=...") and helpers shared by the Java workloads. */
final class Results {
    private Results() {}

    static String perOp(long startNanos, long ops) {
        return String.format(Locale.ROOT, "value=%.3f", (System.nanoTime() - startNanos) / (double) ops);
    }

    static String millis(long startNanos) {
        return String.format(Locale.ROOT, "value=%.3f", (System.nanoTime() - startNanos) / 1e6);
    }

    static String w5(long nanos1x, long nanos4x) {
        return String.format(Locale.ROOT, "value=%.4f ms_1x=%.3f ms_4x=%.3f",
                nanos4x / (double) nanos1x, nanos1x / 1e6, nanos4x / 1e6);
    }

    /** W10's figures from wake-up lateness samples in nanoseconds; the quantile rule matches the Go twin. */
    static String w10(long[] lateNanos, int count) {
        if (count == 0) {
            return "value=NaN p50=NaN max=NaN samples=0";
        }
        long[] late = Arrays.copyOf(lateNanos, count);
        Arrays.sort(late);
        return String.format(Locale.ROOT, "value=%.3f p50=%.3f max=%.3f samples=%d",
                quantile(late, 0.99) / 1e6, quantile(late, 0.50) / 1e6, late[count - 1] / 1e6, count);
    }

    private static long quantile(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, i)];
    }

    static String bytesPer(long before, long after, int n) {
        return String.format(Locale.ROOT, "value=%.1f", (after - before) / (double) n);
    }

    /** Heap in use after several full collections (VT stacks are heap objects: StackChunk). */
    static long heapUsedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** One step of W5's LCG; the same expression as the Go twin. */
    static long lcg(long x) {
        return (x * 1103515245L + 12345L) & 0x7fffffffL;
    }

    /** A boxed int without allocation: channel payloads stay in Integer's cache. */
    static Integer box(int i) {
        return Integer.valueOf(i & 127);
    }

    static volatile long sink;
}
