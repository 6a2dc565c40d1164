package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's sync/cond_test.go. */
@ExtendWith(GoLeakCheck.class)
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
                GoTesting.awaitTrue("one waiter woken", () -> awake.get() == want);
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
                GoTesting.awaitTrue("waiter " + i, () -> {
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
                GoTesting.awaitTrue("all woke in round " + round, () -> awake.get() == want);
            }
            wg.await();
        });
    }

    /**
     * Issue 12 item 6: await without the lock panics (Mutex.unlock's "sync: unlock of unlocked
     * mutex") and leaves no ticket behind: the next signal reaches the real waiter. Go's Unlock
     * is fatal there; ours is a GoPanic, so the Cond must stay usable after it.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void awaitWithoutLockLeavesNoTicket(int procs) {
        runG(procs, () -> {
            Mutex m = new Mutex();
            Cond c = new Cond(m);
            io.gmp4j.GoPanic p = assertThrows(io.gmp4j.GoPanic.class, c::await);
            assertEquals("sync: unlock of unlocked mutex", p.getMessage());
            AtomicInteger awake = new AtomicInteger();
            WaitGroup entered = new WaitGroup();
            entered.add(1);
            WaitGroup done = new WaitGroup();
            done.add(1);
            Go.go(() -> {
                m.lock();
                entered.done();
                c.await();
                awake.incrementAndGet();
                m.unlock();
                done.done();
            });
            entered.await();
            m.lock(); // the waiter has its ticket and released m
            c.signal();
            m.unlock();
            done.await(); // hung here when the stale ticket took the signal
            assertEquals(1, awake.get());
        });
    }

    /**
     * A signal counted against the misused await's ticket (it came while the failing unlock ran)
     * goes on to the next waiter instead of vanishing with the ticket.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void signalOwedToCancelledTicketPassesOn(int procs) {
        runG(procs, () -> {
            Mutex m = new Mutex();
            WaitGroup entered = new WaitGroup();
            entered.add(1);
            WaitGroup done = new WaitGroup();
            done.add(1);
            Cond[] c = new Cond[1];
            Locker failsFirst = new Locker() {
                int calls;

                @Override
                public void lock() {
                    m.lock();
                }

                @Override
                public void unlock() {
                    if (calls++ > 0) {
                        m.unlock();
                        return;
                    }
                    // The misuser holds ticket 0. A real waiter takes ticket 1, then a signal
                    // is made: notify passes 0, the misuser's ticket.
                    Go.go(() -> {
                        m.lock();
                        entered.done();
                        c[0].await();
                        m.unlock();
                        done.done();
                    });
                    entered.await();
                    m.lock(); // the waiter has ticket 1 and released m
                    m.unlock();
                    c[0].signal();
                    throw new io.gmp4j.GoPanic("misuse");
                }
            };
            c[0] = new Cond(failsFirst);
            assertThrows(io.gmp4j.GoPanic.class, c[0]::await);
            done.await(); // hung here when the signal stayed with ticket 0
        });
    }
}
