package io.gmp4j.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import io.gmp4j.time.Time;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;

/*
 * net/http's model on the JDK's built-in server: one goroutine per request. The HttpServer's
 * dispatcher thread hands each exchange to an Executor that calls Go.go, so handlers run as
 * goroutines on gmp4j's scheduler (readied from outside: global run queue + wakep).
 *
 * Endpoints:
 *   /                     hello, with the goroutine id that served it
 *   /work?ms=N&timeout=T  a handler with a context timeout (default 1000 ms): it starts a worker
 *                         goroutine that "works" N ms (time.Sleep) and sends its result on a
 *                         channel of capacity 1; the handler selects on that channel and
 *                         ctx.Done(): 200 with the result, or 504 "context deadline exceeded".
 *                         Capacity 1 is seed Bug 8's fix: the late worker's send never blocks,
 *                         so it does not leak.
 *   /debug/goroutines     runtime.NumGoroutine and the full dump (net/http/pprof's goroutine?debug=2)
 *
 * The main goroutine waits on a java.util.concurrent latch, not a channel: the server's
 * threads are outside the runtime, and a main goroutine parked on a channel with no other
 * goroutine alive would (correctly, from what the runtime can see) be reported as a deadlock.
 */
final class HttpServerExample implements Example {
    @Override
    public String name() {
        return "httpserver";
    }

    @Override
    public String summary() {
        return "com.sun.net.httpserver with a goroutine per request; /work uses a context timeout and a channel [port=8080]";
    }

    @Override
    public int run(String[] args, PrintStream out) throws IOException, InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        HttpServer server = start(port);
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            stopped.countDown();
        }));
        out.println("listening on " + base + "  (try " + base + "work?ms=200&timeout=100 and " + base
                + "debug/goroutines; Ctrl-C stops)");
        out.flush();
        stopped.await();
        return 0;
    }

    /** An Executor that runs each task in a new goroutine: {@code go task()}. */
    static final Executor GOROUTINE_PER_TASK = Go::go;

    /** Starts the server on 127.0.0.1:port (0: an ephemeral port). */
    static HttpServer start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(GOROUTINE_PER_TASK);
        server.createContext("/", HttpServerExample::hello);
        server.createContext("/work", HttpServerExample::work);
        server.createContext("/debug/goroutines", ex -> reply(ex, 200,
                "goroutines: " + Go.numGoroutine() + "\n\n" + Go.stack(true)));
        server.start();
        return server;
    }

    private static void hello(HttpExchange ex) throws IOException {
        if (!ex.getRequestURI().getPath().equals("/")) {
            reply(ex, 404, "404 page not found\n");
            return;
        }
        reply(ex, 200, "hello from goroutine " + Go.goid() + "\n");
    }

    /** A request-scoped context with a timeout, a worker goroutine, and a select on both. */
    private static void work(HttpExchange ex) throws IOException {
        long workMs = param(ex, "ms", 100);
        long timeoutMs = param(ex, "timeout", 1000);
        var wc = Context.withTimeout(Context.background(), Duration.ofMillis(timeoutMs));
        try {
            Chan<String> result = Chan.make(1); // 1, not 0: a worker that finishes late must not block forever (Bug 8)
            Go.go(() -> {
                Time.sleep(Duration.ofMillis(workMs));
                result.send("worked " + workMs + " ms in goroutine " + Go.goid() + "\n");
            });
            String[] body = new String[1];
            int status = Select.select(
                    result.onRecv(v -> body[0] = v),
                    wc.ctx().done().onRecv(v -> body[0] = wc.ctx().err().getMessage() + "\n")) == 0 ? 200 : 504;
            reply(ex, status, body[0]);
        } finally {
            wc.cancel().run();
        }
    }

    private static long param(HttpExchange ex, String name, long dflt) {
        String q = ex.getRequestURI().getQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                if (kv.startsWith(name + "=")) {
                    try {
                        return Long.parseLong(kv.substring(name.length() + 1));
                    } catch (NumberFormatException e) {
                        return dflt;
                    }
                }
            }
        }
        return dflt;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }
}
