package io.gmp4j.time;

import static io.gmp4j.testing.GoTesting.runG;
import static io.gmp4j.testing.GoTesting.scaled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.internal.runtime.Export;
import io.gmp4j.internal.runtime.RuntimeTimer;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Go 1.23's synchronous timer channels (asynctimerchan=0) as a poll sees them. A receive or a
 * select on a timer's channel first runs the timer if it is due (chan.go: chanrecv and
 * select.go: selectgo call c.timer.maybeRunChan), so a poll right after the deadline finds the
 * value whether or not the scheduler got to the timer yet; and the channel reports len and cap 0
 * (chan.go: chanlen, chancap). Stop/reset keep their guarantees (TimerGuaranteeTest) with polls
 * racing them.
 */
@ExtendWith(GoLeakCheck.class)
class TimerPollTest {
    private static final int ROUNDS = 1000;

    /** select { case <-c: true; default: false } */
    private static boolean selectPoll(Chan<?> c) {
        return Select.select(c.onRecv(v -> {}), Select.onDefault(() -> {})) == 0;
    }

    /** The comma-ok non-blocking receive: the same poll through Chan.tryRecv. */
    private static boolean tryRecvPoll(Chan<?> c) {
        Chan.Recv<?> r = c.tryRecv();
        return r != null && r.ok();
    }

    /** Time.After(0) polled at once: ready every time (before: 2 in 1000 at 1 P, 41 at 2). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void afterZeroPolledAtOnceIsReady(int procs) {
        runG(procs, () -> {
            int bySelect = 0, byTryRecv = 0;
            for (int i = 0; i < ROUNDS; i++) {
                if (selectPoll(Time.after(Duration.ZERO))) {
                    bySelect++;
                }
                if (tryRecvPoll(Time.after(Duration.ZERO))) {
                    byTryRecv++;
                }
            }
            assertEquals(ROUNDS + "/" + ROUNDS, bySelect + "/" + byTryRecv,
                    "After(0) ready at once: select " + bySelect + ", tryRecv " + byTryRecv + " of " + ROUNDS);
        });
    }

    /**
     * A timer reset to 0 and polled at once is ready, every time; each reset finds the previous
     * value received, so it reports false (the first finds the hour's arming pending).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void timerResetToZeroPolledAtOnceIsReady(int procs) {
        runG(procs, () -> {
            Timer t = Time.newTimer(Duration.ofHours(1));
            int ready = 0, pendingResets = 0;
            for (int i = 0; i < ROUNDS; i++) {
                if (t.reset(Duration.ZERO)) {
                    pendingResets++;
                }
                if (i % 2 == 0 ? selectPoll(t.c()) : tryRecvPoll(t.c())) {
                    ready++;
                }
            }
            assertEquals(ROUNDS, ready, "Reset(0) ready at once");
            assertEquals(1, pendingResets, "resets that found an arming pending (only the first: the hour)");
            assertFalse(t.stop(), "stop after the last value was received");
        });
    }

    /**
     * A poll right after the scheduler took a due timer from its heap finds the value: it waits
     * for that run's send (Go: the poll runs the timer itself, so it never finds it spent and
     * its channel empty). Each round the goroutine spins, without yielding or polling, until an
     * M or sysmon has popped the arming, then polls at once, while that run may still be
     * sending. Before, the run marked the timer spent (the hint a poll reads first) before its
     * value was in c, and a poll that read it looked at c at once and found it empty: 900 of
     * 2000 rounds at GOMAXPROCS 1 in a probe (sysmon sends there), 1 to 15 at 2.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void pollRightAfterTheSchedulerTookTheTimerFindsTheValue(int procs) {
        runG(procs, () -> {
            Timer t = Time.newTimer(Duration.ofHours(1));
            int ready = 0;
            for (int i = 0; i < ROUNDS; i++) {
                t.reset(Duration.ZERO);
                RuntimeTimer arming = currentArming(t);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (arming.pending()) { // a bounded wait for the scheduler's pop, no poll meanwhile
                    assertTrue(System.nanoTime() < deadline, "round " + i + ": no M or sysmon ran the due timer");
                    Thread.onSpinWait();
                }
                if (i % 2 == 0 ? selectPoll(t.c()) : tryRecvPoll(t.c())) {
                    ready++;
                }
            }
            assertEquals(ROUNDS, ready, "polls right after the scheduler took the timer that found its value");
            assertFalse(t.stop(), "the last value was received");
        });
    }

    /** The timer's current arming (ChanTimer's Sender.rt): a RuntimeTimer, pending until run or stopped. */
    private static RuntimeTimer currentArming(Timer t) throws ReflectiveOperationException {
        Field chanTimer = Timer.class.getDeclaredField("chanTimer");
        chanTimer.setAccessible(true);
        Object ct = chanTimer.get(t);
        Field sender = ChanTimer.class.getDeclaredField("sender");
        sender.setAccessible(true);
        Object s = sender.get(ct);
        Field rt = s.getClass().getDeclaredField("rt");
        rt.setAccessible(true);
        return (RuntimeTimer) rt.get(s);
    }

