package io.gmp4j.examples;

import io.gmp4j.Go;
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

/*
 * Seed 002, Bug 11: "My profile shows all time in runtime.netpoll". The seed's fix is to batch,
 * so each wake-up carries more work. Here: a socket-heavy program on loopback, a writer
 * goroutine sending many small (32-byte) messages to a reader goroutine. Unbuffered, every
 * message is one write(2) on the socket and, usually, one wake-up of the reader; --fixed wraps
 * the socket stream in a 64 KiB BufferedOutputStream, so the same bytes go out in a few large
 * writes. The program counts the writes that reach the socket (a counting stream under the
 * buffer: each is one syscall, give or take a partial write) and the reader's reads, and times
 * both. gmp4j has no netpoller of its own (the JDK's poller wakes goroutines), so this shows
 * the cost Go's profile would put in netpoll as plain time and syscall counts.
 */
final class SmallWrites implements Example {
    @Override
    public String name() {
        return "small-writes";
    }

    @Override
    public String summary() {
        return "seed bug 11: many small socket writes vs buffered writes on loopback: time, writes and reads made; --fixed: 64 KiB buffer [messages=200000]";
    }

    /** What one run measured. */
    record Result(long messages, long bytesSent, long bytesReceived, long socketWrites, long socketReads, long wallNanos) {}

    @Override
    public int run(String[] args, PrintStream out) throws IOException {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        int messages = a.intNum(0, 200_000);
        Result r = measure(messages, fixed);
        out.printf("%s: %,d messages of 32 bytes in %.1f ms: %,d writes to the socket, %,d reads by the receiver, %,d of %,d bytes arrived%n",
                fixed ? "buffered (64 KiB)" : "unbuffered", r.messages(), r.wallNanos() / 1e6, r.socketWrites(),
                r.socketReads(), r.bytesReceived(), r.bytesSent());
        out.printf("  %.2f us per message, %.1f messages per write%n", r.wallNanos() / 1e3 / r.messages(),
                (double) r.messages() / r.socketWrites());
        return 0;
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
