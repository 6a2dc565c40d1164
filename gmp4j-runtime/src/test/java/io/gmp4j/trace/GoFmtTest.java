package io.gmp4j.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Trace.logf's formatting is Go's fmt.Sprintf: each expected string is what Go 1.19 printed for
 * the same format and the Go value named in the comment (a program run with go1.19 linux/amd64).
 */
class GoFmtTest {

    private static void go(String want, String format, Object... args) {
        assertEquals(want, GoFmt.sprintf(format, args), format);
    }

    @Test
    void integers() {
        go("42", "%d", 42); // int32(42)
        go("   42|42   |-0042", "%5d|%-5d|%05d", 42, 42, -42);
        go("+7 ff FF 10 101 0xff 010", "%+d %x %X %o %b %#x %#o", 7, 255, 255, 8, 5, 255, 8);
        go("-ff", "%x", -255L); // int64(-255)
        go("007", "%.3d", 7);
        go(" 5|+1.23e+04", "% d|%+.2e", 5, 12345.678);
        go("G 'x' U+1F600", "%c %q %U", (int) 'G', (int) 'x', 0x1F600);
    }

    @Test
    void stringsAndValues() {
        go("hi and \"a\\\"b\\n\"", "%s and %q", "hi", "a\"b\n");
        go("true <nil> x", "%v %v %v", true, null, "x");
        go("6869 6869", "%x %X", "hi", "hi");
        go("he|   ab|ab   |", "%.2s|%5s|%-5s|", "hello", "ab", "ab");
        go("false", "%t", false);
        go("context canceled", "%v", new Exception("context canceled")); // errors.New
        go("\"\\x01 é \\u200b\"", "%q", "\u0001 é \u200b");
        go("\"q\"", "%#v", "q");
        go("int32 string float64 bool int64", "%T %T %T %T %T", 1, "s", 1.5, true, 2L);
    }

    @Test
    void floats() {
        go("1e+06", "%v", 1000000.0);
        go("3.14 1e+21 1e-05 0.0001", "%v %v %v %v", 3.14, 1e21, 1e-5, 0.0001);
        go("1.23456789e+08", "%v", 123456789.0);
        go("0.1 0.1", "%v %v", 0.1f, 0.1); // float32(0.1), 0.1
        go("3.141590 2.67 1.234568e+03 1.2345e-05 1E-10 1.23e+03", "%f %.2f %e %g %G %.3g", 3.14159, 2.675, 1234.5678, 0.000012345, 1e-10, 1234.5678);
        go("  -3.142|3.142   |-003.142", "%8.3f|%-8.3f|%08.3f", -3.14159, 3.14159, -3.14159);
        go("+Inf -Inf NaN", "%v %v %v", Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN);
        go("2 4 0.2", "%.0f %.0f %.1f", 2.5, 3.5, 0.25);
        go("100000 1e+06", "%g %g", 100000.0, 1000000.0);
        go("0.000000e+00", "%e", 0.0);
        go("0", "%v", 0.0);
        go("   3.1", "%6.2v", 3.14159);
    }

    @Test
    void slicesAndMaps() {
        go("[1 2 3] [4 5]", "%v %d", List.of(1, 2, 3), new long[] {4, 5}); // []int32, []int64
        go("map[a:1 b:2]", "%v", new TreeMap<>(Map.of("b", 2, "a", 1)).descendingMap()); // sorted, as Go prints maps
    }

    @Test
    void goErrorForms() {
        go("%!d(string=hi)", "%d", "hi");
        go("%!s(int32=5)", "%s", 5);
        go("1 %!d(MISSING)", "%d %d", 1);
        go("1%!(EXTRA string=x, int64=2)", "%d", 1, "x", 2L);
        go("100%", "100%%");
        go("%!(NOVERB)", "%");
        go("%!z(int32=3)", "%z", 3);
    }
}
