package io.gmp4j;

/**
 * Receives a panic that escaped a goroutine. The default prints Go's crash report and exits
 * with status 2; a test or a server installs its own with {@link Go#setPanicHandler}.
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
