package io.gmp4j.debug;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests that read the debug server share: one server per test class on {@code :0},
 * started before its tests; GETs of it; {@code go tool pprof} on what it served, with its files
 * under the test's temporary directory. Profile state a class turns on (the mutex and block
 * profiles, the memory profile rate) is turned off by that class: the fixture resets nothing.
 */
abstract class DebugServerFixture {
    /**
     * The debug server of the test class running now: {@link #serve} runs once per subclass and
     * starts that class's own (test classes do not run concurrently, JUnit's default, as
     * GoLeakCheck assumes).
     */
    static InetSocketAddress addr;

    @TempDir
    Path tmp;

    @BeforeAll
    static void serve() {
        addr = Debug.serve(":0");
    }

    /** GET {@code path}; asserts 200. */
    static byte[] get(String path) throws IOException {
        return GoToolPprof.get(addr, path);
    }

    /** GET {@code path} as UTF-8 text; asserts 200. */
    static String getText(String path) throws IOException {
        return GoToolPprof.getText(addr, path);
    }

    /** A response of any status: Content-Type and body (java.net.http is not read by the module under test). */
    record Response(int status, String contentType, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** GET {@code path}, whatever the status (the error body for 4xx and 5xx). */
    static Response request(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + addr.getPort() + path).toURL().openConnection();
        try {
            int status = c.getResponseCode();
            try (var in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                return new Response(status, c.getContentType(), in == null ? new byte[0] : in.readAllBytes());
            }
        } finally {
            c.disconnect();
        }
    }

    /**
     * {@code go tool pprof FLAG} on {@code profile}; null, with a line on stderr, where Go is
     * missing: the caller skips its {@code go tool pprof} check and runs on.
     */
    String pprof(String flag, byte[] profile) throws Exception {
        String go = GoToolPprof.findGo();
        if (go == null) {
            System.err.println(getClass().getSimpleName() + ": go is not on PATH: `go tool pprof " + flag + "` check skipped");
            return null;
        }
        return GoToolPprof.run(go, tmp, flag, profile);
    }

    /** The {@code go} binary; where it is missing the test is skipped (an assumption fails). */
    static String goOrSkip() {
        String go = GoToolPprof.findGo();
        Assumptions.assumeTrue(go != null, "go is not on PATH: `go tool pprof` check skipped (.ci/run installs golang-go)");
        return go;
    }
}
