package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.testing.GoTesting.inGoroutine;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Go's time slice: a pair of goroutines that hand the P to each other through runnext shares
 * one slice (inheritTime), and sysmon preempts it, so nothing else on the P waits forever
 * (proc_test.go: TestPingPongHog; time/sleep_test.go: TestAfterFuncStarvation).
 */
@ExtendWith(GoLeakCheck.class)
class TimeSliceTest {

    /** The reproduction of the issue: a 10 ms sleep beside an unbuffered ping-pong pair. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void sleeperRunsBesidePingPongPair(int procs) {
        int before = Go.numGoroutine();
        withProcs(procs, () -> inGoroutine(() -> {
            for (int round = 0; round < 10; round++) {
                AtomicBoolean stop = new AtomicBoolean();
                Chan<Integer> a = Chan.make(0), b = Chan.make(0);
                WaitGroup wg = new WaitGroup();
                wg.add(2);
                Go.go(() -> {
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
                    for (Integer v; (v = b.recv()) != null; ) {
                        a.send(v + 1);
                    }
                    a.close();
                    wg.done();
                });
                a.send(0);
                long t = System.nanoTime();
                Time.sleep(Duration.ofMillis(10));
                long ms = (System.nanoTime() - t) / 1_000_000;
                stop.set(true);
                wg.await();
                // Go: 10-20 ms. The bound is for a loaded 2-core machine; before the time
                // slice this sleep never returned at GOMAXPROCS=1.
                assertTrue(ms < 1000, "10 ms sleep took " + ms + " ms beside a ping-pong pair at GOMAXPROCS=" + procs);
            }
        }));
        assertNoLeak(before);
    }

    // proc_test.go: TestPingPongHog
    /**
     * A heavy and a light pair at GOMAXPROCS=1: each pair keeps the P through runnext, so
     * without a shared time slice one pair runs and the other starves. Their work counts must
     * stay within a factor of 20. The heavy pair's round is ~1 ms of work the JIT cannot fold
     * away (Go's 1e6 increments), the light pair's ~1 us (Go's 1e3).
     */
    @RepeatedTest(10)
    void pingPongHog() {
        int before = Go.numGoroutine();
        // Go compiles ahead of time; here the first round runs the light pair's channel code
        // interpreted (23x in one cold run), so a round untimed first lets the JIT catch up.
        if (!warm) {
            pingPongHogRound(false);
            warm = true;
        }
        pingPongHogRound(true);
        assertNoLeak(before);
    }

    private static boolean warm;

    private static void pingPongHogRound(boolean check) {
        withProcs(1, () -> inGoroutine(() -> {
            Chan<Boolean> done = Chan.make(0);
            Chan<Boolean> hogChan = Chan.make(0), lightChan = Chan.make(0);
            AtomicLong hogCount = new AtomicLong(), lightCount = new AtomicLong();
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 2; i++) {
                wg.add(2);
                Go.go(() -> pingPongRun(1_000_000, hogCount, hogChan, done, wg));
                Go.go(() -> pingPongRun(1_000, lightCount, lightChan, done, wg));
            }
            hogChan.send(true);
            lightChan.send(true);
            Time.sleep(Duration.ofMillis(100));
            done.close();
            hogChan.recv();
            lightChan.recv();
            wg.await();
            long h = hogCount.get(), l = lightCount.get();
            assertTrue(!check || h > 0 && l > 0 && h / l <= 20 && l / h <= 20,
                    "want hogCount/lightCount in [1/20, 20]; got " + h + "/" + l);
        }));
    }

    static volatile long sink;

    private static void pingPongRun(int limit, AtomicLong counter, Chan<Boolean> wake, Chan<Boolean> done, WaitGroup wg) {
        try {
            boolean[] stop = {false};
            while (!stop[0]) {
                Select.select(
                        done.onRecv(v -> stop[0] = true),
                        wake.onRecv(v -> {
                            long x = sink | 1;
                            for (int i = 0; i < limit; i++) { // xorshift: a dependent chain, ~1 ns a step
                                x ^= x << 13;
                                x ^= x >>> 7;
                                x ^= x << 17;
                            }
                            sink = x;
                            counter.addAndGet(limit);
                            wake.send(true);
                        }));
            }
        } finally {
            wg.done();
        }
    }

    // time/sleep_test.go (Go 1.22): TestAfterFuncStarvation
    /**
     * Two goroutines ping-pong on a channel of capacity 1 at GOMAXPROCS=1, so one of them is
     * always runnable; an afterFunc must still run and stop them.
     */
    @RepeatedTest(10)
    void afterFuncStarvation() {
        int before = Go.numGoroutine();
        withProcs(1, () -> inGoroutine(() -> {
            WaitGroup wg = new WaitGroup();
            AtomicBoolean stop = new AtomicBoolean();
            Chan<Boolean> c = Chan.make(1);
            wg.add(2);
            for (int i = 0; i < 2; i++) {
                Go.go(() -> {
                    while (!stop.get()) {
                        c.send(true);
                        c.recv();
                    }
                    wg.done();
                });
            }
            Time.afterFunc(Duration.ofNanos(1000), () -> stop.set(true));
            wg.await();
        }));
        assertNoLeak(before);
    }
}
