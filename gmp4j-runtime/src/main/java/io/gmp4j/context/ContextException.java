package io.gmp4j.context;

/**
 * The two errors {@link Context#err()} returns: {@link Context#CANCELED} ("context canceled") and
 * {@link Context#DEADLINE_EXCEEDED} ("context deadline exceeded", {@link #timeout()} true).
 * Compare them by identity, as Go code compares {@code err == context.Canceled}. Shared
 * instances, so they carry no stack trace.
 */
public final class ContextException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean timeout;

    ContextException(String message, boolean timeout) {
        super(message, null, false, false);
        this.timeout = timeout;
    }

    /** context.go: deadlineExceededError.Timeout (true only for DEADLINE_EXCEEDED). */
    public boolean timeout() {
        return timeout;
    }
}
