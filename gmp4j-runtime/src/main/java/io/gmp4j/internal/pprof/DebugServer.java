package io.gmp4j.internal.pprof;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gmp4j.internal.runtime.Traceback;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The debug server: Go's net/http/pprof ({@code /debug/pprof/}) and expvar ({@code /debug/vars})
 * on the JDK's {@code com.sun.net.httpserver}. Every thread it uses is a daemon platform thread,
 * never a goroutine and never an M, so a dump it serves never shows itself and a stuck scheduler
 * can still be inspected. It takes only the locks any outside thread may take (the {@code AllGs}
 * shard locks, through {@link Traceback}).
 */
public final class DebugServer {
    private DebugServer() {}

    private static final AtomicInteger THREADS = new AtomicInteger();

    /** The system property and the environment variable that start the server at start-up. */
    public static final String PROPERTY = "gmp4j.debug.addr", ENV = "GMP4J_DEBUG_ADDR";

    /**
     * Called by schedinit: when {@code gmp4j.debug.addr} or {@code GMP4J_DEBUG_ADDR} is set,
     * starts the server on a platform thread of its own (never sysmon, never an M). A bad value
     * gets one stderr line and is otherwise ignored, as Go ignores a bad knob.
     */
    public static void startFromEnvironment() {
        String p = System.getProperty(PROPERTY);
        String v = p != null ? p : System.getenv(ENV);
        if (v == null || v.isBlank()) {
            return;
        }
        String knob = p != null ? "-D" + PROPERTY : ENV;
        Thread.ofPlatform().daemon().name("gmp4j-debug-start").start(() -> {
            try {
                serve(v);
            } catch (RuntimeException e) {
                System.err.println("gmp4j: " + knob + "=" + v + " ignored: " + e.getMessage());
            }
        });
    }

