package io.gmp4j.internal.runtime;

import java.lang.invoke.VarHandle;

/**
 * The scheduler loop and Go's ready path (proc.go: schedule, findRunnable, execute, ready,
 * newproc, wakep, startm, stopm, handoffp, acquirep, releasep, resetspinning, goexit0).
 *
 * <p>An M runs {@link #schedule} forever: find a runnable G, mount it by running its JDK
 * continuation on the M's own stack, and when the continuation returns (the G parked,
 * yielded or ended) look for the next one. A G becomes runnable in {@link #ready}, called by
 * the JDK through {@code G.execute} on whatever thread made it so:
 *
 * <pre>
 *   caller                                 queue
 *   a G on one of our Ms (unpark, go)      that M's P: runnext (the old runnext to the tail)
 *   one of our Ms running a timer          that M's P: runnext, as goready does
 *   one of our Ms (a G's yield)            that M's P: tail; Go.gosched: the global queue
 *   sysmon (a busy P's timer)              the head of the global queue, then wakep
 *   any other thread                       the global queue, then wakep
 * </pre>
 *
 * <p>Wake-up protocol (proc.go's "Worker thread parking/unparking" essay, unchanged): a
 * producer publishes work, then (1) issues a full fence and (2) reads nmspinning; it starts a
 * spinning M only when none spins and a P is idle. A spinning M that gives up (3) releases its
 * P under sched.lock after re-checking the global queue and needspinning, (4) decrements
 * nmspinning (a full fence), and (5) re-checks every P's run queue and the global queue.
 * Either the producer sees nmspinning == 0 at (2) or the M sees the work at (5).
 *
 * <p>P ownership while a G runs: {@code P.running} (see {@link P}). The M sets it before
 * mounting a G and takes it back by CAS when the continuation returns; a G-side ready takes
 * it by CAS around its runqput; sysmon's retake takes it by CAS and hands the P to another M.
 * Whoever fails the CAS has lost the P and treats it as a P-less caller would.
 *
 * <p>Time slice (proc.go: runqget's inheritTime, sysmon's preemptone): a G taken from runnext
 * inherits the slice of the G that readied it, so execute counts no schedtick for it; sysmon
 * asks the running G to yield once the slice is forcePreemptNS old, and marks the P
 * (P.sliceOver) for a G that parks through the JDK without a gmp4j call: findRunnable then
 * serves the local ring and the global queue before runnext.
 *
 * <p>Divergences from Go (docs/DIVERGENCES.md): no G free list (a virtual thread cannot be
 * restarted); gomaxprocs shrinks without stopping the world (a P above the new limit is retired
 * when its M next schedules; timers armed on it meanwhile go to P0); a run-queue entry can be
 * stale (the JDK resubmits a runnable thread whose stack was traced): G.queued drops most,
 * {@link #takeEntry} the rest, and {@link #startlockedm} never hands a P to an M that has
 * exited or no longer runs the G.
 */
final class Proc {
    private Proc() {}

    private static volatile boolean started;
    /** A main goroutine ended through Goexit (proc.go: main's Goexit case). */
    private static volatile boolean mainGoexited;

    /** proc.go: schedinit. Idempotent; the first goroutine operation calls it. */
    static void schedinit() {
        if (started) {
            return;
        }
        synchronized (Proc.class) {
            if (started) {
                return;
            }
            JdkInternals.check();
            JdkInternals.initPollerFromPlatformThread();
            Env.load();
            Panics.preload();
            try {
                procresize(Env.initialGomaxprocs());
            } catch (OutOfMemoryError e) { // GOMAXPROCS=2147483647: allp does not fit (Go 1.19 throws too)
                Panics.runtimeThrow("schedinit", e);
            }
            Sysmon.start();
            GcTrace.install();
            Mem.init();
            started = true;
        }
        // GMP4J_DEBUG_ADDR / -Dgmp4j.debug.addr: the debug server, started on a platform thread
        // of its own (never an M or sysmon), outside Proc's monitor.
        io.gmp4j.internal.pprof.DebugServer.startFromEnvironment();
    }

    static boolean started() {
        return started;
    }

    // ---- creating and readying goroutines -------------------------------------------

    /** proc.go: newproc. Any thread. */
    static G newproc(Runnable fn, boolean isMain) {
        schedinit();
        M mp = M.current();
        long goid = isMain && Sched.mainGoidTaken.compareAndSet(false, true) ? 1 : newGoid(mp);
        G newg = new G(goid, fn, isMain);
        if (!isMain) {
            CreatedBy.note(newg, fn);
        }
        if (ProfLabels.any) { // the one read per go for a program without labels
            ProfLabels.inherit(newg);
        }
        AllGs.add(mp, newg);
        if (ExecTrace.on) {
            ExecTrace.create(newg);
        }
        try {
            newg.thread.start(); // the JDK calls newg.execute -> ready(newg)
        } catch (Throwable e) {
            // Out of memory in the JDK's start: no G that never runs stays in allgs (checkdead).
            AllGs.abandoned(newg);
            if (ProfLabels.any) {
                ProfLabels.forget(newg);
            }
            throw e;
        }
        return newg;
    }

    /**
     * proc.go: newproc1's goid allocation: each M takes goids from the global counter in
     * batches of 16 (Go's _GoidCacheBatch, per P there; per M here because an M, unlike a P,
     * is never shared while a G runs on it).
     */
    private static long newGoid(M mp) {
        if (mp == null) {
            return Sched.goidgen.getAndIncrement();
        }
        if (mp.goidcache == mp.goidcacheend) {
            mp.goidcache = Sched.goidgen.getAndAdd(16);
            mp.goidcacheend = mp.goidcache + 16;
        }
        return mp.goidcache++;
    }

