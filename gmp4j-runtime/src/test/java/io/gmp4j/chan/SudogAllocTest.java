package io.gmp4j.chan;

import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;

import static io.gmp4j.chan.ChanExport.inGo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plain blocking sends and receives reuse their sudogs (proc.go: acquireSudog/releaseSudog,
 * per M here): heap allocated per operation, counted by the JVM over every thread. Without the
 * cache a W2 round trip allocated two sudogs (112 bytes). The bound leaves room for allocation
 * by other threads meanwhile.
 */
@ExtendWith(GoLeakCheck.class)
class SudogAllocTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final int N = 200_000;

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void unbufferedPingPongAllocatesNoSudogs(int procs) {
        inGo(procs, r -> {
            Chan<Integer> ping = Chan.make(0), pong = Chan.make(0);
            Chan<Boolean> done = Chan.make(1);
            r.go(() -> {
                for (int i = 0; i < 2 * N; i++) {
                    pong.send(ping.recv());
                }
                done.send(true);
            });
            for (int i = 0; i < N; i++) { // warm-up: JIT, the Ms' caches
                ping.send(i & 127);
                pong.recv();
            }
            long before = THREADS.getTotalThreadAllocatedBytes();
            for (int i = 0; i < N; i++) {
                ping.send(i & 127);
                pong.recv();
            }
            double perOp = (THREADS.getTotalThreadAllocatedBytes() - before) / (double) N;
            done.recv();
            assertTrue(perOp < 24, "bytes allocated per round trip: " + perOp);
        });
    }
}
