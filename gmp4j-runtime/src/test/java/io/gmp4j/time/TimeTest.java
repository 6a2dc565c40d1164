package io.gmp4j.time;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoTesting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's time/sleep_test.go and time/tick_test.go. */
@ExtendWith(GoLeakCheck.class)
class TimeTest {

    /**
     * A Timer's or Ticker's c() is Go's {@code <-chan Time}: a user's send or close panics (Go:
     * a compile error) and the timer goes on delivering its own values.
     */
    @Test
    void timerChannelsAreReceiveOnly() {
        runG(2, () -> {
            Timer t = Time.newTimer(Duration.ofMillis(1));
            Ticker k = Time.newTicker(Duration.ofMillis(1));
            for (Chan<Instant> c : List.of(t.c(), k.c(), Time.after(Duration.ofMillis(1)))) {
                assertEquals("close of a Timer's or Ticker's channel",
                        assertThrows(GoPanic.class, c::close).getMessage());
                assertEquals("send to a Timer's or Ticker's channel",
                        assertThrows(GoPanic.class, () -> c.send(Instant.EPOCH)).getMessage());
                assertEquals("send to a Timer's or Ticker's channel",
                        assertThrows(GoPanic.class, () -> c.trySend(Instant.EPOCH)).getMessage());
                assertEquals("send to a Timer's or Ticker's channel",
                        assertThrows(GoPanic.class, () -> c.onSend(Instant.EPOCH, null)).getMessage());
                assertNotEquals(Instant.EPOCH, c.recv()); // the timer's own value
            }
            assertNotNull(k.c().recv()); // the ticker ticks on
            k.stop();
        });
    }

    static boolean tryRecv(Chan<?> c) {
        return Select.select(c.onRecv(v -> {}), Select.onDefault(() -> {})) == 0;
    }

    /** sleep_test.go: TestSleep. Sleep lasts at least d, and not absurdly longer. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void sleep(int procs) {
        runG(procs, () -> {
            long t0 = System.nanoTime();
            Time.sleep(Duration.ofMillis(20));
            long ns = System.nanoTime() - t0;
            assertTrue(ns >= 20_000_000, "slept only " + ns + " ns");
            assertTrue(ns < 1_000_000_000, "slept " + ns / 1e6 + " ms");
            Time.sleep(Duration.ZERO);
            Time.sleep(Duration.ofNanos(-1));
        });
    }

    /**
     * W6's shape as a stress test: rounds of 20,000 goroutines spawned by one goroutine, each
     * sleeping twice for 0-2 ms. Every sleeper arms a timer from a goroutine (and wakes an idle P
     * from there) while Ms pop timers and release Ps: the traffic on sched.lock and the timer
     * heaps that hung W6 when they were Java monitors (docs/HACKING.md, RuntimeMutex). All rounds
     * finish, every goroutine exactly once, none leaks (runG's deadline bounds a hang).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void sleepStormCompletes(int procs) {
        runG(procs, () -> {
            int n = io.gmp4j.testing.GoTesting.scaled(20_000);
            for (int round = 0; round < 5; round++) {
                AtomicInteger woke = new AtomicInteger();
                WaitGroup wg = new WaitGroup();
                wg.add(n);
                for (int i = 0; i < n; i++) {
                    long ns = (i * 7919L) % 2_000_000;
                    Go.go(() -> {
                        Time.sleep(Duration.ofNanos(ns));
                        Time.sleep(Duration.ofNanos(2_000_000 - ns));
                        woke.incrementAndGet();
                        wg.done();
                    });
                }
                wg.await();
                assertEquals(n, woke.get(), "round " + round);
            }
        });
    }

    /**
     * sleep_test.go: TestSleepOrder / TestAfterQueuing. Goroutines sleeping different durations
     * wake in order of their durations. The order is observed after each wakes and runs, so a
     * loaded machine can swap two neighbours: as Go's TestAfterQueuing, retry with a wider step
     * (10, 20, 40, 80, 160 ms) and fail only when every attempt does.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void timersFireInOrder(int procs) {
        runG(procs, () -> {
            String err = null;
            for (long step = 10; step <= 160; step *= 2) {
                err = sleepOrder(step);
                if (err == null) {
                    return;
                }
            }
            fail(err);
        });
    }

    private static String sleepOrder(long stepMillis) {
        int[] slots = {5, 2, 8, 1, 3, 7, 0, 6, 4, 9};
        List<Integer> woke = new ArrayList<>();
        Mutex mu = new Mutex();
        WaitGroup wg = new WaitGroup();
        wg.add(slots.length);
        for (int slot : slots) {
            Go.go(() -> {
                Time.sleep(Duration.ofMillis(stepMillis * slot + stepMillis));
                mu.lock();
                woke.add(slot);
                mu.unlock();
                wg.done();
            });
        }
        // Timer channels deliver the time they fired, in order of their deadlines.
        Chan<Instant> c3 = Time.after(Duration.ofMillis(3 * stepMillis));
        Chan<Instant> c1 = Time.after(Duration.ofMillis(stepMillis));
        Chan<Instant> c2 = Time.after(Duration.ofMillis(2 * stepMillis));
        Instant t1 = c1.recv(), t2 = c2.recv(), t3 = c3.recv();
        assertFalse(t2.isBefore(t1));
        assertFalse(t3.isBefore(t2));
        wg.await();
        mu.lock();
        try {
            for (int i = 0; i < slots.length; i++) {
                if (woke.get(i) != i) {
                    return "wake-up order " + woke + " with steps of " + stepMillis + " ms";
                }
            }
            return null;
        } finally {
            mu.unlock();
        }
    }

    /** sleep_test.go: TestAfterFunc. f runs in its own goroutine after d; chained 10 times. */
    @Test
    void afterFunc() {
        runG(2, () -> {
            AtomicInteger i = new AtomicInteger(10);
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            Runnable[] f = new Runnable[1];
            f[0] = () -> {
                if (i.decrementAndGet() >= 0) {
                    Time.afterFunc(Duration.ZERO, f[0]);
                    Time.sleep(Duration.ofSeconds(1)); // f must not block the timer machinery
                } else {
                    wg.done();
                }
            };
            Time.afterFunc(Duration.ZERO, f[0]);
            wg.await();
            AtomicInteger ran = new AtomicInteger();
            Timer t = Time.afterFunc(Duration.ofHours(1), ran::incrementAndGet);
            assertSame(Chan.nil(), t.c(), "afterFunc timers have Go's nil channel");
            assertTrue(t.stop());
            assertFalse(t.stop());
            assertEquals(0, ran.get());
        });
    }