    /** proc.go: ready. Any thread; never throws (see the table in the class comment). */
    static void ready(G gp) {
        if (ExecTrace.on) {
            ExecTrace.unblock(gp);
        }
        Thread t = Thread.currentThread();
        if (gp.toGlobal) {
            gp.toGlobal = false;
            injectGlobal(gp);
            return;
        }
        if (t instanceof M mp) {
            P pp = mp.p;
            if (pp != null) {
                if (mp.inScheduler) { // owns pp outright: a timer callback (time.go: goroutineReady -> goready)
                    RunQueue.runqput(pp, gp, true);
                    wakep();
                    return;
                }
                if (pp.casRunning(mp, null)) { // the JDK's afterYield, still inside cont.run()
                    RunQueue.runqput(pp, gp, false);
                    pp.soRunning(mp); // hands pp back to the running G; pairs with casRunning
                    wakep();
                    return;
                }
            }
        } else if (t.isVirtual() && JdkInternals.carrierOf(t) instanceof M mp) {
            // The JDK pins the waker's continuation around execute, so mp stays our carrier.
            P pp = mp.p;
            if (pp != null && pp.casRunning(mp, null)) {
                RunQueue.runqput(pp, gp, true);
                pp.soRunning(mp); // hands pp back to the running G; pairs with casRunning
                wakepFenced(); // runqput's exchange of runnext was the full fence of step (1)
                return;
            }
        }
        // A busy P's timer run by sysmon: Go would run it on that P and ready the G into its
        // runnext; the head of the global queue is the nearest place sysmon can reach.
        injectGlobal(gp, Sysmon.isSysmon(t));
    }

    /** The global queue plus wakep: the path for wake-ups from outside our Ps. Any thread. */
    static void injectGlobal(G gp) {
        injectGlobal(gp, false);
    }

    /** injectGlobal at the head of the global queue, or at its tail. */
    private static void injectGlobal(G gp, boolean head) {
        Sched.lock.lock();
        try {
            if (head) {
                Sched.globrunqputhead(gp);
            } else {
                Sched.globrunqput(gp);
            }
        } finally {
            Sched.lock.unlock();
        }
        wakep();
    }

    /**
     * runtime.Gosched: the current G goes to the global queue (proc.go: goschedImpl). Returns
     * false when the JDK could not unmount it (pinned: a native frame or class initialiser).
     */
    static boolean gosched() {
        G gp = G.current();
        if (gp == null) {
            Thread.yield();
            return true;
        }
        gp.toGlobal = true;
        Thread.yield();
        boolean yielded = !gp.toGlobal; // ready() consumed it: the G went through the queue
        gp.toGlobal = false; // in case the JDK did not yield (pinned): no stale request
        return yielded;
    }

    /**
     * Cooperative preemption at a gmp4j call or a back-edge check (proc.go: gopreempt_m). Only
     * gp itself. Returns false when the yield failed because gp is pinned.
     */
    static boolean preemptPark(G gp) {
        gp.preempt = false;
        // Without the agent the slice ended here, the Go way: gp goes to the global queue and
        // findRunnable takes runnext first, as Go's does. sysmon's sliceOver mark is for the
        // chains that no gmp4j call ends; left set, it would put the global queue, which holds
        // gp, before runnext, and a G readied into runnext would wait while gp polls on. With
        // the agent the mark stays: demoteRunnext sends runnext behind gp, one slice later
        // (clearing it there too made W10's p99 wake lateness 1.5x, 2026-12-05).
        if (!Preempt.agentInstalled) {
            M mp = M.current();
            P pp = mp == null ? null : mp.p;
            if (pp != null && pp.sliceOver) {
                pp.sliceOver = false;
            }
        }
        return gosched();
    }

    // ---- the M side ------------------------------------------------------------------

    /** proc.go: mstart1. The body of every M. */
    static void mstart(M mp) {
        P pp = mp.nextp;
        mp.nextp = null;
        if (pp != null) {
            acquirep(mp, pp);
        }
        try {
            schedule(mp);
        } catch (Throwable e) {
            Panics.runtimeThrow("schedule", e);
        } finally {
            mp.exited = true; // then the drain: a startlockedm that missed exited left its P here
            P late = mp.takeNextp();
            if (late != null) {
                handoffp(late);
            }
            AllGs.flush(mp);
            Sched.allmRemove(mp);
            Sched.mcount.decrementAndGet();
            checkExitHoldsNothing(mp);
        }
    }

