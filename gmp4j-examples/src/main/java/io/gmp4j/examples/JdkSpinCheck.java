package io.gmp4j.examples;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/*
 * Seed Bug 1 on the JDK's default virtual-thread scheduler (no gmp4j), for comparison: run
 * in a child JVM with -Djdk.virtualThreadScheduler.parallelism=1. One virtual thread spins in
 * a call-free loop; 100 ms later a second virtual thread is started. The ForkJoinPool carrier
 * is never taken from the spinner (virtual threads are not time-sliced), so the second one
 * cannot run until the spinner stops. Prints one line with what happened and exits.
 *
 *     java -Djdk.virtualThreadScheduler.parallelism=1 -cp ... io.gmp4j.examples.JdkSpinCheck 1000
 */
public final class JdkSpinCheck {
    private JdkSpinCheck() {}

    private static volatile boolean spin = true;
    static volatile long sink;

    public static void main(String[] args) throws InterruptedException {
        long waitMs = args.length > 0 ? Long.parseLong(args[0]) : 1000;
        CountDownLatch spinning = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            spinning.countDown();
            long x = 0;
            while (spin) {
                x++;
            }
            sink = x;
        });
        spinning.await();
        Thread.sleep(100);
        CountDownLatch ran = new CountDownLatch(1);
        long start = System.nanoTime();
        Thread.ofVirtual().start(ran::countDown);
        if (ran.await(waitMs, TimeUnit.MILLISECONDS)) {
            System.out.printf("second virtual thread ran after %.1f ms%n", (System.nanoTime() - start) / 1e6);
        } else {
            spin = false;
            boolean after = ran.await(10, TimeUnit.SECONDS);
            System.out.printf("second virtual thread did not run within %d ms%s (parallelism=%s)%n", waitMs,
                    after ? "; it ran only once the spinner stopped" : "",
                    System.getProperty("jdk.virtualThreadScheduler.parallelism", "default"));
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
