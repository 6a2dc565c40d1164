package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.testing.GoTesting.inGoroutine;
import static io.gmp4j.testing.GoTesting.scaled;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GOMAXPROCS changed at run time while the Ps are busy: every call returns, no timer is left on
 * a retired P (including timers armed from platform threads, hashed onto a P by thread id), and
 * the scheduler is healthy afterwards.
 */
@ExtendWith(GoLeakCheck.class)
class GomaxprocsUnderLoadTest {

    static volatile long sink;

    private static void work(int steps) {
        long x = sink | 1;
        for (int i = 0; i < steps; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        sink = x;
    }

    /** Timers on Ps at or above GOMAXPROCS: must be none once the Ms have left them. */
    private static int timersOnRetiredPs() {
        int n = 0;
        P[] allp = Sched.allp;
        for (int i = Sched.gomaxprocs; i < allp.length; i++) {
            n += allp[i].timers.size();
        }
        return n;
    }

    /** Timers on every P, retired or not. */
    private static int timersOnAllPs() {
        int n = 0;
        for (P pp : Sched.allp) {
            n += pp.timers.size();
        }
        return n;
    }

    /**
     * Shrinking GOMAXPROCS retires idle Ps that hold timers: the timers move to P0 and an M must
     * be woken for them, after sched.lock is dropped (a wakep under it deadlocked on the
     * non-reentrant lock; the suite's -ea turned that into a fatal error in this class).
     */
    @Test
    void shrinkRetiresIdlePsHoldingTimersAndTheTimersStillFire() {
        int before = Go.numGoroutine();
        for (int round = 0; round < scaled(20); round++) {
            withProcs(4, () -> inGoroutine(() -> {
                int n = 16;
                WaitGroup woke = new WaitGroup();
                woke.add(n);
                for (int i = 0; i < n; i++) {
                    Go.go(() -> {
                        Time.sleep(Duration.ofMillis(20));
                        woke.done();
                    });
                }
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (timersOnAllPs() < n && System.nanoTime() < deadline) {
                    Go.gosched(); // until every sleeper has armed its timer, on whichever P ran it
                }
                long t0 = System.nanoTime();
                Go.gomaxprocs(1);
                woke.await();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 5_000, "sleepers of 20 ms woke after " + ms + " ms");
                assertEquals(0, timersOnRetiredPs(), "timers left on retired Ps");
            }));
        }
        assertNoLeak(before);
    }

    @Test
    void resizeBesideBusyGoroutinesAndTimerArmers() {
        int before = Go.numGoroutine();
        withProcs(2, () -> inGoroutine(() -> {
            AtomicBoolean stop = new AtomicBoolean();
            WaitGroup busy = new WaitGroup();
            int nbusy = scaled(1000);
            for (int i = 0; i < nbusy; i++) {
                busy.add(1);
                int k = i;
                Go.go(() -> {
                    try {
                        while (!stop.get()) {
                            work(20_000); // ~20 us
                            if (k % 20 != 0) {
                                Go.gosched();
                            } else {
                                Time.sleep(Duration.ofMillis(10)); // 50 sleepers: 10 % of a P
                            }
                        }
                    } finally {
                        busy.done();
                    }
                });
            }

            try {
                resizeAndCheck(stop, busy);
            } finally {
                stop.set(true);
                busy.await();
            }
        }));
        assertNoLeak(before);
    }

    /** The resizes and their checks; the caller stops the busy goroutines whatever happens. */
    private static void resizeAndCheck(AtomicBoolean stop, WaitGroup busy) {
        // Timers armed from platform threads (hashed onto a P by thread id) while the Ps change.
        AtomicInteger late = new AtomicInteger();
        List<Thread> armers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            armers.add(Thread.ofPlatform().daemon().start(() -> {
                for (int j = 0; j < 100; j++) {
                    long t = System.nanoTime();
                    Time.sleep(Duration.ofMillis(1));
                    if (System.nanoTime() - t > 5_000_000_000L) {
                        late.incrementAndGet();
                    }
                }
            }));
        }

