package io.gmp4j.runtime;

/**
 * proc.go: checkdead, run by sysmon. The program is deadlocked when no goroutine can ever run
 * again: every P is idle with empty queues, no M is running a G (a P-less M with a hog or a
 * pinned call counts as running), no timer is pending, and every live goroutine is parked on
 * a gmp4j primitive (WaitReason.onlyGoroutinesCanWake). A goroutine parked anywhere an
 * outside thread could wake it (a socket, java.util.concurrent, a foreign unpark) has no such
 * reason, so it vetoes the verdict: no false positives from I/O.
 *
 * <p>Only while a main goroutine (Go.run) is alive or has Goexited, as in a Go program;
 * outside Go.run, platform threads we cannot see may still wake goroutines. The verdict must
 * hold on two sysmon checks 100 ms apart with no scheduling in between, so a race with a
 * goroutine that is parking or being readied cannot produce it.
 */
final class Deadlock {
    private Deadlock() {}

    static volatile int mainsRunning;
    private static long suspectSince;
    private static long suspectTicks = -1;

    static void check(long now) {
        if (mainsRunning == 0 && !Proc.isMainGoexited()) {
            suspectTicks = -1;
            return;
        }
        long ticks = quiescentTicks();
        if (ticks < 0) {
            suspectTicks = -1;
            return;
        }
        if (suspectTicks != ticks) {
            suspectTicks = ticks;
            suspectSince = now;
            return;
        }
        if (now - suspectSince >= 100_000_000L) {
            if (Proc.isMainGoexited() && AllGs.count() == 0) {
                Panics.fatal("no goroutines (main called runtime.Goexit) - deadlock!", null);
            }
            Panics.fatal("all goroutines are asleep - deadlock!", null);
        }
    }

    /** The sum of schedticks when the runtime is quiescent and deadlocked, else -1. */
    private static long quiescentTicks() {
        if (Sched.npidle != Sched.gomaxprocs || Sched.runqsize != 0 || Sched.nmspinning.get() != 0) {
            return -1;
        }
        long ticks = 0;
        for (P pp : Sched.allp) {
            if (pp.running != null || !RunQueue.runqempty(pp) || pp.timers.minWhen != 0) {
                return -1;
            }
            ticks += pp.schedtick + ((long) pp.syscalltick << 32);
        }
        for (M mp : Sched.allm()) {
            if (mp.curg != null) {
                return -1;
            }
        }
        for (G gp : AllGs.snapshot()) {
            if (gp.status != G._Gwaiting || !gp.waitReason.onlyGoroutinesCanWake()) {
                return -1;
            }
        }
        return ticks;
    }
}