    /**
     * A ticker whose period has passed since its last tick was received has the next tick ready
     * for a poll at once, every time: the poll runs it and re-arms it for the period after.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void tickerWhosePeriodPassedPolledAtOnceIsReady(int procs) {
        runG(procs, () -> {
            long period = 20_000;
            Ticker tk = Time.newTicker(Duration.ofNanos(period));
            int ready = 0;
            long last = System.nanoTime();
            for (int i = 0; i < ROUNDS; i++) {
                while (System.nanoTime() - last < period) {
                    Thread.onSpinWait(); // no yield: the poll, not the scheduler, should find the tick due
                }
                if (i % 2 == 0 ? selectPoll(tk.c()) : tryRecvPoll(tk.c())) {
                    ready++;
                }
                last = System.nanoTime();
            }
            tk.stop();
            assertEquals(ROUNDS, ready, "ticks ready at once after a period");
            assertFalse(selectPoll(tk.c()), "tick after stop");
        });
    }

    /** Timers and tickers not yet due: a poll finds nothing and fires nothing early. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void notDuePollFindsNothing(int procs) {
        runG(procs, () -> {
            Timer hour = Time.newTimer(Duration.ofHours(1));
            Timer tenSeconds = Time.newTimer(Duration.ofSeconds(10));
            Ticker tk = Time.newTicker(Duration.ofHours(1));
            Timer wasDue = Time.newTimer(Duration.ZERO);
            assertTrue(wasDue.reset(Duration.ofHours(1)), "the 0 arming was pending or unreceived");
            for (int i = 0; i < ROUNDS; i++) {
                for (Chan<Instant> c : java.util.List.of(hour.c(), tenSeconds.c(), tk.c(), wasDue.c())) {
                    assertFalse(i % 2 == 0 ? selectPoll(c) : tryRecvPoll(c), "a poll found a value before the deadline");
                }
            }
            assertTrue(hour.stop(), "hour");
            assertTrue(tenSeconds.stop(), "ten seconds");
            assertTrue(wasDue.stop(), "reset to an hour");
            tk.stop();
            // Still usable: a blocking receive gets the next arming's value.
            hour.reset(Duration.ofMillis(1));
            assertNotNull(hour.c().recv());
        });
    }

    /**
     * G2 with polls racing stops and resets: timers due around now, two goroutines polling all
     * of them (select with default, tryRecv) while a third stops or resets each. Per timer exactly
     * one of "a poll received its value" and "stop/reset returned true"; no poll that starts after
     * stop/reset returned finds a value (G1); nothing is left to receive after.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void pollsRacingStopsCountEachArmingOnce(int procs) {
        runG(procs, () -> {
            int n = 100, rounds = scaled(40);
            AtomicInteger violations = new AtomicInteger();
            AtomicReference<String> example = new AtomicReference<>();
            for (int r = 0; r < rounds; r++) {
                int round = r;
                Timer[] ts = new Timer[n];
                for (int i = 0; i < n; i++) {
                    ts[i] = Time.newTimer(Duration.ofNanos((i * 7919L + r * 104_729L) % 50_000));
                }
                AtomicIntegerArray received = new AtomicIntegerArray(n);
                AtomicIntegerArray stopped = new AtomicIntegerArray(n); // 1 once stop/reset returned
                AtomicBoolean done = new AtomicBoolean();
                WaitGroup wg = new WaitGroup();
                for (int p = 0; p < 2; p++) {
                    int k = p;
                    wg.add(1);
                    Go.go(() -> {
                        try {
                            while (!done.get()) {
                                for (int i = 0; i < n; i++) {
                                    boolean after = stopped.get(i) == 1;
                                    if ((i + k) % 2 == 0 ? selectPoll(ts[i].c()) : tryRecvPoll(ts[i].c())) {
                                        received.incrementAndGet(i);
                                        if (after) {
                                            violations.incrementAndGet();
                                            example.compareAndSet(null, "round " + round + " timer " + i + ": value after stop/reset returned");
                                        }
                                    }
                                }
                                Go.gosched();
                            }
                        } finally {
                            wg.done();
                        }
                    });
                }
                boolean[] counted = new boolean[n];
                for (int i = 0; i < n; i++) {
                    if ((i + r) % 7 == 0) {
                        Go.gosched(); // let the pollers and the scheduler at them mid-way
                    }
                    counted[i] = (i + r) % 2 == 0 ? ts[i].stop() : ts[i].reset(Duration.ofHours(1));
                    stopped.set(i, 1);
                }
                done.set(true);
                wg.await();
                for (int i = 0; i < n; i++) {
                    int got = received.get(i) + (counted[i] ? 1 : 0);
                    if (got != 1) {
                        violations.incrementAndGet();
                        example.compareAndSet(null, "round " + r + " timer " + i + ": received " + received.get(i)
                                + " times, stop/reset returned " + counted[i]);
                    }
                    if (selectPoll(ts[i].c()) || tryRecvPoll(ts[i].c())) {
                        violations.incrementAndGet();
                        example.compareAndSet(null, "round " + r + " timer " + i + ": stale value at the end");
                    }
                    if ((i + r) % 2 != 0) {
                        assertTrue(ts[i].stop(), "the hour's arming is pending");
                    }
                }
            }
            assertEquals(0, violations.get(), "an arming received and counted, neither, or received late: " + example.get());
        });
    }

    /**
     * G1/G3 with polls racing stop: tickers of a few microseconds polled by two goroutines (each
     * poll may run a tick and re-arm it) and stopped by a third. No poll that starts after stop
     * returned finds a tick, and no arming is left in the heaps.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void pollsRacingTickerStopLeaveNoTick(int procs) {
        runG(procs, () -> {
            int rounds = scaled(200);
            int pendingBefore = Export.timersPending();
            AtomicInteger late = new AtomicInteger(), ticks = new AtomicInteger();
            for (int r = 0; r < rounds; r++) {
                Ticker tk = Time.newTicker(Duration.ofNanos(1_000 + (r % 5) * 3_000L));
                AtomicBoolean stopped = new AtomicBoolean(), done = new AtomicBoolean();
                WaitGroup wg = new WaitGroup();
                for (int p = 0; p < 2; p++) {
                    int k = p;
                    wg.add(1);
                    Go.go(() -> {
                        try {
                            for (int i = 0; !done.get(); i++) {
                                boolean after = stopped.get();
                                if ((i + k) % 2 == 0 ? selectPoll(tk.c()) : tryRecvPoll(tk.c())) {
                                    ticks.incrementAndGet();
                                    if (after) {
                                        late.incrementAndGet();
                                    }
                                }
                                if (i % 16 == 0) {
                                    Go.gosched();
                                }
                            }
                        } finally {
                            wg.done();
                        }
                    });
                }
                long until = System.nanoTime() + 50_000 + (r % 7) * 20_000L;
                while (System.nanoTime() < until) {
                    Go.gosched();
                }
                tk.stop();
                stopped.set(true);
                for (int i = 0; i < 50; i++) {
                    Go.gosched();
                }
                done.set(true);
                wg.await();
                if (selectPoll(tk.c())) {
                    late.incrementAndGet();
                }
            }
            assertEquals(0, late.get(), "ticks received after stop returned");
            assertTrue(ticks.get() > 0, "no tick at all");
            // Other tests' unreferenced timers may be collected meanwhile: the count may drop,
            // but an arming that outlived its stop would raise it.
            assertTrue(Export.timersPending() <= pendingBefore,
                    "timers pending after the tickers stopped: " + Export.timersPending() + " > " + pendingBefore);
        });
    }

    /**
     * Go 1.23: len and cap of a timer's channel are 0 (chan.go: chanlen, chancap), whether a
     * value is due, sent or received; a plain channel of capacity 1 still reports its own.
     */
    @Test
    void lenAndCapOfTimerChannelsAreZero() {
        runG(2, () -> {
            Timer t = Time.newTimer(Duration.ofMillis(1));
            Ticker tk = Time.newTicker(Duration.ofMillis(1));
            Chan<Instant> after = Time.after(Duration.ofHours(1));
            for (Chan<Instant> c : java.util.List.of(t.c(), tk.c(), after)) {
                assertEquals(0, c.len(), "len");
                assertEquals(0, c.cap(), "cap");
            }
            Time.sleep(Duration.ofMillis(20)); // the timer and the ticker ran: a value waits in each
            for (Chan<Instant> c : java.util.List.of(t.c(), tk.c())) {
                assertEquals(0, c.len(), "len with a value sent");
                assertEquals(0, c.cap(), "cap with a value sent");
                assertNotNull(c.recv());
                assertEquals(0, c.len(), "len after the receive");
            }
            tk.stop();
            assertFalse(t.stop(), "the value was received");
            Timer f = Time.afterFunc(Duration.ofHours(1), () -> {});
            assertEquals(0, f.c().len());
            assertEquals(0, f.c().cap());
            f.stop();

            Chan<Integer> plain = Chan.make(1);
            plain.send(1);
            assertEquals(1, plain.len(), "plain len");
            assertEquals(1, plain.cap(), "plain cap");
            assertEquals(1, plain.recv());
            assertNull(plain.tryRecv());
        });
    }
}
