package io.gmp4j.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** /debug/vars' strings as expvar writes them: encoding/json's Marshal (HTML-safe escaping). */
class ExpvarJsonTest {

    /**
     * cmdline is json.Marshal(os.Args): '<', '>' and '&' become the six-character escapes of
     * U+003C, U+003E and U+0026, U+2028 and U+2029 are escaped too, backspace and form feed get
     * their short escapes (Go 1.22+; 1.19 wrote them as hex), other control characters the hex
     * form. Checked against Go 1.19's json.Marshal for the same strings. A URL argument with a
     * query showed its '&' raw.
     */
    @Test
    void stringsAreEscapedAsJsonMarshalDoes() {
        assertEquals("\"a\\u0026b\\u003cc\\u003ed\"", DebugServer.json("a&b<c>d"));
        assertEquals("\"x\\u2028y\\u2029z\"", DebugServer.json("x\u2028y\u2029z"));
        assertEquals("\"\\b\\f\\u0001\u007f\"", DebugServer.json("\b\f\u0001\u007f"));
        assertEquals("\"é€😀\"", DebugServer.json("é€😀"));
        assertEquals("\"q\\\"\\\\/\\n\\r\\t\"", DebugServer.json("q\"\\/\n\r\t"));
    }
}
