package io.gmp4j.internal.fmt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
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

    /** Forms GoFmt lacked before it became a port of print.go (each was wrong or unsupported). */
    @Test
    void starWidthsAndArgumentIndexes() {
        go("   42|7   |3.14", "%*d|%-*d|%.*f", 5, 42, -4, 7, 2, 3.14159);
        go("2 1 2", "%[2]d %[1]d %d", 1, 2);
        go("%!d(BADINDEX) %!d(BADINDEX) %!d(BADINDEX)", "%[3]d %[0]d %[x]d", 1);
        go("%!(BADWIDTH)1 %!(BADPREC)2", "%*d %.*d", "w", 1, 1.5, 2);
        go("1 2", "%[1]d %d", 1, 2, 3); // reordered: no EXTRA
        go("%!.(int32=1)", "%.", 1); // a '.' last is the verb
        go("%!!(int32=1)%|%!d(MISSING)", "%!%-5%|%9999999d", 1);
    }

    @Test
    void floatsAsStrconv() {
        go("0x1p+00 -0X1.8P-01 4503599627370496p-51 0x1.922p+01", "%x %X %b %#.3x", 1.0, -0.75, 2.0, 3.14159);
        go("5e-324 1e-45 1e+23", "%v %v %v", Double.MIN_VALUE, Float.MIN_VALUE, 1e23); // the JDK's toString: 4.9E-324
        go(" -1.50|-01.50|+1.2e+04|1.00000|2| 2", "%6.2f|%06.2f|%+.1e|%#g|%#.3v|% .0f", -1.5, -1.5, 12345.678, 1.0, 2.0, 2.5);
    }

    @Test
    void goSyntaxAndQuoting() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("b", 2);
        m.put("a", 1);
        go("[]int32{1, 2} map[interface {}]interface {}{\"a\":1, \"b\":2} \"q\" []interface {}{interface {}(nil), 1}", "%#v %#v %#v %#v",
                new int[] {1, 2}, m, "q", Arrays.asList(null, 1));
        go("[]byte{0x1, 0xff} []string{}", "%#v %#v", new byte[] {1, (byte) 255}, new String[0]);
        go("\"\\u00e9\\n\" \"back`tick\" `raw é` U+1F600 '😀' U+FFFFFFFFFFFFFFFF", "%+q %#q %#q %#U %U", "é\n", "back`tick", "raw é", 0x1F600, -1);
        go("000000ab|\"ab\"    |\"h\"|68 69|0X68 0X69", "%08s|%-8q|%.1q|% x|%# X", "ab", "ab", "héllo", "hi", "hi".getBytes());
        go("�|�|'�'|'\\''", "%c|%c|%q|%q", 0xd800, -1, 0x110000, (int) '\'');
        Map<Object, Object> keys = new LinkedHashMap<>();
        keys.put("é", 1);
        keys.put("z", 2);
        keys.put("😀", 3);
        keys.put("\uffff", 4);
        go("map[z:2 é:1 \uffff:4 😀:3] [%!d(bool=true)]", "%v %d", keys, List.of(true)); // UTF-8 order, not UTF-16's
    }

    @Test
    void integerPaddingAndPrefixes() {
        go("0x000000ff|     007|7       |+0000007|-0000007", "%#08x|%08.3d|%-08d|%+08d|% 08x", 255, 7, 7, 7, -7);
        go("0o10 010 0b101 6869", "%O %#o %#b %x", 8, 8, 5, "hi");
        go(" true|false|-0003", "%5t|%-5t|%05v", true, false, -3);
    }

    @Test
    void errorsBigIntsAndNil() {
        Exception boom = new Exception("boom");
        go("%!w(int32=1) %!w(*errors.errorString=&{e})", "%w %w", 1, new Exception("e"));
        go("&{%!d(string=boom)}|&errors.errorString{s:\"boom\"}|boom|*errors.errorString", "%d|%#v|%+v|%T", boom, boom, boom, boom);
        go("-255 ff 7 -0000042 3 %!c(big.Int=65)", "%+d %x %#v %08d %s %c", BigInteger.valueOf(-255), BigInteger.valueOf(255),
                BigInteger.valueOf(7), BigInteger.valueOf(-42), BigInteger.valueOf(3), BigInteger.valueOf(65));
        go("<nil>", "%v", (Object[]) null); // Java's sprintf("%v", null): Go's Sprintf("%v", nil)
        go("1 2%!(EXTRA string=x)", "%d %d", 1, 2, "x");
    }

    /** A toString that throws is Go's String method that panics (print.go: catchPanic), not an exception out of logf. */
    @Test
    void throwingToStringIsAPanickingStringMethod() {
        Object bad = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("no text");
            }
        };
        // go1.19: type bad struct{}; func (bad) String() string { panic(errors.New("no text")) }; Sprintf("%5v|%s|%d", bad{}, bad{}, 1)
        go("%!v(PANIC=String method: no text)|%!s(PANIC=String method: no text)|1", "%5v|%s|%d", bad, bad, 1);
    }
}
