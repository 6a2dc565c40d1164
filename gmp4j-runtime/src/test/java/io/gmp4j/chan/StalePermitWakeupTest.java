package io.gmp4j.chan;

import io.gmp4j.internal.runtime.HandoffSpin;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import static io.gmp4j.chan.ChanExport.inGo;
import static io.gmp4j.chan.ChanExport.scaled;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A wake-up must survive a stale park permit. Anyone may unpark a goroutine's thread (a
 * user's LockSupport.unpark, a partner whose hand-off the waiter saw before it parked), and
 * the JDK's unpark returns at once when it reads the permit already set. The waker's store
 * of the wake condition (sudog.done, a select's param) must therefore be ordered before that
 * read: with only a release store, x86 let the read pass it, the waiter consumed the stale
 * permit, read "not done" and parked for good (found 2026-12-04 with W7 and senders that
 * spun before parking: two hangs in three runs). Here a platform thread unparks the
 * goroutines of a select fan-in and of a ping-pong pair at random while they run; every
 * value must arrive.
 */
@ExtendWith(GoLeakCheck.class)
class StalePermitWakeupTest {

    /**
     * The shape that found it: W7 (two senders, one select) with senders that spin before they
     * park (HandoffSpin, forced on here), so that a sender often sees its hand-off done before the
     * receiver's unpark arrives and carries that stale permit into its next send. Before the
     * fence in Park.ready the bench's W7 child hung in two of three processes (12 runs of a
     * million messages each) and in none of three with it; in this test JVM the hang is
     * rarer (6 million messages passed without the fence once), so this is a stress test
     * of the path, not a reliable reproducer.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void selectFanInWithSpinningSendersNeverHangs(int procs) {
        int n = scaled(1_000_000);
        HandoffSpin.alwaysOnForTests(true); // the timings would turn spinning off on a slow machine
        try {
            for (int round = 0; round < 2; round++) {
                inGo(procs, r -> {
                    Chan<Integer> a = Chan.make(0), b = Chan.make(0);
                    for (Chan<Integer> c : List.of(a, b)) {
                        r.go(() -> {
                            for (int i = 0; i < n / 2; i++) {
                                c.send(i);
                            }
                        });
                    }
                    long[] got = new long[2];
                    for (int i = 0; i < n / 2 * 2; i++) {
                        Select.select(a.onRecv(v -> got[0]++), b.onRecv(v -> got[1]++));
                    }
                    assertEquals(n / 2, got[0]);
                    assertEquals(n / 2, got[1]);
                });
            }
        } finally {
            HandoffSpin.alwaysOnForTests(false);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 8})
    void everyWakeupArrivesDespiteSpuriousUnparks(int procs) throws Exception {
        int n = scaled(200_000);
        List<Thread> gs = new CopyOnWriteArrayList<>();
        Thread[] unparker = new Thread[1];
        inGo(procs, r -> {
            Chan<Integer> a = Chan.make(0), b = Chan.make(0), ping = Chan.make(0), pong = Chan.make(0);
            Chan<Boolean> done = Chan.make(4);
            for (Chan<Integer> c : List.of(a, b)) {
                r.go(() -> {
                    gs.add(Thread.currentThread());
                    for (int i = 0; i < n; i++) {
                        c.send(i);
                    }
                    done.send(true);
                });
            }
            r.go(() -> {
                gs.add(Thread.currentThread());
                long[] got = new long[2];
                for (int i = 0; i < 2 * n; i++) {
                    Select.select(a.onRecv(v -> got[0]++), b.onRecv(v -> got[1]++));
                }
                assertEquals(n, got[0]);
                assertEquals(n, got[1]);
                done.send(true);
            });
            r.go(() -> {
                gs.add(Thread.currentThread());
                for (int i = 0; i < n; i++) {
                    pong.send(ping.recv());
                }
                done.send(true);
            });
            gs.add(Thread.currentThread());
            unparker[0] = Thread.ofPlatform().name("spurious-unparker").daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    for (Thread t : gs) {
                        LockSupport.unpark(t);
                    }
                    Thread.onSpinWait();
                }
            });
            try {
                for (int i = 0; i < n; i++) {
                    ping.send(i);
                    assertEquals(i, pong.recv());
                }
                for (int i = 0; i < 4; i++) {
                    done.recv();
                }
            } finally {
                unparker[0].interrupt();
            }
        });
        unparker[0].join();
    }

    /**
     * Sudog.parking's Dekker pair: a waiter whose spin runs out announces its park and
     * re-checks done, while its waker stores done and then reads the announcement; a waker
     * that reads it unset does not unpark. Partners that answer after a random 0-4 us make
     * spins run out just as the hand-off lands, in both orders; a lost wake-up hangs a pair
     * (inGo fails with a dump). Every value must arrive in order.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void aSpinThatRunsOutAsItsPartnerArrivesStillWakes(int procs) {
        int n = scaled(100_000);
        HandoffSpin.alwaysOnForTests(true);
        try {
            inGo(procs, r -> {
                for (int p = 0; p < procs; p++) {
                    long seed = p * 31L + procs;
                    Chan<Integer> ping = Chan.make(0), pong = Chan.make(0);
                    r.go(() -> {
                        for (int i = 0; i < n; i++) {
                            int v = ping.recv();
                            busy(v);
                            pong.send(v);
                        }
                    });
                    r.go(() -> {
                        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                        for (int i = 0; i < n; i++) {
                            int v = rnd.nextInt(4_000);
                            ping.send(v);
                            busy(v / 2);
                            assertEquals(v, pong.recv());
                        }
                    });
                }
            });
        } finally {
            HandoffSpin.alwaysOnForTests(false);
        }
    }

    /** Spins for about {@code nanos}. */
    private static void busy(int nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
