package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import java.io.PrintStream;

/*
 * Ping-pong (Sameer Ajmani's "Advanced Go Concurrency Patterns" table-tennis example): two
 * goroutines hit one ball back and forth over an unbuffered channel. Every hit is a rendezvous:
 * the sender hands the value straight to the parked receiver and readies it into its own P's
 * runnext slot (proc.go: ready), so at GOMAXPROCS=1 a hit is a pure goroutine switch on one M.
 * The example measures the round trip at GOMAXPROCS=1 and at the default.
 */
final class PingPong implements Example {
    @Override
    public String name() {
        return "pingpong";
    }

    @Override
    public String summary() {
        return "two goroutines hit a ball over an unbuffered channel; ns per hit at GOMAXPROCS=1 and default [hits=500000]";
    }

    /** The ball: who hit it last and how often it was hit. */
    record Ball(int hits, String by) {}

    @Override
    public int run(String[] args, PrintStream out) {
        int hits = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int dflt = Go.gomaxprocs(0);
        for (int procs : new int[] {1, dflt}) {
            int old = Go.gomaxprocs(procs);
            try {
                play(Math.max(hits / 2, 1)); // warm-up: JIT (a 20,000-hit warm-up left GOMAXPROCS=1 at ~5x its steady cost)
                long start = System.nanoTime();
                Ball last = play(hits);
                long nanos = System.nanoTime() - start;
                out.printf("GOMAXPROCS=%d: %d hits, last by %s, %.0f ns/hit%n", procs, last.hits(), last.by(),
                        (double) nanos / hits);
            } finally {
                Go.gomaxprocs(old);
            }
            if (dflt == 1) {
                break;
            }
        }
        return 0;
    }

    /** Plays until the ball has been hit {@code hits} times; returns the ball. Both players have ended on return. */
    static Ball play(int hits) {
        Chan<Ball> table = Chan.make(0);
        Chan<Ball> result = Chan.make(1);
        WaitGroup wg = new WaitGroup();
        wg.add(2);
        for (String name : new String[] {"ping", "pong"}) {
            Go.go(() -> {
                try {
                    player(name, table, result, hits);
                } finally {
                    wg.done();
                }
            });
        }
        table.send(new Ball(0, "nobody")); // serve
        Ball last = result.recv();
        wg.await();
        return last;
    }

    private static void player(String name, Chan<Ball> table, Chan<Ball> result, int hits) {
        for (Ball ball : table) { // for ball := range table
            Ball hit = new Ball(ball.hits() + 1, name);
            if (hit.hits() == hits) {
                result.send(hit);
                table.close(); // game over: the other player's range loop ends
                return;
            }
            table.send(hit);
        }
    }
}
