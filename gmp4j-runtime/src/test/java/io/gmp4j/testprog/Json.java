package io.gmp4j.testprog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small strict JSON parser (objects, arrays, strings, numbers, booleans, null), for traces and /debug/vars. */
public final class Json {
    private final String s;
    private int i;

    public Json(String s) {
        this.s = s;
    }

    public Object parseAll() {
        Object v = value();
        ws();
        if (i != s.length()) {
            throw new AssertionError("trailing data at " + i);
        }
        return v;
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private AssertionError err(String what) {
        return new AssertionError("invalid JSON at " + i + ": " + what + " near "
                + s.substring(Math.max(0, i - 40), Math.min(s.length(), i + 40)));
    }

    private void expect(char c) {
        ws();
        if (i >= s.length() || s.charAt(i) != c) {
            throw err("expected " + c);
        }
        i++;
    }

    private Object value() {
        ws();
        if (i >= s.length()) {
            throw err("end of input");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                for (;;) {
                    ws();
                    String k = string();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            case '[' -> {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                for (;;) {
                    l.add(value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect(']');
                        return l;
                    }
                }
            }
            case '"' -> {
                return string();
            }
            default -> {
                for (String lit : new String[] {"true", "false", "null"}) {
                    if (s.startsWith(lit, i)) {
                        i += lit.length();
                        return lit.equals("null") ? null : Boolean.valueOf(lit);
                    }
                }
                int st = i;
                while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                String n = s.substring(st, i);
                if (!n.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                    throw err("bad number " + n);
                }
                return Double.valueOf(n);
            }
        }
    }

    private String string() {
        if (s.charAt(i) != '"') {
            throw err("expected string");
        }
        i++;
        StringBuilder b = new StringBuilder();
        for (;;) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw err("control character in string");
            }
            if (c == '\\') {
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw err("bad escape");
                }
            } else {
                b.append(c);
            }
        }
    }
}
