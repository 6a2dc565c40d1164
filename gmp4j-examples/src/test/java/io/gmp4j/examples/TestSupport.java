package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.testing.GoTesting;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the examples' tests add to the test kit (gmp4j-testing's GoTesting): panics of escaped
 * goroutines recorded instead of exiting the JVM, an example's run with captured output, and a
 * child JVM running {@link Examples}.
 */
final class TestSupport {
    private TestSupport() {}

    /** Panics that escaped goroutines during the tests; the default handler would exit the JVM. */
    static final List<Throwable> PANICS = new CopyOnWriteArrayList<>();

    static {
        Go.setPanicHandler((goid, panic) -> PANICS.add(panic));
    }

    /** {@link GoTesting#inGoroutine(int, Callable)}, failing too if a goroutine panicked meanwhile. */
    static <T> T inGoroutine(int seconds, Callable<T> body) {
        T t;
        try {
            t = GoTesting.inGoroutine(seconds, body);
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("goroutine failed: " + e, e);
        }
        if (!PANICS.isEmpty()) {
            throw new AssertionError("a goroutine panicked: " + PANICS.getFirst(), PANICS.getFirst());
        }
        return t;
    }

    /** An example's run: exit status and what it printed. */
    record Run(int status, String out) {}

    /** Runs an example's main logic in a goroutine (as Go.run would, minus the crash-on-panic), capturing its output. */
    static Run runExample(String name, int seconds, String... args) {
        Example ex = Examples.find(name);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int status = inGoroutine(seconds, () -> ex.run(args, out));
        return new Run(status, bytes.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code Examples <args>} in a child JVM with gmp4j's flags (fatal paths, process-wide settings). */
    static GoTesting.Child child(List<String> env, int timeoutSeconds, String... args) {
        return GoTesting.runChild(Examples.class.getName(), List.of(), env, timeoutSeconds, args);
    }
}