    /** sleep_test.go: TestAfter, TestTimerStopStress-like checks of stop/reset return values. */
    @Test
    void stopAndReset() {
        runG(2, () -> {
            Timer t = Time.newTimer(Duration.ofHours(1));
            assertTrue(t.stop(), "stop of a pending timer");
            assertFalse(t.stop(), "second stop");
            assertFalse(t.reset(Duration.ofMillis(10)), "reset of a stopped timer");
            Instant v = t.c().recv();
            assertNotNull(v);
            assertFalse(t.stop(), "stop after the value was received");
            assertFalse(t.reset(Duration.ofHours(1)));
            assertTrue(t.reset(Duration.ofHours(1)), "reset of a pending timer");
            assertTrue(t.stop());
        });
    }

    /**
     * Go 1.23 semantics (sleep_test.go: TestTimerModifiedEarlier, issue 37196): once stop or
     * reset returns, no stale value is received, even if the timer had already expired and its
     * value was never received.
     */
    @Test
    void noStaleValueAfterStopOrReset() {
        runG(2, () -> {
            for (int i = 0; i < 50; i++) {
                Timer t = Time.newTimer(Duration.ZERO);
                // Wait until the timer has certainly run (a value is buffered or being sent).
                Time.sleep(Duration.ofMillis(2));
                assertTrue(t.stop(), "an unreceived value counts as not yet fired (Go 1.23)");
                assertFalse(tryRecv(t.c()), "stale value after stop");
                t.reset(Duration.ZERO);
                Time.sleep(Duration.ofMillis(2));
                t.reset(Duration.ofHours(1));
                assertFalse(tryRecv(t.c()), "stale value after reset");
                t.stop();
            }
        });
    }

