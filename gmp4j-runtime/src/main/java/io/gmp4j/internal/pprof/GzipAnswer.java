package io.gmp4j.internal.pprof;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The answer of a profile that waits before it is known (the CPU profile, a delta profile),
 * gzipped as Go's. The 200 and gzip's header go out once the wait starts (an error before that
 * is still Go's 500), then an empty deflate block per heartbeat (a gzip sync flush: five bytes
 * that add nothing to the data; the writes that tell whether the client is still there,
 * DebugServer.sleep), then the profile's deflate stream and gzip's trailer.
 */
final class GzipAnswer {
    /** RFC 1952's header: deflate, no flags, no time, unknown OS. */
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /** A non-final stored block of length 0: BFINAL 0, BTYPE 00, LEN 0, NLEN 0xffff. */
    private static final byte[] EMPTY_BLOCK = {0, 0, 0, (byte) 0xff, (byte) 0xff};

    private final HttpExchange ex;
    private final String fileName;
    private OutputStream out; // null: not started, or a HEAD request (no body)
    private boolean gone;

    /** {@code fileName}: the Content-Disposition's, as Go's handler names the profile. */
    GzipAnswer(HttpExchange ex, String fileName) {
        this.ex = ex;
        this.fileName = fileName;
    }

    void start() throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (DebugServer.isHead(ex)) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, 0);
        out = ex.getResponseBody();
        out.write(GZIP_HEADER);
        out.flush();
    }

    void heartbeat() throws IOException {
        if (out != null) {
            try {
                out.write(EMPTY_BLOCK);
                out.flush();
            } catch (IOException e) {
                gone = true;
                throw e;
            }
        }
    }

    void finish(byte[] proto) throws IOException {
        if (out == null || gone) {
            return;
        }
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try {
            d.setInput(proto);
            d.finish();
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                z.write(buf, 0, d.deflate(buf));
            }
        } finally {
            d.end();
        }
        CRC32 crc = new CRC32();
        crc.update(proto);
        long c = crc.getValue(), n = proto.length & 0xffffffffL;
        z.write(new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
            (byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        out.write(z.toByteArray());
        out.close();
    }
}
