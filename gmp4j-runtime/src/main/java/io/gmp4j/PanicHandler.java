package io.gmp4j;

/**
 * Receives a panic that escaped a goroutine. The default prints Go's crash report and exits
 * with status 2; a test or a server installs its own with {@link Go#setPanicHandler}.
 *
 * <p>What Go cannot recover from never reaches a handler: a {@link StackOverflowError} is Go's
 * {@code fatal error: stack overflow}, an {@link OutOfMemoryError} its
 * {@code fatal error: runtime: out of memory}. A handler that throws is a panic during the
 * panic: both are printed, Go's way, and the program exits with status 2. A handler that calls
 * {@link Go#goexit} ends the goroutine as a deferred Goexit ends a panicking one in Go: the
 * panic is dropped (in the main goroutine, {@link Go#run} then does not return).
 */
@FunctionalInterface
public interface PanicHandler {
    /**
     * Called on the panicking goroutine after its finally blocks ran.
     *
     * @param goid  the goroutine's id
     * @param panic what escaped it
     */
    void onPanic(long goid, Throwable panic);
}
