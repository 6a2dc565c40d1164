package io.gmp4j.testing;

import io.gmp4j.Go;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A JUnit 5 extension that fails a test which leaves goroutines behind, in the spirit of
 * uber-go/goleak's {@code VerifyNone}:
 *
 * <pre>{@code
 * @ExtendWith(GoLeakCheck.class)
 * class PipelineTest {
 *     @Test
 *     void drains() { ... }
 * }
 * }</pre>
 *
 * <p>Before each test it records the ids of the goroutines alive then (as goleak's
 * {@code IgnoreCurrent}: what was running before the test, a server started in
 * {@code @BeforeAll} say, is never a leak of this test). After the test it waits up to
 * {@link #timeout()} (10 s, or {@code -Dgmp4j.leakcheck.timeout=SECONDS}), polling
 * {@link Go#stack(boolean) Go.stack(true)}, for every goroutine started since to end; those still
 * alive then fail the test with their stacks in Go's format ({@code goroutine 7 [chan receive]:}
 * then frames).
 *
 * <p><b>Ignoring goroutines.</b> Annotate the test method, its class or an enclosing class with
 * {@link Ignore @GoLeakCheck.Ignore} (repeatable; all that apply are combined):
 * <ul>
 *   <li>{@code @GoLeakCheck.Ignore(topFunction = "com.example.Poller.loop")}: a goroutine whose
 *       innermost frame outside gmp4j's runtime library is that function (goleak's
 *       {@code IgnoreTopFunction}; Go's tracebacks hide the runtime's frames, so a goroutine
 *       parked in {@code c.recv()} has recv's caller on top);</li>
 *   <li>{@code @GoLeakCheck.Ignore(anyFunction = "com.example.Poller.loop")}: a goroutine with
 *       that function anywhere in its stack (goleak's {@code IgnoreAnyFunction});</li>
 *   <li>{@code @GoLeakCheck.Ignore(createdBy = "com.example.Pool.start")}: a goroutine whose go
 *       statement is in that function, the dump's {@code created by} line (goleak's
 *       {@code IgnoreCreatedBy}).</li>
 * </ul>
 * A function is written as the dump shows it, {@code fully.qualified.Class.method} (nested classes
 * and lambdas with their {@code $}), without the {@code (...)}: copy it from a failure message.
 *
 * <p>The check is per test and assumes tests of one JVM do not run concurrently (JUnit's default):
 * a goroutine started by a test running in parallel would count as this test's.
 */
public final class GoLeakCheck implements BeforeEachCallback, AfterEachCallback {

    /** The property that sets {@link #timeout()}, in seconds. */
    public static final String TIMEOUT_PROPERTY = "gmp4j.leakcheck.timeout";

    /** How long a test's goroutines get to end after it: 10 s, or {@code -Dgmp4j.leakcheck.timeout} seconds. */
    public static Duration timeout() {
        return Duration.ofMillis((long) (1000 * Double.parseDouble(System.getProperty(TIMEOUT_PROPERTY, "10"))));
    }

    /**
     * Goroutines that {@link GoLeakCheck} does not count as leaks, on a test method, its class or
     * an enclosing class. Set one of the attributes; see the class comment.
     */
    @Documented
    @Inherited
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Repeatable(Ignores.class)
    public @interface Ignore {
        /** Ignore goroutines whose innermost frame outside gmp4j's runtime is this function ({@code pkg.Class.method}). */
        String topFunction() default "";

        /** Ignore goroutines with this function ({@code pkg.Class.method}) anywhere in their stack. */
        String anyFunction() default "";

        /** Ignore goroutines created by a go statement in this function ({@code pkg.Class.method}). */
        String createdBy() default "";
    }

    /** The container of repeated {@link Ignore}s. */
    @Documented
    @Inherited
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface Ignores {
        Ignore[] value();
    }

    /** A goroutine of a {@link Go#stack(boolean) Go.stack(true)} dump. */
    public record Goroutine(long id, String state, List<String> functions, String text) {
        /**
         * The innermost function outside gmp4j's runtime library (as Go's tracebacks hide the
         * runtime's frames: a goroutine blocked in {@code c.recv()} has the caller of recv on top),
         * or "" when the dump shows none. The JDK's parking and continuation frames, which the
         * dump shows only at {@code GOTRACEBACK=system}, are skipped too: the top function does not
         * depend on that setting.
         */
        public String topFunction() {
            for (String f : functions) {
                if (!inRuntimeLibrary(f) && !jdkParkingFrame(f)) {
                    return f;
                }
            }
            return "";
        }

        /**
         * The function of the go statement that created the goroutine, from the dump's
         * {@code created by F} line (without its {@code in goroutine N}), or "" when it has none.
         */
        public String createdBy() {
            int at = text.indexOf("\ncreated by ");
            if (at < 0) {
                return "";
            }
            int from = at + "\ncreated by ".length();
            int end = text.indexOf('\n', from);
            String f = end < 0 ? text.substring(from) : text.substring(from, end);
            int in = f.indexOf(" in goroutine ");
            return in < 0 ? f : f.substring(0, in);
        }
    }

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(GoLeakCheck.class);
    private static final String BEFORE = "goroutines before";
    private static final Pattern HEADER = Pattern.compile("^goroutine (\\d+) \\[([^\\]]*)\\]:$");

    /** Public for JUnit; register it with {@code @ExtendWith(GoLeakCheck.class)}. */
    public GoLeakCheck() {}

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put(BEFORE, ids(goroutines()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Set<Long> before = (Set<Long>) context.getStore(NS).get(BEFORE, Set.class);
        if (before == null) {
            return;
        }
        List<Ignore> ignores = ignores(context);
        Duration timeout = timeout();
        List<Goroutine> leaked = awaitLeaks(before, ignores, timeout);
        if (!leaked.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            sb.append(leaked.size()).append(leaked.size() == 1 ? " goroutine" : " goroutines")
                    .append(" started by ").append(context.getDisplayName())
                    .append(" still alive after ").append(timeout.toMillis()).append(" ms (GoLeakCheck):\n");
            for (Goroutine g : leaked) {
                sb.append('\n').append(g.text());
            }
            throw new AssertionError(sb.toString());
        }
    }

    /**
     * Polls the goroutine dump until no goroutine outside {@code before} and not matched by
     * {@code ignores} is alive, or {@code timeout} passes; returns those alive at the end. An
     * interrupt does not cut the wait short (a test may end with its thread's interrupt set, as
     * ExecutorService.close leaves it): goroutines still ending would be reported as leaks. The
     * wait is bounded by {@code timeout} anyway; the interrupt is set again on return.
     */
    public static List<Goroutine> awaitLeaks(Set<Long> before, List<Ignore> ignores, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 1;
        boolean interrupted = false;
        try {
            while (true) {
                List<Goroutine> leaked = new ArrayList<>();
                for (Goroutine g : goroutines()) {
                    if (!before.contains(g.id()) && !ignored(g, ignores)) {
                        leaked.add(g);
                    }
                }
                if (leaked.isEmpty() || System.nanoTime() - deadline > 0) {
                    return leaked;
                }
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                pauseMillis = Math.min(100, pauseMillis * 2);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Every goroutine but the caller's, parsed from {@link Go#stack(boolean) Go.stack(true)}. */
    public static List<Goroutine> goroutines() {
        String dump = Go.stack(true);
        long self = Go.goid();
        Map<Long, Goroutine> out = new LinkedHashMap<>();
        for (String block : dump.split("\n\n")) {
            String[] lines = block.split("\n");
            Matcher m = lines.length == 0 ? null : HEADER.matcher(lines[0]);
            if (m == null || !m.matches()) {
                continue;
            }
            long id = Long.parseLong(m.group(1));
            if (id == self) {
                continue;
            }
            List<String> functions = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i];
                if (!l.startsWith("\t") && l.endsWith("(...)")) {
                    functions.add(l.substring(0, l.length() - "(...)".length()));
                }
            }
            out.put(id, new Goroutine(id, m.group(2), List.copyOf(functions), block.endsWith("\n") ? block : block + "\n"));
        }
        return List.copyOf(out.values());
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> LIBRARY_CLASSES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Whether {@code function}'s class comes from where {@link Go} was loaded from (gmp4j-runtime). */
    static boolean inRuntimeLibrary(String function) {
        int dot = function.lastIndexOf('.');
        String cls = dot < 0 ? function : function.substring(0, dot);
        if (!cls.startsWith("io.gmp4j.")) {
            return false;
        }
        return LIBRARY_CLASSES.computeIfAbsent(cls, c -> {
            try {
                Class<?> k = Class.forName(c, false, GoLeakCheck.class.getClassLoader());
                var where = k.getProtectionDomain().getCodeSource();
                var lib = Go.class.getProtectionDomain().getCodeSource();
                return where != null && lib != null && where.getLocation().equals(lib.getLocation());
            } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
                return false;
            }
        });
    }

    /**
     * A frame of the JDK's parking and continuation machinery under every parked goroutine
     * (Go.stack hides them below GOTRACEBACK=system, with the runtime's own).
     */
    static boolean jdkParkingFrame(String function) {
        int dot = function.lastIndexOf('.');
        String cls = dot < 0 ? function : function.substring(0, dot);
        return cls.equals("java.lang.VirtualThread") || cls.startsWith("java.lang.VirtualThread$")
                || cls.equals("java.lang.System$1") || cls.equals("java.util.concurrent.locks.LockSupport")
                || cls.startsWith("jdk.internal.");
    }

    private static Set<Long> ids(List<Goroutine> gs) {
        return Set.copyOf(gs.stream().map(Goroutine::id).toList());
    }

    static boolean ignored(Goroutine g, List<Ignore> ignores) {
        for (Ignore ig : ignores) {
            if (!ig.topFunction().isEmpty() && ig.topFunction().equals(g.topFunction())) {
                return true;
            }
            if (!ig.anyFunction().isEmpty() && g.functions().contains(ig.anyFunction())) {
                return true;
            }
            if (!ig.createdBy().isEmpty() && ig.createdBy().equals(g.createdBy())) {
                return true;
            }
        }
        return false;
    }

    /** The {@link Ignore}s on the test method, its class and the classes enclosing it. */
    private static List<Ignore> ignores(ExtensionContext context) {
        List<Ignore> out = new ArrayList<>();
        context.getTestMethod().ifPresent(m -> out.addAll(find(m)));
        Optional<Class<?>> c = context.getTestClass();
        for (Class<?> k = c.orElse(null); k != null; k = k.getEnclosingClass()) {
            out.addAll(find(k));
        }
        return out;
    }

    private static List<Ignore> find(AnnotatedElement e) {
        return AnnotationSupport.findRepeatableAnnotations(e, Ignore.class);
    }
}
