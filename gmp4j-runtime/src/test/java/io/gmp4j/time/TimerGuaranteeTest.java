package io.gmp4j.time;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.testing.GoTesting.inGoroutine;
import static io.gmp4j.testing.GoTesting.scaled;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import io.gmp4j.internal.runtime.Export;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Go 1.23's timer guarantees (issue 11, items 2-5): far deadlines never fire
 * (sleep_test.go: TestOverflowSleep); after stop/reset no stale value, and each one-shot arming
 * is either received or counted by exactly one stop/reset (TestStop/TestReset's noStaleValue,
 * with receivers racing); no arming outlives a later stop (the ticker leak); unreferenced timers
 * are collected, while a goroutine blocked on one keeps it alive.
 */
@ExtendWith(GoLeakCheck.class)
class TimerGuaranteeTest {
    static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);
    static final Duration MIN = Duration.ofNanos(Long.MIN_VALUE);

    static boolean tryRecv(Chan<?> c) {
        return Select.select(c.onRecv(v -> {}), Select.onDefault(() -> {})) == 0;
    }

    // ---- item 2: far deadlines ---------------------------------------------------------

    /** sleep_test.go: TestOverflowSleep (the Sleep(big) half runs in TimerProg: it never returns). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void overflowAfter(int procs) {
        int before = Go.numGoroutine();
        withProcs(procs, () -> inGoroutine(() -> {
            int idx = Select.select(Time.after(MAX).onRecv(v -> {}),
                    Time.after(Duration.ofMillis(25)).onRecv(v -> {}));
            assertEquals(1, idx, "After(MaxInt64) fired");
            Time.sleep(MIN); // returns at once
            idx = Select.select(Time.after(MIN).onRecv(v -> {}),
                    Time.after(Duration.ofSeconds(5)).onRecv(v -> {}));
            assertEquals(0, idx, "After(MinInt64) did not fire at once");
        }));
        assertNoLeak(before);
    }

    /** Timers, tickers and contexts at or past the end of the clock stay pending; none throws. */
    @Test
    void farDeadlinesStayPending() {
        int before = Go.numGoroutine();
        withProcs(2, () -> inGoroutine(() -> {
            Duration years300 = Duration.ofDays(300 * 366L);
            Timer t1 = Time.newTimer(MAX);
            Timer t2 = Time.newTimer(years300);
            Ticker tk = Time.newTicker(MAX);
            var c1 = Context.withTimeout(Context.background(), years300);
            var c2 = Context.withDeadline(Context.background(), Instant.MAX);
            var c3 = Context.withTimeout(Context.background(), Duration.ofSeconds(Long.MAX_VALUE));
            var c4 = Context.withTimeout(Context.background(), Duration.ofSeconds(Long.MIN_VALUE));
            assertEquals(Instant.MAX, c3.ctx().deadline().orElseThrow());
            assertSame(Context.DEADLINE_EXCEEDED, c4.ctx().err(), "a timeout before Instant.MIN is exceeded");
            // A later, short timer fires first: the far ones are behind it in the heaps.
            Time.after(Duration.ofMillis(30)).recv();
            assertFalse(tryRecv(t1.c()), "newTimer(MaxInt64) fired");
            assertFalse(tryRecv(t2.c()), "newTimer(300 years) fired");
            assertFalse(tryRecv(tk.c()), "newTicker(MaxInt64) ticked");
            assertNull(c1.ctx().err(), "withTimeout(300 years) expired");
            assertNull(c2.ctx().err(), "withDeadline(Instant.MAX) expired");
            assertNull(c3.ctx().err(), "withTimeout(Long.MAX_VALUE s) expired");
            assertTrue(t1.stop(), "a timer at never is pending");
            assertTrue(t2.reset(Duration.ofMillis(1)), "a 300-year timer is pending");
            t2.c().recv();
            tk.stop();
            c1.cancel().run();
            c2.cancel().run();
            c3.cancel().run();
            c4.cancel().run();
            assertSame(Context.CANCELED, c2.ctx().err());
        }));
        assertNoLeak(before);
    }

    /**
     * In a JVM of its own: a goroutine in Sleep(MaxInt64) and every far-deadline API; none fires,
     * a short timer still fires, and 2 s of idling with them pending costs little CPU (a timer
     * that looked due through overflow would spin an M or sysmon).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 8})
    void neverTimersInChild(int procs) {
        Child c = child("never", String.valueOf(procs));
        String out = c.stdout();
        assertTrue(out.contains("fired=[] "), out + c.stderr());
        assertTrue(out.contains("timerStopped=true"), out);
        assertTrue(out.contains("deadline3=" + Instant.MAX), out);
        assertTrue(intField(out, "shortMs") < 1000, "a 30 ms timer took long: " + out);
        assertTrue(intField(out, "cpuMs") < 600, "idle with timers at never burned CPU: " + out);
    }

    // ---- item 3: stop/reset against the firing ---------------------------------------------

    /**
     * sleep_test.go 1.23: TestStop/TestReset, noStaleValue. Nobody receives, so a first stop
     * (or reset) of a one-shot timer must return true whatever the interleaving with its firing:
     * the value is pending, being sent (suppressed), or buffered (drained). Then the channel is
     * empty and stays so. Hundreds of timers at once, firing around the stop.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void stopOrResetWithoutReceiverAlwaysCounts(int procs) {
        int before = Go.numGoroutine();
        withProcs(procs, () -> inGoroutine(() -> {
            int n = 200, rounds = scaled(40);
            AtomicInteger lost = new AtomicInteger(), stale = new AtomicInteger();
            WaitGroup wg = new WaitGroup();
            for (int w = 0; w < 4; w++) {
                int k = w;
                wg.add(1);
                Go.go(() -> {
                    try {
                        for (int r = 0; r < rounds; r++) {
                            Timer[] ts = new Timer[n];
                            for (int i = 0; i < n; i++) {
                                ts[i] = Time.newTimer(Duration.ofNanos((i * 7919L + r) % 40_000));
                            }
                            if ((r + k) % 3 == 0) {
                                Go.gosched();
                            }
                            for (int i = 0; i < n; i++) {
                                boolean useReset = (i + r) % 2 == 0;
                                boolean counted = useReset ? ts[i].reset(Duration.ofHours(1)) : ts[i].stop();
                                if (!counted) {
                                    lost.incrementAndGet();
                                }
                                if (tryRecv(ts[i].c())) {
                                    stale.incrementAndGet();
                                }
                                if (useReset) {
                                    assertTrue(ts[i].stop(), "the 1 h arming is pending");
                                }
                            }
                            // Any firing still in flight lands now, or never.
                            Time.sleep(Duration.ofMillis(1));
                            for (Timer t : ts) {
                                if (tryRecv(t.c())) {
                                    stale.incrementAndGet();
                                }
                            }
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await();
            assertEquals(0, lost.get(), "stop/reset returned false for a value nobody received");
            assertEquals(0, stale.get(), "values received after stop/reset returned");
        }));
        assertNoLeak(before);
    }

    /**
     * The receiver-race shape: a goroutine blocked receiving (in a select with a quit channel)
     * while another stops or resets the timer around its firing. For every arming exactly one
     * of: the receiver got the value, stop/reset returned true. Nothing arrives after.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void receiverRaceExactlyOnce(int procs) {
        int before = Go.numGoroutine();
        withProcs(procs, () -> inGoroutine(() -> {
            int n = 100, rounds = scaled(30);
            AtomicInteger violations = new AtomicInteger();
            AtomicReference<String> example = new AtomicReference<>();
            for (int r = 0; r < rounds; r++) {
                Timer[] ts = new Timer[n];
                Chan<Integer> got = Chan.make(n);
                Chan<Object> quit = Chan.make(0);
                WaitGroup recvd = new WaitGroup();
                for (int i = 0; i < n; i++) {
                    Timer t = Time.newTimer(Duration.ofNanos((i * 104_729L + r * 31L) % 60_000));
                    ts[i] = t;
                    int id = i;
                    recvd.add(1);
                    Go.go(() -> {
                        Select.select(t.c().onRecv(v -> got.send(id)), quit.onRecv(v -> {}));
                        recvd.done();
                    });
                }
                Go.gosched();
                boolean[] counted = new boolean[n];
                for (int i = 0; i < n; i++) {
                    counted[i] = (i + r) % 2 == 0 ? ts[i].stop() : ts[i].reset(Duration.ofHours(1));
                }
                quit.close();
                recvd.await();
                boolean[] received = new boolean[n];
                for (Chan.Recv<Integer> v; (v = got.tryRecv()) != null; ) {
                    received[v.value()] = true;
                }
                for (int i = 0; i < n; i++) {
                    if (received[i] == counted[i]) {
                        violations.incrementAndGet();
                        example.compareAndSet(null, "timer " + i + " round " + r + ": received=" + received[i]
                                + " stop/reset returned " + counted[i]);
                    }
                    if (tryRecv(ts[i].c())) {
                        violations.incrementAndGet();
                        example.compareAndSet(null, "stale value on timer " + i + " round " + r);
                    }
                    ts[i].stop();
                }
            }
            assertEquals(0, violations.get(), "arming neither received nor counted, or both: " + example.get());
        }));
        assertNoLeak(before);
    }

    // ---- item 4: no arming outlives a later stop ------------------------------------------

    /** In-process: the racing resets/stops leave no runtime timer behind once the ticker stops. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void tickerResetStopRaceLeavesNoTimer(int procs) {
        int before = Go.numGoroutine();
        withProcs(procs, () -> inGoroutine(() -> {
            int rounds = scaled(20_000);
            Ticker tk = Time.newTicker(Duration.ofHours(1));
            int pendingBefore = Export.timersPending() - 1; // without tk's own arming
            WaitGroup wg = new WaitGroup();
            for (int g = 0; g < 8; g++) {
                int k = g;
                wg.add(1);
                Go.go(() -> {
                    for (int i = 0; i < rounds; i++) {
                        if ((i + k) % 2 == 0) {
                            tk.reset(Duration.ofNanos(1 + (i % 3) * 500_000L));
                        } else {
                            tk.stop();
                        }
                    }
                    wg.done();
                });
            }
            wg.await();
            tk.stop();
            // Other tests' unreferenced timers may be collected meanwhile: the count may drop,
            // but one leaked periodic arming per race would raise it.
            assertTrue(Export.timersPending() <= pendingBefore,
                    "timers pending after stop: " + Export.timersPending() + " > " + pendingBefore);
            assertFalse(tryRecv(tk.c()), "tick after stop returned");
        }));
        assertNoLeak(before);
    }

    /** The repro in a JVM of its own: nothing pending, no tick, an idle process. */
    @ParameterizedTest
    @ValueSource(ints = {2, 8})
    void tickerRaceInChildIdlesAfterStop(int procs) {
        Child c = child("tickerRace", String.valueOf(procs), String.valueOf(scaled(50_000)));
        String out = c.stdout();
        assertEquals(0, intField(out, "pending"), out + c.stderr());
        assertEquals(0, intField(out, "pendingAfterIdle"), out);
        assertTrue(out.contains("tick=false"), out);
        assertTrue(intField(out, "cpuMs") < 600, "idle process burned CPU after the ticker stopped: " + out);
    }

    /**
     * Closing a Timer's or Ticker's channel: Go's types forbid it (t.C is receive-only), Java
     * does not. Before, close succeeded and the timer's next send panicked "send on closed
     * channel": on an M a fatal error that ended the process, in a receive that ran the timer
     * (maybeRunChan) a panic out of the receive, and in a send deferred to a poll holding the
     * send lock, that lock left held (every later stop, reset and receive on it spun for good).
     * In a JVM of its own: close panics, and the timers, their polls and the others carry on.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void closingATimersChannelPanicsAndTheTimersCarryOn(int procs) {
        Child c = child("closeTimerChan", String.valueOf(procs));
        String out = c.stdout();
        assertTrue(out.contains("closeTimer=close_of_a_Timer's_or_Ticker's_channel"), out + c.stderr());
        assertTrue(out.contains("closeTicker=close_of_a_Timer's_or_Ticker's_channel"), out);
        assertTrue(out.contains("panic=none "), out);
        assertEquals(1, intField(out, "timerValues"), out);
        assertTrue(intField(out, "ticks") > 0, out);
        assertTrue(out.contains("other=true"), out);
    }

    // ---- item 5: unreferenced timers are collected ----------------------------------------

    /** 10,000 dropped Time.after(1 h) channels are collected, and their heap entries go with them. */
    @Test
    void unreferencedTimersAreCollected() {
        int before = Go.numGoroutine();
        int n = 10_000;
        List<WeakReference<Chan<Instant>>> refs = new ArrayList<>(n);
        int[] pending = new int[2];
        withProcs(2, () -> inGoroutine(() -> {
            pending[0] = Export.timersPending(); // other tests' garbage may still be in it
            List<Chan<Instant>> strong = new ArrayList<>(); // until counted: a GC may run meanwhile
            for (int i = 0; i < n; i++) {
                strong.add(Time.after(Duration.ofHours(1)));
            }
            for (int i = 0; i < n / 2; i++) { // and half as many tickers
                strong.add(Time.tick(Duration.ofHours(1)));
            }
            pending[1] = Export.timersPending();
            for (Chan<Instant> c : strong) {
                refs.add(new WeakReference<>(c));
            }
        }));
        assertTrue(pending[1] >= n + n / 2, "timers armed: " + pending[0] + " -> " + pending[1]);
        awaitWithGc("all 15,000 channels collected", () -> refs.stream().allMatch(r -> r.get() == null));
        awaitWithGc("their heap entries removed (" + Export.timersPending() + " pending)",
                () -> Export.timersPending() <= pending[0]);
        assertNoLeak(before);
    }

    /**
     * A server's {@code select { case v := <-ready: ... case <-time.After(d): }} loop, churned:
     * Go 1.23 keeps nothing for the dropped timers. Here a dropped timer's heap entry goes once
     * the collector found its channel dead, and each round below ends with a collection, so what
     * is pending then must be about one round's timers, not every round's. Before, only the
     * Cleaner thread removed them, several times slower than one goroutine made them: the
     * entries piled up for as long as the loop ran (15 million, 5 GB of heap, after 20 s).
     */
    @Test
    void droppedTimersDoNotPileUpUnderChurn() {
        int before = Go.numGoroutine();
        int rounds = 8, loops = 4, perLoop = 25_000, perRound = loops * perLoop;
        int[] pending = new int[rounds];
        int[] base = new int[1];
        withProcs(2, () -> inGoroutine(() -> {
            base[0] = Export.timersPending(); // other tests' garbage may still be in it
            for (int r = 0; r < rounds; r++) {
                WaitGroup wg = new WaitGroup();
                wg.add(loops);
                for (int k = 0; k < loops; k++) {
                    Go.go(() -> {
                        Chan<Integer> ready = Chan.make(1);
                        for (int i = 0; i < perLoop; i++) {
                            ready.send(i);
                            Select.select(ready.onRecv(v -> {}), Time.after(Duration.ofHours(1)).onRecv(v -> {}));
                        }
                        wg.done();
                    });
                }
                wg.await();
                pending[r] = Export.timersPending() - base[0];
                System.gc(); // finds this round's channels dead
            }
        }));
        assertTrue(pending[rounds - 1] < 2 * perRound,
                "dropped timers piled up, pending after each round: " + java.util.Arrays.toString(pending));
        awaitWithGc("their heap entries removed (" + Export.timersPending() + " pending)",
                () -> Export.timersPending() <= base[0]);
        assertNoLeak(before);
    }

    /**
     * tick_test.go 1.23: TestTimerGC, the subtests NewTimer, NewTicker, NewTimerStop and
     * NewTickerStop (After and Tick: above). 10,000 dropped timers or tickers, stopped or not,
     * are collected with their channels, and leave no heap entry behind.
     */
    @ParameterizedTest
    @ValueSource(strings = {"NewTimer", "NewTicker", "NewTimerStop", "NewTickerStop"})
    void timerGC(String what) {
        int before = Go.numGoroutine();
        int n = 10_000;
        List<WeakReference<Object>> refs = new ArrayList<>(2 * n);
        int[] pending = new int[1];
        withProcs(2, () -> inGoroutine(() -> {
            pending[0] = Export.timersPending();
            for (int i = 0; i < n; i++) {
                Object t;
                Chan<Instant> c;
                switch (what) {
                    case "NewTimer" -> { Timer x = Time.newTimer(Duration.ofHours(1)); t = x; c = x.c(); }
                    case "NewTicker" -> { Ticker x = Time.newTicker(Duration.ofHours(1)); t = x; c = x.c(); }
                    case "NewTimerStop" -> { Timer x = Time.newTimer(Duration.ofHours(1)); x.stop(); t = x; c = x.c(); }
                    default -> { Ticker x = Time.newTicker(Duration.ofHours(1)); x.stop(); t = x; c = x.c(); }
                }
                refs.add(new WeakReference<>(t));
                refs.add(new WeakReference<>(c));
            }
        }));
        awaitWithGc(what + ": all 10,000 collected", () -> refs.stream().allMatch(r -> r.get() == null));
        awaitWithGc(what + ": their heap entries removed (" + Export.timersPending() + " pending)",
                () -> Export.timersPending() <= pending[0]);
        assertNoLeak(before);
    }

    /**
     * The other half of item 5, and the critical one: a channel only a blocked goroutine refers
     * to is not collected: Time.after(50 ms).recv(), a select on it, and a Time.tick loop all get
     * their values while the test thread keeps collecting.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void blockedReceiverKeepsTimerAlive(int procs) {
        int before = Go.numGoroutine();
        withProcs(procs, () -> {
            Chan<String> done = Chan.make(3);
            Go.go(() -> {
                Time.after(Duration.ofMillis(50)).recv();
                done.send("recv");
            });
            Go.go(() -> {
                Chan<Object> never = Chan.make(0);
                int idx = Select.select(never.onRecv(v -> {}), Time.after(Duration.ofMillis(60)).onRecv(v -> {}));
                done.send(idx == 1 ? "select" : "select picked the wrong case");
            });
            Go.go(() -> {
                Chan<Instant> tick = Time.tick(Duration.ofMillis(20));
                for (int i = 0; i < 3; i++) {
                    tick.recv();
                }
                done.send("tick");
            });
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (got.size() < 3) {
                System.gc(); // while they wait: their channels must survive it
                Chan.Recv<String> r = done.tryRecv();
                if (r != null) {
                    got.add(r.value());
                } else if (System.nanoTime() > deadline) {
                    fail("blocked receivers did not get their values, got " + got + "\n" + Go.stack(true));
                } else {
                    Thread.onSpinWait();
                }
            }
            got.sort(null);
            assertEquals(List.of("recv", "select", "tick"), got);
        });
        assertNoLeak(before);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static Child child(String prog, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = prog;
        System.arraycopy(args, 0, all, 1, args.length);
        Child c = GoTesting.runChild("io.gmp4j.testprog.TimerProg", List.of("-XX:+UseSerialGC"), List.of(), 90, all);
        assertEquals(0, c.exitCode(), "child exit\nstdout: " + c.stdout() + "\nstderr: " + c.stderr());
        return c;
    }

    private static int intField(String out, String key) {
        Matcher m = Pattern.compile("\\b" + key + "=(-?\\d+)").matcher(out);
        assertTrue(m.find(), key + " missing in: " + out);
        return Integer.parseInt(m.group(1));
    }

    /** Collects until cond holds; the timer collector and reference processing are asynchronous. */
    private static void awaitWithGc(String what, BooleanSupplier cond) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int i = 0; !cond.getAsBoolean(); i++) {
            if (System.nanoTime() > deadline) {
                fail("not within 30 s: " + what);
            }
            if (i % 64 == 0) {
                System.gc();
            }
            Thread.yield();
        }
    }
}
