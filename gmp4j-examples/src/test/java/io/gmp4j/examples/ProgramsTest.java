package io.gmp4j.examples;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.examples.TestSupport.inGoroutine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gmp4j.Go;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** The prime sieve, ping-pong, the HTTP server and the demo, each bounded in time and leak-checked. */
@ExtendWith(GoLeakCheck.class)
class ProgramsTest {

    /** The sieve's first 100 primes are the first 100 primes (checked by trial division); its chain ends. */
    @Test
    void primeSieveFirst100() {
        int before = Go.numGoroutine();
        List<Integer> primes = inGoroutine(60, () -> PrimeSieve.primes(100));
        List<Integer> expected = new ArrayList<>();
        for (int n = 2; expected.size() < 100; n++) {
            boolean prime = true;
            for (int d = 2; d * d <= n; d++) {
                prime &= n % d != 0;
            }
            if (prime) {
                expected.add(n);
            }
        }
        assertEquals(expected, primes);
        assertEquals(541, primes.get(99));
        assertNoLeak(before);
    }

    /** The ball is hit exactly n times, by alternating players; both end. */
    @Test
    void pingPong() {
        int before = Go.numGoroutine();
        PingPong.Ball ball = inGoroutine(60, () -> PingPong.play(10_001));
        assertEquals(10_001, ball.hits());
        PingPong.Ball serve = inGoroutine(60, () -> PingPong.play(1));
        assertEquals(1, serve.hits());
        assertTrue(List.of("ping", "pong").contains(serve.by()), serve.by());
        assertNoLeak(before);
    }

    /** One server on an ephemeral port answers /, /work within its timeout (200) and past it (504). */
    @Test
    void httpServerAnswers() throws Exception {
        int before = Go.numGoroutine();
        HttpServer server = HttpServerExample.start(0);
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpResponse<String> hello = get(client, base + "/");
            assertEquals(200, hello.statusCode());
            assertTrue(hello.body().startsWith("hello from goroutine "), hello.body());
            HttpResponse<String> ok = get(client, base + "/work?ms=10&timeout=5000");
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(ok.body().startsWith("worked 10 ms in goroutine "), ok.body());
            HttpResponse<String> late = get(client, base + "/work?ms=300&timeout=20");
            assertEquals(504, late.statusCode(), late.body());
            assertEquals("context deadline exceeded\n", late.body());
            assertEquals(404, get(client, base + "/nope").statusCode());
        } finally {
            server.stop(0);
        }
        assertNoLeak(before); // includes the late worker: its send on the cap-1 channel does not block
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The demo runs end to end in quick mode; its pipeline stops on the deadline and nothing outlives it. */
    @Test
    void demoQuick() {
        int before = Go.numGoroutine();
        int procs = Go.gomaxprocs(0);
        TestSupport.Run r = TestSupport.runExample("demo", 60, "--quick");
        assertEquals(0, r.status());
        String out = r.out();
        assertTrue(out.matches("(?s).*1\\. go f\\(\\) x 10,000.*ns per goroutine.*"), out);
        assertTrue(out.contains("(0 wrong) before ctx.Err() = \"context deadline exceeded\""), out);
        assertTrue(out.contains("the second goroutine ran"), out);
        assertTrue(out.matches("(?s).*runtime/metrics now: /sched/goroutines:goroutines=\\d+ /sched/gomaxprocs:threads=" + procs + " /sched/threads:threads=\\d+ .*"), out);
        for (String reason : List.of("[chan receive]", "[chan send]", "[sync.Mutex.Lock]", "[sync.WaitGroup.Wait]", "[select]")) {
            assertTrue(out.contains(reason), reason + " missing:\n" + out);
        }
        assertTrue(out.contains("DumpSubjects.waitForWork"), out);
        assertEquals(procs, Go.gomaxprocs(0));
        assertNoLeak(before);
    }

    /** Seed 004's service under a small load: every request answers 200 with the JSON, none faster than the handler's 2 ms sleep. */
    @Test
    void serviceUnderLoad() throws Exception {
        int before = Go.numGoroutine();
        HttpServer server = Service.start(0);
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            Service.Load l = inGoroutine(120, () -> Service.load(uri, 200, 20));
            assertEquals(java.util.Map.of(), l.errors());
            assertEquals(200, l.ok());
            assertEquals(200, l.sortedNanos().length);
            assertTrue(l.percentile(0.1) >= 2_000_000L, "a request took less than the handler's 2 ms sleep: " + l.percentile(0.1));
            assertTrue(l.percentile(50) <= l.percentile(99) && l.percentile(99) <= l.percentile(100));
        } finally {
            server.stop(0);
        }
        assertNoLeak(before);
    }

    /** The load driver counts a refused connection as an error instead of dropping it. */
    @Test
    void serviceLoadReportsErrors() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        URI uri = URI.create("http://127.0.0.1:" + port + "/");
        Service.Load l = inGoroutine(60, () -> Service.load(uri, 10, 2));
        assertEquals(0, l.ok());
        assertEquals(10, l.errorCount(), l.errors().toString());
    }
}
