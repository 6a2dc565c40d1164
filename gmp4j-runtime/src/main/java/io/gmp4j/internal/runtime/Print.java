package io.gmp4j.internal.runtime;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * print.go: the runtime's own output, straight to file descriptor 2 in one write, never through
 * {@code System.err}: sysmon and the JDK's notification threads must not queue on
 * System.err's lock behind a goroutine that waits for it unmounted (docs/HACKING.md).
 */
final class Print {
    private Print() {}

    private static final FileOutputStream STDERR = new FileOutputStream(FileDescriptor.err);

    static void stderr(String s) {
        stderr(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes bytes encoded in advance: allocates nothing (the out-of-memory report). */
    static void stderr(byte[] b) {
        try {
            STDERR.write(b);
        } catch (IOException ignored) {
            // stderr closed: nothing to report to
        }
    }
}
