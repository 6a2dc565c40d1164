package io.gmp4j.bench.jmh;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * select: over two unbuffered channels fed by two producers (blocking select, the W7 path),
 * a non-blocking select with a default case on a ready buffered channel, and a select over two
 * buffered channels one of which is ready (selectgo's pass 1 for W7's shape, without the G
 * switch: docs/BENCHMARKS.md compares it with Go's).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SelectBench {
    static final int BATCH = 100_000;
    static final Integer ONE = 1;

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long selectTwoUnbuffered() {
        long[] got = new long[1];
        Go.run(() -> {
            Chan<Integer> a = Chan.make(0);
            Chan<Integer> b = Chan.make(0);
            for (Chan<Integer> ch : java.util.List.of(a, b)) {
                Go.go(() -> {
                    for (int i = 0; i < BATCH / 2; i++) {
                        ch.send(ONE);
                    }
                });
            }
            Consumer<Integer> count = v -> got[0] += v;
            for (int i = 0; i < BATCH / 2 * 2; i++) {
                Select.select(a.onRecv(count), b.onRecv(count));
            }
        });
        return got[0];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long selectReadyWithDefault() {
        long[] got = new long[1];
        Go.run(() -> {
            Chan<Integer> ch = Chan.make(1);
            Consumer<Integer> count = v -> got[0] += v;
            Runnable none = () -> got[0]--;
            for (int i = 0; i < BATCH; i++) {
                ch.send(ONE);
                Select.select(ch.onRecv(count), Select.onDefault(none));
            }
        });
        return got[0];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long selectOneOfTwoReady() {
        long[] got = new long[1];
        Go.run(() -> {
            Chan<Integer> a = Chan.make(1);
            Chan<Integer> b = Chan.make(1);
            Consumer<Integer> fromA = v -> got[0] += v;
            Consumer<Integer> fromB = v -> got[0] -= v;
            for (int i = 0; i < BATCH; i++) {
                a.send(ONE);
                Select.select(a.onRecv(fromA), b.onRecv(fromB));
            }
        });
        return got[0];
    }
}
