package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import io.gmp4j.time.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A timer armed from outside the Ps (a platform thread) while the last spinning M winds down:
 * Go's findRunnable looks at every P's timers again once it has stopped spinning
 * (proc.go: checkTimersNoP), because the arming found no idle P to wake (the M still held it)
 * and a spinning M (this one) that would see it. Without that second look the M slept with no
 * deadline and the timer waited for sysmon's next tick (up to 10 ms when idle).
 */
@ExtendWith(GoLeakCheck.class)
class IdleTimerWakeTest {

    /** Spins until cond holds, else fails with {@code state}'s text. */
    private static void await(String what, java.util.function.Supplier<String> state, BooleanSupplier cond) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what + "\n" + state.get());
            }
            Thread.onSpinWait();
        }
    }

    /** Every P idle, no M spinning, every M asleep. */
    private static boolean idle() {
        return Sched.npidle == Sched.gomaxprocs && Sched.nmspinning.get() == 0
                && Arrays.stream(Sched.allm()).allMatch(mp -> mp.getState() == Thread.State.WAITING
                        || mp.getState() == Thread.State.TIMED_WAITING);
    }

    /** Every goroutine's stack (not under sched.lock: a dump takes it). */
    private static String goroutines() {
        return Go.stack(true);
    }

    /** Every M's Java stack (safe under sched.lock). */
    private static String mStacks() {
        StringBuilder sb = new StringBuilder();
        for (M mp : Sched.allm()) {
            sb.append(mp.getName()).append(' ').append(mp.getState()).append('\n');
            for (StackTraceElement e : mp.getStackTrace()) {
                sb.append("\tat ").append(e).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Where th waits for sched.lock: the method that called the lock ("findRunnable" when an M
     * is about to release its P), or null when it does not wait for it.
     */
    private static String waitsForSchedLockIn(Thread th) {
        boolean inLock = false;
        for (StackTraceElement e : th.getStackTrace()) {
            if (e.getClassName().equals(RuntimeMutex.class.getName())) {
                inLock = true;
            } else if (inLock && !e.getClassName().startsWith("java.")) {
                return e.getMethodName();
            }
        }
        return null;
    }

    @RepeatedTest(3)
    void timerArmedWhileTheLastSpinnerStopsGetsADeadline() {
        run(true);
    }

    /**
     * The same for an M that does not spin (another M is counted as spinning, faked here): Go
     * needs no second look there, as no other thread adds a timer to a P that an M holds; gmp4j
     * lets a platform thread arm one onto any P, and with no idle P its wakeNetPoller wakes
     * nobody.
     */
    @RepeatedTest(3)
    void timerArmedWhileANonSpinningMStopsGetsADeadline() {
        run(false);
    }

    private static void run(boolean spinning) {
        int before = Go.numGoroutine();
        withProcs(1, () -> {
            StringBuilder missed = new StringBuilder();
            for (int attempt = 0; !attempt(missed, spinning); attempt++) {
                assertTrue(attempt < 20, "the M never stopped at findRunnable's sched.lock:\n" + missed);
            }
        });
        assertNoLeak(before);
    }

    /**
     * One try: a goroutine parks and its M is held at findRunnable's sched.lock. False when the
     * lock stopped the M or the goroutine elsewhere first (the spinning goroutine, preempted by
     * sysmon on a loaded machine, yields through the global queue): nothing is checked then.
     * {@code spinning}: the M spins before it stops, as the last spinner does; else one more
     * spinning M is counted while it decides (2 * nmspinning >= busy Ps: it does not spin).
     */
    private static boolean attempt(StringBuilder missed, boolean spinning) {
        // Settled at one P first: no M still holds a P that withProcs(1) retired (its next
        // schedule would wait for sched.lock in retirep).
        await("the runtime to go idle at one P", IdleTimerWakeTest::goroutines, IdleTimerWakeTest::idle);
        Chan<Boolean> c = Chan.make(0);
        AtomicBoolean started = new AtomicBoolean(), release = new AtomicBoolean();
        AtomicReference<Thread> g = new AtomicReference<>();
        Go.go(() -> {
            g.set(Thread.currentThread());
            started.set(true);
            while (!release.get()) {
                Thread.onSpinWait();
            }
            c.recv(); // parks: its M enters findRunnable with nothing to do
        });
        try {
            await("the goroutine to run", IdleTimerWakeTest::goroutines, started::get);
            CountDownLatch fired = new CountDownLatch(1);
            long armed;
            Timer t;
            // Hold sched.lock so that the M stops where it releases its P: after stealWork read
            // the timers (none), before its P is idle.
            Sched.lock.lock();
            boolean faked = false;
            try {
                if (!spinning) {
                    Sched.nmspinning.incrementAndGet();
                    faked = true;
                }
                release.set(true);
                String[] site = {null};
                await("an M or the goroutine to wait for sched.lock", IdleTimerWakeTest::mStacks, () -> {
                    for (M mp : Sched.allm()) {
                        if ((site[0] = waitsForSchedLockIn(mp)) != null) {
                            return true;
                        }
                    }
                    return (site[0] = waitsForSchedLockIn(g.get())) != null;
                });
                if (!site[0].equals("findRunnable")) {
                    missed.append("stopped in ").append(site[0]).append('\n');
                    return false;
                }
                armed = System.nanoTime();
                t = Time.afterFunc(Duration.ofSeconds(2), fired::countDown); // onto P0: no idle P, no wakep
            } finally {
                if (faked) {
                    Sched.needspinning = 0; // no earlier wakep's request makes the M spin after all
                    Sched.nmspinning.decrementAndGet();
                }
                Sched.lock.unlock();
            }
            try {
                checkDeadline(armed, fired);
            } finally {
                t.stop(); // a failed run leaves no pending timer to hide the next one's
            }
            return true;
        } finally {
            release.set(true);
            c.send(true);
        }
    }

    private static void checkDeadline(long armed, CountDownLatch fired) {
        await("the runtime to go idle", IdleTimerWakeTest::goroutines, IdleTimerWakeTest::idle);
        boolean deadline = Arrays.stream(Sched.allm()).anyMatch(mp -> mp.getState() == Thread.State.TIMED_WAITING);
        long idleAfterMs = (System.nanoTime() - armed) / 1_000_000;
        assertTrue(deadline, "every M sleeps with no deadline while a 2 s timer is pending on the idle P"
                + " (idle " + idleAfterMs + " ms after the arming)");
        try {
            assertTrue(fired.await(10, TimeUnit.SECONDS), "the afterFunc never ran");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
