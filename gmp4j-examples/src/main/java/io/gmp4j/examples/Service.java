package io.gmp4j.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/*
 * Seed 004's service and its load harness. The handler is the seed's Go program:
 *
 *     func handler(w http.ResponseWriter, r *http.Request) {
 *         time.Sleep(2 * time.Millisecond)
 *         payload := make([]byte, 4096)
 *         json.NewEncoder(w).Encode(map[string]any{"ok": true, "len": len(payload)})
 *     }
 *
 * served by the JDK's com.sun.net.httpserver with one goroutine per request (an Executor that
 * calls Go.go, as net/http starts a goroutine per connection). The seed drives it with 4,000
 * requests from a pool of 200 clients under GODEBUG=schedtrace=500 and parses the SCHED lines;
 * here the load driver is 200 client goroutines sharing one java.net.http.HttpClient, each
 * taking the next request number until 4,000 are sent. It reports latency percentiles
 * (p50/p90/p99/max) and every error by kind with its count: a non-200 status or an exception
 * is an error, and the exit status is 1 when there was any.
 *
 *     ./gmp4j run service [requests=4000] [clients=200]    serve and load in one process
 *     GODEBUG=schedtrace=500 GOMAXPROCS=4 ./gmp4j run service
 *     ./gmp4j run service --serve [port=8080]                serve until Ctrl-C
 *     ./gmp4j run service --load URL [requests] [clients]   load a server elsewhere
 */
final class Service implements Example {
    @Override
    public String name() {
        return "service";
    }

    @Override
    public String summary() {
        return "seed 004's service (2 ms sleep, 4 KiB, JSON; a goroutine per request) and its load driver: latency p50/p90/p99/max, errors [--serve port | --load URL] [requests=4000 clients=200]";
    }

    /** What a load run measured; latencies in nanoseconds, sorted. */
    record Load(int requests, int clients, long ok, Map<String, Integer> errors, long[] sortedNanos, long wallNanos) {
        long errorCount() {
            return errors.values().stream().mapToLong(Integer::longValue).sum();
        }

        long percentile(double p) {
            if (sortedNanos.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(p / 100 * sortedNanos.length) - 1;
            return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))];
        }
    }

    @Override
    public int run(String[] args, PrintStream out) throws Exception {
        if (args.length > 0 && args[0].equals("--serve")) {
            return serve(args.length > 1 ? Integer.parseInt(args[1]) : 8080, out);
        }
        if (args.length > 0 && args[0].equals("--load")) {
            if (args.length < 2) {
                out.println("usage: service --load URL [requests] [clients]");
                return 2;
            }
            Load l = load(URI.create(args[1]), intArg(args, 2, 4000), intArg(args, 3, 200));
            report(l, out);
            return l.errorCount() == 0 ? 0 : 1;
        }
        HttpServer server = start(0);
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            out.printf("serving %s (GOMAXPROCS=%d); loading it from this process%n", uri, Go.gomaxprocs(0));
            Load l = load(uri, intArg(args, 0, 4000), intArg(args, 1, 200));
            report(l, out);
            return l.errorCount() == 0 ? 0 : 1;
        } finally {
            server.stop(0);
        }
    }

    private static int intArg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }

    static void report(Load l, PrintStream out) {
        out.printf("%,d requests from %d clients in %.0f ms (%.0f req/s): %,d ok, %,d errors; latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                l.requests(), l.clients(), l.wallNanos() / 1e6, l.requests() / (l.wallNanos() / 1e9), l.ok(), l.errorCount(),
                l.percentile(50) / 1e6, l.percentile(90) / 1e6, l.percentile(99) / 1e6, l.percentile(100) / 1e6);
        l.errors().forEach((kind, n) -> out.printf("  error x%d: %s%n", n, kind));
    }

    /** --serve: until Ctrl-C (the main goroutine waits on a JDK latch: the server's threads are outside the runtime). */
    private static int serve(int port, PrintStream out) throws IOException, InterruptedException {
        HttpServer server = start(port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            stopped.countDown();
        }));
        out.printf("serving http://127.0.0.1:%d/ (Ctrl-C stops)%n", server.getAddress().getPort());
        out.flush();
        stopped.await();
        return 0;
    }

    /** Starts the service on 127.0.0.1:port (0: ephemeral), one goroutine per exchange. */
    static HttpServer start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Go::go);
        server.createContext("/", Service::handle);
        server.start();
        return server;
    }

    /** The seed's handler: 2 ms of "work", a 4 KiB allocation, a JSON answer. */
    static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Time.sleep(Duration.ofMillis(2));
            byte[] payload = new byte[4096];
            byte[] body = ("{\"ok\":true,\"len\":" + payload.length + "}\n").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }

    /** {@code clients} goroutines send {@code requests} GETs to uri between them; every outcome is recorded. */
    static Load load(URI uri, int requests, int clients) {
        long[] nanos = new long[requests];
        Arrays.fill(nanos, -1);
        AtomicInteger next = new AtomicInteger();
        LongAdder ok = new LongAdder();
        Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build();
        long start = System.nanoTime();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            WaitGroup wg = new WaitGroup();
            for (int c = 0; c < clients; c++) {
                wg.add(1);
                Go.go(() -> {
                    try {
                        for (int i; (i = next.getAndIncrement()) < requests; ) {
                            long t0 = System.nanoTime();
                            String error = null;
                            try {
                                HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
                                if (resp.statusCode() != 200) {
                                    error = "HTTP " + resp.statusCode();
                                } else if (!resp.body().startsWith("{\"ok\":true,\"len\":4096}")) {
                                    error = "unexpected body: " + resp.body().strip();
                                }
                            } catch (IOException e) {
                                error = e.getCause() == null ? e.toString() : e + " (cause: " + e.getCause() + ")";
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                error = e.toString();
                            }
                            nanos[i] = System.nanoTime() - t0;
                            if (error == null) {
                                ok.increment();
                            } else {
                                errors.computeIfAbsent(error, k -> new AtomicInteger()).incrementAndGet();
                            }
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await(); // happens-before for nanos[]
        }
        long wall = System.nanoTime() - start;
        long[] sorted = Arrays.stream(nanos).filter(n -> n >= 0).sorted().toArray();
        Map<String, Integer> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> errorCounts.put(k, v.get()));
        return new Load(requests, clients, ok.sum(), errorCounts, sorted, wall);
    }
}