    /** Debug.serve: see there. */
    public static InetSocketAddress serve(String addr) {
        InetSocketAddress want = parse(addr);
        // HttpServer's dispatcher thread inherits the daemon status of the thread that starts
        // it: start it from a daemon platform thread, so the server never keeps the JVM alive.
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().daemon().name("gmp4j-debug-bind").start(() -> {
            try {
                result.set(bind(want));
            } catch (Throwable e) {
                result.set(e);
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Object r = result.get();
        if (r instanceof IOException e) {
            throw new UncheckedIOException("debug server: listen on " + addr + ": " + e.getMessage(), e);
        }
        if (r instanceof RuntimeException e) {
            throw e;
        }
        if (r instanceof LinkageError e) { // a runtime image without the server's modules
            throw new IllegalStateException("debug server: needs the modules jdk.httpserver and java.management (missing: "
                    + e.getMessage() + ")", e);
        }
        if (r instanceof Error e) {
            throw e;
        }
        InetSocketAddress bound = (InetSocketAddress) r;
        System.err.println("gmp4j: debug server on http://" + hostString(bound) + ":" + bound.getPort() + "/debug/pprof/");
        return bound;
    }

    private static String hostString(InetSocketAddress a) {
        InetAddress ia = a.getAddress();
        String h = ia.getHostAddress();
        return ia instanceof Inet6Address ? "[" + h + "]" : h;
    }

    /**
     * "host:port", ":port" (loopback: unlike Go's ":6060", which listens on every interface, a
     * debug server is reachable from outside only when an address says so), "[::1]:port". Port
     * 0 picks a free port.
     */
    static InetSocketAddress parse(String addr) {
        if (addr == null) {
            throw new IllegalArgumentException("debug server: nil address");
        }
        String a = addr.trim();
        int colon = a.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("debug server: address " + addr + ": missing port in address");
        }
        String host = a.substring(0, colon);
        String portStr = a.substring(colon + 1);
        // net's parsePort: an optional sign, then ASCII digits (Integer.parseInt also takes other
        // scripts' digits); empty is 0; anything else a service name, which we do not look up.
        boolean neg = portStr.startsWith("-");
        String digits = neg || portStr.startsWith("+") ? portStr.substring(1) : portStr;
        long port = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("debug server: address " + addr + ": invalid port");
            }
            port = Math.min(port * 10 + (c - '0'), 1 << 20); // past 65535 stays past it
        }
        if (neg) {
            port = -port;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("debug server: address " + addr + ": invalid port");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), (int) port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), (int) port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("debug server: address " + addr + ": no such host");
        }
    }

    private static InetSocketAddress bind(InetSocketAddress want) throws IOException {
        if (!io.gmp4j.internal.runtime.Mem.MANAGEMENT) { // its pages read the JVM's beans
            throw new NoClassDefFoundError("java.management or jdk.management");
        }
        HttpServer server = HttpServer.create(want, 0);
        io.gmp4j.internal.runtime.Mem.keepPauseHistory(); // /metrics' /gc/pauses from now on
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = Thread.ofPlatform().daemon().unstarted(r);
            t.setName("gmp4j-debug-http-" + THREADS.incrementAndGet());
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/debug/pprof/", DebugServer::pprof);
        server.createContext("/debug/vars", DebugServer::vars);
        server.createContext("/metrics", DebugServer::metrics);
        server.createContext("/debug/sched", SchedPage::handle);
        server.createContext("/", DebugServer::mux); // every other path: Go's ServeMux answers
        SchedPage.startSampler();
        server.start();
        return server.getAddress();
    }

    // ---- handlers -----------------------------------------------------------------------

    /** A request answered with a status and Go's text: Go's serveError. */
    static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String text) {
            super(text, null, false, false);
            this.status = status;
        }
    }

    private static void pprof(HttpExchange ex) {
        try (ex) {
            try {
                String path = ex.getRequestURI().getPath();
                String name = path.substring("/debug/pprof/".length());
                Map<String, String> q = query(ex);
                switch (name) {
                    case "" -> index(ex);
                    case "profile" -> Cpu.serve(ex, q);
                    case "heap" -> Heap.serve(ex, q, false);
                    case "allocs" -> Heap.serve(ex, q, true);
                    case "trace" -> trace(ex, q);
                    case "cmdline" -> send(ex, 200, "text/plain; charset=utf-8", String.join("\u0000", cmdline()).getBytes(StandardCharsets.UTF_8));
                    default -> {
                        // goroutine, mutex, block, threadcreate, and the program's own (pprof.Lookup)
                        Profiles.Entry p = Profiles.lookup(name);
                        if (p == null) {
                            throw new BadRequest(404, "Unknown profile");
                        }
                        named(ex, q, p);
                    }
                }
            } catch (BadRequest e) {
                ex.getResponseHeaders().set("X-Go-Pprof", "1");
                ex.getResponseHeaders().remove("Content-Disposition"); // serveError: the trace's, set before trace.Start
                send(ex, e.status, "text/plain; charset=utf-8", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException | IOException e) {
                // Never a stack trace to the client; one line, as Go's 500s.
                send(ex, 500, "text/plain; charset=utf-8", ("Could not serve profile: " + e + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    /**
     * net/http/pprof: Trace. The execution trace of the next {@code seconds} (default 1; a bad
     * value is 1, as Go's ParseFloat fallback), in io.gmp4j.trace's format (Chrome trace-event
     * JSON, not Go's binary one: ui.perfetto.dev opens it, go tool trace does not).
     *
     * <p>Streamed, as Go's: what the tracer wrote goes to the client at every heartbeat
     * (TraceAnswer), so a long trace is not held in memory, and a client that goes away makes a
     * write fail, which ends the trace (Go's sleep(r, d) returns when the request's context is
     * done) so that the next request can start one. The 200 goes out once Trace.start has
     * passed its "already enabled" check, so that refusal is still Go's 500 (a HEAD's too).
     */
    private static void trace(HttpExchange ex, Map<String, String> q) throws IOException {
        double sec = traceSeconds(q.getOrDefault("seconds", ""));
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"trace.json\"");
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (isHead(ex)) {
            // No trace for a HEAD (DIVERGENCES), but Go's answer to one: its trace.Start fails
            // while a trace runs, and the HEAD gets that 500.
            if (io.gmp4j.internal.runtime.ExecTrace.busy()) {
                throw new BadRequest(500, "Could not enable tracing: " + io.gmp4j.internal.runtime.ExecTrace.ALREADY_ENABLED);
            }
            ex.sendResponseHeaders(200, -1);
            return;
        }
        TraceAnswer body = new TraceAnswer(ex);
        Object mine;
        try {
            mine = io.gmp4j.internal.runtime.ExecTrace.startOwned(body);
        } catch (IllegalStateException e) {
            throw new BadRequest(500, "Could not enable tracing: " + e.getMessage());
        }
        boolean there = false;
        try {
            body.send(); // the 200 and the trace's header
            there = sleep(java.time.Duration.ofNanos((long) (sec * 1e9)), body::beat);
        } finally {
            // This trace only: the program may have stopped it and started its own meanwhile
            // (Go's handler would stop that one). Writes to memory only: no failure to expect.
            io.gmp4j.internal.runtime.ExecTrace.stop(mine);
        }
        if (there) {
            body.send(); // the rest and the trailer
        }
    }

    /**
     * The trace's answer. The tracer's writer thread only appends to {@code pending}: a write to
     * the client's socket blocks for as long as the client does not read, and that thread
     * drains the whole program's rings. The handler thread sends: the 200 once the
     * trace has started, then at each heartbeat (DebugServer.sleep) what the tracer wrote since,
     * or a newline when it wrote nothing. The tracer writes whole JSON fragments, so a newline
     * between two falls between tokens and the document stays valid JSON.
     */
    private static final class TraceAnswer extends OutputStream {
        private static final byte[] NEWLINE = {'\n'};
        private final HttpExchange ex;
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream(); // guarded by this
        private OutputStream out; // the handler thread's

        TraceAnswer(HttpExchange ex) {
            this.ex = ex;
        }

        @Override
        public synchronized void write(int b) {
            pending.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
        }

        private synchronized byte[] take() {
            byte[] b = pending.toByteArray();
            pending.reset();
            return b;
        }

        /** Handler thread: the 200 (the first time), then what is pending; throws when the client left. */
        void send() throws IOException {
            if (out == null) {
                ex.sendResponseHeaders(200, 0); // chunked: the length is not known yet
                out = ex.getResponseBody();
            }
            out.write(take());
            out.flush();
        }

        /** Handler thread: as send, with a newline when the tracer wrote nothing. */
        void beat() throws IOException {
            byte[] b = take();
            out.write(b.length > 0 ? b : NEWLINE);
            out.flush();
        }
    }

    /** Go's maxFormSize: a larger POSTed form is refused (ParseForm's error) and FormValue reads the query alone. */
    private static final int MAX_FORM = 10 << 20;

    /**
     * The request's parameters as Go's r.FormValue reads them (each name's first value): a
     * POST, PUT or PATCH with an application/x-www-form-urlencoded body has its form first,
     * then the URL's query (http.Request.ParseForm). Read once per request (the body is read
     * then): call it once per request (the JDK's exchange attributes are its context's, shared
     * by all its requests, so no place to keep it).
     */
    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> m = new LinkedHashMap<>();
        String method = ex.getRequestMethod();
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        if ((method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) && ct != null
                && ct.split(";", 2)[0].strip().equalsIgnoreCase("application/x-www-form-urlencoded")) {
            try {
                byte[] body = ex.getRequestBody().readNBytes(MAX_FORM + 1);
                if (body.length <= MAX_FORM) {
                    parseQuery(new String(body, StandardCharsets.UTF_8), m);
                }
            } catch (IOException e) {
                // ParseForm's error: FormValue goes on with what it has
            }
        }
        parseQuery(ex.getRequestURI().getRawQuery(), m);
        return m;
    }

    /**
     * url.ParseQuery: pairs split at '&'; a pair with a ';' (Go 1.17 on) or a bad escape is
     * skipped, the others kept; the first value of each name.
     */
    private static void parseQuery(String raw, Map<String, String> m) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String kv : raw.split("&")) {
            if (kv.isEmpty() || kv.indexOf(';') >= 0) {
                continue;
            }
            int eq = kv.indexOf('=');
            String k, v;
            try {
                k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                continue; // QueryUnescape's error: this pair only
            }
            m.putIfAbsent(k, v); // r.FormValue: the first value
        }
    }

    /** "debug": an integer (Go's Atoi; gmp4j answers 400 where Go would quietly use 0). */
    static int debugParam(Map<String, String> q) {
        String d = q.getOrDefault("debug", "");
        if (d.isEmpty()) {
            return 0;
        }
        // Atoi: ASCII digits after an optional sign (parseLong takes any script's); Go's int is
        // 64-bit (debug=99999999999 is debug >= 2), and past int64 ParseInt's range error
        // gives its max or min, which the handlers use.
        if (!d.matches("[+-]?[0-9]+")) {
            throw new BadRequest(400, "invalid value for \"debug\" - must be an integer");
        }
        long n;
        try {
            n = Long.parseLong(d);
        } catch (NumberFormatException e) {
            n = d.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
    }

    /**
     * Trace's duration: {@code sec, err := strconv.ParseFloat(s, 64); if sec <= 0 || err != nil
     * { sec = 1 }}, capped at an hour (Go has no cap; "inf" would trace for ever). Java's
     * parseDouble is laxer than ParseFloat: it trims blanks and takes a d or f suffix ("1d"),
     * which Go refuses (then 1 s); Go's "inf" and "infinity" (any case, signed) and digit
     * separators ("1_0") it lacks.
     */
    static double traceSeconds(String s) {
        String l = s.toLowerCase(java.util.Locale.ROOT);
        String unsigned = l.startsWith("+") || l.startsWith("-") ? l.substring(1) : l;
        double sec;
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            sec = l.startsWith("-") ? -1 : Double.POSITIVE_INFINITY;
        } else if (s.isEmpty() || !s.strip().equals(s) || "dDfF".indexOf(s.charAt(s.length() - 1)) >= 0
                || l.startsWith("0x") && !l.contains("p")) {
            sec = 1; // not ParseFloat syntax (Java's blanks, suffixes; Go's hex needs its p exponent)
        } else {
            try {
                // Go takes digit-separating underscores ("1_0" is 10); Java none.
                sec = Double.parseDouble(s.matches(".*[0-9a-fA-F]_[0-9a-fA-F].*") && !s.contains("__") ? s.replace("_", "") : s);
            } catch (NumberFormatException e) {
                sec = 1;
            }
        }
        return !(sec > 0) ? 1 : Math.min(sec, 3600);
    }

    /** "seconds": Go's text for a bad value (net/http/pprof: serveDeltaProfile). */
    static long secondsParam(Map<String, String> q, long def) {
        String s = q.get("seconds");
        if (s == null || s.isEmpty()) {
            return def;
        }
        long sec;
        try {
            // strconv.ParseInt: ASCII digits after an optional sign (parseLong takes any script's)
            sec = s.chars().allMatch(c -> c < 0x80) ? Long.parseLong(s) : -1;
        } catch (NumberFormatException e) {
            sec = -1;
        }
        if (sec <= 0) {
            throw new BadRequest(400, "invalid value for \"seconds\" - must be a positive integer");
        }
        return sec;
    }

    /** net/http/pprof: profileSupportsDelta (the same six from Go 1.19 on). */
    private static final java.util.Set<String> DELTA_PROFILES = java.util.Set.of("allocs", "block", "goroutine", "heap", "mutex", "threadcreate");

    /**
     * net/http/pprof: serveDeltaProfile's checks, for a named profile asked with "seconds": a
     * positive integer, a profile that has deltas, no debug (Go's WriteTimeout check has no
     * counterpart: the JDK's server has no write timeout). Returns the seconds, 0 when not asked.
     */
    static long deltaParams(Map<String, String> q, String name) {
        if (q.getOrDefault("seconds", "").isEmpty()) {
            return 0;
        }
        long sec = secondsParam(q, 0);
        if (!DELTA_PROFILES.contains(name)) {
            throw new BadRequest(400, "\"seconds\" parameter is not supported for this profile type");
        }
        if (debugParam(q) != 0) {
            throw new BadRequest(400, "seconds and debug params are incompatible");
        }
        return sec;
    }

    /**
     * net/http/pprof's handler: {@code if sec := r.FormValue("seconds"); sec != ""} serves the
     * delta of {@code profile} (Delta) and returns true; false when no seconds were asked.
     */
    static boolean servedDelta(HttpExchange ex, Map<String, String> q, String name, java.util.function.Supplier<byte[]> profile)
            throws IOException {
        long sec = deltaParams(q, name);
        if (sec == 0) {
            return false;
        }
        Delta.serve(ex, name, sec, profile);
        return true;
    }

    /** How often a profile that waits (Cpu) writes, to find out whether its client is still there. */
    static final long HEARTBEAT_NANOS = 200_000_000L;

    /** A write that the client is still there to read. */
    interface Heartbeat {
        void write() throws IOException;
    }

    /**
     * net/http/pprof's sleep(r, d): waits d, or less when the client went away (Go watches
     * r.Context().Done()), so that a profile nobody reads stops and the next request can start
     * one. The JDK's server never says that a client left; the only sign is a write that fails
     * (the first one after the client closed draws its reset, a later one fails). So the answer
     * is under way, and {@code beat} writes every HEARTBEAT_NANOS bytes that do not change what
     * the body says. Returns false when the client went away; an interrupt ends the wait too.
     */
    static boolean sleep(java.time.Duration d, Heartbeat beat) {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE; // seconds=9223372036854775807: as good as forever
        }
        long start = System.nanoTime();
        while (true) {
            long left = nanos - (System.nanoTime() - start);
            if (left <= 0) {
                return true;
            }
            try {
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(Math.min(left, HEARTBEAT_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
            try {
                beat.write();
            } catch (IOException e) {
                return false;
            }
        }
    }

    static boolean isHead(HttpExchange ex) {
        return "HEAD".equals(ex.getRequestMethod());
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (isHead(ex)) {
            // No body, and its length set by hand: given to sendResponseHeaders, the JDK logs a
            // warning on the program's stderr for every HEAD request.
            if (body.length > 0) {
                ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            }
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }

    /**
     * net/http/pprof's handler: a profile.proto is an attachment when debug is 0; a negative
     * debug (which Go's WriteTo also answers with the proto) is labelled as text, as Go's
     * {@code if debug != 0} does.
     */
    static void sendProfile(HttpExchange ex, String name, byte[] gz, int debug) throws IOException {
        if (debug != 0) {
            send(ex, 200, "text/plain; charset=utf-8", gz);
            return;
        }
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + name + "\"");
        send(ex, 200, "application/octet-stream", gz);
    }

    /**
     * net/http/pprof: handler.ServeHTTP for a named profile (goroutine, mutex, block,
     * threadcreate, and those the program made with pprof.NewProfile): with seconds, the delta;
     * else the profile's WriteTo bytes (Profiles.Entry.write), text for debug != 0.
     */
    private static void named(HttpExchange ex, Map<String, String> q, Profiles.Entry p) throws IOException {
        if (servedDelta(ex, q, p.name(), () -> p.write(0))) {
            return;
        }
        int debug = debugParam(q);
        sendProfile(ex, p.name(), p.write(debug), debug);
    }

    private static final String[][] PROFILES = {
        {"allocs", "A sampling of all past memory allocations (JFR's jdk.ObjectAllocationSample, from the first request on)"},
        {"block", "Stack traces that led to blocking on synchronization primitives"},
        {"heap", "A sampling of memory allocations. You can specify the gc GET parameter to run GC before taking the heap sample: only then are the in-use values filled, per class, from the JVM's live-object histogram (docs/DIVERGENCES.md)."},
        {"goroutine", "Stack traces of all current goroutines. Use debug=2 as a query parameter to export in the same format as an unrecovered panic."},
        {"mutex", "Stack traces of holders of contended mutexes"},
        {"profile", "CPU profile. You can specify the duration in the seconds GET parameter. After you get the profile file, use the go tool pprof command to investigate the profile."},
        {"threadcreate", "Stack traces that led to the creation of new OS threads (the runtime's Ms, sysmon, the timer cleaner)"},
        {"cmdline", "The command line invocation of the current program"},
        {"trace", "A trace of execution of the current program. You can specify the duration in the seconds GET parameter. The trace is Chrome trace-event JSON: open it in ui.perfetto.dev."},
    };

    private static void index(HttpExchange ex) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("<html>\n<head>\n<title>/debug/pprof/</title>\n<style>\n.profile-name{\n\tdisplay:inline-block;\n\twidth:6rem;\n}\n</style>\n</head>\n<body>\n");
        b.append("/debug/pprof/\n<br>\n<p>Set debug=1 as a query parameter to export in legacy text format</p>\n<br>\n");
        b.append("Types of profiles available:\n<table>\n<thead><td>Count</td><td>Profile</td></thead>\n");
        // pprof.go: Index: the profiles by name (the built-in ones and the program's, pprof.Profiles),
        // then cmdline, profile and trace (count 0), sorted.
        Map<String, String[]> rows = new java.util.TreeMap<>();
        for (Profiles.Entry p : Profiles.all()) {
            rows.put(p.name(), new String[] {Integer.toString(p.count()), p.name() + "?debug=1"});
        }
        for (String n : new String[] {"cmdline", "profile", "trace"}) {
            rows.put(n, new String[] {"0", n});
        }
        for (var r : rows.entrySet()) {
            b.append("<tr><td>").append(r.getValue()[0]).append("</td><td><a href='").append(html(urlPath(r.getValue()[1]))).append("'>")
                    .append(html(r.getKey())).append("</a></td></tr>\n");
        }
        b.append("</table>\n<a href=\"goroutine?debug=2\">full goroutine stack dump</a>\n<br>\n<a href=\"/debug/sched\">live scheduler page</a> (Ps, Ms and Gs now; schedtrace's figures over the last minutes)\n<br>\n<p>\nProfile Descriptions:\n<ul>\n");
        for (String[] p : PROFILES) {
            b.append("<li><div class=profile-name>").append(p[0]).append(": </div> ").append(p[1]).append("</li>\n");
        }
        for (Profiles.Entry p : Profiles.all()) { // the program's profiles: no description (Go's "")
            if (!p.builtIn()) {
                b.append("<li><div class=profile-name>").append(html(p.name())).append(": </div> </li>\n");
            }
        }
        b.append("</ul>\n</p>\n</body>\n</html>\n");
        send(ex, 200, "text/html; charset=utf-8", b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** html/template's escaping of text and attribute values. */
    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
    }

    /** A profile's name as a relative URL path (a program's may hold any character): escaped as url.PathEscape, "?debug=1" kept. */
    private static String urlPath(String href) {
        int q = href.indexOf('?');
        String path = q < 0 ? href : href.substring(0, q);
        String esc = URLEncoder.encode(path, StandardCharsets.UTF_8).replace("+", "%20");
        return esc + (q < 0 ? "" : href.substring(q));
    }

    static List<String> cmdline() {
        List<String> c = new ArrayList<>();
        ProcessHandle.Info info = ProcessHandle.current().info();
        info.command().ifPresent(c::add);
        info.arguments().ifPresent(a -> c.addAll(List.of(a)));
        if (c.isEmpty()) {
            c.add(System.getProperty("java.home") + "/bin/java");
            String cmd = System.getProperty("sun.java.command");
            if (cmd != null) {
                c.addAll(List.of(cmd.split(" ")));
            }
        }
        return c;
    }

    /** Go's ServeMux for a path no handler has: its 404, or its redirect of "/debug/pprof" to the subtree. */
    private static void mux(HttpExchange ex) {
        try (ex) {
            if (ex.getRequestURI().getPath().equals("/debug/pprof")) {
                // ServeMux.redirectToPathSlash: 301, the query kept
                String q = ex.getRequestURI().getRawQuery();
                String to = "/debug/pprof/" + (q == null ? "" : "?" + q);
                ex.getResponseHeaders().set("Location", to);
                byte[] body = "GET".equals(ex.getRequestMethod())
                        ? ("<a href=\"" + to.replace("&", "&amp;") + "\">Moved Permanently</a>.\n\n").getBytes(StandardCharsets.UTF_8)
                        : new byte[0];
                send(ex, 301, "text/html; charset=utf-8", body);
                return;
            }
            notFound(ex);
        } catch (IOException ignored) {
            // the client went away
        }
    }

    /** http.NotFound: Go's mux answer for a path nothing serves. */
    static void notFound(HttpExchange ex) throws IOException {
        send(ex, 404, "text/plain; charset=utf-8", "404 page not found\n".getBytes(StandardCharsets.UTF_8));
    }

    /** /metrics: runtime/metrics in Prometheus' text format (PromText). */
    private static void metrics(HttpExchange ex) {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals("/metrics")) {
                send(ex, 404, "text/plain; charset=utf-8", "404 page not found\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
            byte[] body;
            try {
                body = PromText.render().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                send(ex, 500, "text/plain; charset=utf-8",
                        ("metrics: " + e + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
            send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", body);
        } catch (IOException ignored) {
            // the client went away
        }
    }

    /**
     * expvar's handler: "{\n", each var as {@code "%q: %s"} in name order joined by ",\n", then
     * "\n}\n". {@code memstats} is json.Marshal(runtime.ReadMemStats()): compact, in MemStats'
     * field order, the figures {@code Go.readMemStats} gives (docs/DIVERGENCES.md), the fields
     * gmp4j's MemStats has; {@code goroutines} is gmp4j's own var.
     */
    private static void vars(HttpExchange ex) {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals("/debug/vars")) { // expvar's is an exact path
                notFound(ex);
                return;
            }
            StringBuilder b = new StringBuilder("{\n\"cmdline\": [");
            List<String> c = cmdline();
            for (int i = 0; i < c.size(); i++) {
                b.append(i > 0 ? "," : "").append(json(c.get(i)));
            }
            int goroutines = io.gmp4j.internal.runtime.Procs.numGoroutine();
            b.append("],\n\"goroutines\": ").append(goroutines).append(",\n\"memstats\": ");
            memstatsJson(b, io.gmp4j.internal.runtime.Mem.read(goroutines));
            b.append("\n}\n");
            send(ex, 200, "application/json; charset=utf-8", b.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException ignored) {
            // the client went away, or the JVM refused a figure: nothing to tell it
        }
    }

    /** json.Marshal of io.gmp4j.MemStats' fields, in runtime.MemStats' order. */
    static void memstatsJson(StringBuilder b, io.gmp4j.internal.runtime.Mem.Snapshot m) {
        b.append("{\"Alloc\":").append(m.alloc())
                .append(",\"TotalAlloc\":").append(m.totalAlloc())
                .append(",\"Sys\":").append(m.sys())
                .append(",\"Lookups\":0,\"Mallocs\":0,\"Frees\":0")
                .append(",\"HeapAlloc\":").append(m.alloc())
                .append(",\"HeapSys\":").append(m.heapSys())
                .append(",\"HeapIdle\":").append(m.heapIdle())
                .append(",\"HeapInuse\":").append(m.heapInuse())
                .append(",\"HeapReleased\":0,\"HeapObjects\":0")
                .append(",\"StackInuse\":").append(m.stackInuse())
                .append(",\"StackSys\":").append(m.stackInuse())
                .append(",\"NextGC\":").append(m.nextGC())
                .append(",\"LastGC\":").append(m.lastGC())
                .append(",\"PauseTotalNs\":").append(m.pauseTotalNs())
                .append(",\"PauseNs\":");
        jsonArray(b, m.pauseNs());
        b.append(",\"PauseEnd\":");
        jsonArray(b, m.pauseEnd());
        b.append(",\"NumGC\":").append(m.numGC())
                .append(",\"NumForcedGC\":").append(m.numForcedGC())
                .append(",\"GCCPUFraction\":").append(jsonFloat(m.gcCPUFraction()))
                .append(",\"EnableGC\":true,\"DebugGC\":false}");
    }

    private static void jsonArray(StringBuilder b, long[] a) {
        b.append('[');
        for (int i = 0; i < a.length; i++) {
            b.append(i > 0 ? "," : "").append(a[i]);
        }
        b.append(']');
    }

    /** encoding/json's float64: 'f' with the shortest digits, 'e' (e-7, not e-07) below 1e-6 or from 1e21. */
    static String jsonFloat(double x) {
        double a = Math.abs(x);
        if (a == 0 || Double.isNaN(x) || Double.isInfinite(x)) {
            return "0"; // json refuses NaN and Inf; GCCPUFraction is never either
        }
        if (a < 1e-6 || a >= 1e21) {
            return PromText.num(x).replaceFirst("e-0(\\d)$", "e-$1");
        }
        return new java.math.BigDecimal(Double.toString(x)).stripTrailingZeros().toPlainString();
    }

    /**
     * A JSON string as encoding/json's Marshal writes it (HTML-safe: '<', '>', '&', U+2028 and
     * U+2029 as hex escapes; backspace and form feed as Go 1.22's short escapes).
     */
    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&' || ch == '\u2028' || ch == '\u2029') {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
