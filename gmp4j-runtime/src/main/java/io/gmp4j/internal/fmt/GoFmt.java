package io.gmp4j.internal.fmt;

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
 * Go's fmt.Sprintf (for {@code io.gmp4j.trace.Trace.logf}) and strconv.Quote (for the profiles'
 * labels), a port of go1.19's fmt (print.go: doPrintf, printArg,
 * printValue, handleMethods; format.go) and of the strconv it uses (ftoa.go, quote.go): every
 * verb ({@code v d s q x X o O b c U t e E f F g G T p %}), the flags {@code + - # 0} and space,
 * widths and precisions, {@code *} and {@code [n]} argument indexes, and Go's error forms
 * ({@code %!d(string=hi)}, {@code %!d(MISSING)}, {@code %!d(BADINDEX)}, {@code %!(BADWIDTH)},
 * {@code %!(EXTRA int32=1)}, {@code %!(NOVERB)}). GoFmtDiffTest compares it with Go's output.
 *
 * <p>Java's types as Go's: Integer and Character int32, Long int64, Short int16, Byte int8,
 * Double float64, Float float32, Boolean bool, String string, null a nil interface, byte[]
 * []byte, a primitive or String array a slice of its element type, any other array or a
 * Collection []interface {}, a Map map[interface {}]interface {} (keys sorted as Go's fmtsort),
 * a Throwable an error (errors.New of its message), a BigInteger a *big.Int. Any other object is
 * a fmt.Stringer of its toString() whose %T is its class's simple name (docs/DIVERGENCES.md).
 */
public final class GoFmt {
    // print.go's constant strings
    private static final String NIL_ANGLE = "<nil>", NIL_PAREN = "(nil)", BAD_INDEX = "(BADINDEX)", MISSING = "(MISSING)";

    private final StringBuilder buf = new StringBuilder();
    // format.go: fmtFlags, wid and prec
    private boolean widPresent, precPresent, minus, plus, sharp, space, zero, plusV, sharpV;
    private int wid, prec;
    // print.go: pp's arg and value (which badVerb prints), erroring, reordered, goodArgNum
    private Object arg, value;
    private boolean erroring, reordered, goodArgNum;
    // doPrintf's argNum and afterIndex (fields: argNumber sets them, as Go's returns them)
    private int argNum;
    private boolean afterIndex;

    private GoFmt() {}

    /** fmt.Sprintf. A null {@code args} is one nil argument (Java's {@code sprintf(f, null)}). */
    public static String sprintf(String format, Object... args) {
        GoFmt p = new GoFmt();
        p.doPrintf(format, args == null ? new Object[] {null} : args);
        return p.buf.toString();
    }

    /** Element of a byte[] outside fmtBytes: Go's uint8. */
    private record U8(int v) {}

    private void clearFlags() {
        widPresent = precPresent = minus = plus = sharp = space = zero = plusV = sharpV = false;
        wid = prec = 0;
    }

    /** print.go: doPrintf. */
    private void doPrintf(String format, Object[] a) {
        int end = format.length();
        argNum = 0;
        afterIndex = false;
        reordered = false;
        for (int i = 0; i < end;) {
            goodArgNum = true;
            int lasti = i;
            while (i < end && format.charAt(i) != '%') {
                i++;
            }
            buf.append(format, lasti, i);
            if (i >= end) {
                break;
            }
            i++;
            clearFlags();
            flags:
            for (; i < end; i++) {
                switch (format.charAt(i)) {
                    case '#' -> sharp = true;
                    case '0' -> zero = !minus; // Only allow zero padding to the left.
                    case '+' -> plus = true;
                    case '-' -> {
                        minus = true;
                        zero = false;
                    }
                    case ' ' -> space = true;
                    default -> {
                        break flags;
                    }
                }
            }
            i = argNumber(format, i, a.length);
            if (i < end && format.charAt(i) == '*') {
                i++;
                argNum = intFromArg(a, argNum, true);
                if (!widPresent) {
                    buf.append("%!(BADWIDTH)");
                }
                if (wid < 0) { // a negative width: its value, left-justified
                    wid = -wid;
                    minus = true;
                    zero = false;
                }
                afterIndex = false;
            } else {
                i = parsenum(format, i, end, true);
                if (afterIndex && widPresent) { // "%[3]2d"
                    goodArgNum = false;
                }
            }
            if (i + 1 < end && format.charAt(i) == '.') {
                i++;
                if (afterIndex) { // "%[3].2d"
                    goodArgNum = false;
                }
                i = argNumber(format, i, a.length);
                if (i < end && format.charAt(i) == '*') {
                    i++;
                    argNum = intFromArg(a, argNum, false);
                    if (prec < 0) { // Negative precision arguments don't make sense
                        prec = 0;
                        precPresent = false;
                    }
                    if (!precPresent) {
                        buf.append("%!(BADPREC)");
                    }
                    afterIndex = false;
                } else {
                    i = parsenum(format, i, end, false);
                    if (!precPresent) {
                        prec = 0;
                        precPresent = true;
                    }
                }
            }
            if (!afterIndex) {
                i = argNumber(format, i, a.length);
            }
            if (i >= end) {
                buf.append("%!(NOVERB)");
                break;
            }
            int verb = format.codePointAt(i);
            i += Character.charCount(verb);
            if (verb == '%') { // Percent does not absorb operands and ignores f.wid and f.prec.
                buf.append('%');
            } else if (!goodArgNum) {
                buf.append("%!").appendCodePoint(verb).append(BAD_INDEX);
            } else if (argNum >= a.length) {
                buf.append("%!").appendCodePoint(verb).append(MISSING);
            } else {
                if (verb == 'v') { // Go syntax and struct-field syntax
                    sharpV = sharp;
                    sharp = false;
                    plusV = plus;
                    plus = false;
                }
                printArg(a[argNum++], verb);
            }
        }
        if (!reordered && argNum < a.length) {
            clearFlags();
            buf.append("%!(EXTRA ");
            for (int k = argNum; k < a.length; k++) {
                if (k > argNum) {
                    buf.append(", ");
                }
                if (a[k] == null) {
                    buf.append(NIL_ANGLE);
                } else {
                    buf.append(typeString(a[k])).append('=');
                    printArg(a[k], 'v');
                }
            }
            buf.append(')');
        }
    }

    /** print.go: argNumber: returns newi; sets argNum and afterIndex (Go's other results). */
    private int argNumber(String format, int i, int numArgs) {
        afterIndex = false;
        if (format.length() <= i || format.charAt(i) != '[') {
            return i;
        }
        reordered = true;
        // print.go: parseArgNumber
        int index = 0, w = 1;
        boolean ok = false;
        String s = format.substring(i);
        if (s.length() >= 3) {
            for (int k = 1; k < s.length(); k++) {
                if (s.charAt(k) == ']') {
                    w = k + 1;
                    int save = wid;
                    boolean savePresent = widPresent;
                    int newi = parsenum(s, 1, k, true);
                    if (widPresent && newi == k) {
                        index = wid - 1;
                        ok = true;
                    }
                    wid = save;
                    widPresent = savePresent;
                    break;
                }
            }
        }
        if (ok && 0 <= index && index < numArgs) {
            argNum = index;
            afterIndex = true;
            return i + w;
        }
        goodArgNum = false;
        afterIndex = ok;
        return i + w;
    }

    private static boolean tooLarge(long x) {
        return x > 1_000_000 || x < -1_000_000;
    }

    /** print.go: parsenum into wid/widPresent or prec/precPresent; returns newi. */
    private int parsenum(String s, int start, int end, boolean width) {
        int num = 0, newi;
        boolean isnum = false;
        if (start >= end) {
            setNum(width, 0, false);
            return end;
        }
        for (newi = start; newi < end && s.charAt(newi) >= '0' && s.charAt(newi) <= '9'; newi++) {
            if (tooLarge(num)) {
                setNum(width, 0, false); // Overflow; crazy long number most likely.
                return end;
            }
            num = num * 10 + (s.charAt(newi) - '0');
            isnum = true;
        }
        setNum(width, num, isnum);
        return newi;
    }

    private void setNum(boolean width, int num, boolean present) {
        if (width) {
            wid = num;
            widPresent = present;
        } else {
            prec = num;
            precPresent = present;
        }
    }

    /** print.go: intFromArg into wid or prec; returns newArgNum. */
    private int intFromArg(Object[] a, int argNum, boolean width) {
        long num = 0;
        boolean isInt = false;
        int newArgNum = argNum;
        if (argNum < a.length) {
            Object x = a[argNum];
            if (x instanceof Integer || x instanceof Long || x instanceof Short || x instanceof Byte) {
                num = ((Number) x).longValue();
                isInt = true;
            } else if (x instanceof Character c) {
                num = c;
                isInt = true;
            } else if (x instanceof U8 u) {
                num = u.v;
                isInt = true;
            }
            newArgNum = argNum + 1;
            if (tooLarge(num)) {
                num = 0;
                isInt = false;
            }
        }
        setNum(width, (int) num, isInt);
        return newArgNum;
    }

    /** Go's reflect.TypeOf(a).String() for a Java value as GoFmt maps it. */
    static String typeString(Object a) {
        return switch (a) {
            case null -> NIL_ANGLE;
            case Integer i -> "int32";
            case Character c -> "int32";
            case Long l -> "int64";
            case Short s -> "int16";
            case Byte b -> "int8";
            case U8 u -> "uint8";
            case Double d -> "float64";
            case Float x -> "float32";
            case Boolean b -> "bool";
            case String s -> "string";
            case BigInteger b -> "*big.Int";
            case Throwable t -> "*errors.errorString";
            case Map<?, ?> m -> "map[interface {}]interface {}";
            case Collection<?> c -> "[]interface {}";
            default -> a.getClass().isArray() ? "[]" + elemName(a.getClass().getComponentType()) : a.getClass().getSimpleName();
        };
    }

    private static String elemName(Class<?> c) {
        if (c == int.class || c == Integer.class || c == char.class || c == Character.class) {
            return "int32";
        } else if (c == long.class || c == Long.class) {
            return "int64";
        } else if (c == short.class || c == Short.class) {
            return "int16";
        } else if (c == byte.class) {
            return "uint8"; // Go's []byte
        } else if (c == Byte.class) {
            return "int8";
        } else if (c == double.class || c == Double.class) {
            return "float64";
        } else if (c == float.class || c == Float.class) {
            return "float32";
        } else if (c == boolean.class || c == Boolean.class) {
            return "bool";
        } else if (c == String.class) {
            return "string";
        } else if (c.isArray()) {
            return "[]" + elemName(c.getComponentType());
        }
        return "interface {}";
    }

    /** print.go: printArg. */
    private void printArg(Object a, int verb) {
        arg = a;
        value = null;
        if (a == null) {
            if (verb == 'T' || verb == 'v') {
                padString(NIL_ANGLE);
            } else {
                badVerb(verb);
            }
            return;
        }
        if (verb == 'T') {
            fmtS(typeString(a));
            return;
        }
        if (verb == 'p') {
            fmtPointer(a, 'p');
            return;
        }
        switch (a) {
            case byte[] b -> fmtBytes(b, verb, "[]byte");
            default -> {
                if (!handleMethods(verb)) {
                    printValue(a, verb, 0);
                }
            }
        }
    }

    /** print.go: handleMethods: *big.Int's Format, an error's Error, a Stringer's String. */
    private boolean handleMethods(int verb) {
        if (erroring) {
            return false;
        }
        if (verb == 'w') { // %w is Errorf's; Sprintf has no error to wrap
            badVerb(verb);
            return true;
        }
        if (arg instanceof BigInteger b) {
            bigFormat(b, verb);
            return true;
        }
        if (sharpV || !(verb == 'v' || verb == 's' || verb == 'x' || verb == 'X' || verb == 'q')) {
            return false;
        }
        if (arg instanceof Throwable || isStringer(arg)) {
            Object a = arg;
            String text;
            try {
                text = a instanceof Throwable t ? errorText(t) : a.toString();
            } catch (RuntimeException e) {
                catchPanic(e, verb, a instanceof Throwable ? "Error" : "String");
                return true;
            }
            fmtString(text, verb);
            return true;
        }
        return false;
    }

    /** print.go: catchPanic: a toString or getMessage that threw prints as Go's panicking String or Error method. */
    private void catchPanic(RuntimeException e, int verb, String method) {
        boolean[] flags = {widPresent, precPresent, minus, plus, sharp, space, zero, plusV, sharpV};
        int w = wid, p = prec;
        clearFlags();
        buf.append("%!").appendCodePoint(verb).append("(PANIC=").append(method).append(" method: ");
        printArg(e, 'v');
        buf.append(')');
        widPresent = flags[0];
        precPresent = flags[1];
        minus = flags[2];
        plus = flags[3];
        sharp = flags[4];
        space = flags[5];
        zero = flags[6];
        plusV = flags[7];
        sharpV = flags[8];
        wid = w;
        prec = p;
    }

    private static String errorText(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static boolean isStringer(Object a) {
        return !(a == null || a instanceof Number || a instanceof Character || a instanceof Boolean || a instanceof String
                || a instanceof U8 || a instanceof Throwable || a instanceof Map || a instanceof Collection || a.getClass().isArray());
    }

    /** print.go: printValue. {@code v} null is a nil interface element (depth > 0). */
    private void printValue(Object v, int verb, int depth) {
        if (depth > 0 && v != null) {
            arg = v;
            if (handleMethods(verb)) {
                return;
            }
        }
        arg = null;
        value = v;
        switch (v) {
            case null -> { // reflect.Interface holding nil
                if (sharpV) {
                    buf.append("interface {}").append(NIL_PAREN);
                } else {
                    buf.append(NIL_ANGLE);
                }
            }
            case Boolean b -> fmtBool(b, verb);
            case Integer i -> fmtInteger(i, true, verb);
            case Character c -> fmtInteger(c, true, verb);
            case Long l -> fmtInteger(l, true, verb);
            case Short s -> fmtInteger(s, true, verb);
            case Byte b -> fmtInteger(b, true, verb);
            case U8 u -> fmtInteger(u.v, false, verb);
            case Float x -> fmtFloat(x, 32, verb);
            case Double d -> fmtFloat(d, 64, verb);
            case String s -> fmtString(s, verb);
            case Throwable t -> { // *errors.errorString: a pointer to a struct {s string}
                if (depth == 0) {
                    buf.append('&');
                }
                if (sharpV) {
                    buf.append("errors.errorString");
                }
                buf.append('{');
                if (plusV || sharpV) {
                    buf.append("s:");
                }
                printValue(errorText(t), verb, depth + 1);
                buf.append('}');
            }
            case BigInteger b -> bigStruct(b, verb, depth); // only while erroring: no Format
            case Map<?, ?> m -> {
                if (sharpV) {
                    buf.append(typeString(m)).append('{');
                } else {
                    buf.append("map[");
                }
                List<Map.Entry<?, ?>> es = sortedEntries(m);
                for (int k = 0; k < es.size(); k++) {
                    if (k > 0) {
                        buf.append(sharpV ? ", " : " ");
                    }
                    printValue(es.get(k).getKey(), verb, depth + 1);
                    buf.append(':');
                    printValue(es.get(k).getValue(), verb, depth + 1);
                }
                buf.append(sharpV ? '}' : ']');
            }
            default -> {
                List<Object> elems = elements(v);
                if (elems == null) { // a Stringer printed with a verb strings do not take
                    String text;
                    try {
                        text = v.toString();
                    } catch (RuntimeException e) {
                        catchPanic(e, verb, "String");
                        return;
                    }
                    fmtString(text, verb);
                    return;
                }
                if (v instanceof byte[] bs && (verb == 's' || verb == 'q' || verb == 'x' || verb == 'X')) {
                    fmtBytes(bs, verb, typeString(v));
                    return;
                }
                if (sharpV) {
                    buf.append(typeString(v)).append('{');
                    for (int k = 0; k < elems.size(); k++) {
                        if (k > 0) {
                            buf.append(", ");
                        }
                        printValue(elems.get(k), verb, depth + 1);
                    }
                    buf.append('}');
                } else {
                    buf.append('[');
                    for (int k = 0; k < elems.size(); k++) {
                        if (k > 0) {
                            buf.append(' ');
                        }
                        printValue(elems.get(k), verb, depth + 1);
                    }
                    buf.append(']');
                }
            }
        }
    }

    /** printValue of a *big.Int as Go's struct {neg bool; abs nat}, nat being its 64-bit words, low first. */
    private void bigStruct(BigInteger b, int verb, int depth) {
        if (depth == 0) {
            buf.append('&');
        }
        buf.append(sharpV ? "big.Int{" : "{").append(plusV || sharpV ? "neg:" : "");
        printValue(b.signum() < 0, verb, depth + 1);
        buf.append(sharpV ? ", abs:" : plusV ? " abs:" : " ");
        BigInteger abs = b.abs();
        if (sharpV && abs.signum() == 0) {
            buf.append("big.nat(nil)");
        } else {
            buf.append(sharpV ? "big.nat{" : "[");
            for (int k = 0; abs.signum() > 0; k++) {
                if (k > 0) {
                    buf.append(sharpV ? ", " : " ");
                }
                fmtInteger(abs.longValue(), false, verb);
                abs = abs.shiftRight(64);
            }
            buf.append(sharpV ? '}' : ']');
        }
        buf.append('}');
    }

    private static List<Object> elements(Object a) {
        if (a instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        if (!a.getClass().isArray()) {
            return null;
        }
        int len = Array.getLength(a);
        List<Object> l = new ArrayList<>(len);
        for (int k = 0; k < len; k++) {
            l.add(a instanceof byte[] b ? new U8(b[k] & 0xff) : Array.get(a, k));
        }
        return l;
    }

    /** internal/fmtsort: Sort's order; keys of different Go types keep the Map's order. */
    private static List<Map.Entry<?, ?>> sortedEntries(Map<?, ?> m) {
        List<Map.Entry<?, ?>> es = new ArrayList<>(m.entrySet());
        try {
            es.sort((x, y) -> compareKeys(x.getKey(), y.getKey()));
        } catch (ClassCastException | IllegalArgumentException e) {
            es = new ArrayList<>(m.entrySet());
        }
        return es;
    }

    private static int compareKeys(Object a, Object b) {
        if (a == null || b == null) { // fmtsort: nilable, nil first
            return a == null ? b == null ? 0 : -1 : 1;
        }
        if (isInteger(a) && isInteger(b)) {
            return Long.compare(longValue(a), longValue(b));
        }
        if ((a instanceof Double || a instanceof Float) && (b instanceof Double || b instanceof Float)) {
            double x = ((Number) a).doubleValue(), y = ((Number) b).doubleValue();
            // fmtsort: floatCompare: NaN first, -0 == 0
            return x < y ? -1 : x > y ? 1 : Double.isNaN(x) ? Double.isNaN(y) ? 0 : -1 : Double.isNaN(y) ? 1 : 0;
        }
        if (a instanceof String x && b instanceof String y) {
            return compareUtf8(x, y);
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return Boolean.compare(x, y);
        }
        throw new ClassCastException("keys of different Go types");
    }

    /** Go's string order: UTF-8 bytes, that is code points. */
    private static int compareUtf8(String x, String y) {
        int i = 0, j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i), b = y.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Boolean.compare(i < x.length(), j < y.length());
    }

    private static boolean isInteger(Object a) {
        return a instanceof Integer || a instanceof Long || a instanceof Short || a instanceof Byte || a instanceof Character
                || a instanceof U8;
    }

    private static long longValue(Object a) {
        return a instanceof Character c ? c : a instanceof U8 u ? u.v : ((Number) a).longValue();
    }

    /** print.go: badVerb. */
    private void badVerb(int verb) {
        erroring = true;
        buf.append("%!").appendCodePoint(verb).append('(');
        if (arg != null) {
            buf.append(typeString(arg)).append('=');
            printArg(arg, 'v');
        } else if (value != null) {
            buf.append(typeString(value)).append('=');
            printValue(value, 'v', 0);
        } else {
            buf.append(NIL_ANGLE);
        }
        buf.append(')');
        erroring = false;
    }

    /** print.go: fmtPointer. Java has no addresses: a slice, map or pointer's %p is its identity hash. */
    private void fmtPointer(Object a, int verb) {
        boolean pointer = a instanceof Map || a instanceof Collection || a.getClass().isArray() || a instanceof Throwable
                || a instanceof BigInteger;
        if (!pointer) {
            badVerb(verb);
            return;
        }
        long u = System.identityHashCode(a) & 0xffffffffL;
        switch (verb) {
            case 'p' -> fmt0x64(u, !sharp);
            case 'b', 'o', 'd', 'x', 'X' -> fmtInteger(u, false, verb);
            default -> badVerb(verb);
        }
    }

    private void fmtBool(boolean v, int verb) {
        if (verb == 't' || verb == 'v') {
            padString(v ? "true" : "false");
        } else {
            badVerb(verb);
        }
    }

    /** print.go: fmt0x64. */
    private void fmt0x64(long v, boolean leading0x) {
        boolean s = sharp;
        sharp = leading0x;
        fmtIntegerBase(v, 16, false, 'v', false);
        sharp = s;
    }

    /** print.go: fmtInteger. */
    private void fmtInteger(long v, boolean signed, int verb) {
        switch (verb) {
            case 'v' -> {
                if (sharpV && !signed) {
                    fmt0x64(v, true);
                } else {
                    fmtIntegerBase(v, 10, signed, verb, false);
                }
            }
            case 'd' -> fmtIntegerBase(v, 10, signed, verb, false);
            case 'b' -> fmtIntegerBase(v, 2, signed, verb, false);
            case 'o', 'O' -> fmtIntegerBase(v, 8, signed, verb, false);
            case 'x' -> fmtIntegerBase(v, 16, signed, verb, false);
            case 'X' -> fmtIntegerBase(v, 16, signed, verb, true);
            case 'c' -> fmtC(v);
            case 'q' -> fmtQc(v);
            case 'U' -> fmtUnicode(v);
            default -> badVerb(verb);
        }
    }

    /** format.go: fmtInteger ({@code u} unsigned unless {@code signed}). */
    private void fmtIntegerBase(long u, int base, boolean signed, int verb, boolean upper) {
        boolean negative = signed && u < 0;
        if (negative) {
            u = -u;
        }
        int pr = 0;
        if (precPresent) {
            pr = prec;
            if (pr == 0 && u == 0) { // Precision of 0 and value of 0 means "print nothing" but padding.
                boolean z = zero;
                zero = false;
                writePadding(wid);
                zero = z;
                return;
            }
        } else if (zero && widPresent) {
            pr = wid;
            if (negative || plus || space) {
                pr--; // leave room for sign
            }
        }
        String digits = Long.toUnsignedString(u, base);
        if (upper) {
            digits = digits.toUpperCase();
        }
        StringBuilder b = new StringBuilder();
        if (sharp) {
            switch (base) {
                case 2 -> b.append("0b");
                case 8 -> {
                    if (digits.length() >= pr) {
                        b.append(digits.charAt(0) == '0' ? "" : "0");
                    }
                }
                case 16 -> b.append(upper ? "0X" : "0x");
                default -> {}
            }
        }
        if (verb == 'O') {
            b.insert(0, "0o");
        }
        b.repeat('0', Math.max(0, pr - digits.length())).append(digits);
        if (negative) {
            b.insert(0, '-');
        } else if (plus) {
            b.insert(0, '+');
        } else if (space) {
            b.insert(0, ' ');
        }
        boolean z = zero;
        zero = false;
        padString(b.toString());
        zero = z;
    }

    /** print.go: fmtFloat. */
    private void fmtFloat(double v, int size, int verb) {
        switch (verb) {
            case 'v' -> fmtFloatFormat(v, size, 'g', -1);
            case 'b', 'g', 'G', 'x', 'X' -> fmtFloatFormat(v, size, (char) verb, -1);
            case 'f', 'e', 'E' -> fmtFloatFormat(v, size, (char) verb, 6);
            case 'F' -> fmtFloatFormat(v, size, 'f', 6);
            default -> badVerb(verb);
        }
    }

    /** format.go: fmtFloat. */
    private void fmtFloatFormat(double v, int size, char verb, int pr) {
        if (precPresent) {
            pr = prec;
        }
        StringBuilder num = new StringBuilder(formatFloat(v, verb, pr, size));
        if (num.charAt(0) != '-' && num.charAt(0) != '+') {
            num.insert(0, '+');
        }
        if (space && num.charAt(0) == '+' && !plus) {
            num.setCharAt(0, ' ');
        }
        if (num.charAt(1) == 'I' || num.charAt(1) == 'N') { // infinities and NaN are not padded with zeros
            boolean z = zero;
            zero = false;
            if (num.charAt(1) == 'N' && !space && !plus) {
                num.deleteCharAt(0);
            }
            padString(num.toString());
            zero = z;
            return;
        }
        if (sharp && verb != 'b') { // a decimal point always, and trailing zeros kept
            int digits = 0;
            if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x') {
                digits = pr == -1 ? 6 : pr;
            }
            String tail = "";
            boolean hasDecimalPoint = false, sawNonzeroDigit = false;
            for (int i = 1; i < num.length(); i++) {
                char c = num.charAt(i);
                if (c == '.') {
                    hasDecimalPoint = true;
                } else if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
                    tail = num.substring(i);
                    num.setLength(i);
                    break;
                } else {
                    if (c != '0') {
                        sawNonzeroDigit = true;
                    }
                    if (sawNonzeroDigit) {
                        digits--;
                    }
                }
            }
            if (!hasDecimalPoint) {
                if (num.length() == 2 && num.charAt(1) == '0') {
                    digits--; // Leading digit 0 should contribute once to digits.
                }
                num.append('.');
            }
            for (; digits > 0; digits--) {
                num.append('0');
            }
            num.append(tail);
        }
        if (plus || num.charAt(0) != '+') {
            if (zero && widPresent && wid > num.length()) { // the sign before the leading zeros
                buf.append(num.charAt(0));
                writePadding(wid - num.length());
                buf.append(num, 1, num.length());
                return;
            }
            padString(num.toString());
            return;
        }
        padString(num.substring(1));
    }

    /** print.go: fmtString. */
    private void fmtString(String v, int verb) {
        switch (verb) {
            case 'v' -> {
                if (sharpV) {
                    fmtQ(v);
                } else {
                    fmtS(v);
                }
            }
            case 's' -> fmtS(v);
            case 'x' -> fmtSbx(v.getBytes(StandardCharsets.UTF_8), false);
            case 'X' -> fmtSbx(v.getBytes(StandardCharsets.UTF_8), true);
            case 'q' -> fmtQ(v);
            default -> badVerb(verb);
        }
    }

    /** print.go: fmtBytes. */
    private void fmtBytes(byte[] v, int verb, String typeString) {
        switch (verb) {
            case 'v', 'd' -> {
                if (sharpV) {
                    buf.append(typeString).append('{');
                    for (int k = 0; k < v.length; k++) {
                        if (k > 0) {
                            buf.append(", ");
                        }
                        fmt0x64(v[k] & 0xff, true);
                    }
                    buf.append('}');
                } else {
                    buf.append('[');
                    for (int k = 0; k < v.length; k++) {
                        if (k > 0) {
                            buf.append(' ');
                        }
                        fmtIntegerBase(v[k] & 0xff, 10, false, verb, false);
                    }
                    buf.append(']');
                }
            }
            case 's' -> fmtS(new String(v, StandardCharsets.UTF_8));
            case 'x' -> fmtSbx(v, false);
            case 'X' -> fmtSbx(v, true);
            case 'q' -> fmtQ(new String(v, StandardCharsets.UTF_8));
            default -> printValue(v, verb, 0);
        }
    }

    /** math/big: (*Int).Format. */
    private void bigFormat(BigInteger x, int ch) {
        int base;
        switch (ch) {
            case 'b' -> base = 2;
            case 'o', 'O' -> base = 8;
            case 'd', 's', 'v' -> base = 10;
            case 'x', 'X' -> base = 16;
            default -> {
                buf.append("%!").appendCodePoint(ch).append("(big.Int=").append(x).append(')');
                return;
            }
        }
        String sign = x.signum() < 0 ? "-" : plus || plusV ? "+" : space ? " " : "";
        String prefix = "";
        if (sharp || sharpV) {
            prefix = switch (ch) {
                case 'b' -> "0b";
                case 'o' -> "0";
                case 'x' -> "0x";
                case 'X' -> "0X";
                default -> "";
            };
        }
        if (ch == 'O') {
            prefix = "0o";
        }
        String digits = x.abs().toString(base);
        if (ch == 'X') {
            digits = digits.toUpperCase();
        }
        int left = 0, zeros = 0, right = 0;
        if (precPresent) {
            if (digits.length() < prec) {
                zeros = prec - digits.length();
            } else if (digits.equals("0") && prec == 0) {
                return; // print nothing if zero value (x == 0) and zero precision ("." or ".0")
            }
        }
        int length = sign.length() + prefix.length() + zeros + digits.length();
        if (widPresent && length < wid) {
            int d = wid - length;
            if (minus) {
                right = d;
            } else if (zero && !precPresent) {
                zeros = d;
            } else {
                left = d;
            }
        }
        buf.repeat(' ', left).append(sign).append(prefix).repeat('0', zeros).append(digits).repeat(' ', right);
    }

    // format.go

    private void writePadding(int n) {
        if (n > 0) {
            buf.repeat(zero ? '0' : ' ', n);
        }
    }

    /** format.go: padString (and pad: the width counts runes). */
    private void padString(String s) {
        if (!widPresent || wid == 0) {
            buf.append(s);
            return;
        }
        int width = wid - s.codePointCount(0, s.length());
        if (!minus) {
            writePadding(width);
            buf.append(s);
        } else {
            buf.append(s);
            writePadding(width);
        }
    }

    /** format.go: truncateString: at most prec runes. */
    private String truncateString(String s) {
        if (precPresent && s.codePointCount(0, s.length()) > prec) {
            return s.substring(0, s.offsetByCodePoints(0, prec));
        }
        return s;
    }

    private void fmtS(String s) {
        padString(truncateString(s));
    }

    /** format.go: fmtSbx: hex of the bytes (at most prec of them). */
    private void fmtSbx(byte[] b, boolean upper) {
        String digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
        int length = b.length;
        if (precPresent && prec < length) {
            length = prec;
        }
        int width = 2 * length;
        if (width > 0) {
            if (space) {
                if (sharp) {
                    width *= 2;
                }
                width += length - 1;
            } else if (sharp) {
                width += 2;
            }
        } else { // The byte slice or string that should be encoded is empty.
            if (widPresent) {
                writePadding(wid);
            }
            return;
        }
        if (widPresent && wid > width && !minus) {
            writePadding(wid - width);
        }
        if (sharp) {
            buf.append('0').append(digits.charAt(16));
        }
        for (int i = 0; i < length; i++) {
            if (space && i > 0) {
                buf.append(' ');
                if (sharp) {
                    buf.append('0').append(digits.charAt(16));
                }
            }
            int c = b[i] & 0xff;
            buf.append(digits.charAt(c >> 4)).append(digits.charAt(c & 0xf));
        }
        if (widPresent && wid > width && minus) {
            writePadding(wid - width);
        }
    }

    /** format.go: fmtQ. */
    private void fmtQ(String s) {
        s = truncateString(s);
        if (sharp && canBackquote(s)) {
            padString("`" + s + "`");
            return;
        }
        padString(plus ? quote(s, true) : quote(s, false));
    }

    /** format.go: fmtC. */
    private void fmtC(long c) {
        padString(new String(Character.toChars(validRune(c))));
    }

    /** format.go: fmtQc. */
    private void fmtQc(long c) {
        int r = Long.compareUnsigned(c, Character.MAX_CODE_POINT) > 0 ? 0xfffd : (int) c;
        StringBuilder b = new StringBuilder().append('\'');
        appendEscaped(b, isValidRune(r) ? r : 0xfffd, '\'', plus);
        padString(b.append('\'').toString());
    }

    /** The rune utf8.EncodeRune writes for {@code c}: RuneError for a surrogate or past MaxRune. */
    private static int validRune(long c) {
        return Long.compareUnsigned(c, Character.MAX_CODE_POINT) > 0 || !isValidRune((int) c) ? 0xfffd : (int) c;
    }

    private static boolean isValidRune(int r) {
        return r >= 0 && r <= Character.MAX_CODE_POINT && !(r >= 0xd800 && r <= 0xdfff);
    }

    /** format.go: fmtUnicode. */
    private void fmtUnicode(long u) {
        int pr = 4;
        if (precPresent && prec > 4) {
            pr = prec;
        }
        String h = Long.toUnsignedString(u, 16).toUpperCase();
        StringBuilder b = new StringBuilder("U+").repeat('0', Math.max(0, pr - h.length())).append(h);
        if (sharp && Long.compareUnsigned(u, Character.MAX_CODE_POINT) <= 0 && isPrint((int) u)) {
            b.append(" '").appendCodePoint(validRune(u)).append('\'');
        }
        boolean z = zero;
        zero = false;
        padString(b.toString());
        zero = z;
    }

    // strconv

    /** strconv.AppendFloat's text (the sign only when negative; "+Inf", "-Inf", "NaN"). */
    static String formatFloat(double val, char fmt, int prec, int bitSize) {
        long bits, mant;
        int exp, mantbits, expbits, bias;
        if (bitSize == 32) {
            bits = Float.floatToRawIntBits((float) val) & 0xffffffffL;
            mantbits = 23;
            expbits = 8;
            bias = -127;
        } else {
            bits = Double.doubleToRawLongBits(val);
            mantbits = 52;
            expbits = 11;
            bias = -1023;
        }
        boolean neg = bits >>> (expbits + mantbits) != 0;
        exp = (int) (bits >>> mantbits) & ((1 << expbits) - 1);
        mant = bits & ((1L << mantbits) - 1);
        if (exp == (1 << expbits) - 1) {
            return mant != 0 ? "NaN" : neg ? "-Inf" : "+Inf";
        } else if (exp == 0) {
            exp++; // denormalized
        } else {
            mant |= 1L << mantbits;
        }
        exp += bias;
        if (fmt == 'b') { // ftoa.go: fmtB
            int e = exp - mantbits;
            return (neg ? "-" : "") + mant + "p" + (e >= 0 ? "+" : "") + e;
        }
        if (fmt == 'x' || fmt == 'X') {
            return fmtX(prec, fmt, neg, mant, exp, mantbits);
        }
        double abs = Math.abs(bitSize == 32 ? (float) val : val);
        Digits digs;
        boolean shortest = prec < 0;
        if (shortest) {
            digs = abs == 0 ? new Digits("", 0) : shortestDigits(abs, bitSize);
            prec = switch (fmt) {
                case 'e', 'E' -> Math.max(digs.nd() - 1, 0);
                case 'f' -> Math.max(digs.nd() - digs.dp, 0);
                default -> digs.nd(); // g, G
            };
        } else if (fmt == 'f') {
            digs = Digits.of(new BigDecimal(abs).setScale(prec, RoundingMode.HALF_EVEN));
        } else {
            int digits = switch (fmt) {
                case 'e', 'E' -> prec + 1;
                case 'g', 'G' -> {
                    if (prec == 0) {
                        prec = 1;
                    }
                    yield prec;
                }
                default -> 1;
            };
            digs = abs == 0 ? new Digits("", 0) : Digits.of(new BigDecimal(abs).round(new MathContext(digits, RoundingMode.HALF_EVEN)));
        }
        // ftoa.go: formatDigits
        switch (fmt) {
            case 'e', 'E' -> {
                return fmtE(neg, digs, prec, fmt);
            }
            case 'f' -> {
                return fmtF(neg, digs, prec);
            }
            case 'g', 'G' -> {
                int eprec = prec;
                if (eprec > digs.nd() && digs.nd() >= digs.dp) {
                    eprec = digs.nd();
                }
                if (shortest) { // %e is used if the exponent from the conversion is less than -4 or >= the precision
                    eprec = 6;
                }
                int e = digs.dp - 1;
                if (e < -4 || e >= eprec) {
                    if (prec > digs.nd()) {
                        prec = digs.nd();
                    }
                    return fmtE(neg, digs, prec - 1, (char) (fmt + 'e' - 'g'));
                }
                if (prec > digs.dp) {
                    prec = digs.nd();
                }
                return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
            }
            default -> {
                return "%" + fmt;
            }
        }
    }

    /**
     * ftoa.go: ryuFtoaShortest's digits: the fewest that read back as {@code abs}, the closest
     * of those. The JDK's toString gives the fewest but at least two, the closest two (4.9E-324
     * where Go's one digit is 5e-324): a one-digit decimal that reads back wins.
     */
    private static Digits shortestDigits(double abs, int bitSize) {
        Digits d = Digits.of(new BigDecimal(bitSize == 32 ? Float.toString((float) abs) : Double.toString(abs)));
        if (d.nd() != 2) {
            return d;
        }
        BigDecimal exact = new BigDecimal(abs), best = null;
        int first = d.d.charAt(0) - '0';
        for (int c = first; c <= first + 1; c++) {
            BigDecimal one = BigDecimal.valueOf(c).scaleByPowerOfTen(d.dp - 1);
            boolean readsBack = bitSize == 32 ? one.floatValue() == (float) abs : one.doubleValue() == abs;
            if (readsBack && (best == null || one.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
                best = one;
            }
        }
        return best == null ? d : Digits.of(best);
    }

    /** A decimal's significant digits (no trailing zeros; "" for zero) and its point's position. */
    private record Digits(String d, int dp) {
        int nd() {
            return d.length();
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

    /** ftoa.go: fmtE, {@code prec} digits after the point. */
    private static String fmtE(boolean neg, Digits d, int prec, char fmt) {
        StringBuilder b = new StringBuilder();
        if (neg) {
            b.append('-');
        }
        b.append(d.nd() == 0 ? '0' : d.d.charAt(0));
        if (prec > 0) {
            b.append('.');
            for (int k = 1; k <= prec; k++) {
                b.append(k < d.nd() ? d.d.charAt(k) : '0');
            }
        }
        int exp = d.nd() == 0 ? 0 : d.dp - 1;
        b.append(fmt).append(exp < 0 ? '-' : '+');
        exp = Math.abs(exp);
        if (exp < 10) {
            b.append('0');
        }
        return b.append(exp).toString();
    }

    /** ftoa.go: fmtF, {@code prec} digits after the point. */
    private static String fmtF(boolean neg, Digits d, int prec) {
        StringBuilder b = new StringBuilder();
        if (neg) {
            b.append('-');
        }
        if (d.dp > 0) {
            for (int k = 0; k < d.dp; k++) {
                b.append(k < d.nd() ? d.d.charAt(k) : '0');
            }
        } else {
            b.append('0');
        }
        if (prec > 0) {
            b.append('.');
            for (int k = 1; k <= prec; k++) {
                int j = d.dp + k - 1;
                b.append(j >= 0 && j < d.nd() ? d.d.charAt(j) : '0');
            }
        }
        return b.toString();
    }

    /** ftoa.go: fmtX, %x: -0x1.23abcp+20. */
    private static String fmtX(int prec, char fmt, boolean neg, long mant, int exp, int mantbits) {
        if (mant == 0) {
            exp = 0;
        }
        mant <<= 60 - mantbits; // the leading 1 at bit 60
        while (mant != 0 && (mant & (1L << 60)) == 0) {
            mant <<= 1;
            exp--;
        }
        if (prec >= 0 && prec < 15) { // round to prec hex digits, to even
            int shift = prec * 4;
            long extra = (mant << shift) & ((1L << 60) - 1);
            mant >>>= 60 - shift;
            if ((extra | (mant & 1)) > 1L << 59) {
                mant++;
            }
            mant <<= 60 - shift;
            if ((mant & (1L << 61)) != 0) {
                mant >>>= 1;
                exp++;
            }
        }
        String hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        StringBuilder b = new StringBuilder();
        if (neg) {
            b.append('-');
        }
        b.append('0').append(fmt).append((char) ('0' + ((mant >>> 60) & 1)));
        mant <<= 4; // remove leading 0 or 1
        if (prec < 0 && mant != 0) {
            b.append('.');
            while (mant != 0) {
                b.append(hex.charAt((int) ((mant >>> 60) & 15)));
                mant <<= 4;
            }
        } else if (prec > 0) {
            b.append('.');
            for (int i = 0; i < prec; i++) {
                b.append(hex.charAt((int) ((mant >>> 60) & 15)));
                mant <<= 4;
            }
        }
        b.append(fmt == 'X' ? 'P' : 'p').append(exp < 0 ? '-' : '+');
        exp = Math.abs(exp);
        if (exp < 10) {
            b.append('0');
        }
        return b.append(exp).toString();
    }

    /** strconv.Quote. */
    public static String quote(String s) {
        return quote(s, false);
    }

    /** strconv.Quote, or QuoteToASCII. */
    private static String quote(String s, boolean asciiOnly) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(c -> appendEscaped(b, c, '"', asciiOnly));
        return b.append('"').toString();
    }

    /** strconv.CanBackquote. */
    private static boolean canBackquote(String s) {
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '\ufeff' || (c < ' ' && c != '\t') || c == '`' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** strconv: appendEscapedRune. */
    private static void appendEscaped(StringBuilder b, int r, char q, boolean asciiOnly) {
        if (r == q || r == '\\') {
            b.append('\\').appendCodePoint(r);
            return;
        }
        if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) {
            b.appendCodePoint(r);
            return;
        }
        switch (r) {
            case 7 -> b.append("\\a");
            case '\b' -> b.append("\\b");
            case '\f' -> b.append("\\f");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            case 11 -> b.append("\\v");
            default -> {
                if (r < ' ' || r == 0x7f) {
                    b.append("\\x").append(HEX.charAt(r >> 4)).append(HEX.charAt(r & 0xf));
                } else if (r < 0x10000) {
                    b.append("\\u");
                    for (int s = 12; s >= 0; s -= 4) {
                        b.append(HEX.charAt(r >> s & 0xf));
                    }
                } else {
                    b.append("\\U");
                    for (int s = 28; s >= 0; s -= 4) {
                        b.append(HEX.charAt(r >> s & 0xf));
                    }
                }
            }
        }
    }

    private static final String HEX = "0123456789abcdef";

    /**
     * unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space, by the
     * JDK's Unicode tables (Go 1.19's are Unicode 13: characters assigned since differ).
     */
    private static boolean isPrint(int c) {
        if (c == ' ') {
            return true;
        }
        if (!isValidRune(c)) {
            return false;
        }
        return switch (Character.getType(c)) {
            case Character.UNASSIGNED, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE,
                    Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
