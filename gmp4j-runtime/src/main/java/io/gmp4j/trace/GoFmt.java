package io.gmp4j.trace;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * fmt.Sprintf for {@link Trace#logf}: Go's verbs v, d, s, q, x, X, o, b, c, t, e, E, f, F, g,
 * G, T and %%, the flags {@code + - # 0} and space, width and precision, and Go's error forms
 * ({@code %!d(string=hi)}, {@code %!d(MISSING)}, {@code %!(EXTRA int32=1)}, {@code %!(NOVERB)}).
 * Not {@code *} widths nor {@code [n]} argument indexes. Java's types as Go's: Integer is
 * int32, Long int64, Short int16, Byte int8, Character a rune (int32), Double float64, Float
 * float32, Boolean bool, String string, null nil, a List or array a slice, a Map a map (keys
 * sorted where comparable), a Throwable an error (its message), anything else its toString.
 */
final class GoFmt {
    private GoFmt() {}

    /** fmt.Sprintf. */
    static String sprintf(String format, Object... args) {
        if (args == null) {
            args = new Object[0];
        }
        StringBuilder out = new StringBuilder(format.length() + 16);
        int argi = 0, n = format.length();
        for (int i = 0; i < n;) {
            char ch = format.charAt(i);
            if (ch != '%') {
                out.append(ch);
                i++;
                continue;
            }
            i++;
            Spec f = new Spec();
            for (; i < n; i++) { // print.go: doPrintf's flags
                char c = format.charAt(i);
                if (c == '+') {
                    f.plus = true;
                } else if (c == '-') {
                    f.minus = true;
                } else if (c == '#') {
                    f.sharp = true;
                } else if (c == '0') {
                    f.zero = true;
                } else if (c == ' ') {
                    f.space = true;
                } else {
                    break;
                }
            }
            int w = i;
            while (i < n && Character.isDigit(format.charAt(i))) {
                i++;
            }
            if (i > w) {
                f.wid = Integer.parseInt(format.substring(w, i));
            }
            if (i < n && format.charAt(i) == '.') {
                i++;
                int p = i;
                while (i < n && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                f.prec = i > p ? Integer.parseInt(format.substring(p, i)) : 0;
            }
            if (i >= n) {
                out.append("%!(NOVERB)");
                break;
            }
            int verb = format.codePointAt(i);
            i += Character.charCount(verb);
            if (verb == '%') {
                out.append('%'); // print.go: "%" verb, no argument
                continue;
            }
            if (argi >= args.length) {
                out.append("%!").appendCodePoint(verb).append("(MISSING)");
                continue;
            }
            f.zero &= !f.minus; // print.go: "Do not pad with zeros to the right."
            print(out, f, verb, args[argi++]);
        }
        if (argi < args.length) {
            out.append("%!(EXTRA ");
            for (int k = argi; k < args.length; k++) {
                if (k > argi) {
                    out.append(", ");
                }
                Object a = args[k];
                if (a == null) {
                    out.append("<nil>");
                } else {
                    out.append(typeName(a)).append('=');
                    print(out, new Spec(), 'v', a);
                }
            }
            out.append(')');
        }
        return out.toString();
    }

    private static final class Spec {
        boolean plus, minus, sharp, zero, space;
        int wid = -1, prec = -1;
    }

    /** Go's name for a Java value's type (%T, and the bad-verb forms). */
    static String typeName(Object a) {
        return switch (a) {
            case null -> "<nil>";
            case Integer i -> "int32";
            case Long l -> "int64";
            case Short s -> "int16";
            case Byte b -> "int8";
            case Character c -> "int32";
            case Double d -> "float64";
            case Float x -> "float32";
            case Boolean b -> "bool";
            case String s -> "string";
            case BigInteger b -> "*big.Int";
            default -> a.getClass().isArray() ? "[]" + elemName(a.getClass().getComponentType()) : a.getClass().getSimpleName();
        };
    }

    private static String elemName(Class<?> c) {
        if (c == int.class || c == Integer.class || c == char.class || c == Character.class) {
            return "int32";
        }
        if (c == long.class || c == Long.class) {
            return "int64";
        }
        if (c == short.class || c == Short.class) {
            return "int16";
        }
        if (c == byte.class || c == Byte.class) {
            return "uint8"; // Go's []byte
        }
        if (c == double.class || c == Double.class) {
            return "float64";
        }
        if (c == float.class || c == Float.class) {
            return "float32";
        }
        if (c == boolean.class || c == Boolean.class) {
            return "bool";
        }
        if (c == String.class) {
            return "string";
        }
        return c == Object.class ? "interface {}" : c.getSimpleName();
    }

    private static boolean isInt(Object a) {
        return a instanceof Integer || a instanceof Long || a instanceof Short || a instanceof Byte
                || a instanceof Character || a instanceof BigInteger;
    }

    private static BigInteger intValue(Object a) {
        return a instanceof Character c ? BigInteger.valueOf(c) : a instanceof BigInteger b ? b : BigInteger.valueOf(((Number) a).longValue());
    }

    /** print.go: printArg for one argument. */
    private static void print(StringBuilder out, Spec f, int verb, Object a) {
        if (verb == 'T') {
            pad(out, f, typeName(a));
            return;
        }
        if (a == null) {
            if (verb == 'v') {
                pad(out, f, "<nil>");
            } else {
                out.append("%!").appendCodePoint(verb).append("(<nil>)");
            }
            return;
        }
        List<Object> elems = elements(a);
        if (elems != null && !(a instanceof byte[] && (verb == 's' || verb == 'q' || verb == 'x' || verb == 'X'))) {
            out.append('[');
            for (int k = 0; k < elems.size(); k++) {
                if (k > 0) {
                    out.append(' ');
                }
                print(out, f, verb, elems.get(k));
            }
            out.append(']');
            return;
        }
        if (a instanceof Map<?, ?> m) {
            out.append("map[");
            List<Map.Entry<?, ?>> es = new ArrayList<>(m.entrySet());
            try {
                es.sort((x, y) -> compare(x.getKey(), y.getKey()));
            } catch (ClassCastException e) {
                // keys not mutually comparable: the map's own order
            }
            boolean first = true;
            for (Map.Entry<?, ?> e : es) {
                if (!first) {
                    out.append(' ');
                }
                first = false;
                print(out, f, verb, e.getKey());
                out.append(':');
                print(out, f, verb, e.getValue());
            }
            out.append(']');
            return;
        }
        if (a instanceof byte[] bs) {
            a = new String(bs, StandardCharsets.UTF_8); // %s, %q, %x of a []byte: as a string
        }
        if (a instanceof Boolean b) {
            if (verb == 'v' || verb == 't') {
                pad(out, f, b.toString());
            } else {
                bad(out, verb, a);
            }
        } else if (isInt(a)) {
            integer(out, f, verb, a);
        } else if (a instanceof Double || a instanceof Float) {
            floating(out, f, verb, a);
        } else {
            String s = a instanceof String str ? str : a instanceof Throwable t && t.getMessage() != null ? t.getMessage() : a.toString();
            string(out, f, verb, s, a);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object x, Object y) {
        if (x instanceof Number a && y instanceof Number b && isInt(x) && isInt(y)) {
            return intValue(a).compareTo(intValue(b));
        }
        return ((Comparable) x).compareTo(y);
    }

    private static List<Object> elements(Object a) {
        if (a instanceof Collection<?> c && !(a instanceof Map)) {
            return new ArrayList<>(c);
        }
        if (a.getClass().isArray()) {
            int len = Array.getLength(a);
            List<Object> l = new ArrayList<>(len);
            for (int k = 0; k < len; k++) {
                l.add(Array.get(a, k));
            }
            return l;
        }
        return null;
    }

    /** print.go: badVerb. */
    private static void bad(StringBuilder out, int verb, Object a) {
        out.append("%!").appendCodePoint(verb).append('(').append(typeName(a)).append('=');
        print(out, new Spec(), 'v', a);
        out.append(')');
    }

    /** format.go: pad. Width in runes; zero padding only where the caller allows it. */
    private static void pad(StringBuilder out, Spec f, String s) {
        int fill = f.wid - s.codePointCount(0, s.length());
        if (fill <= 0) {
            out.append(s);
        } else if (f.minus) {
            out.append(s).repeat(' ', fill);
        } else {
            out.repeat(f.zero ? '0' : ' ', fill).append(s);
        }
    }

    /** A number's sign and digits, padded as format.go does: zeros go after the sign. */
    private static void padNumber(StringBuilder out, Spec f, String sign, String digits, boolean zeroOk) {
        int fill = f.wid - sign.length() - digits.length();
        if (fill > 0 && f.zero && zeroOk && !f.minus) {
            out.append(sign).repeat('0', fill).append(digits);
        } else {
            Spec noZero = new Spec();
            noZero.wid = f.wid;
            noZero.minus = f.minus;
            pad(out, noZero, sign + digits);
        }
    }

    /** print.go: fmtInteger; format.go: fmtInteger. */
    private static void integer(StringBuilder out, Spec f, int verb, Object a) {
        BigInteger v = intValue(a);
        if (verb == 'c') {
            pad(out, f, new String(Character.toChars(v.intValue())));
            return;
        }
        if (verb == 'q') {
            pad(out, f, quoteRune(v.intValue()));
            return;
        }
        if (verb == 'U') {
            String h = v.toString(16).toUpperCase();
            pad(out, f, "U+" + "0".repeat(Math.max(0, 4 - h.length())) + h);
            return;
        }
        int radix = switch (verb) {
            case 'v', 'd' -> 10;
            case 'x', 'X' -> 16;
            case 'o', 'O' -> 8;
            case 'b' -> 2;
            default -> 0;
        };
        if (radix == 0) {
            bad(out, verb, a);
            return;
        }
        String digits = v.abs().toString(radix);
        if (verb == 'X') {
            digits = digits.toUpperCase();
        }
        if (f.prec >= 0) {
            digits = f.prec == 0 && v.signum() == 0 ? "" : "0".repeat(Math.max(0, f.prec - digits.length())) + digits;
        }
        String prefix = "";
        if (f.sharp) {
            prefix = switch (verb) {
                case 'x' -> "0x";
                case 'X' -> "0X";
                case 'o' -> digits.startsWith("0") ? "" : "0";
                case 'b' -> "0b";
                default -> "";
            };
        }
        if (verb == 'O') {
            prefix = "0o";
        }
        String sign = v.signum() < 0 ? "-" : f.plus ? "+" : f.space ? " " : "";
        padNumber(out, f, sign, prefix + digits, f.prec < 0);
    }

    /** print.go: fmtFloat; format.go: fmtFloat; strconv: ftoa's %e, %f and %g. */
    private static void floating(StringBuilder out, Spec f, int verb, Object a) {
        double d = ((Number) a).doubleValue();
        boolean f32 = a instanceof Float;
        int prec = f.prec;
        char fmt;
        switch (verb) {
            case 'v' -> {
                fmt = 'g';
                prec = f.prec >= 0 ? f.prec : -1;
            }
            case 'g', 'G' -> fmt = (char) verb;
            case 'e', 'E', 'f' -> {
                fmt = (char) verb;
                prec = f.prec >= 0 ? f.prec : 6;
            }
            case 'F' -> {
                fmt = 'f';
                prec = f.prec >= 0 ? f.prec : 6;
            }
            default -> {
                bad(out, verb, a);
                return;
            }
        }
        boolean neg = d < 0 || d == 0 && 1 / d < 0;
        String body;
        if (Double.isNaN(d)) {
            String s = f.plus ? "+NaN" : f.space ? " NaN" : "NaN";
            Spec noZero = new Spec();
            noZero.wid = f.wid;
            noZero.minus = f.minus;
            pad(out, noZero, s);
            return;
        }
        if (Double.isInfinite(d)) {
            Spec noZero = new Spec();
            noZero.wid = f.wid;
            noZero.minus = f.minus;
            pad(out, noZero, (neg ? "-" : f.plus ? "+" : f.space ? " " : "+") + "Inf");
            return;
        }
        BigDecimal exact = new BigDecimal(Math.abs(d));
        char lower = Character.toLowerCase(fmt);
        if (lower == 'f') {
            body = fixed(exact.setScale(prec, RoundingMode.HALF_EVEN), prec);
        } else if (lower == 'e') {
            Digits ds = d == 0 ? new Digits("", 0) : Digits.of(exact.round(new MathContext(prec + 1, RoundingMode.HALF_EVEN)));
            body = expForm(ds, prec, fmt);
        } else { // strconv: ftoa's %g
            boolean shortest = prec < 0;
            Digits ds;
            if (d == 0) {
                ds = new Digits("", 0);
            } else if (shortest) {
                ds = Digits.of(new BigDecimal(f32 ? Float.toString(Math.abs((float) d)) : Double.toString(Math.abs(d))));
            } else {
                ds = Digits.of(exact.round(new MathContext(prec == 0 ? 1 : prec, RoundingMode.HALF_EVEN)));
            }
            if (shortest) {
                prec = ds.nd();
            } else if (prec == 0) {
                prec = 1;
            }
            int eprec = prec;
            if (eprec > ds.nd() && ds.nd() >= ds.dp) {
                eprec = ds.nd();
            }
            if (shortest) {
                eprec = 6;
            }
            int exp = ds.dp - 1;
            if (exp < -4 || exp >= eprec) {
                body = expForm(ds, Math.min(prec, ds.nd()) - 1, (char) (fmt + 'e' - 'g'));
            } else {
                body = fixedForm(ds, Math.max((prec > ds.dp ? ds.nd() : prec) - ds.dp, 0));
            }
        }
        String sign = neg ? "-" : f.plus ? "+" : f.space ? " " : "";
        padNumber(out, f, sign, body, true);
    }

    /** A decimal's significant digits (no trailing zeros; "" for zero) and its point's position. */
    private record Digits(String ds, int dp) {
        int nd() {
            return ds.length();
        }

        static Digits of(BigDecimal v) {
            if (v.signum() == 0) {
                return new Digits("", 0);
            }
            BigDecimal s = v.stripTrailingZeros();
            String u = s.unscaledValue().toString();
            return new Digits(u, u.length() - s.scale());
        }
    }

    private static String fixed(BigDecimal v, int prec) {
        String s = v.toPlainString();
        return prec == 0 && s.contains(".") ? s.substring(0, s.indexOf('.')) : s;
    }

    /** strconv: fmtE, {@code prec} digits after the point. */
    private static String expForm(Digits d, int prec, char e) {
        StringBuilder b = new StringBuilder();
        b.append(d.nd() == 0 ? '0' : d.ds.charAt(0));
        if (prec > 0) {
            b.append('.');
            for (int k = 1; k <= prec; k++) {
                b.append(k < d.nd() ? d.ds.charAt(k) : '0');
            }
        }
        int exp = d.nd() == 0 ? 0 : d.dp - 1;
        b.append(e).append(exp < 0 ? '-' : '+');
        int ax = Math.abs(exp);
        if (ax < 10) {
            b.append('0');
        }
        return b.append(ax).toString();
    }

    /** strconv: fmtF, {@code prec} digits after the point. */
    private static String fixedForm(Digits d, int prec) {
        StringBuilder b = new StringBuilder();
        if (d.dp > 0) {
            for (int k = 0; k < d.dp; k++) {
                b.append(k < d.nd() ? d.ds.charAt(k) : '0');
            }
        } else {
            b.append('0');
        }
        if (prec > 0) {
            b.append('.');
            for (int k = 1; k <= prec; k++) {
                int j = d.dp + k - 1;
                b.append(j >= 0 && j < d.nd() ? d.ds.charAt(j) : '0');
            }
        }
        return b.toString();
    }

    /** print.go: fmtString (and %v of a value that is not a number: its text). */
    private static void string(StringBuilder out, Spec f, int verb, String s, Object a) {
        if (f.prec >= 0 && (verb == 'v' || verb == 's' || verb == 'q') && s.codePointCount(0, s.length()) > f.prec) {
            s = s.substring(0, s.offsetByCodePoints(0, f.prec)); // format.go: truncate
        }
        switch (verb) {
            case 'v', 's' -> pad(out, f, f.sharp && verb == 'v' && a instanceof String ? quote(s) : s);
            case 'q' -> pad(out, f, quote(s));
            case 'x', 'X' -> {
                StringBuilder h = new StringBuilder();
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                    String x = Integer.toHexString(b & 0xff);
                    h.append(x.length() == 1 ? "0" : "").append(verb == 'X' ? x.toUpperCase() : x);
                }
                pad(out, f, h.toString());
            }
            default -> bad(out, verb, a);
        }
    }

    /** strconv.Quote. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(c -> appendEscaped(b, c, '"'));
        return b.append('"').toString();
    }

    /** strconv.QuoteRune. */
    static String quoteRune(int c) {
        StringBuilder b = new StringBuilder().append('\'');
        appendEscaped(b, c, '\'');
        return b.append('\'').toString();
    }

    private static void appendEscaped(StringBuilder b, int c, char q) {
        switch (c) {
            case 7 -> b.append("\\a");
            case '\b' -> b.append("\\b");
            case '\f' -> b.append("\\f");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            case 11 -> b.append("\\v");
            case '\\' -> b.append("\\\\");
            default -> {
                if (c == q) {
                    b.append('\\').appendCodePoint(c);
                } else if (c >= 0x20 && c != 0x7f && isPrint(c)) {
                    b.appendCodePoint(c);
                } else if (c < 0x80) {
                    b.append("\\x").append(String.format("%02x", c));
                } else if (c < 0x10000) {
                    b.append("\\u").append(String.format("%04x", c));
                } else {
                    b.append("\\U").append(String.format("%08x", c));
                }
            }
        }
    }

    /** unicode.IsPrint, near enough: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isPrint(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.UNASSIGNED, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE,
                    Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
