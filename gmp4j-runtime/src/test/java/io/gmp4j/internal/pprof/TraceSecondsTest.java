package io.gmp4j.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * /debug/pprof/trace?seconds=: Go's ParseFloat rule (a bad or non-positive value is 1 s), capped
 * at an hour. The expected values are go1.19's strconv.ParseFloat results for the same strings.
 */
class TraceSecondsTest {

    @Test
    void parsesAsGoParseFloat() {
        assertEquals(1, DebugServer.traceSeconds(""));
        assertEquals(2.5, DebugServer.traceSeconds("2.5"));
        assertEquals(0.25, DebugServer.traceSeconds("0x1p-2")); // Go's hex float
        assertEquals(1, DebugServer.traceSeconds("0x10")); // no p exponent: ParseFloat refuses it
        assertEquals(1, DebugServer.traceSeconds("0"));
        assertEquals(1, DebugServer.traceSeconds("-3"));
        assertEquals(1, DebugServer.traceSeconds("NaN"));
        assertEquals(3600, DebugServer.traceSeconds("1e9"));
        assertEquals(3600, DebugServer.traceSeconds("inf"));
        assertEquals(3600, DebugServer.traceSeconds("+Infinity"));
        assertEquals(1, DebugServer.traceSeconds("-inf"));
        // Java's parseDouble takes these, Go's ParseFloat does not: 1 s, as Go's fallback.
        assertEquals(1, DebugServer.traceSeconds("1d"));
        assertEquals(1, DebugServer.traceSeconds("2f"));
        assertEquals(1, DebugServer.traceSeconds(" 2"));
        assertEquals(1, DebugServer.traceSeconds("2 "));
        assertEquals(1, DebugServer.traceSeconds("abc"));
        assertEquals(10, DebugServer.traceSeconds("1_0")); // Go's digit separator
        assertEquals(16, DebugServer.traceSeconds("0x1_0p0"));
    }
}