    /**
     * proc.go: mexit's "m still holds a P" throw. An M that exits with a P, or with one handed
     * to it, takes that P out of the scheduler for good: at GOMAXPROCS=1 everything stops.
     */
    private static void checkExitHoldsNothing(M mp) {
        P held = mp.p;
        // nextp and pp.m may lag: a startlockedm that lost to our exit takes its P back after
        // its CAS, and sysmon clears pp.m in handoffp just after its retake's CAS.
        for (long waited = 0; held == null; waited++) {
            P stale = mp.nextp;
            for (P pp : Sched.allp) {
                if (stale == null && pp.m == mp) {
                    stale = pp;
                }
            }
            if (stale == null) {
                return;
            }
            if (waited == 1000) {
                held = stale;
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
        Panics.fatal("mexit: " + mp + " exited holding " + held + " (status " + held.status + ")\n" + SchedTrace.detail(), null);
    }

    /** proc.go: schedule. Only mp. Returns only when mp exits (a locked G ended on it). */
    private static void schedule(M mp) {
        for (;;) {
            if (mp.nextp != null && mp.lockedg == null) {
                takeLateHandoff(mp);
            }
            if (mp.lockedg != null) {
                // proc.go: schedule -> stoplockedm: this M runs only its locked G.
                stoplockedm(mp);
                runLocked(mp, mp.lockedg);
                if (mp.exitAfterG) {
                    handoffAndExit(mp);
                    return;
                }
                continue;
            }
            if (mp.p == null) {
                dropSpinning(mp);
                stopm(mp, 0);
                continue;
            }
            if (mp.p.retired) {
                dropSpinning(mp);
                retirep(mp);
                continue;
            }
            G gp = findRunnable(mp);
            if (gp == null) {
                continue; // mp lost or gave up its P; loop to acquire one
            }
            if (mp.p.retired) {
                // procresize retired our P while we looked (a steal can take a G after the
                // check at the top of findRunnable): running gp here would exceed GOMAXPROCS.
                mp.inheritTime = false;
                Sched.lock.lock();
                try {
                    Sched.globrunqputhead(gp);
                } finally {
                    Sched.lock.unlock();
                }
                dropSpinning(mp);
                retirep(mp);
                continue;
            }
            if (!takeEntry(gp)) {
                mp.inheritTime = false;
                continue; // a stale entry: gp runs, waits or ended; its next wake-up queues it again
            }
            if (mp.spinning) {
                resetspinning(mp);
            }
            M locked = gp.lockedm;
            if (locked != null && locked != mp) {
                // proc.go: startlockedm: hand our P to the G's own M and stop.
                startlockedm(mp, gp, locked); // clears mp.inheritTime, handed on with gp's slice
                continue;
            }
            if (!execute(mp, gp)) {
                mp.p = null; // sysmon retook it: Go's exitsyscall finding no P
            }
            if (mp.exitAfterG) {
                handoffAndExit(mp);
                return;
            }
        }
    }

    /**
     * proc.go: execute. Only mp. Runs gp until it parks, yields or ends. Returns false when
     * mp lost its P meanwhile (sysmon's hand-off).
     */
    private static boolean execute(M mp, G gp) {
        P pp = mp.p;
        boolean timeSwitch = false;
        if (mp.inheritTime) {
            mp.inheritTime = false;
            timeSwitch = (++mp.switchSeq & (SWITCH_SAMPLE - 1)) == 0 && HandoffSpin.LIMIT != 0;
        } else {
            pp.soSchedtick(pp.schedtick + 1); // owner-only increment: a release store, no fence
        }
        pp.soRunticks(pp.runticks + 1);
        if (gp.preempt) {
            gp.preempt = false; // a request for an earlier slice (proc.go: execute clears it too)
        }
        gp.preemptPinned = false;
        long since = gp.readySince;
        if (since != 0) { // a tracked transition (one in 8): /sched/latencies
            gp.readySince = 0;
            TimeHist.record(pp.schedLat, System.nanoTime() - since);
        }
        mp.soCurg(gp);
        gp.soStatus(G._Grunning);
        mp.inScheduler = false;
        long traceStart = ExecTrace.on ? ExecTrace.sliceStart(mp, gp, pp) : 0; // the one check when tracing is off
        pp.soRunning(mp); // from here sysmon may retake pp; pairs with casRunning below and in Sysmon.retake
        long t0 = timeSwitch ? System.nanoTime() : 0;
        try {
            gp.cont().run();
        } finally {
            if (t0 != 0) {
                HandoffSpin.switched(System.nanoTime() - t0); // a G switch, as spins are judged against
            }
            mp.soCurg(null);
            mp.inScheduler = true;
        }
        boolean kept = pp.casRunning(mp, null);
        if (gp.status == G._Grunning) {
            // Parked by the JDK (a socket, j.u.c., a monitor): no gopark stamped the wait that
            // dumps count minutes from ("[IO wait, 3 minutes]"). A G already run again
            // elsewhere gets a stamp it never shows: minutes go with a wait state only.
            gp.waitSince = (int) (Sched.coarseNanos() >> 30);
        }
        if (mp.ndeadGs == AllGs.EXIT_BATCH) {
            AllGs.flush(mp); // here, not on the exiting G: a contended stripe lock yields the caller
        }
        if (traceStart != 0) {
            ExecTrace.slice(mp, kept ? pp.id : -1, gp, traceStart);
        }
        return kept;
    }

    /**
     * One mount in SWITCH_SAMPLE of a runnext G is timed for HandoffSpin.switched (two
     * nanoTime calls, ~50 ns here): a window of 256 samples takes ~10 ms of a serial pair. A
     * power of two.
     */
    private static final int SWITCH_SAMPLE = 64;

    /**
     * With the agent, at a slice end the P's runnext G loses its turn, not its place: it goes
     * behind the global queue's Gs (or to the local ring when that queue is empty). Left in
     * runnext it would wait for an empty global queue, which Gs preempted at back-edge checks
     * keep full: starved for good (four spinners at GOMAXPROCS=1). Runs before the P's timers,
     * so that a G they ready goes into runnext afterwards and runs next, as in Go. Without the
     * agent runnext keeps its place (slices end rarely there, and runnext runs at the next
     * switch).
     */
    private static void demoteRunnext(P pp) {
        G next = RunQueue.runnextget(pp);
        if (next == null) {
            return;
        }
        if (Sched.runqsize > 0) {
            Sched.lock.lock();
            try {
                Sched.globrunqput(next);
            } finally {
                Sched.lock.unlock();
            }
        } else {
            RunQueue.runqput(pp, next, false);
        }
    }

    /**
     * proc.go: findRunnable. Only mp, which holds a P. Returns a G to run, or null when mp
     * gave up its P (it then slept and the caller loops).
     */
    private static G findRunnable(M mp) {
        for (;;) {
            P pp = mp.p;
            if (pp.retired) {
                return null;
            }
            boolean agent = Preempt.agentInstalled;
            if (agent && pp.sliceOver) {
                demoteRunnext(pp);
            }
            // nanoTime costs ~20 ns: only read it when this P has timers (0: not read yet,
            // stealWork reads it when another P has timers; proc.go: checkTimers).
            long now = pp.timers.minWhen != 0 ? Sched.nanotime() : 0;
            long pollUntil = pp.timers.check(now);

            // sysmon found the running slice over (retake). A G preempted at a gmp4j call went to
            // the global queue and cleared the mark (preemptPark): the local queue, runnext
            // first, comes next, as in Go. A runnext chain that parks through the JDK
            // (LockSupport, j.u.c.) makes no gmp4j call and cannot be preempted: its slice ends
            // here, the local ring and then the global queue go before runnext, which starts a
            // new slice instead of inheriting this one.
            boolean sliceOver = pp.sliceOver;
            if (sliceOver) {
                pp.sliceOver = false;
            } else if (pp.schedtick % 61 == 0 && Sched.runqsize > 0) {
                // Check the global runnable queue once in a while to ensure fairness.
                // Otherwise two goroutines can completely occupy the local runqueue
                // by constantly respawning each other.
                G gp;
                Sched.lock.lock();
                try {
                    gp = Sched.globrunqget(pp, 1);
                } finally {
                    Sched.lock.unlock();
                }
                if (gp != null) {
                    return gp;
                }
            }
            G gp;
            if (sliceOver) {
                gp = agent ? RunQueue.runnextget(pp) : null; // readied by the timers just run: see demoteRunnext
                if (gp == null) {
                    gp = RunQueue.runqgetRing(pp);
                }
                if (gp == null && Sched.runqsize > 0) {
                    Sched.lock.lock();
                    try {
                        gp = Sched.globrunqget(pp, 1);
                    } finally {
                        Sched.lock.unlock();
                    }
                }
            } else {
                gp = RunQueue.runnextget(pp);
                mp.inheritTime = gp != null;
            }
            if (gp != null) {
                return gp;
            }
            gp = RunQueue.runqget(pp);
            if (gp != null) {
                return gp;
            }
            if (Sched.runqsize != 0) {
                Sched.lock.lock();
                try {
                    gp = Sched.globrunqget(pp, 0);
                } finally {
                    Sched.lock.unlock();
                }
                if (gp != null) {
                    return gp;
                }
            }

            // Spinning Ms: steal work from other Ps. Limit the number of spinning Ms to half
            // the busy Ps, so that CPU use stays low when GOMAXPROCS >> 1 but parallelism is low.
            if (mp.spinning || 2 * Sched.nmspinning.get() < Sched.gomaxprocs - Sched.npidle) {
                if (!mp.spinning) {
                    becomeSpinning(mp);
                }
                gp = stealWork(mp, pp, now);
                if (gp == null && POLL_NANOS > 0 && HandoffSpin.pollOn()) { // not in Go: see pollWork
                    gp = pollWork(pp);
                }
                if (gp != null) {
                    return gp;
                }
                if (Sched.runqsize != 0 || !RunQueue.runqempty(pp)) {
                    continue; // new work (timers run by stealWork readied Gs)
                }
                long w = Timers.earliest();
                if (w != 0 && (pollUntil == 0 || w < pollUntil)) {
                    pollUntil = w;
                }
            }
            if (pollUntil != 0 && pollUntil <= Sched.nanotime()) {
                continue; // a timer is due now: run it
            }

            // Release the P and sleep (the "delicate dance" of proc.go).
            P again = null;
            Sched.lock.lock();
            try {
                if (pp.retired) {
                    return null; // retired since the top: schedule retires it, never the idle list
                }
                if (Sched.runqsize != 0) {
                    return Sched.globrunqget(pp, 0);
                }
                if (!mp.spinning && Sched.needspinning == 1) {
                    // See proc.go: a wakep found no idle P and asked the next M that would
                    // release its P to spin instead.
                    Sched.needspinning = 0;
                    becomeSpinning(mp);
                    continue;
                }
                releasep(mp);
                Sched.pidleput(pp);
                if (!mp.spinning && Sched.needspinning == 1) {
                    // A wakep that found no idle P before our pidleput set needspinning after
                    // our look above (wakepFenced sets it without the lock): take a P back and
                    // spin. Our pidleput's npidle store, then this read; its store, then its
                    // read of npidle: one of the two sees the other.
                    again = Sched.pidleget();
                }
            } finally {
                Sched.lock.unlock();
            }
            if (again != null) {
                acquirep(mp, again);
                becomeSpinning(mp);
                continue;
            }
            if (mp.spinning) {
                mp.spinning = false;
                if (Sched.nmspinning.decrementAndGet() < 0) {
                    throw new IllegalStateException("findRunnable: negative nmspinning");
                }
                // Re-check all queues now that we are no longer counted as spinning (step 5).
                P p2 = checkRunqsNoP();
                if (p2 != null) {
                    acquirep(mp, p2);
                    becomeSpinning(mp);
                    continue;
                }
                // proc.go: findRunnable's checkTimersNoP. A timer armed while we were spinning,
                // after stealWork read Timers.earliest(), found no idle P or a spinning M (us)
                // and woke nobody: look again now that we are neither.
                pollUntil = Sched.earlier(pollUntil, Timers.earliest());
            } else {
                // Not in Go, where no other thread adds a timer to a P that an M holds; here a
                // platform thread may (Timers.target). One armed onto our P after the top's
                // checkTimers found no idle P (we still held it) and woke nobody: look at it
                // again now that it is idle (the armer's minWhen store, then its npidle read;
                // our pidleput, then this read: one of the two sees the other). Only our P's:
                // every idle M sleeping to the earliest timer of all woke in a herd.
                pollUntil = Sched.earlier(pollUntil, pp.timers.minWhen);
            }
            long timeout = 0;
            if (pollUntil != 0) {
                timeout = Math.max(1, pollUntil - Sched.nanotime());
            }
            stopm(mp, timeout);
            return null;
        }
    }

    /** proc.go: stealWork. Only mp (spinning). 4 rounds over all Ps in random order. */
    private static G stealWork(M mp, P pp, long now) {
        P[] allp = Sched.allp;
        int n = Math.min(Sched.gomaxprocs, allp.length);
        if (n <= 1) {
            return null;
        }
        final int stealTries = 4;
        StealOrder ord = StealOrder.of(n);
        for (int i = 0; i < stealTries; i++) {
            boolean stealTimersOrRunNextG = i == stealTries - 1;
            int r = java.util.concurrent.ThreadLocalRandom.current().nextInt() >>> 1;
            int start = ord.start(r);
            int inc = ord.inc(r);
            for (int k = 0, pos = start; k < n; k++, pos = (pos + inc) % n) {
                P p2 = allp[pos];
                if (p2 == pp || p2.retired) {
                    continue;
                }
                if (stealTimersOrRunNextG && p2.timers.minWhen != 0 && p2.timers.hasDue(now != 0 ? now : (now = Sched.nanotime()))) {
                    // Run p2's due timers here: the Gs they ready land on our P.
                    p2.timers.check(now);
                    G gp = RunQueue.runqget(pp);
                    if (gp != null) {
                        return gp;
                    }
                }
                if (p2.status != P._Pidle) {
                    G gp = RunQueue.runqsteal(pp, p2, stealTimersOrRunNextG);
                    if (gp != null) {
                        return gp;
                    }
                }
            }
        }
        return null;
    }

    /**
     * How long a spinning M that stole nothing polls the other Ps before it gives up its P
     * ({@code -Dgmp4j.sched.pollNanos}, 0: never), while HandoffSpin.pollOn. Not in Go, whose
     * spinning M gives up after stealWork's four rounds: see {@link #pollWork}.
     */
    static final long POLL_NANOS = Long.getLong("gmp4j.sched.pollNanos", 20_000);

    /**
     * A spinning M that found nothing polls the other Ps for up to {@link #POLL_NANOS} and takes
     * a G as soon as one is queued, a runnext G at once, without stealWork's 3 us grace. Go
     * leaves a readied G in its waker's runnext because a G switch on one P is cheaper than a
     * cross-core hand-off; on the JVM a switch is a continuation freeze and thaw, so while
     * cross-core hand-offs are cheap (HandoffSpin says when) the readied G is better run beside
     * its waker, both spinning on the channel instead of parking. Polling splits a pair that
     * fell back to one P. Only a spinning M polls, and at most half the busy Ps have one, so
     * the cost is bounded as Go's spinning is. Only mp (spinning), holding pp.
     */
    private static G pollWork(P pp) {
        long deadline = System.nanoTime() + POLL_NANOS;
        for (int iter = 1; ; iter++) {
            if (Sched.runqsize != 0 || !RunQueue.runqempty(pp) || pp.retired) {
                return null; // findRunnable's own checks take it from here
            }
            P[] allp = Sched.allp;
            int n = Math.min(Sched.gomaxprocs, allp.length);
            for (int i = 0; i < n; i++) {
                P p2 = allp[i];
                if (p2 != pp && !p2.retired && p2.status != P._Pidle && !RunQueue.runqempty(p2)) {
                    G gp = RunQueue.runqsteal(pp, p2, true, false);
                    if (gp != null) {
                        return gp;
                    }
                }
            }
            if ((iter & 63) == 0 && System.nanoTime() - deadline > 0) {
                return null;
            }
            Thread.onSpinWait();
        }
    }

    /** proc.go: checkRunqsNoP. mp has no P. Returns an idle P to use if any queue has work. */
    private static P checkRunqsNoP() {
        P[] allp = Sched.allp;
        int n = Math.min(Sched.gomaxprocs, allp.length);
        boolean work = Sched.runqsize != 0;
        for (int i = 0; i < n && !work; i++) {
            P p2 = allp[i];
            if (p2.status != P._Pidle && !RunQueue.runqempty(p2)) {
                work = true;
            }
        }
        if (!work) {
            return null;
        }
        Sched.lock.lock();
        try {
            return Sched.pidlegetSpinning();
        } finally {
            Sched.lock.unlock();
        }
    }

    /** Leaves the spinning state without looking for work again (mp is about to lose its P). */
    private static void dropSpinning(M mp) {
        if (mp.spinning) {
            mp.spinning = false;
            if (Sched.nmspinning.decrementAndGet() < 0) {
                throw new IllegalStateException("dropSpinning: negative nmspinning");
            }
        }
    }

    private static void becomeSpinning(M mp) {
        mp.spinning = true;
        Sched.nmspinning.incrementAndGet();
        if (Sched.needspinning != 0) {
            Sched.needspinning = 0;
        }
    }

    /** proc.go: resetspinning. Only mp. */
    private static void resetspinning(M mp) {
        mp.spinning = false;
        if (Sched.nmspinning.decrementAndGet() < 0) {
            throw new IllegalStateException("resetspinning: negative nmspinning");
        }
        // M wakes up another spinning M if there's an idle P and no other spinning M.
        wakep();
    }

    /** proc.go: wakep. Any thread. Starts a spinning M when none spins and a P is idle. */
    static void wakep() {
        VarHandle.fullFence(); // step (1) of the wake-up protocol: the work is visible before we read nmspinning
        wakepFenced();
    }

    /** wakep for a caller that has just issued a full fence after publishing its work. */
    private static void wakepFenced() {
        if (Sched.nmspinning.get() != 0 || Sched.npidle == 0 || !Sched.nmspinning.compareAndSet(0, 1)) {
            if (Sched.npidle == 0 && Sched.needspinning == 0) {
                // Go 1.21 sets needspinning under sched.lock (pidlegetSpinning), so the M that
                // is releasing its P sees it. Here without the lock (a lock per ready while
                // every P is busy): an M that read it unset may be putting its P on the idle
                // list now. Our store, then this read of npidle, against its pidleput, then its
                // read of needspinning (findRunnable): one of the two sees the other.
                Sched.needspinning = 1;
                if (Sched.npidle != 0) {
                    wakepFenced(); // an idle P after all: start a spinner as usual (once: needspinning is set)
                }
            }
            return;
        }
        P pp;
        Sched.lock.lock();
        try {
            pp = Sched.pidlegetSpinning();
        } finally {
            Sched.lock.unlock();
        }
        if (pp == null) {
            if (Sched.nmspinning.decrementAndGet() < 0) {
                throw new IllegalStateException("wakep: negative nmspinning");
            }
            return;
        }
        startm(pp, true);
    }

    /**
     * proc.go: startm. Any thread. Runs pp (or, when null, an idle P) on an idle or new M.
     * A spinning start must already be counted in nmspinning.
     */
    static void startm(P pp, boolean spinning) {
        M nmp;
        long newId = 0;
        Sched.lock.lock();
        try {
            if (pp == null) {
                pp = Sched.pidleget();
                if (pp == null) {
                    if (spinning) {
                        Sched.nmspinning.decrementAndGet();
                    }
                    return;
                }
            }
            pp.status = P._Prunning;
            nmp = Sched.mget();
            if (nmp != null && nmp.exited) {
                Panics.fatal("startm: idle " + nmp + " has exited", null); // a P handed to it would be lost
            }
            if (nmp != null) {
                nmp.spinning = spinning;
                // An idle M's nextp can hold a startlockedm's P for a moment (its CAS, then its
                // CAS back on finding the M no longer locked to its G; or a hand-off the M is
                // about to take). A plain store would overwrite that P, lost for good: wait for
                // the slot. Never seen; both holders clear it without a lock.
                for (int i = 0; !nmp.casNextp(null, pp); i++) {
                    if (i < 64) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
                pp.m = nmp;
            } else {
                newId = mReserveID();
            }
        } finally {
            Sched.lock.unlock();
        }
        if (nmp != null) {
            nmp.notewakeup(); // the volatile write publishes nextp and spinning
            return;
        }
        // proc.go: startm drops sched.lock before newm; so do we (building a Thread is no
        // critical section, and the thread-limit crash prints).
        if (newId < 0) {
            Panics.threadExhaustion(Sched.maxmcount);
        }
        nmp = new M(newId);
        nmp.spinning = spinning;
        nmp.nextp = pp;
        Sched.lock.lock();
        try {
            Sched.allmAdd(nmp);
            pp.m = nmp;
        } finally {
            Sched.lock.unlock();
        }
        io.gmp4j.internal.pprof.ThreadCreate.record(nmp); // proc.go: newm's m.createstack
        if (TemplateThread.onLockedThread()) {
            TemplateThread.newm(nmp); // not cloned from a locked thread's state (proc.go: newm)
        } else {
            nmp.start();
        }
    }

    /** proc.go: mReserveID + checkmcount. Lock held. The new M's id, or -1 past the thread limit. */
    private static long mReserveID() {
        Sched.assertLockHeld();
        if (Sched.mcount.incrementAndGet() + Sched.helperThreads > Sched.maxmcount) {
            return -1;
        }
        return ++Sched.mnext;
    }

    /**
     * proc.go: stopm. Only mp, without a P. Sleeps on the idle list until startm hands it a P
     * (returns true) or the timeout (0 = none) passes (returns false; it then tries an idle P
     * itself, which is how a sleeping M runs the next timer: Go's netpoll(delay)).
     */
    static boolean stopm(M mp, long timeoutNanos) {
        if (mp.p != null) {
            throw new IllegalStateException("stopm: holding p");
        }
        Sched.lock.lock();
        try {
            Sched.mput(mp);
        } finally {
            Sched.lock.unlock();
        }
        if (timeoutNanos > 0) {
            long now = Sched.nanotime();
            long until = now + timeoutNanos;
            Timers.registerSleeper(mp, until < now ? Long.MAX_VALUE : until); // a timer at "never" saturates
        }
        try {
            for (;;) {
                mp.notesleep(timeoutNanos);
                P pp = mp.takeNextp();
                if (pp != null) {
                    if (mp.idle) {
                        leaveIdleList(mp); // not from startm: a startlockedm that lost its race (see there)
                    }
                    acquirep(mp, pp);
                    return true;
                }
                // Timed out, or kicked because a timer moved earlier (Go's netpollBreak).
                Sched.lock.lock();
                try {
                    if (Sched.mremove(mp)) {
                        pp = Sched.pidleget();
                        if (pp == null) {
                            return false;
                        }
                        acquirep(mp, pp);
                        return true;
                    }
                } finally {
                    Sched.lock.unlock();
                }
                timeoutNanos = 0; // startm took us off the list: its nextp is on the way
            }
        } finally {
            Timers.unregisterSleeper(mp);
        }
    }

    private static void leaveIdleList(M mp) {
        Sched.lock.lock();
        try {
            Sched.mremove(mp);
        } finally {
            Sched.lock.unlock();
        }
    }

    /** proc.go: acquirep. Only mp. */
    static void acquirep(M mp, P pp) {
        mp.p = pp;
        pp.m = mp;
        pp.status = P._Prunning;
    }

    /** proc.go: releasep. Only mp. */
    static P releasep(M mp) {
        P pp = mp.p;
        mp.p = null;
        pp.m = null;
        return pp;
    }

    /**
     * proc.go: handoffp. The caller owns pp (sysmon after a retake, or an M leaving it).
     * Gives pp to an M if there is work for it, else to the idle list.
     */
    static void handoffp(P pp) {
        pp.syscalltick++;
        pp.m = null;
        if (pp.retired && retireHandedOff(pp)) {
            return;
        }
        // If it has local work or there is global work, start it straight away.
        if (!RunQueue.runqempty(pp) || Sched.runqsize != 0 || pp.timers.hasDue(Sched.nanotime())) {
            startm(pp, false);
            return;
        }
        // No local work, check that there are no spinning/idle M's, otherwise our help is not required.
        if (Sched.nmspinning.get() + Sched.npidle == 0 && Sched.nmspinning.compareAndSet(0, 1)) {
            startm(pp, true);
            return;
        }
        Sched.lock.lock();
        try {
            if (Sched.runqsize == 0 && !pp.retired) {
                Sched.pidleput(pp);
                return;
            }
        } finally {
            Sched.lock.unlock();
        }
        if (pp.retired && retireHandedOff(pp)) {
            return; // procresize retired pp since the first check: never to the idle list
        }
        startm(pp, false);
    }

    /**
     * handoffp of a P that procresize marked retired: retires it, unless procresize grew
     * GOMAXPROCS back since (re-read under the lock; then false and the caller hands it on).
     */
    private static boolean retireHandedOff(P pp) {
        long when = -1;
        Sched.lock.lock();
        try {
            if (pp.retired) {
                when = retire(pp);
            }
        } finally {
            Sched.lock.unlock();
        }
        if (when < 0) {
            return false;
        }
        wakeForMovedTimers(when);
        if (Sched.runqsize != 0) {
            // retire moved pp's Gs to the global queue: an M must come for them (as retirep's
            // wakep; Go's startTheWorld wakes one after procresize). A locked M leaving its
            // retired P (stoplockedm, an exit) or sysmon's retake get here.
            wakep();
        }
        return true;
    }

    /**
     * proc.go: stoplockedm. Only mp, whose locked G is not running: give the P away and sleep
     * until startlockedm hands mp a P together with its G.
     */
    private static void stoplockedm(M mp) {
        if (mp.p != null) {
            handoffp(releasep(mp));
        }
        Sched.nmidlelocked.incrementAndGet(); // proc.go: incidlelocked(1)
        for (;;) {
            mp.notesleep(0);
            P pp = mp.takeNextp();
            if (pp != null) {
                Sched.nmidlelocked.decrementAndGet(); // Go's startlockedm: incidlelocked(-1)
                acquirep(mp, pp);
                mp.inheritTime = mp.nextInheritTime;
                mp.nextInheritTime = false;
                return;
            }
        }
    }

    /**
     * Runs mp's locked G once on the P startlockedm handed over, if it is runnable: a hand-off
     * from a stale entry finds it running (it parks again first) or waiting. Only mp.
     */
    private static void runLocked(M mp, G gp) {
        if (!JdkInternals.isRunnable(gp.thread)) {
            mp.inheritTime = false;
        } else if (!execute(mp, gp)) {
            mp.p = null;
        }
    }

    /**
     * proc.go: startlockedm. Only mp, holding its P, which took gp's entry and found gp locked
     * to {@code locked}: hands the P to locked and stops (true), or keeps it (false) when a
     * hand-off to locked is already pending (it runs gp) or locked no longer runs gp (gp ran
     * from another entry since, and unlocked or ended). Go's entries are never stale, so it
     * hands over unconditionally; here a JDK resubmission can leave one (G.queued), and a P
     * handed to an exited or unlocked M would be lost.
     *
     * <p>Against locked's exit (exited, then takeNextp) and its unlock (lockedg cleared, then
     * takeLateHandoff before it can go idle): this CAS, then reads of exited and lockedg. Either
     * the reads see the change and the P comes back by a second CAS, or locked's take finds it.
     */
    private static boolean startlockedm(M mp, G gp, M locked) {
        P pp = releasep(mp);
        pp.m = locked;
        // A G from runnext keeps the slice it inherited on its own M too. Go counts a new one
        // there (schedule: execute(lockedg, false)), so a locked G ping-ponging through runnext
        // with another G kept resetting the slice and starved the P's local queue for good.
        locked.nextInheritTime = mp.inheritTime;
        mp.inheritTime = false; // passed on: not for the next G this M runs
        if (locked.casNextp(null, pp)) {
            if ((!locked.exited && locked.lockedg == gp) || !locked.casNextp(pp, null)) {
                locked.notewakeup(); // ours to run gp, or taken by locked's exit or drain
                stopm(mp, 0);
                return true;
            }
        }
        acquirep(mp, pp);
        return false;
    }

    /**
     * An entry for gp was taken from a run queue: clears G.queued (a volatile store: against
     * G.execute's read of it after the JDK made the thread runnable, one of the two sees the
     * other) and says whether running the entry runs gp. Not when gp already ran from another
     * entry, waits or ended, or a stack trace holds it (the trace submits it again).
     */
    static boolean takeEntry(G gp) {
        gp.queued = false;
        return JdkInternals.isRunnable(gp.thread);
    }

    /**
     * mp, no longer locked, finds a P that a startlockedm handed it while it still ran its
     * locked G: it keeps the P if it has none, else hands it on. Before mp can go idle, so that
     * no P reaches an M in the idle list. Only mp.
     */
    private static void takeLateHandoff(M mp) {
        P pp = mp.takeNextp();
        if (pp == null) {
            return;
        }
        if (mp.p == null) {
            acquirep(mp, pp);
        } else {
            handoffp(pp);
        }
    }

    /** A locked G ended on mp: mp exits with it, handing its P on (proc.go: goexit0, mexit). */
    private static void handoffAndExit(M mp) {
        P pp = mp.p;
        mp.p = null;
        if (pp != null) {
            handoffp(pp);
        }
    }

    // ---- gomaxprocs --------------------------------------------------------------------

    /**
     * proc.go: procresize, without stopping the world: new Ps go to the idle list; a P above
     * the new limit that is idle is retired now, and one held by an M is marked and retired
     * by that M at its next schedule (its queue moves to the global queue). Any thread.
     */
    static int procresize(int nprocs) {
        if (nprocs < 1) {
            throw new IllegalArgumentException("procresize: invalid arg " + nprocs);
        }
        int old;
        boolean grew;
        long timersWhen = 0;
        Sched.lock.lock();
        try {
            old = Sched.gomaxprocs;
            P[] allp = Sched.allp;
            if (nprocs > allp.length) {
                P[] grown = java.util.Arrays.copyOf(allp, nprocs);
                for (int i = allp.length; i < nprocs; i++) {
                    grown[i] = new P(i);
                }
                allp = grown;
            }
            for (int i = 0; i < allp.length; i++) {
                P pp = allp[i];
                if (i < nprocs) {
                    pp.retired = false; // a retired P still held by an M: it just keeps it
                    if (pp.status == P._Pdead || i >= Sched.allp.length) {
                        pp.timers.revive();
                        Sched.pidleput(pp);
                    }
                } else if (pp.status != P._Pdead && !pp.retired) {
                    pp.retired = true; // an idle one is retired below, a held one by its M
                }
            }
            // The idle Ps just marked, in one pass over the idle list: unlinking each with a
            // scan from the head (pidleremove) was quadratic, 28 s from 40,000 Ps to 2.
            for (P pp = Sched.pidleremoveAbove(nprocs); pp != null; ) {
                P next = pp.link;
                pp.link = null;
                timersWhen = Sched.earlier(timersWhen, retire(pp));
                pp = next;
            }
            Sched.allp = allp;
            Sched.gomaxprocs = nprocs;
            Sched.trimAllp();
            grew = nprocs > old;
        } finally {
            Sched.lock.unlock();
        }
        wakeForMovedTimers(timersWhen);
        if (started && (grew || Sched.runqsize != 0)) {
            wakep(); // a spinning M wakes the next one while work and idle Ps remain (resetspinning)
        }
        return old;
    }

    /**
     * Retires pp: its Gs to the global queue, timers to P0. Lock held; nobody runs on pp.
     * Returns the earliest moved timer's when, or 0: the caller passes it to
     * {@link #wakeForMovedTimers} after it dropped the lock (a wakep takes it).
     */
    private static long retire(P pp) {
        Sched.assertLockHeld();
        G gp;
        while ((gp = RunQueue.runqget(pp)) != null) {
            Sched.globrunqput(gp);
        }
        long when = pp.timers.moveTo(Sched.allp[0].timers);
        pp.status = P._Pdead;
        pp.m = null;
        return when;
    }

    /** After retire, without sched.lock: an M must notice the moved timers (0: none). */
    private static void wakeForMovedTimers(long when) {
        if (when != 0) {
            Timers.wakeNetPoller(when);
        }
    }

    /**
     * mp holds a retired P: give it up (proc.go: procresize's "release the current P"), unless
     * procresize grew GOMAXPROCS again since mp looked: then mp keeps it.
     */
    private static void retirep(M mp) {
        long when;
        Sched.lock.lock();
        try {
            if (!mp.p.retired) {
                return;
            }
            when = retire(releasep(mp));
            Sched.trimAllp();
        } finally {
            Sched.lock.unlock();
        }
        wakeForMovedTimers(when);
        wakep();
    }

    // ---- goroutine exit ----------------------------------------------------------------

    /** proc.go: goexit0. Only gp, as its last act. */
    static void goexit0(G gp) {
        gp.soStatus(G._Gdead); // release only: exited's atomic add is the fence (two fewer per G)
        if (ExecTrace.on) {
            ExecTrace.exiting(); // its slice ends here, as an exit (the M reads it later)
        }
        AllGs.exited(gp); // waitReason is already 0: endWait cleared it
        CreatedBy.forget(gp);
        if (ProfLabels.any) {
            ProfLabels.forget(gp); // proc.go: goexit0 clears gp.labels
        }
        M locked = gp.lockedm;
        if (locked != null) {
            // A G that ends while locked takes its M down with it (proc.go: goexit0).
            locked.exitAfterG = true;
            locked.lockedExt = 0;
            gp.lockedm = null;
        }
        if (mainGoexited && AllGs.count() == 0 && !Deadlock.timerPending() && AllGs.count() == 0
                && !Deadlock.outsideMayWake()) {
            // Else a timer (an afterFunc) or a thread outside may still start a goroutine: as
            // Go's last M waits in netpoll for the next timer, sysmon's checkdead decides later.
            // The second count: a goroutine an afterFunc's run started after the first
            // (timerPending saw the run over).
            Panics.fatal("no goroutines (main called runtime.Goexit) - deadlock!", null);
        }
    }

    static void mainGoexited() {
        mainGoexited = true;
    }

    static boolean isMainGoexited() {
        return mainGoexited;
    }
}
