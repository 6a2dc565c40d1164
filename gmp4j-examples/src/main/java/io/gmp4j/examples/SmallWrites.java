package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.metrics.Metrics;
import io.gmp4j.sync.WaitGroup;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/*
 * Seed 002, Bug 11: "My profile shows all time in runtime.netpoll". The seed's fix is to batch,
 * so each wake-up carries more work. Here: a socket-heavy program on loopback, a writer
 * goroutine sending many small (32-byte) messages to a reader goroutine. Unbuffered, every
 * message is one write(2) on the socket and, often, one wake-up of the reader by the JDK's
 * poller; --fixed wraps the socket stream in a 64 KiB BufferedOutputStream, so the same bytes
 * go out in a few large writes. The program counts the writes that reach the socket (a counting
 * stream under the buffer: each is one syscall, give or take a partial write) and the reader's
 * reads, and times both.
 *
 * The evidence Go's seed names: /sched/latencies:seconds (read before and after, the delta's
 * sample count and p50/p99, as a Go program would read runtime/metrics; gmp4j records one
 * runnable-to-running transition in 8) and a CPU profile of the same workload from the
 * program's own debug server: the share of samples under the JDK's socket I/O
 * (sun.nio.ch.NioSocketImpl.write/read and below: gmp4j has no netpoller of its own, the JDK's
 * poller wakes goroutines, so the JDK's frames stand where Go's profile shows netpoll and
 * internal/poll.(*FD).Write).
 */
final class SmallWrites implements Example {
    @Override
    public String name() {
        return "small-writes";
    }

    @Override
    public String summary() {
        return "seed bug 11: many small socket writes vs buffered writes on loopback: writes, reads, /sched/latencies, CPU profile under the JDK's socket I/O; --fixed: 64 KiB buffer [messages=200000 profile-seconds=3]";
    }

    /** What one run measured. */
    record Result(long messages, long bytesSent, long bytesReceived, long socketWrites, long socketReads, long wallNanos) {}

    @Override
    public int run(String[] args, PrintStream out) throws IOException {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        int messages = a.intNum(0, 200_000);
        int seconds = a.intNum(1, 3);
        Metrics.Float64Histogram lat0 = (Metrics.Float64Histogram) Metrics.sample(LATENCIES);
        Result r = measure(messages, fixed);
        Metrics.Float64Histogram lat1 = (Metrics.Float64Histogram) Metrics.sample(LATENCIES);
        out.printf("%s: %,d messages of 32 bytes in %.1f ms: %,d writes to the socket, %,d reads by the receiver, %,d of %,d bytes arrived%n",
                fixed ? "buffered (64 KiB)" : "unbuffered", r.messages(), r.wallNanos() / 1e6, r.socketWrites(),
                r.socketReads(), r.bytesReceived(), r.bytesSent());
        out.printf("  %.2f us per message, %.1f messages per write%n", r.wallNanos() / 1e3 / r.messages(),
                (double) r.messages() / r.socketWrites());
        out.println("  " + latencyLine(lat0, lat1));
        List<Pprof.Sample> ss = Pprof.cpuProfileWhile(seconds, () -> {
            try {
                measure(messages, fixed);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long total = Pprof.total(ss);
        long writes = Pprof.under(ss, SOCKET_WRITE::equals);
        long io = Pprof.under(ss, f -> f.startsWith("sun.nio.ch."));
        out.printf("  CPU profile of the same workload (/debug/pprof/profile?seconds=%d): %d samples; under %s %d (%.0f%%), under any sun.nio.ch (the JDK's socket I/O and poller) %d (%.0f%%)%n",
                seconds, total, SOCKET_WRITE, writes, 100.0 * writes / Math.max(1, total), io, 100.0 * io / Math.max(1, total));
        out.println(fixed
                ? "  notice: the same bytes in a few 64 KiB writes: far fewer syscalls and wake-ups (the latency samples), and less of the profile in the socket write path"
                : "  notice: one write(2) per 32-byte message: the JDK's socket write path dominates the profile and the reader is woken again and again (the latency samples); compare --fixed");
        out.println("  top functions (flat samples):");
        for (var e : Pprof.topFlat(ss, 6)) {
            out.printf("    %6d %5.1f%%  %s%n", e.getValue(), 100.0 * e.getValue() / Math.max(1, total), e.getKey());
        }
        return 0;
    }

    static final String LATENCIES = "/sched/latencies:seconds";
    static final String SOCKET_WRITE = "sun.nio.ch.NioSocketImpl.write";

    /**
     * The {@code /sched/latencies:seconds} line: the samples between two reads and their p50 and
     * p99, each given as the upper boundary of its bucket (a histogram gives no more).
     */
    static String latencyLine(Metrics.Float64Histogram before, Metrics.Float64Histogram after) {
        long[] d = new long[after.counts().length];
        long n = 0;
        for (int i = 0; i < d.length; i++) {
            d[i] = after.counts()[i] - before.counts()[i];
            n += d[i];
        }
        if (n == 0) {
            return LATENCIES + ": 0 samples in the run";
        }
        return String.format(Locale.ROOT, "%s: %,d samples in the run (one transition in 8), p50 <= %s, p99 <= %s", LATENCIES, n,
                micros(quantile(d, n, after.buckets(), 0.50)), micros(quantile(d, n, after.buckets(), 0.99)));
    }

    /** The upper boundary of the bucket holding the q-quantile of the n samples counted in d. */
    private static double quantile(long[] d, long n, double[] buckets, double q) {
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < d.length; i++) {
            seen += d[i];
            if (seen >= rank) {
                return buckets[i + 1];
            }
        }
        return buckets[buckets.length - 1];
    }

    private static String micros(double seconds) {
        return Double.isInfinite(seconds) ? "+Inf" : String.format(Locale.ROOT, "%.1f us", seconds * 1e6);
    }

    /** A writer goroutine sends {@code messages} 32-byte messages to a reader goroutine over loopback TCP. */
    static Result measure(int messages, boolean buffered) throws IOException {
        byte[] msg = new byte[32];
        Arrays.fill(msg, (byte) 'x');
        msg[31] = '\n';
        long[] received = new long[1];
        long[] reads = new long[1];
        long[] writes = new long[1];
        WaitGroup wg = new WaitGroup();
        long start;
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            wg.add(1);
            Go.go(() -> { // the receiver
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[64 * 1024];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        received[0] += n;
                        reads[0]++;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // a panic: never swallowed
                } finally {
                    wg.done();
                }
            });
            start = System.nanoTime();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                CountingStream counting = new CountingStream(s.getOutputStream());
                OutputStream os = buffered ? new BufferedOutputStream(counting, 64 * 1024) : counting;
                for (int i = 0; i < messages; i++) {
                    os.write(msg);
                }
                os.flush();
                writes[0] = counting.writes;
            }
            wg.await(); // the receiver saw end-of-stream
        }
        long wall = System.nanoTime() - start;
        return new Result(messages, (long) messages * msg.length, received[0], writes[0], reads[0], wall);
    }

    /** Counts the write calls that reach the socket's stream. */
    private static final class CountingStream extends FilterOutputStream {
        long writes;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writes++;
            out.write(b, off, len);
        }

        @Override
        public void write(int b) throws IOException {
            writes++;
            out.write(b);
        }
    }
}
