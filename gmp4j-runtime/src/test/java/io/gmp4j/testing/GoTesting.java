package io.gmp4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.gmp4j.Go;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Shared test support: leak checks, GOMAXPROCS scoping, child JVMs (Go's testprog). */
public final class GoTesting {
    private GoTesting() {}

    /** A stress scale knob: -Dgmp4j.test.scale=10 runs ten times the work. */
    public static int scaled(int n) {
        return (int) Math.max(1, n * Double.parseDouble(System.getProperty("gmp4j.test.scale", "1")));
    }

    /**
     * Waits until the goroutine count is back to {@code before} (a goroutine's exit bookkeeping
     * runs just after its last user statement) and fails after 10 s: a leak.
     */
    public static void assertNoLeak(int before) {
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
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        Go.go(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure[0] = t;
            } finally {
                done.countDown();
            }
        });
        try {
            if (!done.await(60, TimeUnit.SECONDS)) {
                fail("goroutine did not finish within 60 s\n" + Go.stack(true));
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
    }

    /** The outcome of a child JVM. */
    public record Child(int exitCode, String stdout, String stderr) {}

    /**
     * Runs {@code mainClass} in a child JVM with gmp4j's flags, this test classpath, extra JVM
     * options and environment (Go's runTestProg); kills it after {@code timeoutSeconds}.
     */
    public static Child runChild(String mainClass, List<String> jvmOpts, List<String> env, int timeoutSeconds,
            String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--add-opens");
        cmd.add("java.base/java.lang=ALL-UNNAMED");
        cmd.add("-Djdk.trackAllThreads=false");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
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
            out.deleteOnExit();
            err.deleteOnExit();
            pb.redirectOutput(out).redirectError(err);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new Child(-1, read(out), read(err) + "\n[killed after " + timeoutSeconds + " s]");
            }
            return new Child(p.exitValue(), read(out), read(err));
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("child JVM: " + e, e);
        }
    }

    private static String read(File f) throws IOException {
        return java.nio.file.Files.readString(f.toPath(), StandardCharsets.UTF_8);
    }
}
