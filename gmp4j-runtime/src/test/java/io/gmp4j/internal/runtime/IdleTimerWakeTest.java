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

    /** Spins until cond holds; {@code dump}: fail with every goroutine's stack (not under sched.lock). */
    private static void await(String what, boolean dump, BooleanSupplier cond) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what + (dump ? "\n" + Go.stack(true) : ""));
            }
            Thread.onSpinWait();
        }
    }

    /** mp is in findRunnable, waiting for sched.lock to release its P. */
    private static boolean waitsForSchedLockInFindRunnable(M mp) {
        StackTraceElement[] st = mp.getStackTrace();
        boolean inLock = false;
        for (StackTraceElement e : st) {
            if (e.getClassName().equals(RuntimeMutex.class.getName())) {
                inLock = true;
            } else if (e.getMethodName().equals("findRunnable")) {
                return inLock;
            } else {
                inLock = inLock && e.getClassName().startsWith("java.");
            }
        }
        return false;
    }

    @RepeatedTest(3)
    void timerArmedWhileTheLastSpinnerStopsGetsADeadline() {
        int before = Go.numGoroutine();
        withProcs(1, () -> {
            Chan<Boolean> c = Chan.make(0);
            AtomicBoolean started = new AtomicBoolean(), release = new AtomicBoolean();
            Go.go(() -> {
                started.set(true);
                while (!release.get()) {
                    Thread.onSpinWait();
                }
                c.recv(); // parks: its M enters findRunnable with nothing to do
            });
            try {
                armAndCheck(started, release);
            } finally {
                release.set(true);
                c.send(true);
            }
        });
        assertNoLeak(before);
    }

    private static void armAndCheck(AtomicBoolean started, AtomicBoolean release) {
        await("the goroutine to run", true, started::get);
        M m0 = Sched.allp[0].m;
        CountDownLatch fired = new CountDownLatch(1);
        long armed;
        Timer t;
        // Hold sched.lock so that the M stops where it releases its P: after stealWork read
        // the timers (none), before its P is idle.
        Sched.lock.lock();
        try {
            release.set(true);
            await("the M to wait for sched.lock in findRunnable", false, () -> waitsForSchedLockInFindRunnable(m0));
            armed = System.nanoTime();
            t = Time.afterFunc(Duration.ofSeconds(2), fired::countDown); // onto P0: no idle P, no wakep
        } finally {
            Sched.lock.unlock();
        }
        try {
            checkDeadline(armed, fired);
        } finally {
            t.stop(); // a failed run leaves no pending timer to hide the next one's
        }
    }

    private static void checkDeadline(long armed, CountDownLatch fired) {
        await("the runtime to go idle", true, () -> Sched.npidle == Sched.gomaxprocs && Sched.nmspinning.get() == 0
                && Arrays.stream(Sched.allm()).allMatch(mp -> mp.getState() == Thread.State.WAITING
                        || mp.getState() == Thread.State.TIMED_WAITING));
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
