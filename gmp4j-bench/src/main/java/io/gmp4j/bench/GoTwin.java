package io.gmp4j.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the Go twin (resource {@code go/twin.go}, standard library only) with the go
 * toolchain on PATH, once per invocation, into a temporary directory removed at exit.
 */
final class GoTwin {
    /** The built binary and the toolchain's version, or why there is none. */
    record Build(Path binary, String version, String problem) {
        boolean ok() {
            return binary != null;
        }
    }

    private GoTwin() {}

    static Build build() {
        Path go = findOnPath("go");
        if (go == null) {
            return new Build(null, null, "go not installed");
        }
        try {
            Path dir = Files.createTempDirectory("gmp4j-bench-go");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            Path src = dir.resolve("twin.go");
            try (InputStream in = GoTwin.class.getResourceAsStream("go/twin.go")) {
                if (in == null) {
                    return new Build(null, null, "go/twin.go resource missing");
                }
                Files.copy(in, src);
            }
            String version = exec(List.of(go.toString(), "version"), dir, 30).trim();
            Path binary = dir.resolve("twin");
            ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", binary.toString(), "twin.go")
                    .directory(dir.toFile()).redirectErrorStream(true);
            if (System.getenv("GOCACHE") == null && System.getenv("HOME") == null) {
                pb.environment().put("GOCACHE", dir.resolve("cache").toString());
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isExecutable(binary)) {
                p.destroyForcibly();
                return new Build(null, version, "go build failed: " + out.strip().replace('\n', ' '));
            }
            return new Build(binary, version.replaceFirst("^go version ", ""), null);
        } catch (IOException | InterruptedException e) {
            return new Build(null, null, "go build failed: " + e);
        }
    }

    private static String exec(List<String> cmd, Path dir, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        return out;
    }

    static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(d, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: it is a temp dir.
        }
    }
}
