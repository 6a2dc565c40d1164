package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import io.gmp4j.time.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ports of the sync/cond_test.go tests that {@link CondTest} does not cover. */
@ExtendWith(GoLeakCheck.class)
class CondPortTest {

    /**
     * cond_test.go: TestRace. Three goroutines hand x from 1 to 2 to 3 through one Cond; each
     * waiter sees the value its waker set before signalling.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void race(int procs) {
        runG(procs, () -> {
            for (int iter = 0; iter < 20; iter++) {
                int[] x = {0};
                Cond c = new Cond(new Mutex());
                Locker l = c.locker();
                Chan<Boolean> done = Chan.make(0);
                ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
                Go.go(() -> {
                    l.lock();
                    x[0] = 1;
                    c.await();
                    if (x[0] != 2) {
                        errors.add("want 2, got " + x[0]);
                    }
                    x[0] = 3;
                    c.signal();
                    l.unlock();
                    done.send(true);
                });
                Go.go(() -> {
                    l.lock();
                    for (;;) {
                        if (x[0] == 1) {
                            x[0] = 2;
                            c.signal();
                            break;
                        }
                        l.unlock();
                        Go.gosched();
                        l.lock();
                    }
                    l.unlock();
                    done.send(true);
                });
                Go.go(() -> {
                    l.lock();
                    for (;;) {
                        if (x[0] == 2) {
                            c.await();
                            if (x[0] != 3) {
                                errors.add("want 3, got " + x[0]);
                            }
                            break;
                        }
                        if (x[0] == 3) {
                            break;
                        }
                        l.unlock();
                        Go.gosched();
                        l.lock();
                    }
                    l.unlock();
                    done.send(true);
                });
                done.recv();
                done.recv();
                done.recv();
                assertTrue(errors.isEmpty(), errors.toString());
            }
        });
    }

    /**
     * cond_test.go: TestCondSignalStealing. A waiter is known to be in await; then a broadcast
     * races with a new waiter. The new one may or may not be woken, but the first one must be:
     * the new waiter must not steal its wake-up. 300 iterations (Go: 1000).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void condSignalStealing(int procs) {
        runG(procs, () -> {
            for (int iter = 0; iter < 300; iter++) {
                Mutex m = new Mutex();
                Cond cond = new Cond(m);
                Chan<Boolean> ch = Chan.make(0);
                Go.go(() -> {
                    m.lock();
                    ch.send(true);
                    cond.await();
                    m.unlock();
                    ch.send(true);
                });
                ch.recv();
                m.lock(); // the waiter released m inside await: it is waiting
                m.unlock();
                boolean[] done = {false};
                Go.go(cond::broadcast);
                Go.go(() -> {
                    m.lock();
                    while (!done[0]) {
                        cond.await();
                    }
                    m.unlock();
                });
                Timer t = Time.newTimer(Duration.ofSeconds(5));
                int chosen = Select.select(ch.onRecv(v -> {}), t.c().onRecv(v -> {}));
                t.stop();
                assertEquals(0, chosen, "iteration " + iter + ": first waiter didn't get broadcast");
                // Release the second waiter in case it didn't get the broadcast.
                m.lock();
                done[0] = true;
                m.unlock();
                cond.broadcast();
            }
        });
    }
}
