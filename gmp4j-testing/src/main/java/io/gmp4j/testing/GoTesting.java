package io.gmp4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.gmp4j.Go;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The test kit's static helpers: run a body as a goroutine with a watchdog, scope GOMAXPROCS,
 * count-based leak checks, child JVMs (Go's runTestProg), the stress scale knob and gmp4j's JVM
 * flags. For per-test leak checks by goroutine id, see {@link GoLeakCheck}.
 */
public final class GoTesting {
    private GoTesting() {}

    /** Generous bound for "eventually" on a shared 2-core machine. */
    public static final Duration LONG = Duration.ofSeconds(10);

    /**
     * The flags every JVM that runs gmp4j needs (README: "Embedding"; the same three in the
     * launcher, the parent pom's surefire argLine, Bench and the examples' ChildJvm).
     */
    public static final List<String> JVM_FLAGS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "-Djdk.trackAllThreads=false", "--enable-native-access=ALL-UNNAMED");

    /** The stress scale property: {@code -Dgmp4j.test.scale=10} runs ten times the work. */
    public static final String SCALE_PROPERTY = "gmp4j.test.scale";

    /** The stress scale, {@code -Dgmp4j.test.scale} (default 1). */
    public static double scale() {
        return Double.parseDouble(System.getProperty(SCALE_PROPERTY, "1"));
    }

    /** {@code n} times {@link #scale()}, at least 1. */
    public static int scaled(int n) {
        return (int) Math.max(1, n * scale());
    }

    /**
     * Waits until the goroutine count is back to {@code before} (a goroutine's exit bookkeeping
     * runs just after its last user statement) and fails after {@link #LONG}: a leak.
     */
    public static void assertNoLeak(int before) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (Go.numGoroutine() > before) {
            if (System.nanoTime() > deadline) {
                fail("goroutines leaked: " + Go.numGoroutine() + " alive, " + before + " before\n" + Go.stack(true));
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        assertEquals(before, Go.numGoroutine(), "goroutine count");
    }

    /** As {@link #assertNoLeak} without the final equality check (a count that went below is fine). */
    public static void awaitNumGoroutine(int start) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (Go.numGoroutine() > start) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("leaked goroutines: " + Go.numGoroutine() + " > " + start + "\n" + Go.stack(true));
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Spins (no park) until {@code cond} holds, for at most {@link #LONG}; yields between checks. */
    public static void awaitTrue(String what, BooleanSupplier cond) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Go.gosched();
        }
    }

    /** Runs {@code body} with GOMAXPROCS = n, restoring the previous value. */
    public static void withProcs(int n, Runnable body) {
        int old = Go.gomaxprocs(n);
        try {
            body.run();
        } finally {
            Go.gomaxprocs(old);
        }
    }

    /** Runs {@code body} as a goroutine and waits (from the test thread) for it, up to 60 s. */
    public static void inGoroutine(Runnable body) {
        inGoroutine(60, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs {@code body} as a goroutine and waits (from the test thread) up to {@code seconds};
     * returns its value, rethrows an Error or RuntimeException it threw (others wrapped), and
     * fails with every goroutine's stack when the watchdog fires.
     */
    public static <T> T inGoroutine(int seconds, Callable<T> body) {
        return call(seconds, body::call);
    }

    private interface ThrowingCallable<T> {
        T call() throws Throwable;
    }

    private static <T> T call(int seconds, ThrowingCallable<T> body) {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Go.go(() -> {
            try {
                result.set(body.call());
            } catch (Throwable t) {
                failure.set(t);
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
        rethrow(failure.get());
        return result.get();
    }

    /**
     * Runs {@code body} in a goroutine with GOMAXPROCS {@code procs} (restored after), rethrows
     * what it threw, and fails if the number of goroutines is not back to its start value within
     * {@link #LONG}.
     */
    public static void runG(int procs, ThrowingRunnable body) {
        int oldProcs = Go.gomaxprocs(procs);
        try {
            int start = Go.numGoroutine();
            call((int) LONG.toSeconds(), () -> {
                body.run();
                return null;
            });
            awaitNumGoroutine(start);
        } finally {
            Go.gomaxprocs(oldProcs);
        }
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new AssertionError(t);
        }
    }

    /** A runnable that may throw anything. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Throwable;
    }

    /** The outcome of a child JVM; exitCode -1 when it was killed at the timeout. */
    public record Child(int exitCode, String stdout, String stderr, long elapsedNanos) {}

    /**
     * Runs {@code mainClass} in a child JVM with {@link #JVM_FLAGS}, this classpath, extra JVM
     * options and environment ("NAME=value", added after GOMAXPROCS, GODEBUG and GOTRACEBACK are
     * removed) (Go's runTestProg); kills it after {@code timeoutSeconds}.
     */
    public static Child runChild(String mainClass, List<String> jvmOpts, List<String> env, int timeoutSeconds,
            String... args) {
        List<String> cmd = new ArrayList<>(JVM_FLAGS);
        cmd.addFirst(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1"); // start-up matters more than peak speed here
        cmd.addAll(jvmOpts);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("GOMAXPROCS");
        pb.environment().remove("GODEBUG");
        pb.environment().remove("GOTRACEBACK");
        for (String kv : env) {
            int eq = kv.indexOf('=');
            pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        try {
            File out = File.createTempFile("gmp4j-child", ".out");
            File err = File.createTempFile("gmp4j-child", ".err");
            try {
                pb.redirectOutput(out).redirectError(err);
                long start = System.nanoTime();
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    return new Child(-1, read(out), read(err) + "\n[killed after " + timeoutSeconds + " s]",
                            System.nanoTime() - start);
                }
                return new Child(p.exitValue(), read(out), read(err), System.nanoTime() - start);
            } finally {
                out.delete();
                err.delete();
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("child JVM: " + e, e);
        }
    }

    private static String read(File f) throws IOException {
        return Files.readString(f.toPath(), StandardCharsets.UTF_8);
    }
}
