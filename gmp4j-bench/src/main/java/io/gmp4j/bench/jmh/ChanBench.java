package io.gmp4j.bench.jmh;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Channel send/recv: unbuffered round trip between two Gs (park/unpark on every op, the W2
 * path), buffered stream through cap 128 (mostly the lock-free/locked buffer path, W3), and
 * uncontended buffered send+recv on one G (no parking at all: the pure fast path).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChanBench {
    static final int BATCH = 100_000;
    static final Integer ONE = 1;

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void unbufferedRoundTrip() {
        Go.run(() -> {
            Chan<Integer> ping = Chan.make(0);
            Chan<Integer> pong = Chan.make(0);
            Go.go(() -> {
                for (int i = 0; i < BATCH; i++) {
                    pong.send(ping.recv());
                }
            });
            for (int i = 0; i < BATCH; i++) {
                ping.send(ONE);
                pong.recv();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void jdkSynchronousQueueRoundTrip() throws InterruptedException {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        Thread echo = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < BATCH; i++) {
                    pong.put(ping.take());
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < BATCH; i++) {
                    ping.put(ONE);
                    pong.take();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).join();
        echo.join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void bufferedStream(Blackhole bh) {
        Go.run(() -> {
            Chan<Integer> ch = Chan.make(128);
            Go.go(() -> {
                for (int i = 0; i < BATCH; i++) {
                    ch.send(ONE);
                }
                ch.close();
            });
            for (Integer v : ch) {
                bh.consume(v);
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void bufferedSendRecvOneG(Blackhole bh) {
        Go.run(() -> {
            Chan<Integer> ch = Chan.make(1);
            for (int i = 0; i < BATCH; i++) {
                ch.send(ONE);
                bh.consume(ch.recv());
            }
        });
    }
}
