package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs Go's {@code go tool pprof} on a profile the debug server served (.ci/run installs
 * golang-go), and fetches what the server serves. Public for the other packages' profile and
 * Go-oracle tests (findGo, containsInOrder).
 */
public final class GoToolPprof {
    private GoToolPprof() {}

    /** The {@code go} binary on PATH, or null. */
    public static String findGo() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, "go");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /** pprof_test.go: containsInOrder. */
    public static boolean containsInOrder(String s, String... all) {
        for (String t : all) {
            int i = s.indexOf(t);
            if (i < 0) {
                return false;
            }
            s = s.substring(i + t.length());
        }
        return true;
    }

    /** {@code go tool pprof FLAG} on {@code profile}, with its HOME and GOCACHE under {@code tmp}; asserts exit 0. */
    static String run(String go, Path tmp, String flag, byte[] profile) throws Exception {
        Path f = tmp.resolve("profile-" + System.nanoTime() + ".pb.gz");
        Files.write(f, profile);
        ProcessBuilder pb = new ProcessBuilder(go, "tool", "pprof", flag, f.toString()).redirectErrorStream(true);
        pb.environment().put("HOME", tmp.toString()); // pprof's ~/pprof directory
        pb.environment().put("GOCACHE", tmp.resolve("gocache").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** GET {@code path} from the debug server at {@code addr}; asserts 200. */
    static byte[] get(InetSocketAddress addr, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + addr.getPort() + path).toURL().openConnection();
        try {
            assertEquals(200, c.getResponseCode(), path);
            try (var in = c.getInputStream()) {
                return in.readAllBytes();
            }
        } finally {
            c.disconnect();
        }
    }

    /** {@link #get} as UTF-8 text. */
    static String getText(InetSocketAddress addr, String path) throws IOException {
        return new String(get(addr, path), StandardCharsets.UTF_8);
    }
}
