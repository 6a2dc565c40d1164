package io.gmp4j.bench.jmh;

import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** go statement: newproc + run + exit of a G that only calls wg.done() (the W1 hot path). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SpawnBench {
    static final int BATCH = 10_000;

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void gmp4jGo() {
        Go.run(() -> {
            WaitGroup wg = new WaitGroup();
            wg.add(BATCH);
            for (int i = 0; i < BATCH; i++) {
                Go.go(wg::done);
            }
            wg.await();
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void jdkVirtualThread() throws InterruptedException {
        CountDownLatch wg = new CountDownLatch(BATCH);
        for (int i = 0; i < BATCH; i++) {
            Thread.ofVirtual().start(wg::countDown);
        }
        wg.await();
    }
}
