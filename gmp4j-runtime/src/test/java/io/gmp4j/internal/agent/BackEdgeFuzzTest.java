package io.gmp4j.internal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gmp4j.internal.runtime.Preempt;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Differential fuzzing of the back-edge transformer: random programs full of loops
 * ({@link LoopGen}) compiled with javac, run as they are and instrumented on the same inputs;
 * results, exceptions, the static fields they touch and their iteration counts must be the
 * same. Seeds are fixed; a failure names the seed and prints the program.
 * {@code -Dgmp4j.fuzz.programs=N} and {@code -Dgmp4j.fuzz.seed=S} run more, or others.
 */
class BackEdgeFuzzTest {
    private static final int PROGRAMS = Integer.getInteger("gmp4j.fuzz.programs", 240);
    private static final long SEED = Long.getLong("gmp4j.fuzz.seed", 20261206L);
    private static final int BATCH = 40;

    private static final int[] VALUES = {0, 1, 2, 5, -3, 100, 4095, 4096, 4097, 8193, 12000, Integer.MAX_VALUE,
        Integer.MIN_VALUE, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1, -4097};

    @Test
    void instrumentedProgramsBehaveAsTheOriginals() throws Exception {
        ExecutorService ex = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fuzz");
            t.setDaemon(true);
            return t;
        });
        int ran = 0, transformed = 0;
        List<String> failures = new ArrayList<>();
        try {
            for (int start = 0; start < PROGRAMS && failures.isEmpty(); start += BATCH) {
                Map<String, String> sources = new LinkedHashMap<>();
                Map<String, Long> seeds = new LinkedHashMap<>();
                for (int p = start; p < Math.min(PROGRAMS, start + BATCH); p++) {
                    long seed = SEED * 1_000_003L + p;
                    String name = "P" + Long.toUnsignedString(seed, 36);
                    sources.put(name, new LoopGen(seed).program(name));
                    seeds.put(name, seed);
                }
                Map<String, byte[]> orig = Javac.compile(sources);
                Map<String, byte[]> inst = new LinkedHashMap<>();
                for (var e : orig.entrySet()) {
                    byte[] t;
                    try {
                        t = BackEdgeTransformer.instrument(e.getValue(), getClass().getClassLoader());
                    } catch (RuntimeException err) {
                        failures.add(e.getKey() + ": the transformer threw " + err);
                        continue;
                    }
                    if (t != null) {
                        transformed++;
                    }
                    inst.put(e.getKey(), t != null ? t : e.getValue());
                }
                ClassLoader lo = Javac.loader(orig), li = Javac.loader(inst);
                for (String name : sources.keySet()) {
                    ran++;
                    String diff = compare(ex, lo.loadClass(name), li.loadClass(name), seeds.get(name));
                    if (diff != null) {
                        failures.add("seed " + seeds.get(name) + " (" + name + "): " + diff + "\n" + sources.get(name));
                        break;
                    }
                }
            }
        } finally {
            ex.shutdownNow();
        }
        System.out.println("fuzz: " + ran + " programs, " + transformed + " classes transformed, seed " + SEED);
        if (!failures.isEmpty()) {
            fail(failures.size() + " divergence(s); first:\n" + failures.getFirst());
        }
        assertTrue(transformed >= ran * 9 / 10, "most programs have loops: " + transformed + " classes of " + ran);
    }

    /**
     * Strip-mined loops at their edges, by hand: starts and bounds near Integer.MAX_VALUE and
     * MIN_VALUE ({@code i <= MAX_VALUE} never ends: it wraps), trip counts around multiples of
     * STRIDE, and exceptions thrown at iterations STRIDE - 1, STRIDE and STRIDE + 1.
     */
    @Test
    void stripMinedLoopsAtTheirEdges() throws Exception {
        String src = """
                public class Edges {
                  public static long upTo(int s, int n) {
                    long t = 0; int c = 0;
                    for (int i = s; i < n; i++) { t = t * 31 + i; if (++c > 20000) return t * 7 + i; }
                    return t;
                  }
                  public static long upToIncl(int s, int n) {
                    long t = 0; int c = 0;
                    for (int i = s; i <= n; i++) { t = t * 31 + i; if (++c > 20000) return t * 7 + i; }
                    return t;
                  }
                  public static long throwsAt(int n, int k) {
                    long t = 0;
                    for (int i = 0; i < n; i++) { if (i == k) throw new IllegalStateException(i + " " + t); t += i; }
                    return t;
                  }
                  public static long index(int[] a, int n) {
                    long t = 0;
                    for (int i = 0; i < n; i++) { t = t * 31 + a[i]; }
                    return t;
                  }
                  public static long length(int[] a, int k) {
                    long t = 0;
                    for (int i = k; i < a.length; i++) { t = t * 31 + a[i] + i; }
                    return t;
                  }
                }
                """;
        Map<String, byte[]> orig = Javac.compile(Map.of("Edges", src));
        byte[] inst = BackEdgeTransformer.instrument(orig.get("Edges"), getClass().getClassLoader());
        long strips = java.lang.classfile.ClassFile.of().parse(inst).methods().stream()
                .flatMap(m -> m.code().orElseThrow().elementStream())
                .filter(e -> e instanceof java.lang.classfile.instruction.InvokeInstruction i
                        && i.owner().asInternalName().equals("java/lang/Math"))
                .count();
        assertEquals(5, strips, "every loop is strip-mined");
        Class<?> a = Javac.loader(orig).loadClass("Edges");
        Class<?> b = Javac.loader(Map.of("Edges", inst)).loadClass("Edges");
        int max = Integer.MAX_VALUE, min = Integer.MIN_VALUE;
        int[] starts = {0, -5, max - 5000, max - 4097, max - 4096, max - 4095, max - 1, max, min, min + 1};
        int[] bounds = {0, 4095, 4096, 4097, 8191, 8193, 12289, max - 1, max, min, min + 4096};
        for (int st : starts) {
            for (int n : bounds) {
                for (String m : List.of("upTo", "upToIncl")) {
                    assertEquals(invoke(a, m, st, n), invoke(b, m, st, n), m + "(" + st + ", " + n + ")");
                }
            }
        }
        for (int k : new int[] {0, 1, 4094, 4095, 4096, 4097, 8191, 8192, 8193, 9999, 10_000}) {
            assertEquals(invoke(a, "throwsAt", 10_000, k), invoke(b, "throwsAt", 10_000, k), "throwsAt(" + k + ")");
        }
        for (int len : new int[] {0, 4095, 4096, 4097, 8192}) {
            int[] arr = new int[len];
            java.util.Arrays.setAll(arr, i -> i * 13 - 7);
            for (int n : new int[] {0, 4096, 4097, 8193}) {
                assertEquals(invoke(a, "index", arr, n), invoke(b, "index", arr, n), "index(" + len + ", " + n + ")");
            }
            for (int k : new int[] {0, 1, 4095, 4097, max, min}) {
                assertEquals(invoke(a, "length", arr, k), invoke(b, "length", arr, k), "length(" + len + ", " + k + ")");
            }
        }
    }

    private static String invoke(Class<?> c, String name, Object x, int y) throws Exception {
        for (var m : c.getMethods()) {
            if (m.getName().equals(name)) {
                try {
                    return "=" + m.invoke(null, x, y);
                } catch (InvocationTargetException e) {
                    return "threw " + e.getCause();
                }
            }
        }
        throw new NoSuchMethodException(name);
    }

    /** The first difference between the two classes' runs, or null. */
    private static String compare(ExecutorService ex, Class<?> a, Class<?> b, long seed) throws Exception {
        String sa = call(ex, a, null, null), sb = call(ex, b, null, null);
        if (!sa.equals(sb)) {
            return "static initialiser: " + sa + " vs " + sb;
        }
        if (sa.startsWith("init threw")) {
            return null;
        }
        java.util.Random r = new java.util.Random(seed);
        for (int k = 0; k < 6; k++) {
            int x = VALUES[r.nextInt(VALUES.length)], y = r.nextBoolean() ? VALUES[r.nextInt(VALUES.length)] : r.nextInt(20_000) - 1000;
            int len = r.nextInt(10);
            Object[] in = {x, y, len};
            boolean pending = k % 2 == 1; // the check's slow path (it returns at once off a goroutine)
            for (String what : List.of("run", "new")) {
                String ra = call(ex, a, what, in);
                Preempt.pending = pending ? 1 : 0;
                String rb;
                try {
                    rb = call(ex, b, what, in);
                } finally {
                    Preempt.pending = 0;
                }
                if (!ra.equals(rb)) {
                    return what + "(" + x + ", " + y + ", new int[" + len + "]): " + ra + " vs " + rb;
                }
            }
        }
        return null;
    }

    /**
     * An exception as compared: the JVM's own (an index, a null, a division) by class only, as
     * C2 throws them without a message once a method has thrown many (OmitStackTraceInFastThrow).
     */
    private static String thrown(Throwable t) {
        return t instanceof ArrayIndexOutOfBoundsException || t instanceof NullPointerException
                || t instanceof ArithmeticException ? t.getClass().getName() : String.valueOf(t);
    }

    /** The outcome of S (what == null), run(...) or new C(...).hv, with the statics after it. */
    private static String call(ExecutorService ex, Class<?> c, String what, Object[] in) throws Exception {
        Future<String> f = ex.submit(() -> {
            Field steps = c.getField("steps"), t = c.getField("T"), fld = c.getField("F");
            String out;
            try {
                if (what == null) {
                    out = "S=" + c.getField("S").get(null);
                } else {
                    steps.set(null, 0);
                    t.set(null, 0L);
                    fld.set(null, (int) in[0] & 0xff);
                    int[] arr = new int[(int) in[2]];
                    for (int k = 0; k < arr.length; k++) {
                        arr[k] = k * 37 - 11;
                    }
                    Object v = what.equals("run")
                            ? c.getMethod("run", int.class, int.class, int[].class).invoke(null, in[0], in[1], arr)
                            : c.getField("hv").get(c.getConstructor(int.class, int.class, int[].class).newInstance(in[0], in[1], arr));
                    out = "=" + v;
                }
            } catch (InvocationTargetException e) {
                out = "threw " + thrown(e.getCause());
            } catch (ExceptionInInitializerError e) {
                return "init threw " + thrown(e.getCause()); // the class is unusable from here on
            }
            return out + " steps=" + steps.get(null) + " T=" + t.get(null) + " F=" + fld.get(null);
        });
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return "no result within 60 s (a loop that does not end)";
        }
    }
}
