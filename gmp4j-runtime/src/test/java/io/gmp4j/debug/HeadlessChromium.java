package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Headless Chromium for the tests that load a page (Debian's {@code chromium}; .ci/run installs it). */
public final class HeadlessChromium {
    private HeadlessChromium() {}

    /** The message of a test skipped for want of it. */
    public static final String MISSING = "chromium is not on PATH: the headless-browser check is skipped (.ci/run installs Debian's chromium)";

    /** Chromium on PATH, or null. */
    public static String find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, name);
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        return null;
    }

    /**
     * Runs {@code bin --headless=new ... args} with a fresh profile in {@code dir} (created);
     * returns its stdout. Fails when it exits non-zero or runs past 40 s.
     */
    public static String run(String bin, Path dir, List<String> args) throws Exception {
        Files.createDirectories(dir);
        Path profile = dir.resolve("profile"), out = dir.resolve("stdout"), err = dir.resolve("stderr");
        List<String> cmd = new ArrayList<>(List.of(bin, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        if (!p.waitFor(40, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 40 s: " + cmd);
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + cmd + "\n" + read(err));
        return read(out);
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }
}
