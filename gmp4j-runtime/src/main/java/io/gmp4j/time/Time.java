package io.gmp4j.time;

import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.RuntimeTimer;
import io.gmp4j.internal.runtime.WaitReason;
import java.time.Duration;
import java.time.Instant;

/**
 * Go's package {@code time}: sleeping and timers for goroutines. Every timer lives in the
 * runtime's per-P timer heap and fires from the scheduler (findRunnable's checkTimers, or sysmon
 * when every P is busy), never from a JDK timer thread.
 */
public final class Time {
    /*
     * Go files and functions: time/sleep.go (Sleep, NewTimer, Timer.Stop/Reset, After, AfterFunc,
     * sendTime, goFunc), time/tick.go (NewTicker, Ticker.Stop/Reset, Tick), runtime/time.go
     * (timeSleep, resetForSleep, goroutineReady, when, maxWhen), Go 1.23 semantics for channel
     * timers (Timer/Ticker classes).
     *
     * sleep (runtime/time.go: timeSleep):
     *   1. checkPreempt; d <= 0 returns at once
     *   2. arm a one-shot Sleeper (a RuntimeTimer whose run is: fired = true; Park.ready(g))
     *   3. park (wait reason "sleep") until fired; a spurious return parks again
     * The unpark in step 2 comes from the M running timers, so the G lands on that M's P
     * (goroutineReady -> goready).
     *
     * Differences from Go (docs/DIVERGENCES.md): Go reuses one timer per G for Sleep (gp.timer); we
     * allocate one 40-byte Sleeper per call (a per-G field would need the runtime's G). A timer's
     * channel receives the time its run was due, as Go 1.23's sendTime (ChanTimer.dueInstant).
     */
    private Time() {}

    /** sleep.go: Sleep. Pauses the current goroutine for at least {@code d}; {@code d <= 0} returns at once. */
    public static void sleep(Duration d) {
        Park.checkPreempt();
        long ns = nanos(d);
        if (ns <= 0) {
            return;
        }
        Sleeper s = new Sleeper(Thread.currentThread());
        s.startOneShot(when(ns));
        boolean interrupted = false;
        while (!s.fired) {
            interrupted |= Park.park(s, WaitReason.SLEEP);
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // Go has no interrupts: kept, not acted on
        }
    }

    /** sleep.go: After. The channel of a new Timer; it receives the time once {@code d} elapsed. */
    public static Chan<Instant> after(Duration d) {
        return newTimer(d).c();
    }

    /** sleep.go: NewTimer. */
    public static Timer newTimer(Duration d) {
        return new Timer(d, null);
    }

    /** sleep.go: AfterFunc. After {@code d}, runs {@code f} in its own goroutine. */
    public static Timer afterFunc(Duration d, Runnable f) {
        if (f == null) {
            throw new NullPointerException("afterFunc: f");
        }
        return new Timer(d, f);
    }

    /** tick.go: NewTicker. Panics "non-positive interval for NewTicker" when {@code d <= 0}. */
    public static Ticker newTicker(Duration d) {
        long ns = nanos(d);
        if (ns <= 0) {
            throw new GoPanic("non-positive interval for NewTicker");
        }
        return new Ticker(ns);
    }

    /**
     * tick.go: Tick. A ticker's channel, or Go's nil channel ({@link Chan#nil}: never ready, a
     * receive blocks for good) when {@code d <= 0}.
     */
    public static Chan<Instant> tick(Duration d) {
        if (nanos(d) <= 0) {
            return Chan.nil();
        }
        return newTicker(d).c();
    }

    /** time.go: Since. */
    public static Duration since(Instant t) {
        return Duration.between(t, Instant.now());
    }

    /** time.go: Until. */
    public static Duration until(Instant t) {
        return Duration.between(Instant.now(), t);
    }

    /** The nanoseconds of d, saturated to the long range (Go's Duration is an int64 of ns). */
    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * time/sleep.go: when. The absolute System.nanoTime() deadline for a delay: now for d <= 0,
     * and {@code Long.MAX_VALUE} ("never", runtime/time.go: maxWhen) when now + d overflows, so
     * that a delay of MaxInt64 never fires (sleep_test.go: TestOverflowSleep). Every deadline
     * the runtime's heaps see is in [now, Long.MAX_VALUE]: a when of MAX_VALUE is never due.
     */
    static long when(long delayNanos) {
        long now = System.nanoTime();
        if (delayNanos <= 0) {
            return now;
        }
        return saturatingAdd(now, delayNanos);
    }

    /** a + b, clamped to the long range (Math.addExact's overflow test, without the throw). */
    static long saturatingAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) { // both operands have the sign that r lacks: overflow
            return b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** runtime/time.go: goroutineReady, for one sleeping goroutine. Runs on a scheduler thread. */
    private static final class Sleeper extends RuntimeTimer {
        private final Thread g;
        volatile boolean fired;

        Sleeper(Thread g) {
            this.g = g;
        }

        @Override
        protected void run() {
            // Read by the sleeper's park loop. Release only: Park.ready's full fence orders it
            // before the unpark's read of the permit, so a volatile store would fence twice.
            FIRED.setRelease(this, true);
            Park.ready(g);
        }

        private static final java.lang.invoke.VarHandle FIRED;

        static {
            try {
                FIRED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Sleeper.class, "fired", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
