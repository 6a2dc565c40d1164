package io.gmp4j.sync;

import static io.gmp4j.sync.GoTestSupport.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ports of Go's sync/cond_test.go. */
class CondTest {

    /** cond_test.go: TestCondSignal. Each signal wakes exactly one waiter. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void signal(int procs) {
        runG(procs, () -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            int n = 2;
            AtomicInteger running = new AtomicInteger();
            AtomicInteger awake = new AtomicInteger();
            WaitGroup started = new WaitGroup();
            started.add(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    m.lock();
                    running.incrementAndGet();
                    started.done();
                    c.await();
                    awake.incrementAndGet();
                    m.unlock();
                });
            }
            started.await(); // each waiter took its ticket before releasing m
            m.lock(); // ... and all are parked or past unlock
            m.unlock();
            for (int k = 1; k <= n; k++) {
                assertTrue(awake.get() < k, "goroutine not asleep");
                m.lock();
                c.signal();
                m.unlock();
                int want = k;
                GoTestSupport.awaitTrue("one waiter woken", () -> awake.get() == want);
                assertEquals(k, awake.get(), "too many goroutines awake");
            }
            c.signal(); // no waiters: a no-op
        });
    }

    /** cond_test.go: TestCondSignalGenerations. Signals wake waiters in await order. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void signalGenerations(int procs) {
        runG(procs, () -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            int n = 50;
            List<Integer> woke = new ArrayList<>();
            WaitGroup wg = new WaitGroup();
            wg.add(n);
            for (int i = 0; i < n; i++) {
                int id = i;
                WaitGroup entered = new WaitGroup();
                entered.add(1);
                Go.go(() -> {
                    m.lock();
                    entered.done();
                    c.await();
                    woke.add(id);
                    m.unlock();
                    wg.done();
                });
                entered.await();
                m.lock(); // waiter i has its ticket and released m
                m.unlock();
            }
            for (int i = 0; i < n; i++) {
                m.lock();
                c.signal();
                m.unlock();
                int want = i + 1;
                GoTestSupport.awaitTrue("waiter " + i, () -> {
                    m.lock();
                    try {
                        return woke.size() == want;
                    } finally {
                        m.unlock();
                    }
                });
            }
            wg.await();
            for (int i = 0; i < n; i++) {
                assertEquals(i, woke.get(i), "wake-up order");
            }
        });
    }

    /** cond_test.go: TestCondBroadcast. Broadcast wakes every waiter, repeatedly. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void broadcast(int procs) {
        runG(procs, () -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            int n = 20;
            int[] generation = {0};
            AtomicInteger awake = new AtomicInteger();
            WaitGroup wg = new WaitGroup();
            wg.add(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    m.lock();
                    for (int round = 0; round < 5; round++) {
                        while (generation[0] <= round) {
                            c.await();
                        }
                        awake.incrementAndGet();
                    }
                    m.unlock();
                    wg.done();
                });
            }
            for (int round = 0; round < 5; round++) {
                m.lock();
                generation[0]++;
                c.broadcast();
                m.unlock();
                int want = (round + 1) * n;
                GoTestSupport.awaitTrue("all woke in round " + round, () -> awake.get() == want);
            }
            wg.await();
        });
    }
}