    /**
     * sleep_test.go: TestStopResetRace-style: stop/reset race with the firing itself. Whatever the
     * interleaving, after stop() returns the channel stays empty.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void stopResetRaces(int procs) {
        runG(procs, () -> {
            int stale = 0;
            for (int i = 0; i < 300; i++) {
                Timer t = Time.newTimer(Duration.ofNanos(i % 3 == 0 ? 0 : 20_000));
                if (i % 2 == 0) {
                    Go.gosched();
                }
                t.reset(Duration.ofNanos(i % 5 == 0 ? 0 : 10_000));
                if (i % 7 == 0) {
                    Go.gosched();
                }
                t.stop();
                Time.sleep(Duration.ofNanos(50_000)); // any in-flight firing would land now
                if (tryRecv(t.c())) {
                    stale++;
                }
            }
            assertEquals(0, stale, "values received after stop returned");
        });
    }

    /** tick_test.go: TestTicker. Ticks arrive about every d; stop ends them; reset changes d. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void ticker(int procs) {
        runG(procs, () -> {
            int count = 10;
            Duration delta = Duration.ofMillis(10);
            Ticker ticker = Time.newTicker(delta);
            long t0 = System.nanoTime();
            for (int i = 0; i < count / 2; i++) {
                ticker.c().recv();
            }
            ticker.reset(delta.multipliedBy(2));
            for (int i = count / 2; i < count; i++) {
                ticker.c().recv();
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long target = 3 * delta.toMillis() * (count / 2);
            assertTrue(ms >= target * 0.9 && ms < 5000, count + " ticks took " + ms + " ms, expected ~" + target);
            ticker.stop();
            Time.sleep(delta.multipliedBy(3));
            assertFalse(tryRecv(ticker.c()), "ticker did not shut down");
        });
    }

    /**
     * tick_test.go: a slow receiver drops ticks (the channel holds one) and the ticker keeps its
     * period under load: 8 busy goroutines at GOMAXPROCS 2 do not stop the ticks (sysmon or the
     * other P runs the timer).
     */
    @Test
    void tickerUnderLoadDropsTicksForSlowReceiver() {
        runG(2, () -> {
            Ticker ticker = Time.newTicker(Duration.ofMillis(1));
            WaitGroup busy = new WaitGroup();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            busy.add(8);
            for (int g = 0; g < 8; g++) {
                Go.go(() -> {
                    while (!stop.get()) {
                        Go.gosched();
                    }
                    busy.done();
                });
            }
            long ms;
            try { // the busy goroutines stop even when an assertion fails: later tests share the runtime
                Time.sleep(Duration.ofMillis(50)); // ~50 ticks elapse; the channel keeps one
                int got = 0;
                while (tryRecv(ticker.c())) {
                    got++;
                }
                // One buffered tick, plus one more for each time this loop was preempted for a
                // period between two receives (tryRecv is a preemption point, 8 Gs compete): not ~50.
                assertTrue(got >= 1 && got <= 3, "a slow receiver keeps one buffered tick; drained " + got);
                long t0 = System.nanoTime();
                for (int i = 0; i < 20; i++) {
                    ticker.c().recv();
                }
                ms = (System.nanoTime() - t0) / 1_000_000;
            } finally {
                stop.set(true);
                busy.await();
                ticker.stop();
            }
            assertTrue(ms < 2000, "20 ticks of 1 ms under load took " + ms + " ms");
        });
    }

    /**
     * Stop and Reset drain the timer's channel holding its sender lock, a runtime lock: no
     * preemption there, even with one pending (Go: a held lock raises m.locks). Through the
     * public tryRecv, a preemption point, the goroutine yielded holding the lock.
     */
    @Test
    void stopAndResetDoNotYieldHoldingTheSenderLock() {
        GoTesting.inGoroutine(() -> {
            Timer t = Time.newTimer(Duration.ofMillis(1));
            t.c().recv();
            t.reset(Duration.ofMillis(1));
            Time.sleep(Duration.ofMillis(20)); // fired: a value waits in the channel for the drain
            io.gmp4j.internal.runtime.Export.requestPreempt();
            t.stop();
            assertTrue(io.gmp4j.internal.runtime.Export.preemptPending(), "Timer.stop yielded");
            io.gmp4j.internal.runtime.Export.requestPreempt();
            t.reset(Duration.ofHours(1));
            assertTrue(io.gmp4j.internal.runtime.Export.preemptPending(), "Timer.reset yielded");
            t.stop();
            Go.gosched(); // the pending request: served here
        });
    }

    /** tick_test.go: TestTeardown. A ticker that fired once and is stopped, three times over. */
    @Test
    void tickerTeardown() {
        GoTesting.inGoroutine(() -> {
            for (int i = 0; i < 3; i++) {
                Ticker ticker = Time.newTicker(Duration.ofMillis(20));
                ticker.c().recv();
                ticker.stop();
            }
        });
    }

    /** tick_test.go: TestNewTickerLtZeroDuration, TestTickerResetLtZeroDuration; TestTick: Tick(<=0) is null. */
    @Test
    void nonPositiveTicker() {
        assertEquals("non-positive interval for NewTicker",
                assertThrows(GoPanic.class, () -> Time.newTicker(Duration.ofNanos(-1))).getMessage());
        Ticker t = Time.newTicker(Duration.ofSeconds(1));
        assertEquals("non-positive interval for Ticker.Reset",
                assertThrows(GoPanic.class, () -> t.reset(Duration.ZERO)).getMessage());
        t.stop();
        assertSame(Chan.nil(), Time.tick(Duration.ZERO)); // Go: Tick(0) == nil
    }
}
