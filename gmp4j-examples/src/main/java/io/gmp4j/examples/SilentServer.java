package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/*
 * Seed 002 Bug 3 as seed 003 tells it: fire-and-forget goroutines that call an unreliable log
 * server pile up when the server accepts the connection and never answers. Each one parks in
 * a socket read forever: NumGoroutine climbs with every wave of requests and the goroutine dump
 * shows them as "[IO wait]" (the JDK's poller parks the goroutine, as Go's netpoller does).
 *
 * The log server here is a loopback ServerSocket whose accept loop (a platform thread, outside
 * the runtime) keeps every connection open and writes nothing. --fixed sets a read timeout
 * (Socket.setSoTimeout, Go's SetReadDeadline / http.Client{Timeout}): the read fails with
 * SocketTimeoutException after 50 ms and the goroutine ends, so the count stays flat.
 *
 * Unlike Go's program, this one then closes the server's side of every connection, so the
 * parked readers see end-of-stream and end (nothing outlives an example).
 */
final class SilentServer implements Example {
    @Override
    public String name() {
        return "hung-reads";
    }

    @Override
    public String summary() {
        return "seed bug 3 (seed 003's form): reads from a server that never answers pile up in [IO wait]; --fixed: a read timeout [waves=5 perWave=20]";
    }

    /** What one run measured: NumGoroutine above the start after each wave, readers seen in [IO wait], timeouts. */
    record Result(int[] extraAfterWave, int ioWait, int timedOut, String sample) {}

    @Override
    public int run(String[] args, PrintStream out) throws IOException {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        int waves = a.intNum(0, 5);
        int perWave = a.intNum(1, 20);
        Result r = measure(waves, perWave, fixed ? 50 : 0);
        out.printf("%s: NumGoroutine above the start after each wave of %d requests: %s%n",
                fixed ? "fixed (50 ms read timeout)" : "buggy (no read timeout)", perWave, Arrays.toString(r.extraAfterWave()));
        out.printf("  goroutines in [IO wait] at the end: %d; reads timed out: %d%s%n", r.ioWait(), r.timedOut(),
                r.sample().isEmpty() ? "" : "; dump: " + r.sample());
        return 0;
    }

    /**
     * Sends {@code waves} waves of {@code perWave} fire-and-forget requests to a server that never
     * answers; each reader uses a read timeout of {@code timeoutMs} (0: none). Returns after the
     * server is closed and every reader has ended.
     */
    static Result measure(int waves, int perWave, int timeoutMs) throws IOException {
        int base = Go.numGoroutine();
        List<Socket> accepted = new ArrayList<>();
        AtomicInteger timedOut = new AtomicInteger();
        WaitGroup readers = new WaitGroup();
        int[] extra = new int[waves];
        int ioWait;
        String sample;
        try (ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().name("silent-log-server").start(() -> acceptLoop(server, accepted));
            int reading = 0;
            for (int w = 0; w < waves; w++) {
                WaitGroup sent = new WaitGroup();
                for (int i = 0; i < perWave; i++) {
                    readers.add(1);
                    sent.add(1);
                    Go.go(() -> logRequest(server.getLocalPort(), timeoutMs, sent, readers, timedOut));
                }
                sent.await(); // every request of this wave is written; its reader is about to read
                reading += perWave;
                extra[w] = timeoutMs > 0 ? settle(base, timedOut, reading) : waitParked(base, reading);
            }
            ioWait = countIoWait();
            sample = Go.stack(true).lines().filter(l -> l.matches("goroutine \\d+ \\[IO wait.*")).findFirst().orElse("");
            server.close(); // ends the accept loop
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close(); // cleanup only: the readers see end-of-stream
                }
            }
        }
        readers.await();
        return new Result(extra, ioWait, timedOut.get(), sample);
    }

    private static void acceptLoop(ServerSocket server, List<Socket> accepted) {
        try {
            while (true) {
                Socket s = server.accept(); // keep it open, never answer
                synchronized (accepted) {
                    accepted.add(s);
                }
            }
        } catch (IOException closed) {
            // the server was closed: the loop's end
        }
    }

    /** One fire-and-forget log call: connect, write a request, read the (never coming) answer. */
    private static void logRequest(int port, int timeoutMs, WaitGroup sent, WaitGroup readers, AtomicInteger timedOut) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(timeoutMs);
            s.getOutputStream().write("GET /log HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            sent.done();
            InputStream in = s.getInputStream();
            try {
                in.read(); // parks until the server answers, closes, or the timeout
            } catch (SocketTimeoutException e) {
                timedOut.incrementAndGet();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // escapes as a panic: not swallowed
        } finally {
            readers.done();
        }
    }

    /** Waits (up to 10 s) until {@code want} goroutines are in [IO wait]; returns NumGoroutine above base. */
    private static int waitParked(int base, int want) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (countIoWait() < want && System.nanoTime() < deadline) {
            Go.gosched();
        }
        return Go.numGoroutine() - base;
    }

    /** Fixed variant: waits (up to 10 s) until every reader so far has timed out and ended; returns NumGoroutine above base. */
    private static int settle(int base, AtomicInteger timedOut, int want) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((timedOut.get() < want || Go.numGoroutine() > base) && System.nanoTime() < deadline) {
            Go.gosched();
        }
        return Go.numGoroutine() - base;
    }

    private static int countIoWait() {
        return (int) Go.stack(true).lines().filter(l -> l.matches("goroutine \\d+ \\[IO wait.*")).count();
    }
}
