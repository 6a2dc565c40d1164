package io.gmp4j.internal.runtime;

/**
 * histogram.go: timeHistogram's bucket layout, for {@code /sched/latencies:seconds} and
 * {@code /gc/pauses:seconds}. Counts are plain {@code long[]}s written by one owner (a P's M, or
 * the GC listener under Mem's lock) and summed racily by readers, as Go's metrics read them.
 *
 * <p>Index 0 is the underflow bucket [-Inf, 0); then four 64 ns sub-buckets for [0, 256 ns);
 * then, for each power of two 2^(l-1) .. 2^l ns with l = 9..47, four equal sub-buckets; the last
 * index is the overflow bucket [2^47 ns, +Inf). Go's layout, with its first bucket as Go's
 * {@code timeHistogramMetricsBuckets} reports it.
 */
public final class TimeHist {
    private TimeHist() {}

    /** Power-of-two buckets l = 9..47 (Go's timeHistMinBucketBits..timeHistMaxBucketBits-1). */
    private static final int MIN_BITS = 9, MAX_BITS = 48;
    /** Counts per histogram: underflow, 4 below 256 ns, 4 per power of two, overflow. */
    public static final int COUNTS = 1 + 4 + (MAX_BITS - MIN_BITS) * 4 + 1;

    /** The bucket index of a duration in nanoseconds. No allocation, no branches on the common path but two. */
    static int index(long d) {
        if (d < 0) {
            return 0;
        }
        if (d < 256) {
            return 1 + (int) (d >>> 6);
        }
        int l = 64 - Long.numberOfLeadingZeros(d); // 9.. (bit length)
        if (l >= MAX_BITS) {
            return COUNTS - 1;
        }
        return 1 + (l - 8) * 4 + (int) ((d >>> (l - 3)) & 3);
    }

    /** Adds one duration (owner only). */
    static void record(long[] counts, long nanos) {
        counts[index(nanos)]++;
    }

    /** Go's Float64Histogram.Buckets: COUNTS + 1 boundaries in seconds, -Inf first, +Inf last. */
    public static double[] boundaries() {
        double[] b = new double[COUNTS + 1];
        b[0] = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < 4; j++) {
            b[1 + j] = (j << 6) / 1e9;
        }
        for (int l = MIN_BITS; l < MAX_BITS; l++) {
            for (int j = 0; j < 4; j++) {
                long ns = (1L << (l - 1)) | ((long) j << (l - 3));
                b[1 + (l - 8) * 4 + j] = ns / 1e9;
            }
        }
        b[COUNTS - 1] = (1L << (MAX_BITS - 1)) / 1e9;
        b[COUNTS] = Double.POSITIVE_INFINITY;
        return b;
    }

    /**
     * /sched/latencies: the per-P counts summed (racy, as Go's read of its per-P histograms).
     * allp and the dropped Ps' sums are taken together under sched.lock (trimAllp moves a P's
     * counts from one to the other there): two racy reads lost or doubled a dropped P's counts,
     * and a sum fell. The live Ps' counts are read after, outside the lock.
     */
    public static long[] schedLatencies() {
        long[] sum;
        P[] allp;
        Sched.lock.lock();
        try {
            sum = Sched.droppedSchedLat.clone();
            allp = Sched.allp;
        } finally {
            Sched.lock.unlock();
        }
        for (P pp : allp) {
            long[] c = pp.schedLat;
            for (int i = 0; i < COUNTS; i++) {
                sum[i] += c[i];
            }
        }
        return sum;
    }
}