        long t0 = System.nanoTime();
        WaitGroup callers = new WaitGroup();
        int calls = scaled(1000);
        for (int i = 0; i < 4; i++) {
            callers.add(1);
            Go.go(() -> {
                try {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int j = 0; j < calls / 4; j++) {
                        Go.gomaxprocs(1 + r.nextInt(8));
                    }
                } finally {
                    callers.done();
                }
            });
        }
        callers.await();
        long callsMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(callsMs < 60_000, calls + " gomaxprocs calls took " + callsMs + " ms");

        for (Thread t : armers) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertTrue(!t.isAlive(), "a platform thread's sleeps did not all return within 60 s\n" + Go.stack(true));
        }
        assertEquals(0, late.get(), "1 ms sleeps from platform threads that took over 5 s");

        Go.gomaxprocs(2);
        long t1 = System.nanoTime();
        Time.sleep(Duration.ofSeconds(1));
        long sleptMs = (System.nanoTime() - t1) / 1_000_000;
        assertTrue(sleptMs >= 1000 && sleptMs < 3000, "a 1 s sleep after the resizes took " + sleptMs + " ms");

        stop.set(true);
        busy.await();
        Go.gomaxprocs(1);
        // Every P above GOMAXPROCS=1 is retired once its M schedules; its timers are on P0.
        Chan<Boolean> tick = Chan.make(0);
        for (int i = 0; i < 100 && timersOnRetiredPs() != 0; i++) {
            Time.afterFunc(Duration.ofMillis(10), () -> tick.trySend(true));
            tick.recv();
        }
        assertEquals(0, timersOnRetiredPs(), "timers left on retired Ps");
    }

    /** An idle runtime: a call that changes GOMAXPROCS is cheap, one that does not is free. */
    @Test
    void idleResizesReturn() {
        withProcs(2, () -> inGoroutine(() -> {
            long t = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                Go.gomaxprocs(1 + i % 3);
            }
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertTrue(ms < 20_000, "1000 idle gomaxprocs calls took " + ms + " ms");
            Go.gomaxprocs(2);
            assertEquals(2, Go.gomaxprocs(3), "gomaxprocs(n) returns the previous value");
            assertEquals(3, Go.gomaxprocs(2), "gomaxprocs(n) returns the previous value");
            assertEquals(2, Go.gomaxprocs(0), "gomaxprocs(0) reads");
        }));
    }

    // proc_test.go: TestPreemption, at GOMAXPROCS=1 set at run time from 2.
    @Test
    void preemptionAfterShrink() {
        int before = Go.numGoroutine();
        withProcs(2, () -> inGoroutine(() -> {
            Go.gomaxprocs(1);
            int n = 5;
            AtomicInteger x = new AtomicInteger();
            Chan<Boolean> c = Chan.make(0);
            for (int g = 0; g < 2; g++) {
                int me = g;
                Go.go(() -> {
                    for (int i = 0; i < n; i++) {
                        while (x.get() != me) {
                            Thread.onSpinWait(); // a call-free loop: Go's preempt() has no gmp4j call here
                        }
                        x.set(1 - me);
                    }
                    c.send(true);
                });
            }
            c.recv();
            c.recv();
        }));
        assertNoLeak(before);
    }

    /**
     * procresize retires the idle Ps above the new limit in one pass over the idle list. It
     * used to unlink each from that list by a scan from its head, with sched.lock held: a shrink
     * from 40,000 Ps (Go sets no upper limit) walked about 8 * 10^8 links and stopped every M
     * for 20-30 s on the 2-core CI machine (30,000 Ps: 15 s). In a child JVM: Sched.allp keeps
     * every P it ever had, which sysmon visits each tick.
     */
    @Test
    void shrinkFromManyPsIsLinear() {
        GoTesting.Child c = GoTesting.runChild("io.gmp4j.testprog.SchedProg", List.of(), List.of(), 120, "shrinkFromManyPs");
        assertEquals(0, c.exitCode(), c.stderr());
        String out = c.stdout().strip();
        assertTrue(out.matches("shrink \\d+ ms, then ran"), out);
        long ms = Long.parseLong(out.split(" ")[1]);
        assertTrue(ms < 5_000, "shrinking GOMAXPROCS from 40,000 to 2 took " + ms + " ms");
    }

    /**
     * Lowering GOMAXPROCS drops the dead Ps at the end of allp, as Go's procresize cuts allp to
     * nprocs, keeping their latency counts and steals in the sums. allp used to keep every P
     * ever made, and sysmon and checkdead visit each at every tick: after 100,000 -> 2, an idle
     * program used 790 ms of CPU in 2 s (50 ms without the detour).
     */
    @Test
    void loweringGomaxprocsDropsTheDeadPs() {
        int prev = Go.gomaxprocs(0);
        try {
            Go.gomaxprocs(5_000);
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 200; i++) {
                wg.go(() -> Time.sleep(Duration.ofMillis(1)));
            }
            wg.await();
            long lat = sum(TimeHist.schedLatencies());
            long steals = sum(Procs.steals());
            Go.gomaxprocs(2);
            GoTesting.awaitTrue("allp cut to GOMAXPROCS 2", () -> Sched.allp.length == 2);
            assertTrue(sum(TimeHist.schedLatencies()) >= lat, "/sched/latencies counts fell");
            assertTrue(sum(Procs.steals()) >= steals, "steals fell");
            Chan<Integer> c = Chan.make(0);
            Go.go(() -> c.send(1));
            assertEquals(1, c.recv());
        } finally {
            Go.gomaxprocs(prev);
        }
    }

    /**
     * /sched/latencies and the steals are sums that never fall while GOMAXPROCS goes up and
     * down under load: a dropped P's counts move from allp to Sched.dropped* in one step for a
     * reader. The readers took allp and the dropped sums in two racy reads (latencies: the
     * dropped first, then allp; steals: the other way), so a trim in between lost a dropped P's
     * counts (a sum fell) or counted them twice (and fell at the next read).
     */
    @Test
    void countSumsNeverFallWhileGomaxprocsMoves() throws Exception {
        int prev = Go.gomaxprocs(0);
        int before = Go.numGoroutine();
        AtomicBoolean stop = new AtomicBoolean();
        WaitGroup wg = new WaitGroup();
        try {
            for (int i = 0; i < 8; i++) {
                wg.go(() -> {
                    Chan<Integer> c = Chan.make(0);
                    Go.go(() -> {
                        while (c.recv() != 0) {
                            work(200);
                        }
                    });
                    while (!stop.get()) {
                        c.send(1);
                        Time.sleep(Duration.ofNanos(50_000));
                    }
                    c.send(0);
                });
            }
            wg.go(() -> {
                while (!stop.get()) {
                    Go.gomaxprocs(16);
                    Time.sleep(Duration.ofMillis(1));
                    Go.gomaxprocs(2);
                    Time.sleep(Duration.ofMillis(1));
                }
            });
            long lat = 0, steals = 0;
            long end = System.nanoTime() + scaled(2) * 1_000_000_000L;
            while (System.nanoTime() - end < 0) {
                long l = sum(TimeHist.schedLatencies());
                long s = sum(Procs.steals());
                assertTrue(l >= lat, "/sched/latencies counts fell from " + lat + " to " + l);
                assertTrue(s >= steals, "steals fell from " + steals + " to " + s);
                lat = l;
                steals = s;
            }
        } finally {
            stop.set(true);
            wg.await();
            Go.gomaxprocs(prev);
        }
        assertNoLeak(before);
    }

    private static long sum(long[] a) {
        return java.util.Arrays.stream(a).sum();
    }
}
