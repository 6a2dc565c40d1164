package io.gmp4j.bench.jmh;

import io.gmp4j.Go;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * sync.Mutex: uncontended lock/unlock on one G (the CAS fast path), and 8 Gs contending
 * (the W8 path: spinning, semaphore parking, starvation mode), each against ReentrantLock on
 * virtual threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MutexBench {
    static final int BATCH = 1_000_000;
    static final int WORKERS = 8;

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long gmp4jUncontended() {
        long[] counter = new long[1];
        Go.run(() -> {
            Mutex mu = new Mutex();
            for (int i = 0; i < BATCH; i++) {
                mu.lock();
                counter[0]++;
                mu.unlock();
            }
        });
        return counter[0];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long gmp4jContended() {
        long[] counter = new long[1];
        Go.run(() -> {
            Mutex mu = new Mutex();
            WaitGroup wg = new WaitGroup();
            wg.add(WORKERS);
            for (int w = 0; w < WORKERS; w++) {
                Go.go(() -> {
                    for (int i = 0; i < BATCH / WORKERS; i++) {
                        mu.lock();
                        counter[0]++;
                        mu.unlock();
                    }
                    wg.done();
                });
            }
            wg.await();
        });
        return counter[0];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long jdkReentrantLockContended() throws InterruptedException {
        long[] counter = new long[1];
        ReentrantLock mu = new ReentrantLock();
        CountDownLatch wg = new CountDownLatch(WORKERS);
        for (int w = 0; w < WORKERS; w++) {
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < BATCH / WORKERS; i++) {
                    mu.lock();
                    counter[0]++;
                    mu.unlock();
                }
                wg.countDown();
            });
        }
        wg.await();
        return counter[0];
    }
}
