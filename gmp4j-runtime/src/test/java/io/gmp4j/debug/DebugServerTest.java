package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The debug server: Go's /debug/pprof/ read by curl-like clients and by {@code go tool pprof}. */
@ExtendWith(GoLeakCheck.class)
class DebugServerTest extends DebugServerFixture {
    /** The known method 50 goroutines park in. */
    static void parkedOnChannel(Chan<Integer> c) {
        c.recv();
    }

    /** Starts 50 goroutines in parkedOnChannel and waits until debug=1 shows them grouped. */
    private static String park50(Chan<Integer> c) throws Exception {
        for (int i = 0; i < 50; i++) {
            Go.go(() -> parkedOnChannel(c));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String body = "";
        while (System.nanoTime() < deadline) {
            body = request("/debug/pprof/goroutine?debug=1").text();
            // The group of the 50 parked ones: goroutines not yet run group apart, at their start function.
            if (body.contains("\n50 @\n#\tio.gmp4j.chan.Chan.recv\t")) {
                return body;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("50 goroutines not grouped:\n" + body);
    }

    @Test
    void bindsLoopbackAndDaemonThreads() {
        assertTrue(addr.getAddress().isLoopbackAddress(), addr.toString());
        assertTrue(addr.getPort() > 0);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("HTTP-Dispatcher") || t.getName().startsWith("gmp4j-debug")) {
                assertTrue(t.isDaemon(), () -> t + " keeps the JVM alive");
            }
        }
        // From a goroutine too: serve blocks it only while binding, on a platform thread.
        Chan<InetSocketAddress> fromG = Chan.make(1);
        Go.go(() -> fromG.send(Debug.serve("localhost:0")));
        InetSocketAddress second = fromG.recv();
        assertTrue(second.getAddress().isLoopbackAddress() && second.getPort() != addr.getPort(), second.toString());
        assertThrows(IllegalArgumentException.class, () -> Debug.serve("no-port"));
        assertThrows(IllegalArgumentException.class, () -> Debug.serve(":http"));
        assertThrows(java.io.UncheckedIOException.class, () -> Debug.serve(":" + addr.getPort()));
    }

    /**
     * net's parsePort: a port is ASCII digits after an optional sign, anything else a service
     * name to look up ("unknown port"); an empty port is 0. Integer.parseInt read other scripts'
     * digits, so "localhost:\uff10" (fullwidth zero) bound a free port and "localhost:\u0668\u0660"
     * (Arabic-Indic 80) port 80, where Go fails.
     */
    @Test
    void portIsAsciiDigitsAsInGo() {
        for (String bad : new String[] {"localhost:\uff10", "localhost:\u0668\u0660", "localhost:0\u0660", "localhost:++0", "localhost:-1", "localhost:65536"}) {
            assertThrows(IllegalArgumentException.class, () -> Debug.serve(bad), bad);
        }
        InetSocketAddress empty = Debug.serve("localhost:");
        assertTrue(empty.getAddress().isLoopbackAddress() && empty.getPort() > 0, empty.toString());
        InetSocketAddress plus = Debug.serve("localhost:+0");
        assertTrue(plus.getPort() > 0, plus.toString());
    }

    @Test
    void goroutineDumpsInGoFormat() throws Exception {
        Chan<Integer> c = Chan.make(0);
        try {
            String debug1 = park50(c);
            assertTrue(debug1.startsWith("goroutine profile: total "), debug1);
            Matcher total = Pattern.compile("goroutine profile: total (\\d+)").matcher(debug1);
            assertTrue(total.find());
            assertTrue(Integer.parseInt(total.group(1)) >= 50, debug1);
            int group = debug1.indexOf("\n50 @\n#\tio.gmp4j.chan.Chan.recv\t");
            String frames = debug1.substring(group + 6, debug1.indexOf("\n\n", group));
            assertTrue(frames.contains("#\tio.gmp4j.debug.DebugServerTest.parkedOnChannel\tDebugServerTest.java:"), frames);
            // From the API call, as the dumps and Go's profile (chanrecv1 and gopark hidden).
            assertTrue(frames.startsWith("#\t") && frames.lines().findFirst().orElseThrow().contains("\tio.gmp4j.chan.Chan.recv\t"), frames);
            assertTrue(!frames.contains("parkRecv") && !frames.contains("chanrecv"), frames);

            Response r2 = request("/debug/pprof/goroutine?debug=2");
            assertEquals(200, r2.status());
            String debug2 = r2.text();
            Matcher m = Pattern.compile("goroutine \\d+ \\[chan receive\\]:\n(?:.*\n\t.*\n)*?io\\.gmp4j\\.debug\\.DebugServerTest\\.parkedOnChannel\\(\\.\\.\\.\\)\n\tDebugServerTest\\.java:\\d+\n").matcher(debug2);
            int n = 0;
            while (m.find()) {
                n++;
            }
            assertEquals(50, n, debug2);

            Response r0 = request("/debug/pprof/goroutine");
            assertEquals(200, r0.status());
            assertEquals("application/octet-stream", r0.contentType());
            assertEquals(0x1f, r0.body()[0] & 0xff); // gzip
            String raw = pprofRaw(r0.body());
            assertTrue(raw.contains("goroutine/count"), raw);
            assertTrue(Pattern.compile("(?m)^\\s+50: ").matcher(raw).find(), raw);
            assertTrue(raw.contains("io.gmp4j.debug.DebugServerTest.parkedOnChannel DebugServerTest.java:"), raw);

            // Go's handler: debug != 0 is text/plain, and WriteTo answers a negative debug with the proto.
            Response rm = request("/debug/pprof/goroutine?debug=-1");
            assertEquals(200, rm.status());
            assertEquals("text/plain; charset=utf-8", rm.contentType());
            assertEquals(0x1f, rm.body()[0] & 0xff); // gzip
            assertTrue(pprofRaw(rm.body()).contains("goroutine/count"));
        } finally {
            c.close();
        }
    }

    @Test
    void cpuProfileNamesTheHotMethod() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Chan<Void> done = Chan.make(0);
        Go.go(() -> {
            spin(stop);
            done.close();
        });
        try {
            var first = new java.util.concurrent.CompletableFuture<Response>();
            Thread.ofPlatform().start(() -> {
                try {
                    first.complete(request("/debug/pprof/profile?seconds=2"));
                } catch (Throwable e) {
                    first.completeExceptionally(e);
                }
            });
            Thread.sleep(500);
            Response busy = request("/debug/pprof/profile?seconds=1"); // one CPU profile at a time, as Go
            assertEquals(500, busy.status(), busy::text);
            assertEquals("Could not enable CPU profiling: cpu profiling already in use\n", busy.text());
            Response r = first.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.status(), r::text);
            String raw = pprofRaw(r.body());
            assertTrue(raw.contains("samples/count cpu/nanoseconds"), raw);
            assertTrue(raw.contains("io.gmp4j.debug.DebugServerTest.spin"), raw);
        } finally {
            stop.set(true);
            done.recv();
        }
    }

    /**
     * A 1-second CPU profile is answered about 1 s after it was asked, as Go's: it took 2 s
     * while the profile was a JFR RecordingStream, whose stop waits for JFR's next periodic
     * flush (1 s) for its last events. The best of three, so that a loaded machine's pause does
     * not decide; the first request also pays JFR's start-up.
     */
    @Test
    void cpuProfileEndsWithItsSeconds() throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            Response r = request("/debug/pprof/profile?seconds=1");
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            assertEquals(200, r.status(), r::text);
        }
        assertTrue(best < 1.6, "a 1-second CPU profile took at best " + best + " s");
    }

    /**
     * Where no recording can be made (java.io.tmpdir is a file: JFR cannot make its repository
     * there, nor Cpu its temporary file), a CPU profile is a one-line 500 as Go's "Could not
     * enable CPU profiling: ...", with no stack trace on the program's stderr, and the profiler
     * is free for the next request, which gets the same answer, not "already in use". It was
     * Cpu's class initializer failing (FlightRecorder.getFlightRecorder): an
     * ExceptionInInitializerError's trace on stderr and no answer at all, then
     * NoClassDefFoundError for every later request; with JFR's repository elsewhere, a
     * "Could not serve profile: java.nio.file..." 500.
     */
    @Test
    void cpuProfileWithoutATemporaryDirectoryIsA500(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createFile(dir.resolve("not-a-directory"));
        java.nio.file.Path repo = java.nio.file.Files.createDirectory(dir.resolve("jfr"));
        for (List<String> jvm : List.of(List.of("-Djava.io.tmpdir=" + file),
                List.of("-Djava.io.tmpdir=" + file, "-XX:FlightRecorderOptions:repository=" + repo))) {
            GoTesting.Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", jvm, List.of(), 60, "cpuProfileTwice");
            assertEquals(0, c.exitCode(), c.stderr());
            String[] answers = c.stdout().split("\n");
            assertEquals(2, answers.length, jvm + ": " + c.stdout());
            for (String a : answers) {
                assertTrue(a.startsWith("500 Could not enable CPU profiling: "), jvm + ": " + c.stdout() + c.stderr());
                assertFalse(a.contains("already in use"), jvm + ": " + c.stdout());
            }
            assertFalse(c.stderr().contains("\tat "), jvm + ": " + c.stderr());
        }
    }

    /**
     * A client that leaves mid-profile stops it (Go's sleep watches r.Context().Done()): the next
     * CPU profile starts at once, not when the first one's 600 seconds are over.
     */
    @Test
    void cpuProfileStopsWhenItsClientLeaves() throws Exception {
        Response last = abandonThenRetry("/debug/pprof/profile", "1", "Could not enable CPU profiling: cpu profiling already in use\n");
        assertTrue(pprofRaw(last.body()).contains("samples/count cpu/nanoseconds"));
    }

    /** As the CPU profile: a trace whose client leaves stops, and the next one can start. */
    @Test
    void traceStopsWhenItsClientLeaves() throws Exception {
        Response last = abandonThenRetry("/debug/pprof/trace", "0.1", "Could not enable tracing: runtime error: tracing is already enabled\n");
        assertTrue(last.text().startsWith("{\"traceEvents\":["), () -> last.text().substring(0, Math.min(200, last.text().length())));
        assertFalse(io.gmp4j.trace.Trace.isEnabled(), "tracing stopped after the request");
    }

    /**
     * While a trace runs, /debug/pprof/trace is Go's 500 for GET and HEAD alike (Go runs the
     * handler for a HEAD too, and trace.Start fails), as serveError writes it: Go's error text,
     * text/plain, and no Content-Disposition (serveError deletes the one set for the trace).
     */
    @Test
    void traceWhileTracingIsGo500() throws Exception {
        java.io.ByteArrayOutputStream mine = new java.io.ByteArrayOutputStream();
        io.gmp4j.trace.Trace.start(mine);
        try {
            String head = raw("HEAD /debug/pprof/trace?seconds=600 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 500 "), head);
            assertFalse(head.toLowerCase(java.util.Locale.ROOT).contains("content-disposition"), head);
            String get = raw("GET /debug/pprof/trace?seconds=600 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(get.startsWith("HTTP/1.1 500 "), get);
            assertFalse(get.toLowerCase(java.util.Locale.ROOT).contains("content-disposition"), get);
            assertTrue(get.toLowerCase(java.util.Locale.ROOT).contains("content-type: text/plain; charset=utf-8\r\n"), get);
            assertTrue(get.endsWith("\r\n\r\nCould not enable tracing: runtime error: tracing is already enabled\n"), get);
            assertTrue(io.gmp4j.trace.Trace.isEnabled(), "the refused requests left the running trace alone");
        } finally {
            io.gmp4j.trace.Trace.stop();
        }
        assertTrue(mine.toString(StandardCharsets.UTF_8).endsWith("}\n") || mine.toString(StandardCharsets.UTF_8).endsWith("}"), "the trace was written whole");
    }

    /**
     * The trace handler stops the trace it started and no other: when the program stopped that
     * one and started its own meanwhile, the handler's end leaves the program's running.
     */
    @Test
    void traceHandlerStopsOnlyItsOwnTrace() throws Exception {
        java.io.ByteArrayOutputStream mine = new java.io.ByteArrayOutputStream();
        String served;
        try (java.net.Socket s = new java.net.Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET /debug/pprof/trace?seconds=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertEquals("HTTP/1.1 200 OK", new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII));
            io.gmp4j.trace.Trace.stop(); // the handler's
            io.gmp4j.trace.Trace.start(mine);
            served = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // the handler is done
        }
        try {
            assertTrue(served.contains("{\"traceEvents\":["), served);
            assertTrue(io.gmp4j.trace.Trace.isEnabled(), "the handler stopped the program's trace");
        } finally {
            io.gmp4j.trace.Trace.stop();
        }
        assertTrue(mine.toString(StandardCharsets.UTF_8).startsWith("{\"traceEvents\":["), mine::toString);
    }

    /**
     * A HEAD request for a CPU profile gets its headers and leaves no profile behind: a HEAD
     * answer has no body, so no heartbeat can tell that its client left, and a profile run for
     * it held the profiler for all its seconds (here 600) against every later request.
     */
    @Test
    void headCpuProfileLeavesNoProfileRunning() throws Exception {
        try (java.net.Socket s = new java.net.Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("HEAD /debug/pprof/profile?seconds=600 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertEquals("HTTP/1.1 200 OK", new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Response r = request("/debug/pprof/profile?seconds=1");
        while (r.status() == 500 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = request("/debug/pprof/profile?seconds=1");
        }
        Response last = r;
        assertEquals(200, last.status(), last::text);
    }

    /**
     * Paths outside the handlers' own are Go's ServeMux 404, "/debug/vars" is an exact path
     * (expvar), and "/debug/pprof" redirects to "/debug/pprof/" (the mux's subtree redirect).
     */
    @Test
    void unknownPathsAreGoMux404s() throws Exception {
        for (String p : List.of("/debug/vars/x", "/debug/varsx", "/debug/pprofx", "/nosuch", "/")) {
            Response r = request(p);
            assertEquals(404, r.status(), p);
            assertEquals("404 page not found\n", r.text(), p);
            assertEquals("text/plain; charset=utf-8", r.contentType(), p);
        }
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + addr.getPort() + "/debug/pprof?debug=1").toURL().openConnection();
        c.setInstanceFollowRedirects(false);
        try {
            assertEquals(301, c.getResponseCode());
            assertEquals("/debug/pprof/?debug=1", c.getHeaderField("Location"));
        } finally {
            c.disconnect();
        }
        assertTrue(request("/debug/pprof").text().contains("Types of profiles available"), "redirect followed to the index");
        assertTrue(request("/debug/vars").text().startsWith("{\n\"cmdline\": ["));
    }

    /**
     * Parameters as Go's r.FormValue reads them: a POSTed form first, then the query; a pair
     * with a semicolon or a bad escape is skipped (url.ParseQuery), not the request refused.
     */
    @Test
    void formValuesAsGo() throws Exception {
        String post = raw("POST /debug/pprof/goroutine HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 15\r\nConnection: close\r\n\r\nx=%zz&debug=1&y");
        assertTrue(post.startsWith("HTTP/1.1 200 OK\r\n"), post);
        assertTrue(post.toLowerCase(java.util.Locale.ROOT).contains("content-type: text/plain; charset=utf-8\r\n"), post);
        assertTrue(post.contains("goroutine profile: total "), post);
        Response r = request("/debug/pprof/goroutine?debug=1;x=2"); // the pair is skipped: debug 0
        assertEquals(200, r.status(), r::text);
        assertEquals("application/octet-stream", r.contentType());
        r = request("/debug/pprof/goroutine?x=1;y=2&debug=1");
        assertEquals(200, r.status(), r::text);
        assertTrue(r.text().startsWith("goroutine profile: total "), r::text);
    }

    /** The whole answer to {@code request} on a connection of its own. */
    private static String raw(String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Starts a 600-second {@code path} on a raw connection, checks that a second one is refused
     * with {@code busyText} meanwhile, closes the connection, then asks for a {@code seconds}-long
     * one until it is answered (30 s at most) and returns that answer, a 200.
     */
    private static Response abandonThenRetry(String path, String seconds, String busyText) throws Exception {
        try (java.net.Socket s = new java.net.Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET " + path + "?seconds=600 HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            // The status line comes once the profiler or tracer runs.
            String status = new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200 OK", status);
            Response busy = request(path + "?seconds=" + seconds);
            assertEquals(500, busy.status(), busy::text);
            assertEquals(busyText, busy.text());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Response r = request(path + "?seconds=" + seconds);
        while (r.status() == 500 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = request(path + "?seconds=" + seconds);
        }
        Response last = r;
        assertEquals(200, last.status(), last::text);
        return last;
    }

    /**
     * HEAD is answered as GET without the body (Go's server does so for any handler), and
     * quietly: the JDK's server logs a warning on the program's stderr when a HEAD answer's
     * length is passed to it.
     */
    @Test
    void headIsQuiet() throws Exception {
        GoTesting.Child c = GoTesting.runChild("io.gmp4j.testprog.DebugHeadProg", List.of(), List.of(), 60,
                "/debug/pprof/cmdline", "/debug/pprof/", "/debug/pprof/goroutine", "/debug/pprof/nosuch", "/debug/vars", "/debug/sched");
        assertEquals(0, c.exitCode(), c.stderr());
        assertTrue(Pattern.compile("^gmp4j: debug server on http://127\\.0\\.0\\.1:\\d+/debug/pprof/\n$").matcher(c.stderr()).matches(), c.stderr());
        String[] lines = c.stdout().split("\n");
        assertEquals(6, lines.length, c.stdout());
        Matcher cmd = Pattern.compile("^/debug/pprof/cmdline 200 (\\d+)$").matcher(lines[0]);
        assertTrue(cmd.matches() && Long.parseLong(cmd.group(1)) > 0, "HEAD's Content-Length is GET's: " + lines[0]);
        assertTrue(lines[3].startsWith("/debug/pprof/nosuch 404 "), lines[3]);
        for (int i : new int[] {1, 2, 4, 5}) {
            assertTrue(lines[i].contains(" 200 "), lines[i]);
        }
    }

    static long sink;

    static void spin(AtomicBoolean stop) {
        long x = 0;
        while (!stop.get()) {
            for (int i = 0; i < 100_000; i++) {
                x = x * 31 + i;
            }
        }
        sink = x;
    }

    /**
     * GMP4J_DEBUG_ADDR and -Dgmp4j.debug.addr start the server at start-up (one stderr line);
     * a bad value is one stderr line and the program runs on; the server never keeps the JVM
     * alive after main returns.
     */
    @Test
    void startsFromTheEnvironment() {
        Pattern line = Pattern.compile("(?m)^gmp4j: debug server on http://127\\.0\\.0\\.1:\\d+/debug/pprof/$");
        GoTesting.Child env = GoTesting.runChild("io.gmp4j.testprog.DebugProg", List.of(), List.of("GMP4J_DEBUG_ADDR=:0"), 60);
        assertEquals(0, env.exitCode(), env.stderr());
        assertTrue(line.matcher(env.stderr()).find(), env.stderr());
        GoTesting.Child prop = GoTesting.runChild("io.gmp4j.testprog.DebugProg", List.of("-Dgmp4j.debug.addr=localhost:0"), List.of(), 60);
        assertEquals(0, prop.exitCode(), prop.stderr());
        assertTrue(line.matcher(prop.stderr()).find(), prop.stderr());
        GoTesting.Child bad = GoTesting.runChild("io.gmp4j.testprog.DebugProg", List.of(), List.of("GMP4J_DEBUG_ADDR=nonsense"), 60);
        assertEquals(0, bad.exitCode(), bad.stderr());
        assertEquals("gmp4j: GMP4J_DEBUG_ADDR=nonsense ignored: debug server: address nonsense: missing port in address\n", bad.stderr());
    }

    /**
     * A runtime image without the server's modules (a class-path program in a jlink image of
     * java.base, or --limit-modules): GMP4J_DEBUG_ADDR is one stderr line naming them, as a bad
     * address is, and the program runs on. It was an uncaught NoClassDefFoundError's stack
     * trace from the thread "gmp4j-debug-start".
     */
    @Test
    void missingModulesAreOneLine() {
        for (String mods : List.of("java.base", "java.base,jdk.httpserver")) {
            GoTesting.Child c = GoTesting.runChild("io.gmp4j.testprog.DebugProg", List.of("--limit-modules", mods),
                    List.of("GMP4J_DEBUG_ADDR=localhost:0"), 60);
            assertEquals(0, c.exitCode(), mods + ": " + c.stderr());
            assertTrue(c.stderr().matches("gmp4j: GMP4J_DEBUG_ADDR=localhost:0 ignored: debug server: needs the modules jdk.httpserver and"
                    + " java.management \\(missing: [^\n]+\\)\n"), mods + ": " + c.stderr());
        }
    }

    @Test
    void badParametersGetGoText() throws Exception {
        Response r = request("/debug/pprof/profile?seconds=abc");
        assertEquals(400, r.status());
        assertEquals("invalid value for \"seconds\" - must be a positive integer\n", r.text());
        r = request("/debug/pprof/goroutine?seconds=-1");
        assertEquals(400, r.status());
        assertEquals("invalid value for \"seconds\" - must be a positive integer\n", r.text());
        r = request("/debug/pprof/goroutine?debug=x");
        assertEquals(400, r.status());
        assertFalse(r.text().contains("Exception"), r.text());
        // net/http/pprof: serveDeltaProfile's checks, in Go's order
        r = request("/debug/pprof/goroutine?seconds=%D9%A3"); // an Arabic-Indic 3: ParseInt takes ASCII digits only
        assertEquals(400, r.status());
        assertEquals("invalid value for \"seconds\" - must be a positive integer\n", r.text());
        // threadcreate is one of Go's profileSupportsDelta (1.19 to today): its seconds= is served
        r = request("/debug/pprof/threadcreate?seconds=1");
        assertEquals(200, r.status(), r.text());
        r = request("/debug/pprof/threadcreate?seconds=0");
        assertEquals(400, r.status());
        assertEquals("invalid value for \"seconds\" - must be a positive integer\n", r.text());
        for (String name : List.of("goroutine", "heap", "allocs", "block", "mutex", "threadcreate")) {
            r = request("/debug/pprof/" + name + "?seconds=1&debug=1");
            assertEquals(400, r.status(), name);
            assertEquals("seconds and debug params are incompatible\n", r.text(), name);
        }
        assertEquals(200, request("/debug/pprof/threadcreate?debug=1").status());
        Chan<Integer> gate = Chan.make(0);
        Go.go(() -> parkedOnChannel(gate));
        try {
            r = request("/debug/pprof/goroutine?debug=99999999999"); // an integer to Go (64-bit): debug >= 2
            assertEquals(200, r.status());
            assertTrue(r.text().startsWith("goroutine "), r.text());
        } finally {
            gate.close();
        }
        // Atoi: past int64 is its max (ParseInt's range error, debug >= 2); ASCII digits only
        r = request("/debug/pprof/threadcreate?debug=99999999999999999999");
        assertEquals(200, r.status(), r::text);
        assertTrue(r.text().startsWith("threadcreate profile: total "), r::text);
        r = request("/debug/pprof/threadcreate?debug=%D9%A1"); // an Arabic-Indic 1
        assertEquals(400, r.status(), r::text);
        assertEquals("invalid value for \"debug\" - must be an integer\n", r.text());
        r = request("/debug/pprof/nosuch");
        assertEquals(404, r.status());
        assertEquals("Unknown profile\n", r.text());
    }

    /** /debug/pprof/trace: the execution trace of the next N seconds, with the goroutine that ran. */
    @Test
    void traceEndpoint() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Chan<Integer> a = Chan.make(0);
        Go.go(() -> {
            while (!stop.get()) {
                a.send(1);
            }
            a.close();
        });
        Go.go(() -> {
            while (a.recv() != null) {
                // drain
            }
        });
        try {
            Response r = request("/debug/pprof/trace?seconds=0.3");
            assertEquals(200, r.status(), r::text);
            String json = r.text();
            assertTrue(json.startsWith("{") && json.contains("\"traceEvents\""), json.substring(0, Math.min(200, json.length())));
            assertTrue(json.contains("chan receive") || json.contains("chan send"), "a channel block in the trace");
            assertFalse(io.gmp4j.trace.Trace.isEnabled(), "tracing stopped after the request");
        } finally {
            stop.set(true);
        }
    }

    @Test
    void indexAndVars() throws Exception {
        Response r = request("/debug/pprof/");
        assertEquals(200, r.status());
        assertTrue(r.text().contains("<a href='goroutine?debug=1'>goroutine</a>"), r.text());
        // Go's table: every profile by name, sorted, cmdline, profile and trace among them.
        List<String> names = new java.util.ArrayList<>();
        Matcher row = Pattern.compile("<tr><td>\\d+</td><td><a href='[^']+'>(\\w+)</a></td></tr>").matcher(r.text());
        while (row.find()) {
            names.add(row.group(1));
        }
        assertEquals(List.of("allocs", "block", "cmdline", "goroutine", "heap", "mutex", "profile", "threadcreate", "trace"), names);
        assertTrue(r.text().contains("full goroutine stack dump"), r.text());
        r = request("/debug/vars");
        assertEquals(200, r.status());
        String v = r.text();
        // expvar's handler: "{\n", the vars sorted by name as "%q: %s" joined by ",\n", "\n}\n";
        // memstats is json.Marshal(runtime.ReadMemStats()): compact, the same figures as readMemStats
        assertTrue(v.matches("(?s)\\{\n\"cmdline\": \\[\"[^\n]*\\],\n\"goroutines\": \\d+,\n\"memstats\": \\{\"Alloc\":\\d+,[^\n]*\\}\n\\}\n"), v);
        Matcher heapSys = Pattern.compile("\"HeapSys\":(\\d+)").matcher(v);
        Matcher nextGC = Pattern.compile("\"NextGC\":(\\d+)").matcher(v);
        assertTrue(heapSys.find() && nextGC.find(), v);
        assertEquals(heapSys.group(1), nextGC.group(1), "NextGC as readMemStats gives it (the committed heap): " + v);
        Matcher numGC = Pattern.compile("\"NumGC\":(\\d+)").matcher(v);
        assertTrue(numGC.find(), v);
        long before = Long.parseLong(numGC.group(1));
        assertTrue(before <= Go.readMemStats().NumGC, "NumGC counted as readMemStats counts it: " + v);
    }

    /** {@code go tool pprof -raw} on the profile; the test is skipped where Go is missing. */
    private String pprofRaw(byte[] profile) throws Exception {
        return GoToolPprof.run(goOrSkip(), tmp, "-raw", profile);
    }

    /**
     * /metrics is Prometheus text: a line grammar of # HELP, # TYPE name (counter|gauge|histogram)
     * and samples {@code name{labels} value}; every sample belongs to the family last TYPEd;
     * histograms' buckets are cumulative, end with le="+Inf", and equal _count.
     */
    @Test
    void metricsPrometheusText() throws Exception {
        Response r = request("/metrics");
        assertEquals(200, r.status());
        assertTrue(r.contentType().startsWith("text/plain; version=0.0.4"), r.contentType());
        String body = r.text();
        Pattern help = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");
        Pattern type = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)");
        Pattern sample = Pattern.compile(
                "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\")*)?\\})? "
                        + "([-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|NaN))");
        java.util.Map<String, String> types = new java.util.LinkedHashMap<>();
        String family = null, famType = null, helped = null;
        double lastLe = Double.NEGATIVE_INFINITY;
        long lastCum = 0, infCount = -1;
        boolean sawInf = false;
        for (String line : body.split("\n")) {
            Matcher m;
            if ((m = help.matcher(line)).matches()) {
                helped = m.group(1);
            } else if ((m = type.matcher(line)).matches()) {
                assertEquals(helped, m.group(1), "HELP before TYPE: " + line);
                if ("histogram".equals(famType)) {
                    assertTrue(sawInf, family + " has no le=\"+Inf\" bucket");
                }
                family = m.group(1);
                famType = m.group(2);
                assertTrue(types.put(family, famType) == null, "TYPE twice: " + family);
                lastLe = Double.NEGATIVE_INFINITY;
                lastCum = 0;
                sawInf = false;
                infCount = -1;
            } else if ((m = sample.matcher(line)).matches()) {
                String name = m.group(1);
                assertTrue(family != null, "sample before any TYPE: " + line);
                double v = Double.parseDouble(m.group(4).replace("Inf", "Infinity"));
                if (famType.equals("histogram")) {
                    if (name.equals(family + "_bucket")) {
                        Matcher le = Pattern.compile("le=\"([^\"]+)\"").matcher(m.group(3));
                        assertTrue(le.find(), line);
                        assertFalse(sawInf, "bucket after +Inf: " + line);
                        double bound = Double.parseDouble(le.group(1).replace("Inf", "Infinity"));
                        assertTrue(bound > lastLe, "le not increasing: " + line);
                        assertTrue((long) v >= lastCum, "buckets not cumulative: " + line);
                        lastLe = bound;
                        lastCum = (long) v;
                        if (le.group(1).equals("+Inf")) {
                            sawInf = true;
                            infCount = (long) v;
                        }
                    } else if (name.equals(family + "_count")) {
                        assertEquals(infCount, (long) v, "_count equals the +Inf bucket: " + family);
                    } else {
                        assertEquals(family + "_sum", name, line);
                        assertTrue(v >= 0, line);
                    }
                } else {
                    assertEquals(family, name, line);
                    if (famType.equals("counter")) {
                        assertTrue(name.endsWith("_total") && v >= 0, line);
                    }
                }
            } else {
                throw new AssertionError("not Prometheus text: " + line);
            }
        }
        assertEquals("histogram", types.get("go_sched_latencies_seconds"));
        assertEquals("gauge", types.get("go_sched_goroutines_goroutines"));
        assertEquals("gauge", types.get("go_sched_gomaxprocs_threads"));
        assertEquals("counter", types.get("go_gc_cycles_total_gc_cycles_total"));
        assertEquals("histogram", types.get("go_gc_pauses_seconds"));
        assertEquals(io.gmp4j.metrics.Metrics.all().size(), types.size());
        assertEquals(404, request("/metrics/x").status());
    }
    /** net/http/pprof: TestHandlers' case: path, status, Content-Type, Content-Disposition, and the body of an error. */
    record HandlerCase(String path, int statusCode, String contentType, String contentDisposition, String resp) {}

    // net/http/pprof/pprof_test.go: TestHandlers. Go's first path has a raw "<" that the JDK's
    // server refuses before any handler (docs/DIVERGENCES.md, "Profiling"): sent escaped. Go's
    // /debug/pprof/symbol is not implemented (404 Unknown profile, DIVERGENCES.md). As
    // DIVERGENCES.md lists: the trace is Chrome trace-event JSON, served as application/json in
    // trace.json (Go: application/octet-stream, "trace").
    @Test
    void handlers() throws Exception {
        List<HandlerCase> testCases = List.of(
                new HandlerCase("/debug/pprof/%3Cscript%3Escripty%3Cscript%3E", 404, "text/plain; charset=utf-8", null, "Unknown profile\n"),
                new HandlerCase("/debug/pprof/heap", 200, "application/octet-stream", "attachment; filename=\"heap\"", null),
                new HandlerCase("/debug/pprof/heap?debug=1", 200, "text/plain; charset=utf-8", null, null),
                new HandlerCase("/debug/pprof/cmdline", 200, "text/plain; charset=utf-8", null, null),
                new HandlerCase("/debug/pprof/profile?seconds=1", 200, "application/octet-stream", "attachment; filename=\"profile\"", null),
                new HandlerCase("/debug/pprof/trace", 200, "application/json", "attachment; filename=\"trace.json\"", null),
                new HandlerCase("/debug/pprof/mutex", 200, "application/octet-stream", "attachment; filename=\"mutex\"", null),
                new HandlerCase("/debug/pprof/block?seconds=1", 200, "application/octet-stream", "attachment; filename=\"block-delta\"", null),
                new HandlerCase("/debug/pprof/goroutine?seconds=1", 200, "application/octet-stream", "attachment; filename=\"goroutine-delta\"", null),
                new HandlerCase("/debug/pprof/", 200, "text/html; charset=utf-8", null, "Types of profiles available:"));
        List<String> errors = new java.util.ArrayList<>();
        for (HandlerCase tc : testCases) {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + addr.getPort() + tc.path())
                    .toURL().openConnection();
            try {
                int status = c.getResponseCode();
                byte[] body;
                try (var in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                    body = in == null ? new byte[0] : in.readAllBytes();
                }
                String p = tc.path() + ": ";
                if (status != tc.statusCode()) {
                    errors.add(p + "status code: got " + status + "; want " + tc.statusCode());
                }
                if (!"nosniff".equals(c.getHeaderField("X-Content-Type-Options"))) {
                    errors.add(p + "X-Content-Type-Options: got " + c.getHeaderField("X-Content-Type-Options") + "; want nosniff");
                }
                if (!java.util.Objects.equals(c.getHeaderField("Content-Type"), tc.contentType())) {
                    errors.add(p + "Content-Type: got " + c.getHeaderField("Content-Type") + "; want " + tc.contentType());
                }
                if (!java.util.Objects.equals(c.getHeaderField("Content-Disposition"), tc.contentDisposition())) {
                    errors.add(p + "Content-Disposition: got " + c.getHeaderField("Content-Disposition") + "; want " + tc.contentDisposition());
                }
                if (tc.path().equals("/debug/pprof/")) {
                    if (!new String(body, StandardCharsets.UTF_8).contains(tc.resp())) {
                        errors.add(p + "response lacks " + tc.resp());
                    }
                }
                if (status == 200) {
                    continue;
                }
                if (!"1".equals(c.getHeaderField("X-Go-Pprof"))) {
                    errors.add(p + "X-Go-Pprof: got " + c.getHeaderField("X-Go-Pprof") + "; want 1");
                }
                if (!tc.resp().equals(new String(body, StandardCharsets.UTF_8))) {
                    errors.add(p + "response: got " + new String(body, StandardCharsets.UTF_8) + "; want " + tc.resp());
                }
            } finally {
                c.disconnect();
            }
        }
        assertTrue(errors.isEmpty(), String.join("\n", errors));
    }
}
