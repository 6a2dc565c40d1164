package io.gmp4j.examples;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of this classpath in a child JVM with a timeout (Go's runTestProg technique),
 * for the examples' main code. The test kit's GoTesting.runChild (gmp4j-testing) does the same
 * for tests, and the examples' tests use it; this copy stays because the examples run from the
 * launcher without the test kit and its JUnit API on their class path, and fail with
 * IllegalStateException rather than AssertionError.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** The outcome of a child JVM; exitCode -1 when it was killed at the timeout. */
    public record Result(int exitCode, String stdout, String stderr, long elapsedNanos) {}

    /** gmp4j's JVM flags: the same three in the launcher, the pom's argLine, Bench and the test kit's GoTesting.JVM_FLAGS. */
    public static final List<String> GMP4J_FLAGS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "-Djdk.trackAllThreads=false", "--enable-native-access=ALL-UNNAMED");

    /**
     * Runs {@code java <gmp4j's flags> <jvmOpts> -cp <this classpath> mainClass args} with GOMAXPROCS, GODEBUG and GOTRACEBACK
     * removed from the environment, then {@code env} ("NAME=value") added; kills it after
     * {@code timeoutSeconds}.
     */
    public static Result run(String mainClass, List<String> jvmOpts, List<String> env, int timeoutSeconds,
            String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(GMP4J_FLAGS);
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
                    return new Result(-1, read(out), read(err) + "\n[killed after " + timeoutSeconds + " s]",
                            System.nanoTime() - start);
                }
                return new Result(p.exitValue(), read(out), read(err), System.nanoTime() - start);
            } finally {
                out.delete();
                err.delete();
            }
        } catch (IOException e) {
            throw new IllegalStateException("child JVM: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("child JVM: interrupted", e);
        }
    }

    private static String read(File f) throws IOException {
        return Files.readString(f.toPath(), StandardCharsets.UTF_8);
    }
}
