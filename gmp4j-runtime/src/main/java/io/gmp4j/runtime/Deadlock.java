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
 * outside Go.run, platform threads we cannot see may still wake goroutines. For the same
 * reason a live application platform thread (thread group "main" or "VirtualThreads", daemon
 * or not) other than
 * Go.run's own caller and gmp4j's Ms and sysmon vetoes the verdict: an HTTP server's
 * dispatcher that starts goroutines, a thread that will send on a channel. In Go it would be a
 * goroutine in IO wait. The JDK's own threads (system thread groups) do not count. The verdict must
 * hold on two sysmon checks 100 ms apart with no scheduling in between, so a race with a
 * goroutine that is parking or being readied cannot produce it.
 */
final class Deadlock {
    private Deadlock() {}

    static final java.util.concurrent.atomic.AtomicInteger mainsRunning = new java.util.concurrent.atomic.AtomicInteger();
    /** The platform threads blocked in Go.run waiting for their main goroutine. */
    static final java.util.Set<Thread> mainWaiters = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static long suspectSince;
    private static long suspectTicks = -1;
    private static long vetoedUntil;

    static void check(long now) {
        if (mainsRunning.get() == 0 && !Proc.isMainGoexited()) {
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
        if (now - suspectSince < 100_000_000L || now < vetoedUntil) {
            return;
        }
        // The expensive part, at most once a second while the runtime sits idle: scan every
        // goroutine (stopping at the first that is not parked on gmp4j) and the platform threads.
        if (AllGs.anyMatch(Deadlock::mayBeWokenFromOutside) || outsideThreadMayWake()) {
            vetoedUntil = now + 1_000_000_000L;
            return;
        }
        if (quiescentTicks() == ticks) {
            if (Proc.isMainGoexited() && AllGs.count() == 0) {
                Panics.fatal("no goroutines (main called runtime.Goexit) - deadlock!", null);
            }
            Panics.fatal("all goroutines are asleep - deadlock!", null);
        }
    }

    /** A live application platform thread that is not gmp4j's nor waiting in Go.run (checked only on a suspect). */
    private static boolean outsideThreadMayWake() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !t.isVirtual() && !(t instanceof M) && !Sysmon.isSysmon(t) && !mainWaiters.contains(t)
                    && !t.getName().equals("DestroyJavaVM") && inMainGroup(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inMainGroup(Thread t) {
        for (ThreadGroup g = t.getThreadGroup(); g != null; g = g.getParent()) {
            // "VirtualThreads" holds platform threads created by a virtual thread (a goroutine).
            if (g.getName().equals("main") || g.getName().equals("VirtualThreads")) {
                return true;
            }
        }
        return false;
    }

    /** Not parked on a gmp4j primitive: running, runnable, or parked where others can wake it. */
    private static boolean mayBeWokenFromOutside(G gp) {
        return gp.status != G._Gwaiting || !gp.waitReason.onlyGoroutinesCanWake();
    }

    /** The sum of schedticks when no P, M, queue or timer has work, else -1 (cheap: no G scan). */
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
        return ticks;
    }
}
