package io.gmp4j.bench;

/**
 * What a hand-off between two CPUs costs right now: two platform threads pass a volatile back
 * and forth, nanoseconds per round trip. Printed before and after each workload.
 *
 * <p>On a virtual machine this moves while a run goes on: on the 2-vCPU machine of
 * docs/BENCHMARKS.md between ~65 and ~340 ns from one minute to the next, as the host places
 * the two vCPUs. Every figure whose threads or goroutines hand off across cores by spinning
 * moves with it (the JDK's W2: ~210 or ~830 ns; gmp4j's W2 when HandoffSpin lets a pair spin),
 * while Go's, which hands off on one P, does not. A table is read with its probe.
 */
final class CoreProbe {
    private CoreProbe() {}

    private static final int ROUND_TRIPS = 20_000, ROUNDS = 3;
    private static final long GIVE_UP_NANOS = 1_000_000_000;

    /** A counter alone on its cache line, so that the probe measures one line's trips. */
    private static final class Line {
        long p0, p1, p2, p3, p4, p5, p6;
        volatile int turn;
        long q0, q1, q2, q3, q4, q5, q6;
    }

    /**
     * ns per round trip, the best of three rounds (the first also warms the loops up), or -1
     * with one CPU or when the partner does not keep up within a second.
     */
    static long roundTripNanos() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return -1;
        }
        long best = Long.MAX_VALUE;
        for (int r = 0; r < ROUNDS; r++) {
            long ns = round();
            if (ns < 0) {
                return -1;
            }
            best = Math.min(best, ns);
        }
        return best;
    }

    private static long round() {
        Line line = new Line();
        Thread partner = Thread.ofPlatform().name("bench-core-probe").daemon().start(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                while (line.turn != 2 * i + 1) {
                    if (line.turn < 0) {
                        return;
                    }
                    Thread.onSpinWait();
                }
                line.turn = 2 * i + 2;
            }
        });
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                line.turn = 2 * i + 1;
                for (int spins = 0; line.turn != 2 * i + 2; spins++) {
                    if ((spins & 1023) == 1023 && System.nanoTime() - t0 > GIVE_UP_NANOS) {
                        return -1;
                    }
                    Thread.onSpinWait();
                }
            }
            return (System.nanoTime() - t0) / ROUND_TRIPS;
        } finally {
            line.turn = -1;
            try {
                partner.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
