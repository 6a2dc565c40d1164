package io.gmp4j.internal.runtime;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * proc.go: checkdead, run by sysmon. The program is deadlocked when no goroutine can ever run
 * again: every P is idle with empty queues, no M is running a G (a P-less M with a hog or a
 * pinned call counts as running), no timer is pending, and every live goroutine is parked on
 * a gmp4j primitive (WaitReason.onlyGoroutinesCanWake). A goroutine parked anywhere an
 * outside thread could wake it (a socket, java.util.concurrent, a foreign unpark) has no such
 * reason, so it vetoes the verdict: no false positives from I/O.
 *
 * <p>Only while a main goroutine (Go.run) runs its function or has Goexited, as in a Go program;
 * outside Go.run, platform threads we cannot see may still wake goroutines. For the same
 * reason nothing outside gmp4j's goroutines that could still act may be left (in Go it would
 * be a goroutine in IO wait), so any of these vetoes the verdict (outsideMayWake):
 * <ul>
 *   <li>a JDK virtual thread started inside a goroutine that has not terminated, running or
 *       parked (ForeignThreads): something outside may unpark it;</li>
 *   <li>a ForkJoinPool with work: a task running or queued, or a delayed one pending. That is
 *       the common pool (CompletableFuture.runAsync), the JDK's virtual-thread scheduler
 *       (virtual threads started outside goroutines: running, runnable or in a timed park) and
 *       any pool whose worker thread is alive. An idle pool's workers can only act when
 *       someone submits, and that someone counts on its own;</li>
 *   <li>any other live application platform thread (thread group "main" or "VirtualThreads",
 *       daemon or not): an HTTP server's dispatcher, a thread that will send on a channel;</li>
 *   <li>the JDK's process reaper waiting for a child process (its onExit callbacks).</li>
 * </ul>
 * Not counted: a ForkJoinPool's delay scheduler thread with no delayed task (idleDelayScheduler),
 * gmp4j's Ms, sysmon and helper threads (RuntimeApi.newHelperThread: group
 * "gmp4j", under the system group), the platform threads parked in Go.run while their main
 * goroutine runs (not while Go.run makes main, nor once main has returned: waitsForMain; a
 * goroutine waiting in a nested Go.run is parked as GO_RUN, asleep like any other), and the
 * JDK's own threads (system thread groups: reference handler, finalizer, cleaner, signal
 * dispatcher, pollers, unparkers; and those it starts in "main": DestroyJavaVM,
 * JFR's timers). Blind spot: a JDK virtual thread started outside goroutines and parked with
 * no timeout (on a socket, say) is invisible: enumerate lists platform threads only, and the
 * JDK's set of virtual threads is in jdk.internal.vm, which we do not open (DIVERGENCES.md).
 * The verdict must hold on two sysmon checks 100 ms apart with no scheduling in between (nor a
 * pinned goroutine's wake: asleepPinned), so a race with a goroutine that is parking or being
 * readied cannot produce it.
 */
final class Deadlock {
    private Deadlock() {}

    /** gmp4j's helper threads: outside "main" and "VirtualThreads", so inMainGroup skips them. */
    static final ThreadGroup HELPERS = new ThreadGroup(systemGroup(), "gmp4j");

    private static ThreadGroup systemGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }

    /**
     * The JDK's own threads that it starts in the group of whoever triggered them, often
     * "main": the launcher's DestroyJavaVM, and JFR's periodic-event and recording timers
     * (counted, a -XX:StartFlightRecording would veto every verdict).
     */
    private static final java.util.Set<String> JDK_THREADS_IN_MAIN_GROUP =
            java.util.Set.of("DestroyJavaVM", "JFR Periodic Tasks", "JFR Recording Scheduler");

    /** Main goroutines running their function (counted by main itself, RuntimeApi.runMain). */
    static final java.util.concurrent.atomic.AtomicInteger mainsRunning = new java.util.concurrent.atomic.AtomicInteger();
    /** The waits of platform threads in Go.run (RuntimeApi.MainWait.await); see waitsForMain. */
    static final java.util.Set<RuntimeApi.MainWait> mainWaiters = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static long suspectSince;
    private static long suspectTicks = -1;
    private static long vetoedUntil;

    static void check(long now) {
        if (Panics.panicking()) {
            return; // proc.go: checkdead: a dying program is not deadlocked, it is exiting
        }
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
        if (AllGs.anyMatch(Deadlock::mayBeWokenFromOutside) || outsideMayWake()) {
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

    /**
     * A P has a timer pending that may start or wake a goroutine (an afterFunc, a sleep, a
     * context's deadline; not a channel timer's send), or an M has taken an afterFunc's timer
     * from its heap and not started its goroutine yet (Go: that M is not idle): main's Goexit
     * deadlock waits for it. The caller counts the goroutines again afterwards.
     */
    static boolean timerPending() {
        for (P pp : Sched.allp) {
            if (pp.timers.anyMayStartWork()) {
                return true;
            }
        }
        return Timers.startingGoroutines();
    }

    /** Something outside gmp4j's goroutines could still wake one (see the class comment; only on a suspect). */
    static boolean outsideMayWake() {
        if (ForeignThreads.anyAlive()
                || poolBusy(JdkInternals.defaultScheduler()) || poolBusy(ForkJoinPool.commonPool())) {
            return true;
        }
        ThreadGroup root = systemGroup();
        Thread[] threads;
        int n;
        do {
            threads = new Thread[root.activeCount() + 16];
            n = root.enumerate(threads, true);
        } while (n == threads.length);
        for (int i = 0; i < n; i++) {
            Thread t = threads[i];
            if (!t.isAlive() || t.isVirtual() || t instanceof M || Sysmon.isSysmon(t) || waitsForMain(t)
                    || JDK_THREADS_IN_MAIN_GROUP.contains(t.getName())) {
                continue;
            }
            if (t.getName().startsWith("process reaper") && t.getState() == Thread.State.RUNNABLE) {
                // The JDK's reaper in waitpid for a child process: Process.onExit's callbacks run
                // when it returns (Go: a goroutine in cmd.Wait is in a system call, not asleep).
                return true;
            }
            if (idleDelayScheduler(t)) {
                continue;
            }
            if (t instanceof ForkJoinWorkerThread w) {
                if (poolBusy(w.getPool())) {
                    return true;
                }
            } else if (inMainGroup(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * t is parked in Go.run for a main goroutine that has not returned: it wakes nothing before
     * main ends. Not while Go.run still makes main, nor once main has returned (finished), however
     * long the OS takes to run t again: it acts on its own from then on.
     */
    private static boolean waitsForMain(Thread t) {
        for (RuntimeApi.MainWait w : mainWaiters) {
            if (w.waiter == t && !w.finished) {
                return true;
            }
        }
        return false;
    }

    /**
     * A ForkJoinPool's delay scheduler (JDK 25's java.util.concurrent.DelayScheduler, started
     * by the pool's first schedule, CompletableFuture.delayedExecutor's included, in the group
     * of that caller, often "main" or "VirtualThreads"), parked with no timeout: its heap of
     * delayed tasks is empty, and it stays so until someone schedules, who counts on its own.
     * It lives as long as its pool (the common pool's: for good). With a delayed task it parks
     * timed (TIMED_WAITING) and counts, as its pool's delayed count does.
     */
    private static boolean idleDelayScheduler(Thread t) {
        return t.getClass().getName().equals("java.util.concurrent.DelayScheduler")
                && t.getState() == Thread.State.WAITING;
    }

    /** A ForkJoinPool running, holding or scheduling a task. */
    private static boolean poolBusy(java.util.concurrent.Executor e) {
        return e instanceof ForkJoinPool p && (p.getActiveThreadCount() > 0 || p.hasQueuedSubmissions()
                || p.getQueuedTaskCount() > 0 || p.getDelayedTaskCount() > 0);
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
        return gp.status != G._Gwaiting || !gp.waitReason().onlyGoroutinesCanWake();
    }

    /**
     * gp, still mounted on its M, waits for another goroutine: parked on a gmp4j primitive while
     * pinned (below a class initialiser or a native frame), which keeps the M, as a syscall
     * keeps Go's. Its P went to sysmon's hand-off.
     */
    private static boolean asleepPinned(G gp) {
        return gp.status == G._Gwaiting && gp.waitReason().onlyGoroutinesCanWake() && JdkInternals.parkedPinned(gp.thread);
    }

    /**
     * The sum of schedticks and of the Ms' wakes when no P, M, queue or timer has work, else
     * -1 (cheap: no G scan). An M whose G waits pinned (asleepPinned) counts as idle.
     */
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
            G gp = mp.curg;
            if (gp != null && !asleepPinned(gp)) {
                return -1;
            }
            // A pinned G wakes and runs on its M without a schedtick: its wakes count instead,
            // so that pinned Gs waking each other between the two looks are not taken for asleep.
            ticks += mp.lvParkReturns() & 0xFFFF_FFFFL;
        }
        return ticks & Long.MAX_VALUE; // a fingerprint: -1 alone means "not quiescent"
    }
}
