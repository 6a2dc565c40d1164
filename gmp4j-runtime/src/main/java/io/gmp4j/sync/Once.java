package io.gmp4j.sync;

/**
 * Go's {@code sync.Once}: performs exactly one action. {@link #run} is Go's {@code Do} ({@code do}
 * is a Java keyword). If the function panics (throws), {@code run} rethrows and the Once still
 * counts as done: later calls return without calling anything, as in Go.
 */
public final class Once {
    /*
     * Go file and functions: sync/once.go: Do, doSlow.
     *
     * done: 0 -> 1 once, by the goroutine that ran f, in a finally (Go's deferred store), after f
     * returned or threw, with m held. The fast path is one volatile read: a goroutine that sees
     * done == 1 also sees everything f wrote (the volatile write of done in doSlow happens after
     * f, and pairs with the volatile read in run). Callers that arrive while f runs wait on m
     * (wait reason sync.Mutex.Lock, as in Go) and then see done == 1.
     * Why not a CAS 0 -> 1 before calling f: the loser would return before f finished (once.go).
     */
    private volatile int done;
    private final Mutex m = new Mutex();

    public Once() {}

    /** once.go: Do. Calls {@code f} if and only if this is the first call to run for this Once. */
    public void run(Runnable f) {
        if (done == 0) {
            // Outlined slow path so that the fast path inlines (once.go).
            doSlow(f);
        }
    }

    private void doSlow(Runnable f) {
        m.lock();
        try {
            if (done == 0) {
                try {
                    f.run();
                } finally {
                    done = 1; // pairs with the volatile read in run()
                }
            }
        } finally {
            m.unlock();
        }
    }
}
