package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Scheduler programs that need a fresh JVM (Go's testprog). Run as {@code SchedProg <name>}. */
public final class SchedProg {
    private SchedProg() {}

    static volatile boolean spin = true;

    public static void main(String[] args) {
        switch (args[0]) {
            // Seed 002 bug 1 on a cold JVM: main's 100 ms sleep beside a call-free spinner at
            // GOMAXPROCS=1. Everything sysmon does for the first time (the first hand-off, the
            // first busy-P timer) happens here; prints the sleep in microseconds.
            case "coldSleepBesideSpinner" -> Go.run(() -> {
                Go.gomaxprocs(1);
                Go.go(() -> {
                    while (spin) {
                        Thread.onSpinWait();
                    }
                });
                long t = System.nanoTime();
                Time.sleep(Duration.ofMillis(100));
                long us = (System.nanoTime() - t) / 1000;
                spin = false;
                System.out.println(us);
            });
            // Four pairs, each a goroutine locked to its thread and an unlocked one, ping-pong on
            // unbuffered channels, while main sets GOMAXPROCS to 1 and yields for 1.5 s (found
            // by a hostile review: 2-3 runs in 6 never ended). Prints "done" and the counts.
            case "lockedPingPongBesideResize" -> Go.run(() -> {
                WaitGroup wg = new WaitGroup();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong rounds = new AtomicLong();
                for (int k = 0; k < 4; k++) {
                    Chan<Integer> x = Chan.make();
                    Chan<Integer> y = Chan.make();
                    wg.add(2);
                    Go.go(() -> {
                        Go.lockOSThread();
                        while (!stop.get()) {
                            x.send(1);
                            y.recv();
                            rounds.incrementAndGet();
                        }
                        x.close();
                        wg.done();
                    });
                    Go.go(() -> {
                        for (Integer v : x) {
                            y.send(v);
                        }
                        wg.done();
                    });
                }
                long end = System.nanoTime() + 1_500_000_000L;
                int resizes = 0;
                while (System.nanoTime() < end) {
                    Go.gomaxprocs(1);
                    resizes++;
                    Go.gosched();
                }
                stop.set(true);
                wg.await();
                System.out.println("done rounds " + rounds.get() + " resizes " + resizes);
            });
            // 100 rounds at GOMAXPROCS=1: two goroutines, both locked to their threads, start
            // ping-ponging on unbuffered channels (main's send starts them), main sleeps 10 ms,
            // then stops them (found by a hostile review: main, readied into runnext and kicked
            // out to the local queue by the pair, never ran again in 1 run in 2). Prints "done"
            // and the longest round.
            case "lockedPairRounds" -> Go.run(() -> {
                Go.gomaxprocs(1);
                long maxMs = 0;
                for (int round = 0; round < 100; round++) {
                    AtomicBoolean stop = new AtomicBoolean();
                    Chan<Integer> a = Chan.make();
                    Chan<Integer> b = Chan.make();
                    WaitGroup wg = new WaitGroup();
                    wg.add(2);
                    Go.go(() -> {
                        Go.lockOSThread();
                        for (Integer v; (v = a.recv()) != null; ) {
                            if (stop.get()) {
                                b.close();
                                break;
                            }
                            b.send(v + 1);
                        }
                        wg.done();
                    });
                    Go.go(() -> {
                        Go.lockOSThread();
                        for (Integer v; (v = b.recv()) != null; ) {
                            a.send(v + 1);
                        }
                        a.close();
                        wg.done();
                    });
                    long t = System.nanoTime();
                    a.send(0);
                    Time.sleep(Duration.ofMillis(10));
                    stop.set(true);
                    wg.await();
                    maxMs = Math.max(maxMs, (System.nanoTime() - t) / 1_000_000);
                }
                System.out.println("done maxRoundMs " + maxMs);
            });
            // GOMAXPROCS raised to 40,000 (Go sets no limit) and set back to 2; prints how long
            // the shrink took, in milliseconds, and that a goroutine still runs after it.
            case "shrinkFromManyPs" -> Go.run(() -> {
                int old = Go.gomaxprocs(40_000);
                long t = System.nanoTime();
                Go.gomaxprocs(2);
                long ms = (System.nanoTime() - t) / 1_000_000;
                Chan<Integer> c = Chan.make(0);
                Go.go(() -> c.send(old));
                System.out.println("shrink " + ms + " ms, then " + (c.recv() == old ? "ran" : "lost"));
            });
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
