package io.gmp4j.chan.lincheck;

import io.gmp4j.Go;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets a history's worker goroutines begin together. Goroutines started by one goroutine go to
 * its P and, being short, would mostly run one after the other there; a worker that spins
 * here (not only yields) keeps its P busy, so idle Ps' Ms wake and steal the others and the
 * operations overlap on several Ms. At GOMAXPROCS 1 it only yields.
 */
final class StartGate {
    /**
     * How long a worker spins between yields at GOMAXPROCS > 1, so that an idle P's M has time
     * to wake and steal (measured 2026-12-06, shared 2-core machine at load 4: spinning a few
     * microseconds, 3% of channel histories ran workers on more than one M; 50 us, 6-10%).
     */
    private static final long SPIN_NANOS = 50_000;

    private final int parties;
    private final long spinNanos;
    private final AtomicInteger arrived = new AtomicInteger();

    StartGate(int parties, int procs) {
        this.parties = parties;
        this.spinNanos = procs > 1 ? SPIN_NANOS : 0;
    }

    /** Arrives and waits (spinning, yielding now and then) until all parties have. */
    void arriveAndAwait() {
        arrived.incrementAndGet();
        long yieldAt = System.nanoTime() + spinNanos;
        while (arrived.get() < parties) {
            Thread.onSpinWait();
            if (System.nanoTime() - yieldAt > 0) {
                Go.gosched();
                yieldAt = System.nanoTime() + spinNanos;
            }
        }
    }
}
