package io.gmp4j.sync;

import io.gmp4j.Go;
import io.gmp4j.time.Time;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Quick same-run figures for ANCHORS.md W8 and W6 (not a benchmark harness and not a test: no
 * assertions; the real runs belong to gmp4j-bench). Prints median (min .. max) of 5 runs after 2
 * warm-ups.
 *
 * W8: 8 goroutines x 125,000 lock/increment/unlock on one Mutex, ns per lock; the JDK baseline is
 *     ReentrantLock on 8 default-scheduler virtual threads, in the same run.
 * W6: 100,000 goroutines each Time.sleep(10 ms) then wg.done(); total ms. JDK baseline:
 *     Thread.sleep on virtual threads + CountDownLatch.
 */
public final class SyncPerfMain {
    private SyncPerfMain() {}

    static final int GS = 8, ITERS = 125_000, N6 = 100_000;

    public static void main(String[] args) throws Exception {
        Go.gomaxprocs(Go.numCPU());
        report("W8 gmp4j Mutex (ns/lock)", SyncPerfMain::w8Mutex);
        report("W8 JDK ReentrantLock on VTs (ns/lock)", SyncPerfMain::w8Jdk);
        report("W6 gmp4j sleep 10ms x 100k (ms)", SyncPerfMain::w6Gmp4j);
        report("W6 JDK Thread.sleep on VTs (ms)", SyncPerfMain::w6Jdk);
        System.exit(0);
    }

    interface Run {
        double run() throws Exception;
    }

    static void report(String name, Run r) throws Exception {
        r.run();
        r.run();
        double[] xs = new double[5];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = r.run();
        }
        Arrays.sort(xs);
        System.out.printf("%-42s %8.1f (%.1f .. %.1f)%n", name, xs[2], xs[0], xs[4]);
    }

    static double w8Mutex() throws Exception {
        Mutex m = new Mutex();
        long[] counter = {0};
        CountDownLatch done = new CountDownLatch(1);
        long[] t = new long[1];
        Go.go(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(GS);
            long t0 = System.nanoTime();
            for (int g = 0; g < GS; g++) {
                Go.go(() -> {
                    for (int i = 0; i < ITERS; i++) {
                        m.lock();
                        counter[0]++;
                        m.unlock();
                    }
                    wg.done();
                });
            }
            wg.await();
            t[0] = System.nanoTime() - t0;
            done.countDown();
        });
        done.await();
        if (counter[0] != (long) GS * ITERS) {
            throw new AssertionError("lost updates: " + counter[0]);
        }
        return (double) t[0] / (GS * ITERS);
    }

    static double w8Jdk() throws Exception {
        ReentrantLock m = new ReentrantLock();
        long[] counter = {0};
        Thread[] ts = new Thread[GS];
        long t0 = System.nanoTime();
        for (int g = 0; g < GS; g++) {
            ts[g] = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < ITERS; i++) {
                    m.lock();
                    counter[0]++;
                    m.unlock();
                }
            });
        }
        for (Thread th : ts) {
            th.join();
        }
        return (double) (System.nanoTime() - t0) / (GS * ITERS);
    }

    static double w6Gmp4j() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        long[] t = new long[1];
        Go.go(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(N6);
            long t0 = System.nanoTime();
            for (int i = 0; i < N6; i++) {
                Go.go(() -> {
                    Time.sleep(Duration.ofMillis(10));
                    wg.done();
                });
            }
            wg.await();
            t[0] = System.nanoTime() - t0;
            done.countDown();
        });
        done.await();
        return t[0] / 1e6;
    }

    static double w6Jdk() throws Exception {
        CountDownLatch wg = new CountDownLatch(N6);
        long t0 = System.nanoTime();
        for (int i = 0; i < N6; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                wg.countDown();
            });
        }
        wg.await();
        return (System.nanoTime() - t0) / 1e6;
    }
}
