package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.time.Time;
import java.time.Duration;

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
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
