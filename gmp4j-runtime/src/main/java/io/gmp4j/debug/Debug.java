package io.gmp4j.debug;

import io.gmp4j.internal.runtime.RuntimeApi;

/** Go's package runtime/debug. */
public final class Debug {
    private Debug() {}

    /**
     * debug.SetMaxThreads: the most Ms (platform threads running goroutines) the program may
     * use; going over crashes it with Go's "thread exhaustion". Default 10,000. Returns the
     * previous value.
     */
    public static int setMaxThreads(int threads) {
        return RuntimeApi.setMaxThreads(threads);
    }

    /** runtime/debug.Stack: the calling goroutine's traceback. */
    public static String stack() {
        return io.gmp4j.Go.stack(false);
    }
}
