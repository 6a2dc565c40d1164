package io.gmp4j.bench;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * PP: two threads hand a turn back and forth with {@link LockSupport#park} / {@link
 * LockSupport#unpark}, no channel or queue in between: the bare cost of blocking one thread
 * and readying another, the primitive under every gmp4j channel and mutex.
 *
 * <p>One body for every Java column, so they run the same code: gmp4j passes {@code Go::go}
 * (main is the goroutine of {@code Go.run}), jdk-vt and platform pass their thread factory
 * (main is a thread of the same kind). The figure is ns per round trip (main gives the turn
 * away and gets it back), measured after a handshake so the spawn is not in it.
 *
 * <p>Protocol, per round trip:
 * <ol>
 *   <li>main: {@code turn = 1}; unpark(echo); park while {@code turn != 0}</li>
 *   <li>echo: park while {@code turn != 1}; {@code turn = 0}; unpark(main)</li>
 * </ol>
 * Each side re-checks {@code turn} after every park, so a permit left over from an unpark
 * that arrived before the park (or a spurious wake-up) costs one loop, not correctness.
 */
final class ParkPingPong {
    /** Whose turn it is: 0 main, 1 echo. Volatile: written by one side, read by the other. */
    private volatile int turn;
    /** The echo thread, published by itself before the first round trip. */
    private volatile Thread echo;

    private ParkPingPong() {}

    /** Runs n round trips from the calling thread; {@code spawn} starts the echo thread. */
    static String run(int n, Consumer<Runnable> spawn) {
        ParkPingPong pp = new ParkPingPong();
        Thread main = Thread.currentThread();
        spawn.accept(() -> {
            pp.echo = Thread.currentThread();
            LockSupport.unpark(main);
            for (int i = 0; i < n; i++) {
                while (pp.turn != 1) {
                    LockSupport.park(pp);
                }
                pp.turn = 0;
                LockSupport.unpark(main);
            }
        });
        while (pp.echo == null) {
            LockSupport.park(pp);
        }
        Thread echo = pp.echo;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            pp.turn = 1;
            LockSupport.unpark(echo);
            while (pp.turn != 0) {
                LockSupport.park(pp);
            }
        }
        return Results.perOp(t0, n);
    }
}
