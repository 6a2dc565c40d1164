package io.gmp4j.internal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent's class rewriting, without an agent: instrument bytes, load them, compare. */
class BackEdgeTransformerTest {
    private static final String LOOPS = "io.gmp4j.internal.agent.Loops";

    static byte[] bytesOf(String className) throws IOException {
        try (InputStream in = BackEdgeTransformerTest.class.getClassLoader()
                .getResourceAsStream(className.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines one class from given bytes, everything else from the parent. */
    static final class OneClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        OneClassLoader(String name, byte[] bytes) {
            super(BackEdgeTransformerTest.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            if (n.equals(name)) {
                synchronized (getClassLoadingLock(n)) {
                    Class<?> c = findLoadedClass(n);
                    return c != null ? c : defineClass(n, bytes, 0, bytes.length);
                }
            }
            return super.loadClass(n, resolve);
        }
    }

    private static int checks(byte[] classfile) {
        int n = 0;
        for (MethodModel m : ClassFile.of().parse(classfile).methods()) {
            if (m.code().isEmpty()) {
                continue;
            }
            for (CodeElement e : m.code().get()) {
                if (e instanceof InvokeInstruction i && i.owner().asInternalName().equals("io/gmp4j/internal/runtime/Preempt")
                        && i.name().equalsString("check")) {
                    n++;
                }
            }
        }
        return n;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void instrumentedLoopsVerifyAndComputeTheSame(boolean everyLoop) throws Exception {
        byte[] original = bytesOf(LOOPS);
        byte[] instrumented = BackEdgeTransformer.instrument(original, getClass().getClassLoader(), everyLoop);
        assertNotNull(instrumented, "Loops has loops");
        // clinit, ctor, for, while, do-while, nested (2), labelled (2), field, lambda, try (1),
        // switch, merge: at least 14 back-edges; by default counted ones are strip-mined or left alone
        assertTrue(checks(instrumented) >= (everyLoop ? 14 : 5), "checks inserted: " + checks(instrumented));
        assertEquals(0, checks(original));
        Class<?> a = Class.forName(LOOPS);
        Class<?> b = new OneClassLoader(LOOPS, instrumented).loadClass(LOOPS);
        assertNotEquals(a, b);
        for (String name : List.of("forSum", "whileSum", "doWhile", "nested", "labelledContinue", "lambda",
                "tryCatch", "switchLoop", "merge")) {
            Method ma = a.getMethod(name, int.class);
            Method mb = b.getMethod(name, int.class);
            for (int n : new int[] {1, 5, 100, 1000, 4097, 9000}) {
                assertEquals(ma.invoke(null, n), mb.invoke(null, n), name + "(" + n + ")");
            }
        }
        assertEquals(a.getMethod("clinit").invoke(null), b.getMethod("clinit").invoke(null));
        Object oa = a.getConstructor(int.class).newInstance(50);
        Object ob = b.getConstructor(int.class).newInstance(50);
        assertEquals(a.getField("ctorSum").get(oa), b.getField("ctorSum").get(ob));
        assertEquals(a.getMethod("fieldStore", int.class).invoke(oa, 300),
                b.getMethod("fieldStore", int.class).invoke(ob, 300));
    }

    /**
     * Innermost counted int loops get no check (HotSpot's pre-JDK 10 safepoint trade-off); the
     * loop around one, and loops whose exit the body can move, do.
     */
    @Test
    void countedInnermostLoopsGetNoCheck() throws Exception {
        byte[] instrumented = BackEdgeTransformer.instrument(bytesOf(CountedLoops.class.getName()), getClass().getClassLoader());
        assertNotNull(instrumented);
        java.util.Map<String, Integer> per = new java.util.HashMap<>();
        for (MethodModel m : ClassFile.of().parse(instrumented).methods()) {
            int n = 0;
            for (CodeElement e : m.code().orElseThrow()) {
                if (e instanceof InvokeInstruction i && i.owner().asInternalName().equals("io/gmp4j/internal/runtime/Preempt")) {
                    n++;
                }
            }
            per.put(m.methodName().stringValue(), n);
        }
        // javac's for (...; i < n; i++): strip-mined, one check per 4096 iterations (after the inner loop)
        assertEquals(1, per.get("forLocal"), per.toString());
        assertEquals(1, per.get("forArrayLength"), per.toString());
        assertEquals(2, per.get("nested"), "the outer loop's and the inner loop's strip: " + per);
        // other counted shapes: no check at all
        assertEquals(0, per.get("forConstant"), per.toString());
        assertEquals(0, per.get("countDown"), per.toString());
        assertEquals(0, per.get("doWhile"), per.toString());
        // not counted: a check per back-edge
        assertEquals(1, per.get("indexStored"), per.toString());
        assertEquals(1, per.get("boundStored"), per.toString());
        assertEquals(1, per.get("boundIsField"), per.toString());
        assertEquals(1, per.get("boundIsCall"), per.toString());
        assertEquals(1, per.get("flag"), per.toString());
        assertEquals(1, per.get("forever"), per.toString());
        assertEquals(1, per.get("twoBackEdges"), "the header is entered twice: no strip, the second edge checked: " + per);
        assertEquals(1, per.get("bodyStartsWithLabel"), "strip-mined: " + per);
        Class<?> a = CountedLoops.class;
        Class<?> b = new OneClassLoader(CountedLoops.class.getName(), instrumented).loadClass(CountedLoops.class.getName());
        for (String name : List.of("forLocal", "forConstant", "countDown", "doWhile", "nested", "indexStored",
                "boundStored", "twoBackEdges", "forever", "bodyStartsWithLabel")) {
            for (int n : new int[] {0, 1, 77, 4095, 4096, 4097, 12289, 100_000}) {
                if (name.equals("nested") && n > 5000) {
                    continue;
                }
                assertEquals(a.getMethod(name, int.class).invoke(null, n), b.getMethod(name, int.class).invoke(null, n),
                        name + "(" + n + ")");
            }
        }
        for (int n : new int[] {0, 1, 4095, 4096, 4097, 9000}) {
            int[] arr = new int[n];
            for (int i = 0; i < n; i++) {
                arr[i] = i * 7 - 3;
            }
            assertEquals(a.getMethod("forArrayLength", int[].class).invoke(null, (Object) arr),
                    b.getMethod("forArrayLength", int[].class).invoke(null, (Object) arr), "forArrayLength(" + n + ")");
        }
        assertEquals(a.getMethod("forLocalInclusive", int.class).invoke(null, 9000),
                b.getMethod("forLocalInclusive", int.class).invoke(null, 9000));
        assertEquals(a.getMethod("forLocalInclusive", int.class).invoke(null, Integer.MIN_VALUE),
                b.getMethod("forLocalInclusive", int.class).invoke(null, Integer.MIN_VALUE));
        assertEquals(a.getMethod("nearMax", int.class).invoke(null, 0), b.getMethod("nearMax", int.class).invoke(null, 0));
        // every loop, with the property's overload
        byte[] all = BackEdgeTransformer.instrument(bytesOf(CountedLoops.class.getName()), getClass().getClassLoader(), true);
        assertTrue(checks(all) >= 18, "checks inserted: " + checks(all)); // 17 loops, one with two back-edges
    }

    /**
     * Loops that look counted but need not end within 2^32 iterations (the step or the exit
     * test is not on every path through the body, or a step of 2 can pass an == exit): a
     * spin-wait, which is what the check is for. Each gets the plain check at its back-edge
     * and is not strip-mined (a strip checks only when i reaches its limit, which a loop
     * waiting for a flag never does).
     */
    @Test
    void loopsThatNeedNotEndGetTheCheck() throws Exception {
        byte[] instrumented = BackEdgeTransformer.instrument(bytesOf(CountedLoops.class.getName()), getClass().getClassLoader());
        java.util.Map<String, int[]> per = new java.util.TreeMap<>(); // {checks, strips}
        for (MethodModel m : ClassFile.of().parse(instrumented).methods()) {
            int[] n = new int[2];
            for (CodeElement e : m.code().orElseThrow()) {
                if (e instanceof InvokeInstruction i && i.owner().asInternalName().equals("io/gmp4j/internal/runtime/Preempt")) {
                    n[0]++;
                } else if (e instanceof InvokeInstruction i && i.owner().asInternalName().equals("java/lang/Math")) {
                    n[1]++;
                }
            }
            per.put(m.methodName().stringValue(), n);
        }
        for (String name : List.of("conditionalStep", "conditionalStepDoWhile", "skippedExit", "stepTwoNotEqual")) {
            assertEquals("[1, 0]", java.util.Arrays.toString(per.get(name)), name + ": {checks, strips}");
        }
        assertEquals("[0, 0]", java.util.Arrays.toString(per.get("bothArmsStep")), "counted: no check");
        assertEquals("[1, 1]", java.util.Arrays.toString(per.get("forLocal")), "still strip-mined");
        Class<?> a = CountedLoops.class;
        Class<?> b = new OneClassLoader(a.getName(), instrumented).loadClass(a.getName());
        for (String name : List.of("conditionalStep", "conditionalStepDoWhile", "skippedExit", "stepTwoNotEqual",
                "bothArmsStep")) {
            for (int n : new int[] {0, 2, 4096, 10_000}) {
                assertEquals(a.getMethod(name, int.class).invoke(null, n), b.getMethod(name, int.class).invoke(null, n),
                        name + "(" + n + ")");
            }
        }
    }

    /**
     * A strip-mined loop whose header starts a try block: the strip's limit computation
     * (bound before the header) evaluated {@code a.length} outside the try, so a null array's
     * NullPointerException escaped the catch that the original runs. A bound that cannot throw
     * keeps its strip.
     */
    @Test
    void loopAtTheStartOfATryKeepsItsHandler() throws Exception {
        byte[] instrumented = BackEdgeTransformer.instrument(bytesOf(CountedLoops.class.getName()), getClass().getClassLoader());
        Class<?> a = CountedLoops.class;
        Class<?> b = new OneClassLoader(a.getName(), instrumented).loadClass(a.getName());
        for (int[] arr : new int[][] {null, {}, {4, 5, 6}, new int[9000]}) {
            String len = arr == null ? "null" : String.valueOf(arr.length);
            Object want;
            try {
                want = a.getMethod("forAtTryStart", int[].class).invoke(null, (Object) arr);
            } catch (java.lang.reflect.InvocationTargetException e) {
                want = e.getCause();
            }
            Object got;
            try {
                got = b.getMethod("forAtTryStart", int[].class).invoke(null, (Object) arr);
            } catch (java.lang.reflect.InvocationTargetException e) {
                got = e.getCause();
            }
            assertEquals(want, got, "forAtTryStart(" + len + ")");
        }
        java.util.Map<String, Long> strips = new java.util.HashMap<>();
        for (MethodModel m : ClassFile.of().parse(instrumented).methods()) {
            strips.put(m.methodName().stringValue(), m.code().orElseThrow().elementStream()
                    .filter(e -> e instanceof InvokeInstruction i && i.owner().asInternalName().equals("java/lang/Math"))
                    .count());
        }
        assertEquals(0, strips.get("forAtTryStart"), "a.length where the try starts: not strip-mined");
        assertEquals(1, strips.get("forAtTryStartLocalBound"), "a bound that cannot throw: strip-mined");
        for (int n : new int[] {0, 4096, 4097, 10_000}) {
            assertEquals(a.getMethod("forAtTryStartLocalBound", int.class).invoke(null, n),
                    b.getMethod("forAtTryStartLocalBound", int.class).invoke(null, n), "forAtTryStartLocalBound(" + n + ")");
        }
    }

    /**
     * Bytecode javac does not emit (an optimiser's block order): the body of a counted loop
     * jumps out past its back-edge to code that moves the bound, and back into the body. The
     * strip's limit, computed from the old bound, ran the inner loop past the new one (4096
     * iterations where the original stops at 101).
     */
    @Test
    void loopReenteredFromOutsideIsNotStripMined() throws Exception {
        java.lang.constant.ClassDesc cd = java.lang.constant.ClassDesc.of("Reentered");
        byte[] original = ClassFile.of().build(cd, cb -> cb.withFlags(ClassFile.ACC_PUBLIC)
                .withMethodBody("f", java.lang.constant.MethodTypeDesc.ofDescriptor("(I)I"),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, c -> {
                            var header = c.newLabel();
                            var back = c.newLabel();
                            var exit = c.newLabel();
                            var side = c.newLabel();
                            c.iconst_0().istore(1).iconst_0().istore(2); // i = 0, s = 0; n in slot 0
                            c.labelBinding(header).iload(1).iload(0).if_icmpge(exit); // while (i < n)
                            c.iinc(2, 1).iload(1).bipush(100).if_icmpeq(side); // s++; if (i == 100) goto side
                            c.labelBinding(back).iinc(1, 1).goto_(header); // i++
                            c.labelBinding(exit).iload(2).ireturn();
                            c.labelBinding(side).bipush(50).istore(0).goto_(back); // n = 50, back into the body
                        }));
        byte[] instrumented = BackEdgeTransformer.instrument(original, getClass().getClassLoader());
        Class<?> a = new OneClassLoader("Reentered", original).loadClass("Reentered");
        Class<?> b = new OneClassLoader("Reentered", instrumented != null ? instrumented : original).loadClass("Reentered");
        for (int n : new int[] {0, 99, 100, 101, 4095, 4096, 4097, 10_000}) {
            assertEquals(a.getMethod("f", int.class).invoke(null, n), b.getMethod("f", int.class).invoke(null, n), "f(" + n + ")");
        }
    }

    /**
     * A class file older than Java 6 (no stack maps: the JVM verifies it by inference, which a
     * rewrite cannot be checked against) loads unchanged, without the failure line.
     */
    @Test
    void classFileBeforeJava6IsLeftAloneQuietly() throws Exception {
        byte[] old = ClassFile.of().build(java.lang.constant.ClassDesc.of("Old"), cb -> cb.withVersion(ClassFile.JAVA_5_VERSION, 0)
                .withFlags(ClassFile.ACC_PUBLIC).withMethodBody("f", java.lang.constant.MethodTypeDesc.ofDescriptor("(I)I"),
                        ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, c -> {
                            var header = c.newLabel();
                            var exit = c.newLabel();
                            c.iconst_0().istore(1); // s = 0
                            c.labelBinding(header).iload(0).ifle(exit).iinc(1, 3).iinc(0, -1).goto_(header); // while (n > 0) { s += 3; n--; }
                            c.labelBinding(exit).iload(1).ireturn();
                        }));
        assertEquals("", transformLeavesUnchanged(old, "com/example/Old"));
        assertEquals(30, new OneClassLoader("Old", old).loadClass("Old").getMethod("f", int.class).invoke(null, 10));
    }

    /**
     * A method that javac fits in 64 KB but that the checks push over the limit: the class
     * loads unchanged (with the one line), not broken.
     */
    @Test
    void methodPushedOverTheSizeLimitIsLeftUnchanged() throws Exception {
        StringBuilder src = new StringBuilder("public class Big { public static int f(int s, int n) {\n");
        for (int k = 0; k < 3500; k++) {
            src.append("while (s > n) s >>= 1; s += ").append(k % 5).append(";\n");
        }
        byte[] original = Javac.compile(java.util.Map.of("Big", src.append("return s; } }\n").toString())).get("Big");
        String err = transformLeavesUnchanged(original, "com/example/Big");
        assertTrue(err.startsWith("gmp4j: preempt agent: cannot instrument com.example.Big: "), err);
        Class<?> c = new OneClassLoader("Big", original).loadClass("Big");
        int want = 1 << 20;
        for (int k = 0; k < 3500; k++) {
            while (want > 3) {
                want >>= 1;
            }
            want += k % 5;
        }
        assertEquals(want, c.getMethod("f", int.class, int.class).invoke(null, 1 << 20, 3));
    }

    @Test
    void instrumentingTwiceChangesNothing() throws Exception {
        byte[] once = BackEdgeTransformer.instrument(bytesOf(LOOPS), getClass().getClassLoader());
        assertNull(BackEdgeTransformer.instrument(once, getClass().getClassLoader()));
    }

    @Test
    void classWithoutLoopsIsLeftAlone() throws Exception {
        assertNull(BackEdgeTransformer.instrument(bytesOf("io.gmp4j.internal.agent.BackEdgeTransformerTest$OneClassLoader"),
                getClass().getClassLoader()));
    }

    @Test
    void excludedPackagesAreLeftUnchanged() throws Exception {
        byte[] bytes = bytesOf(LOOPS);
        ClassLoader app = getClass().getClassLoader();
        BackEdgeTransformer t = new BackEdgeTransformer(BackEdgeTransformer.Filter.fromProperties(), null);
        for (String name : List.of("io/gmp4j/chan/Chan", "io/gmp4j/internal/runtime/Proc", "io/gmp4j/Go",
                "java/util/Foo", "org/junit/jupiter/Foo", "io/gmp4j/bench/jmh_generated/X_jmhTest")) {
            assertNull(t.transform(null, app, name, null, null, bytes), name);
        }
        for (String name : List.of("io/gmp4j/examples/Workers", "io/gmp4j/bench/W5", "com/example/App",
                "io/gmp4j/testprog/PreemptProg")) {
            assertNotNull(t.transform(null, app, name, null, null, bytes), name);
        }
        // not the bootstrap or platform loader's classes; not a redefinition
        assertNull(t.transform(null, null, "com/example/App", null, null, bytes));
        assertNull(t.transform(null, ClassLoader.getPlatformClassLoader(), "com/example/App", null, null, bytes));
        assertNull(t.transform(null, app, "com/example/App", Object.class, null, bytes));
    }

    /**
     * A loader whose parent chain holds the runtime's loader but that does not delegate
     * {@code io.gmp4j.*} (an isolating plugin loader) cannot resolve Preempt: its classes must
     * load unchanged, or their first back-edge throws NoClassDefFoundError.
     */
    @Test
    void loaderThatCannotResolvePreemptIsLeftAlone() throws Exception {
        ClassLoader app = getClass().getClassLoader();
        final class Isolating extends ClassLoader {
            private final byte[] bytes;

            Isolating(byte[] bytes) {
                super(app);
                this.bytes = bytes;
            }

            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(n)) {
                    Class<?> c = findLoadedClass(n);
                    if (c != null) {
                        return c;
                    }
                    if (n.equals(LOOPS)) {
                        return defineClass(n, bytes, 0, bytes.length);
                    }
                    if (n.startsWith("io.gmp4j.")) {
                        throw new ClassNotFoundException(n + " (isolated)");
                    }
                    return super.loadClass(n, resolve);
                }
            }
        }
        BackEdgeTransformer t = new BackEdgeTransformer(BackEdgeTransformer.Filter.fromProperties(), null);
        byte[] original = bytesOf(LOOPS);
        byte[] out = t.transform(null, new Isolating(original), "com/example/Plugin", null, null, original);
        if (out != null) { // what the JVM would then run
            Class<?> c = new Isolating(out).loadClass(LOOPS);
            Throwable thrown = null;
            for (String name : List.of("whileSum", "doWhile", "nested", "switchLoop", "merge")) {
                try {
                    c.getMethod(name, int.class).invoke(null, 10_000);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    thrown = thrown != null ? thrown : e.getCause();
                }
            }
            fail("rewritten for a loader that cannot resolve Preempt; its loop then threw " + thrown);
        }
        // a loader that delegates to the runtime's still gets its classes rewritten
        assertNotNull(t.transform(null, new ClassLoader(app) {}, "com/example/Plugin", null, null, original));
    }

    @Test
    void includeAndExcludeByLongestPrefix() {
        var f = new BackEdgeTransformer.Filter(BackEdgeTransformer.Filter.parse("io.gmp4j.chan.demo, kotlin/collections"),
                BackEdgeTransformer.Filter.parse("com.example.hot,com/example/App"));
        assertTrue(f.instrument("io/gmp4j/chan/demo/X"));
        assertFalse(f.instrument("io/gmp4j/chan/Chan"));
        assertTrue(f.instrument("kotlin/collections/ArraysKt"));
        assertFalse(f.instrument("kotlin/Unit"));
        assertFalse(f.instrument("com/example/hot/Loop"));
        assertFalse(f.instrument("com/example/App"));
        assertTrue(f.instrument("com/example/Other"));
        var never = new BackEdgeTransformer.Filter(List.of("io/gmp4j/internal/runtime/", "java/"), List.of());
        assertFalse(never.instrument("io/gmp4j/internal/runtime/Proc"));
        assertFalse(never.instrument("java/util/ArrayList"));
    }

    @Test
    void brokenClassIsLoadedUnchangedWithOneLine() {
        byte[] broken = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0};
        String err = transformLeavesUnchanged(broken, "com/example/Broken", "com/example/Broken2");
        String[] lines = err.strip().split("\n");
        assertEquals(1, lines.length, err);
        assertTrue(lines[0].startsWith("gmp4j: preempt agent: cannot instrument com.example.Broken: "), lines[0]);
    }

    /**
     * Transforms {@code classfile} under each of {@code names} (a fresh failure line allowed),
     * asserts each is left unchanged, and returns what the transformer printed on stderr.
     */
    private String transformLeavesUnchanged(byte[] classfile, String... names) {
        BackEdgeTransformer t = new BackEdgeTransformer(BackEdgeTransformer.Filter.fromProperties(), null);
        java.io.PrintStream err = System.err;
        var captured = new java.io.ByteArrayOutputStream();
        BackEdgeTransformer.warned.set(false);
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            for (String name : names) {
                assertNull(t.transform(null, getClass().getClassLoader(), name, null, null, classfile));
            }
        } finally {
            System.setErr(err);
        }
        return captured.toString();
    }
}
