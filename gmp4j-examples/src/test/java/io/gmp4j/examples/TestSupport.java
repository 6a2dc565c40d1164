package io.gmp4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.gmp4j.Go;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test support for the examples (the runtime's GoTesting technique, which this module cannot
 * see): run in a goroutine with a time bound, leak checks, captured output.
 */
final class TestSupport {
    private TestSupport() {}

    /** Panics that escaped goroutines during the tests; the default handler would exit the JVM. */
    static final List<Throwable> PANICS = new CopyOnWriteArrayList<>();

    static {
        Go.setPanicHandler((goid, panic) -> PANICS.add(panic));
    }

    /** Runs {@code body} as a goroutine and waits (from the test thread) up to {@code seconds}; returns its value. */
    static <T> T inGoroutine(int seconds, Callable<T> body) {
        CountDownLatch done = new CountDownLatch(1);
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Go.go(() -> {
            try {
                result[0] = body.call();
            } catch (Throwable t) {
                failure[0] = t;
            } finally {
                done.countDown();
            }
        });
        try {
            if (!done.await(seconds, TimeUnit.SECONDS)) {
                fail("goroutine did not finish within " + seconds + " s\n" + Go.stack(true));
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (failure[0] != null) {
            throw new AssertionError("goroutine failed: " + failure[0], failure[0]);
        }
        if (!PANICS.isEmpty()) {
            throw new AssertionError("a goroutine panicked: " + PANICS.getFirst(), PANICS.getFirst());
        }
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
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

    /**
     * Waits until the goroutine count is back to {@code before} (a goroutine's exit bookkeeping
     * runs just after its last statement) and fails after 10 s: a leak.
     */
    static void assertNoLeak(int before) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Go.numGoroutine() > before) {
            if (System.nanoTime() > deadline) {
                fail("goroutines leaked: " + Go.numGoroutine() + " alive, " + before + " before\n" + Go.stack(true));
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        assertEquals(before, Go.numGoroutine(), "goroutine count");
    }

    /** Runs {@code Examples <args>} in a child JVM with gmp4j's flags (fatal paths, process-wide settings). */
    static ChildJvm.Result child(List<String> env, int timeoutSeconds, String... args) {
        return ChildJvm.run(Examples.class.getName(), ChildJvm.GMP4J_FLAGS, env, timeoutSeconds, args);
    }
}
