package io.gmp4j.internal.runtime;

import io.gmp4j.GoPanic;

/** The runtime entry points behind {@link io.gmp4j.Go}; not for users. */
public final class RuntimeApi {
    private RuntimeApi() {}

    /**
     * An unstarted daemon platform thread for gmp4j's own background work, in the "gmp4j"
     * thread group under the system group, which the deadlock check does not count, as Go's
     * checkdead counts no runtime helper: the timer channels' collector, the heap profile's JFR
     * stream, the tracer's writer, sysmon (its wake-ups come from timers, which checkdead weighs
     * itself). A thread of the "main" or "VirtualThreads" group would veto every later verdict.
     */
    public static Thread newHelperThread(String name, Runnable r) {
        Thread t = new Thread(Deadlock.HELPERS, r, name);
        t.setDaemon(true);
        return t;
    }

    public static void newproc(Runnable f) {
        if (f == null) {
            Panics.fatal("go of nil func value", null); // proc.go: newproc1
        }
        // A go statement is a preemption point: newproc's prologue checks stackguard0. Without
        // it a spawn loop outlives its slice, sysmon hands its P off, and the loop runs on
        // beside the P's new owner with every G it makes queued globally under sched.lock.
        Park.checkPreempt();
        Proc.newproc(f, false);
    }

    public static void runMain(Runnable main) {
        if (main == null) {
            // Before any goroutine exists: main's wrapper reads main.getClass() outside the try
            // that releases the caller, so a null main there would leave Go.run waiting.
            throw new NullPointerException("Go.run: main");
        }
        String problem = JdkInternals.problem();
        if (problem != null) {
            // One line, no reflection trace (docs/DESIGN.md, sharp edge 6).
            System.err.println(problem);
            System.exit(1);
        }
        Proc.schedinit();
        MainWait done = new MainWait();
        Proc.newproc(() -> {
            G.current().fn = main.getClass(); // the tracer names G1 after main, not this wrapper
            // checkdead judges only while a main goroutine runs (or has Goexited): counted by main
            // itself, not by the caller, which may be slow to make main or to leave after it.
            Deadlock.mainsRunning.incrementAndGet();
            try {
                main.run();
            } catch (Goexit.Signal exit) {
                throw exit; // Go.run does not return: main did not (Goexit's contract); still counted
            } catch (Throwable t) {
                // The crash report comes before the caller is released: without a handler
                // crash halts here, and the caller never races it with the JVM's own
                // uncaught-exception exit. With one, the panic is rethrown to the caller.
                Panics.crash(G.current(), t);
                done.panic = t;
            }
            done.finish();
        }, true);
        done.await();
        Panics.waitIfPanicking();
        GcTrace.flush(2_000_000_000L);
        Throwable t = done.panic;
        if (t != null) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new GoPanic("main goroutine panicked", t);
        }
    }

    /**
     * Lets Go.run's caller wait for main, whether it is a platform thread or a goroutine. A
     * platform caller counts for checkdead as asleep (Deadlock.mainWaiters) only while it waits
     * here for a main that has not returned: not while Go.run makes main (class loading on a cold,
     * loaded JVM took over 100 ms, and a user's InheritableThreadLocal runs there), nor once main
     * has returned and the caller, released, is about to act on its own.
     */
    static final class MainWait {
        final Thread waiter = Thread.currentThread();
        volatile boolean finished;
        volatile Throwable panic;

        /** main's last act: Go.run returns from here on. */
        void finish() {
            Deadlock.mainsRunning.decrementAndGet();
            finished = true; // the caller is no longer asleep (Deadlock.waitsForMain), parked or not
            Park.ready(waiter);
        }

        void await() {
            // In a goroutine this is a gmp4j wait, asleep for checkdead: only the inner main
            // goroutine ends it, so a deadlock inside a nested Go.run is reported.
            boolean platform = !waiter.isVirtual();
            if (platform) {
                Deadlock.mainWaiters.add(this); // after newproc: main is in allgs
            }
            try {
                boolean interrupted = false;
                while (!finished) {
                    interrupted |= Park.park(this, WaitReason.GO_RUN);
                }
                if (interrupted) {
                    Thread.currentThread().interrupt(); // kept for the caller, not acted on
                }
            } finally {
                if (platform) {
                    Deadlock.mainWaiters.remove(this);
                }
            }
        }
    }

    public static void gosched() {
        Park.checkPreemptCleared();
        Proc.gosched();
    }

    public static int gomaxprocs(int n) {
        Proc.schedinit();
        if (n < 1) {
            return Sched.gomaxprocs;
        }
        Env.gomaxprocsFixed = true;
        if (n == Sched.gomaxprocs) {
            return n; // debug.go: GOMAXPROCS returns early when nothing changes
        }
        // Runs on the caller, goroutine or not: procresize takes the timer locks it nests under
        // sched.lock without yielding (RuntimeMutex.lockHoldingOthers), so a goroutine never
        // unmounts holding sched.lock, as Go runs it with the world stopped.
        int old = Proc.procresize(n);
        M mp = M.current();
        if (mp != null && mp.p != null && mp.p.retired) {
            Proc.gosched(); // leave the retired P now, as Go's stop-the-world would have moved us
        }
        return old;
    }

    public static int numGoroutine() {
        return AllGs.count();
    }

    public static void lockOSThread() {
        G gp = G.current();
        if (gp == null) {
            return; // a platform thread is its own M already
        }
        M mp = gp.lockedm;
        if (mp == null) {
            // proc.go: LockOSThread starts the template thread while the caller's thread is
            // still in a known-good state: Ms needed from a locked thread are started there.
            TemplateThread.start();
            mp = M.current();
            gp.lockedm = mp;
            mp.lockedg = gp;
        }
        // proc.go: LockOSThread. lockedExt is Go's uint32: the lock that wraps it to 0 panics
        // and leaves the count (and the lock) as it was. Only possible while already locked.
        if (++mp.lockedExt == 0) {
            mp.lockedExt--;
            throw new GoPanic("LockOSThread nesting overflow");
        }
    }

    public static void unlockOSThread() {
        G gp = G.current();
        M mp = gp == null ? null : gp.lockedm;
        if (mp == null) {
            return; // as Go: unlocking an unlocked goroutine is a no-op
        }
        if (--mp.lockedExt == 0) {
            gp.lockedm = null;
            mp.lockedg = null;
        }
    }

    /** proc.go: setMaxThreads: a limit below the Ms already made is the crash it would be later. */
    public static int setMaxThreads(int threads) {
        Proc.schedinit();
        int old;
        boolean over;
        Sched.lock.lock();
        try {
            old = Sched.maxmcount;
            Sched.maxmcount = threads;
            over = Sched.mcount.get() + Sched.helperThreads > threads; // checkmcount
        } finally {
            Sched.lock.unlock();
        }
        if (over) {
            Panics.threadExhaustion(threads); // printed outside sched.lock, as startm's
        }
        return old;
    }
}
