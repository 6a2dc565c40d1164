package io.gmp4j.internal.fmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gmp4j.debug.GoToolPprof;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test of {@link GoFmt} against the installed Go's fmt.Sprintf (skipped without
 * {@code go} on PATH): random formats (Go's verbs, flags, widths, precisions, {@code *},
 * {@code [n]} indexes, malformed ones) with random arguments, missing or extra, of every Java
 * type GoFmt maps (gofmt_oracle.go lists the mapping), printed by both and compared.
 * {@code -Dgofmt.cases=N -Dgofmt.seed=S} runs another sample.
 */
class GoFmtDiffTest {
    private static final HexFormat HEX = HexFormat.of();

    /** One case: the format, the Java arguments and their encoding for the oracle. */
    record Case(String format, Object[] args, String enc) {
        String line() {
            return HEX.formatHex(format.getBytes(StandardCharsets.UTF_8)) + " " + enc;
        }
    }

    /** A Java value and its oracle encoding. */
    private record V(Object java, String enc) {}

    @Test
    void randomFormatsPrintAsGoSprintf(@TempDir Path tmp) throws Exception {
        String go = GoToolPprof.findGo();
        assumeTrue(go != null, "go not on PATH");
        int n = Integer.getInteger("gofmt.cases", 600);
        long seed = Long.getLong("gofmt.seed", 19);
        Gen gen = new Gen(new SplittableRandom(seed));
        List<Case> cases = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            cases.add(gen.next());
        }
        List<String> want = runOracle(go, tmp, cases);
        assertEquals(cases.size(), want.size());
        StringBuilder diffs = new StringBuilder();
        int bad = 0;
        for (int k = 0; k < cases.size(); k++) {
            Case c = cases.get(k);
            String w = new String(HEX.parseHex(want.get(k)), StandardCharsets.UTF_8);
            String got;
            try {
                got = GoFmt.sprintf(c.format, c.args);
            } catch (RuntimeException e) {
                got = "THREW " + e;
            }
            if (!w.equals(got)) {
                if (++bad <= 40) {
                    diffs.append(String.format("%n#%d format %s args %s%n  go   %s%n  java %s", k, javaQuote(c.format), c.enc,
                            javaQuote(w), javaQuote(got)));
                }
            }
        }
        assertTrue(bad == 0, bad + " of " + n + " differ (seed " + seed + "):" + diffs);
    }

    private static String javaQuote(String s) {
        return GoFmt.quote(s);
    }

    /** Builds gofmt_oracle.go and runs it on the cases; its output lines, hex-encoded. */
    private static List<String> runOracle(String go, Path tmp, List<Case> cases) throws Exception {
        Path src = tmp.resolve("oracle.go");
        try (InputStream in = GoFmtDiffTest.class.getResourceAsStream("gofmt_oracle.go")) {
            Files.write(src, in.readAllBytes());
        }
        Path bin = tmp.resolve("oracle");
        ProcessBuilder build = new ProcessBuilder(go, "build", "-o", bin.toString(), src.toString()).redirectErrorStream(true);
        env(build, tmp);
        Process b = build.start();
        String bout = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(b.waitFor(120, TimeUnit.SECONDS), "go build");
        assertEquals(0, b.exitValue(), bout);
        Path in = tmp.resolve("cases.txt");
        Files.write(in, cases.stream().map(Case::line).toList());
        ProcessBuilder run = new ProcessBuilder(bin.toString()).redirectInput(in.toFile())
                .redirectError(tmp.resolve("oracle.err").toFile());
        Process r = run.start();
        String out = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(r.waitFor(60, TimeUnit.SECONDS), "oracle");
        assertEquals(0, r.exitValue(), Files.readString(tmp.resolve("oracle.err")));
        return out.lines().toList();
    }

    private static void env(ProcessBuilder pb, Path tmp) {
        pb.environment().put("HOME", tmp.toString());
        pb.environment().put("GOCACHE", tmp.resolve("gocache").toString());
        pb.environment().put("GO111MODULE", "off");
    }

    /** The random cases. */
    static final class Gen {
        private static final String VERBS = "vvvvdddsssqxXobcUeEfFgGtTOzw%\u00e9";
        private static final String FLAGS = "+-# 0";
        /** Code points whose unicode.IsPrint is the same in Go 1.19 (Unicode 13) and the JDK. */
        private static final int[] RUNES = {'a', 'b', 'Z', '0', ' ', '"', '\'', '`', '\\', '\n', '\t', 0, 1, 0x7f, 0xe9, 0xa0,
            0x200b, 0x4e16, 0x1f600, 0x10ffff, 0xfffd, 0x85, 0x2028, '%', '['};
        private final SplittableRandom rnd;
        private boolean noNestedBig;

        Gen(SplittableRandom rnd) {
            this.rnd = rnd;
        }

        Case next() {
            StringBuilder f = new StringBuilder();
            int directives = 0;
            int pieces = 1 + rnd.nextInt(3);
            for (int p = 0; p < pieces; p++) {
                if (rnd.nextInt(4) == 0) {
                    f.append(rnd.nextBoolean() ? "x=" : "é ");
                }
                directives += directive(f);
            }
            if (rnd.nextInt(25) == 0) {
                f.append('%'); // NOVERB
            }
            noNestedBig = f.indexOf("w") >= 0;
            int argc = Math.max(0, directives + rnd.nextInt(-1, 2));
            Object[] args = new Object[argc];
            StringBuilder enc = new StringBuilder();
            for (int k = 0; k < argc; k++) {
                V v = value(0);
                args[k] = v.java;
                enc.append(v.enc);
            }
            return new Case(f.toString(), args, enc.toString());
        }

        /** Appends a directive; how many arguments it may take. */
        private int directive(StringBuilder f) {
            int uses = 1;
            f.append('%');
            for (int k = rnd.nextInt(4); k > 0; k--) {
                f.append(FLAGS.charAt(rnd.nextInt(FLAGS.length())));
            }
            if (rnd.nextInt(10) == 0) {
                index(f);
            }
            int w = rnd.nextInt(10);
            if (w < 3) {
                f.append(rnd.nextInt(w == 0 ? 30 : 8));
            } else if (w == 3) {
                f.append('*');
                uses++;
            }
            int p = rnd.nextInt(10);
            if (p < 3) {
                f.append('.');
                int q = rnd.nextInt(6);
                if (q < 3) {
                    f.append(rnd.nextInt(q == 0 ? 25 : 5));
                } else if (q == 3) {
                    f.append('*');
                    uses++;
                } else if (q == 4) {
                    index(f);
                }
            }
            if (rnd.nextInt(10) == 0) {
                index(f);
            }
            f.append(VERBS.charAt(rnd.nextInt(VERBS.length())));
            return uses;
        }

        private void index(StringBuilder f) {
            switch (rnd.nextInt(6)) {
                case 0 -> f.append("[x]");
                case 1 -> f.append('[');
                case 2 -> f.append("[0]");
                default -> f.append('[').append(1 + rnd.nextInt(4)).append(']');
            }
        }

        private V value(int depth) {
            int kind = rnd.nextInt(depth > 1 ? 14 : 20);
            if (depth > 0 && (kind == 15 || kind == 13 && noNestedBig)) {
                kind = 12; // an error in a slice or map, or a *big.Int there under %w's badVerb: Go prints its address
            }
            return switch (kind) {
                case 0, 1 -> {
                    int i = integer();
                    yield new V(i, "i" + i + ";");
                }
                case 2 -> {
                    long l = rnd.nextInt(3) == 0 ? rnd.nextLong() : integer();
                    yield new V(l, "l" + l + ";");
                }
                case 3 -> {
                    short s = (short) integer();
                    yield new V(s, "h" + s + ";");
                }
                case 4 -> {
                    byte b = (byte) integer();
                    yield new V(b, "b" + b + ";");
                }
                case 5 -> {
                    char c = (char) (rnd.nextBoolean() ? RUNES[rnd.nextInt(RUNES.length)] & 0xffff : rnd.nextInt(0x80));
                    yield new V(c, "i" + (int) c + ";");
                }
                case 6, 7 -> {
                    double d = dbl();
                    yield new V(d, "d" + Long.toHexString(Double.doubleToRawLongBits(d)) + ";");
                }
                case 8 -> {
                    float x = (float) dbl();
                    yield new V(x, "f" + Integer.toHexString(Float.floatToRawIntBits(x)) + ";");
                }
                case 9 -> {
                    boolean b = rnd.nextBoolean();
                    yield new V(b, b ? "t" : "F");
                }
                case 10, 11 -> {
                    String s = str();
                    yield new V(s, "s" + hex(s) + ";");
                }
                case 12 -> new V(null, "n");
                case 13 -> {
                    BigInteger b = BigInteger.valueOf(rnd.nextLong()).multiply(BigInteger.valueOf(integer()));
                    yield new V(b, "g" + b + ";");
                }
                case 14 -> {
                    String s = str();
                    yield new V(s.getBytes(StandardCharsets.UTF_8), "y" + hex(s) + ";");
                }
                case 15 -> {
                    String s = str();
                    yield new V(new RuntimeException(s), "e" + hex(s) + ";");
                }
                case 16 -> {
                    int[] a = new int[rnd.nextInt(4)];
                    StringBuilder e = new StringBuilder("[i32:");
                    for (int k = 0; k < a.length; k++) {
                        a[k] = integer();
                        e.append('i').append(a[k]).append(';');
                    }
                    yield new V(a, e.append(']').toString());
                }
                case 17 -> {
                    int len = rnd.nextInt(4);
                    boolean strings = rnd.nextBoolean();
                    Object arr = strings ? new String[len] : new double[len];
                    StringBuilder e = new StringBuilder(strings ? "[str:" : "[f64:");
                    for (int k = 0; k < len; k++) {
                        if (strings) {
                            String s = str();
                            ((String[]) arr)[k] = s;
                            e.append('s').append(hex(s)).append(';');
                        } else {
                            double d = dbl();
                            ((double[]) arr)[k] = d;
                            e.append('d').append(Long.toHexString(Double.doubleToRawLongBits(d))).append(';');
                        }
                    }
                    yield new V(arr, e.append(']').toString());
                }
                case 18 -> { // a List: []interface {}
                    List<Object> l = new ArrayList<>();
                    StringBuilder e = new StringBuilder("[any:");
                    for (int k = rnd.nextInt(4); k > 0; k--) {
                        V v = value(depth + 1);
                        l.add(v.java);
                        e.append(v.enc);
                    }
                    yield new V(l, e.append(']').toString());
                }
                default -> { // a Map of one key type: map[interface {}]interface {}
                    Map<Object, Object> m = new LinkedHashMap<>();
                    StringBuilder e = new StringBuilder("{");
                    boolean strings = rnd.nextBoolean();
                    for (int k = rnd.nextInt(4); k > 0; k--) {
                        Object key;
                        String ke;
                        if (strings) {
                            String s = str();
                            key = s;
                            ke = "s" + hex(s) + ";";
                        } else {
                            int i = integer();
                            key = i;
                            ke = "i" + i + ";";
                        }
                        if (m.containsKey(key)) {
                            continue;
                        }
                        V v = value(depth + 1);
                        m.put(key, v.java);
                        e.append(ke).append(v.enc);
                    }
                    yield new V(m, e.append('}').toString());
                }
            };
        }

        private int integer() {
            return switch (rnd.nextInt(6)) {
                case 0 -> rnd.nextInt();
                case 1 -> new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 0x10ffff, 0x110000, 0xd800, 127, 128, 255}[rnd.nextInt(10)];
                default -> rnd.nextInt(-300, 300);
            };
        }

        private double dbl() {
            return switch (rnd.nextInt(5)) {
                case 0 -> new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e21, 1e20, 123456789.0,
                    0.1, 1e-5, 1e-4, 2.5, 0.5, 1.5, 0.000012345, Double.MAX_VALUE, Double.MIN_NORMAL, Double.MIN_VALUE, 100000.0, 1e6,
                    -3.14159, 2.675, 1.0}[rnd.nextInt(23)];
                case 1 -> Double.longBitsToDouble(rnd.nextLong());
                case 2 -> rnd.nextInt(-2000, 2000) / 8.0;
                default -> (rnd.nextBoolean() ? -1 : 1) * rnd.nextDouble() * Math.pow(10, rnd.nextInt(-12, 25));
            };
        }

        private String str() {
            StringBuilder b = new StringBuilder();
            for (int k = rnd.nextInt(7); k > 0; k--) {
                b.appendCodePoint(RUNES[rnd.nextInt(RUNES.length)]);
            }
            return b.toString();
        }

        private static String hex(String s) {
            return HEX.formatHex(s.getBytes(StandardCharsets.UTF_8));
        }
    }
}
