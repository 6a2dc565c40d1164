package io.gmp4j.internal.runtime;

/** runtime.Goexit: unwinds the goroutine (running its finally blocks) without a panic. */
public final class Goexit {
    private Goexit() {}

    /** Thrown by {@link #goexit}; caught only by the goroutine's own entry frame. */
    static final class Signal extends Error {
        private static final long serialVersionUID = 1L;
        static final Signal INSTANCE = new Signal();

        private Signal() {
            super("runtime.Goexit", null, false, false);
        }
    }

    /** Whether t is Goexit's signal: code that catches a task's throwable tells a Goexit apart. */
    public static boolean isGoexit(Throwable t) {
        return t instanceof Signal;
    }

    /** panic.go: Goexit. Never returns. */
    public static void goexit() {
        G gp = G.current();
        if (gp == null) {
            throw new IllegalStateException("runtime.Goexit called outside a goroutine");
        }
        throw Signal.INSTANCE;
    }
}
