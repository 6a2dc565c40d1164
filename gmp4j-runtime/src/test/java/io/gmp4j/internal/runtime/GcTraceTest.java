package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** gctrace's figures as mgc.go prints them. */
class GcTraceTest {

    /**
     * mgc.go: fmtNSAsMS: whole milliseconds from 10 ms on, else two significant digits with at
     * most three decimals, "0" for nothing: a 4 ms pause is "4.0", as Go prints 4,000,000 ns.
     * The JVM's figures are whole milliseconds, so 1 to 9 ms always have ".0"; they were printed
     * as "4".
     */
    @Test
    void clockFiguresAreFormattedAsFmtNSAsMS() {
        assertEquals("0", GcTrace.fmtMs(0));
        assertEquals("1.0", GcTrace.fmtMs(1));
        assertEquals("4.0", GcTrace.fmtMs(4));
        assertEquals("9.0", GcTrace.fmtMs(9));
        assertEquals("10", GcTrace.fmtMs(10));
        assertEquals("123", GcTrace.fmtMs(123));
    }
}
