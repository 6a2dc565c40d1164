package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.inGoroutine;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.Cond;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import io.gmp4j.xsync.Semaphore;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An interrupted goroutine waits on as if it were not (Go has no interrupts) and keeps its
 * interrupt status, and it waits parked: a JDK virtual thread that interrupts itself also
 * makes its park permit available, so a wait loop that re-asserted the interrupt after every
 * park found the permit at its next park and went round without blocking, a busy loop on its
 * M until the wait ended (found by TortureProg's "interrupts" scenario: goroutines interrupted
 * every millisecond starved their partners for more than 10 s, 2026-12-06). Counted here as
 * the gmp4j waits that returned on any M while one goroutine waits 300 ms: a handful, not
 * millions.
 */
@ExtendWith(GoLeakCheck.class)
class InterruptedWaitTest {
    private static final Duration WAIT = Duration.ofMillis(300);

    private static long parkReturns() {
        long n = 0;
        for (M mp : Sched.allm()) {
            if (mp != null) {
                n += mp.lvParkReturns();
            }
        }
        return n;
    }

    /**
     * The waiter is interrupted before it waits and twice while it waits; {@code setUp} starts
     * whatever ends the wait after WAIT, and {@code waitFor} waits.
     */
    private static void waitsParkedWhenInterrupted(Consumer<Runnable> setUp, Runnable waitFor) {
        withProcs(2, () -> inGoroutine(() -> {
            Chan<Boolean> done = Chan.make(1);
            Chan<Thread> waiting = Chan.make(1);
            long[] returns = new long[1];
            Go.go(() -> {
                Thread me = Thread.currentThread();
                me.interrupt();
                waiting.send(me);
                long before = parkReturns();
                waitFor.run();
                returns[0] = parkReturns() - before;
                done.send(Thread.interrupted());
            });
            Thread waiter = waiting.recv();
            setUp.accept(() -> {
                Time.sleep(Duration.ofMillis(50));
                waiter.interrupt();
                Time.sleep(Duration.ofMillis(50));
                waiter.interrupt();
            });
            assertTrue(done.recv(), "the interrupt status is kept");
            assertTrue(returns[0] < 10_000, returns[0] + " gmp4j waits returned while one goroutine waited "
                    + WAIT.toMillis() + " ms: it spun");
        }));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sleep", "mutex", "waitgroup", "cond", "semaphore", "recv", "select", "goRun"})
    void anInterruptedWaitParks(String kind) {
        int before = Go.numGoroutine();
        switch (kind) {
            case "sleep" -> waitsParkedWhenInterrupted(interrupts -> Go.go(interrupts), () -> Time.sleep(WAIT));
            case "mutex" -> {
                Mutex mu = new Mutex();
                mu.lock();
                waitsParkedWhenInterrupted(interrupts -> Go.go(() -> {
                    interrupts.run();
                    Time.sleep(WAIT);
                    mu.unlock();
                }), () -> {
                    mu.lock();
                    mu.unlock();
                });
            }
            case "waitgroup" -> {
                WaitGroup wg = new WaitGroup();
                wg.add(1);
                waitsParkedWhenInterrupted(interrupts -> Go.go(() -> {
                    interrupts.run();
                    Time.sleep(WAIT);
                    wg.done();
                }), wg::await);
            }
            case "cond" -> {
                Mutex mu = new Mutex();
                Cond cond = new Cond(mu);
                boolean[] ready = new boolean[1];
                waitsParkedWhenInterrupted(interrupts -> Go.go(() -> {
                    interrupts.run();
                    Time.sleep(WAIT);
                    mu.lock();
                    ready[0] = true;
                    cond.broadcast();
                    mu.unlock();
                }), () -> {
                    mu.lock();
                    while (!ready[0]) {
                        cond.await();
                    }
                    mu.unlock();
                });
            }
            case "semaphore" -> {
                Semaphore sem = new Semaphore(1);
                sem.acquire(1);
                waitsParkedWhenInterrupted(interrupts -> Go.go(() -> {
                    interrupts.run();
                    Time.sleep(WAIT);
                    sem.release(1);
                }), () -> {
                    sem.acquire(1);
                    sem.release(1);
                });
            }
            case "recv" -> {
                Chan<Integer> ch = Chan.make(0);
                waitsParkedWhenInterrupted(interrupts -> Go.go(() -> {
                    interrupts.run();
                    Time.sleep(WAIT);
                    ch.send(1);
                }), () -> assertEquals(1, ch.recv()));
            }
            case "select" -> {
                Chan<Integer> a = Chan.make(0);
                Chan<Integer> b = Chan.make(0);
                waitsParkedWhenInterrupted(interrupts -> Go.go(() -> {
                    interrupts.run();
                    Time.sleep(WAIT);
                    b.send(2);
                }), () -> assertEquals(1, Select.select(a.onRecv(v -> { }), b.onRecv(v -> { }))));
            }
            case "goRun" -> waitsParkedWhenInterrupted(interrupts -> Go.go(interrupts),
                    () -> Go.run(() -> Time.sleep(WAIT)));
            default -> throw new IllegalArgumentException(kind);
        }
        io.gmp4j.testing.GoTesting.assertNoLeak(before);
    }
}
