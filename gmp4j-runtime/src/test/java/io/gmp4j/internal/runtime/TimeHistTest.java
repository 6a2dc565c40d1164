package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** TimeHist.index puts every duration in the bucket whose boundaries hold it. */
class TimeHistTest {
    @Test
    void indexAgreesWithBoundaries() {
        double[] b = TimeHist.boundaries();
        assertEquals(TimeHist.COUNTS + 1, b.length);
        long[] ns = new long[b.length];
        for (int i = 1; i < b.length - 1; i++) {
            ns[i] = Math.round(b[i] * 1e9);
            assertTrue(i == 1 || ns[i] > ns[i - 1], "boundaries increase at " + i);
        }
        assertEquals(0, TimeHist.index(-1));
        assertEquals(TimeHist.COUNTS - 1, TimeHist.index(Long.MAX_VALUE));
        assertEquals(TimeHist.COUNTS - 1, TimeHist.index(1L << 47));
        SplittableRandom r = new SplittableRandom(1);
        for (int k = 0; k < 200_000; k++) {
            long d = k < 1000 ? k : r.nextLong(1L << r.nextInt(1, 48));
            int i = TimeHist.index(d);
            assertTrue(i >= 1 && i < TimeHist.COUNTS - 1, d + " -> " + i);
            assertTrue(ns[i] <= d && (i + 1 == b.length - 1 || d < ns[i + 1]), d + " not in bucket " + i);
        }
        for (int i = 1; i < b.length - 2; i++) {
            assertEquals(i, TimeHist.index(ns[i]), "boundary " + ns[i]);
            assertEquals(i, TimeHist.index(ns[i + 1] - 1), "below boundary " + ns[i + 1]);
        }
    }
}
