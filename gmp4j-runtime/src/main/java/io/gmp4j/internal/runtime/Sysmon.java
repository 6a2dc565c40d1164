package io.gmp4j.internal.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * The system monitor (proc.go: sysmon, retake): one daemon platform thread, outside the Ps.
 *
 * <p>Each tick it (1) runs the timers of busy Ps that are due (their Ms are in user code and
 * will not look), (2) retakes Ps from Ms stuck with one G, (3) looks for a deadlock, and
 * (4) about once a second re-reads the cgroup CPU limit.
 *
 * <p>Timing, as Go: sleep 20 us; after 1 ms of ticks with nothing to do, double the sleep
 * up to 10 ms; any retake resets it to 20 us. With the back-edge agent ({@link Preempt}) a
 * G yields at the first ask, so sysmon instead wakes at the next slice end (at most half a
 * slice apart while Ps are busy) and leaves busy Ps' timers to the Ps' own slice-end switches.
 *
 * <p>Retake (Go's two cases folded into one, because the JVM cannot tell a CPU loop from a
 * blocking native call: both show a mounted, RUNNABLE G):
 * <ol>
 *   <li>A P whose schedtick has not moved for {@link #forcePreemptNanos} has run one time
 *       slice too long (one G, or a runnext chain that inherits the slice): sysmon sets
 *       {@code g.preempt} of the running G, which the next gmp4j call honours by yielding to
 *       the global queue (Go's stack-guard preemption), and {@code P.sliceOver}, which the
 *       P's next findRunnable honours; repeated each tick while the slice lasts. A P held
 *       in scheduler code or between Ms (no G mounted) gets the mark alone.</li>
 *   <li>If at a later tick the same G is still mounted (runticks unchanged), has been for
 *       forcePreemptNS, and other work waits for it (its
 *       own run queue; or the global queue or due timers with no idle P), sysmon takes the P
 *       by CAS on {@code P.running} and hands it to another M (handoffp), as Go does for a P
 *       in a syscall. The G keeps its M and runs on without a P.</li>
 *   <li>A G blocked while pinned (the JDK reports WAITING/BLOCKED while mounted: a monitor
 *       or park inside a native frame or class initialiser) gets the same hand-off after one
 *       tick, without the preempt phase; with no other work waiting, once it has been mounted
 *       10 ms, as Go retakes a P in a long syscall.</li>
 * </ol>
 * {@code GODEBUG=asyncpreemptoff=1} disables the hand-off of case 2 (Go 1.13 had no way to
 * stop a call-free loop; seed Bug 1 hangs), but not case 3 (Go always retook Ps in syscalls).
 *
 * <p>Divergence (docs/DIVERGENCES.md): after a case-2 hand-off, GOMAXPROCS + k Gs run in
 * parallel until the k hogs block or end; the OS time-slices them, which is what bounds W9/W10.
 */
final class Sysmon {
    private Sysmon() {}

    /**
     * proc.go: forcePreemptNS is 10 ms. Ours defaults to 2 ms (property
     * gmp4j.forcePreemptMillis, fractional allowed): W9/W10 latency is this plus one tick,
     * and the hand-offs it adds to W5 cost nothing measurable (docs/BENCHMARKS.md).
     */
    static final long forcePreemptNanos = forcePreempt();

    /**
     * With the agent: how long a G asked to yield may run on before the hand-off. Go's
     * forcePreemptNS (10 ms): an instrumented loop yields within microseconds, so only code
     * that cannot reach a check waits this long; a shorter grace handed off Gs whose thread the
     * OS had not run yet on a loaded machine (20 hand-offs a second at GOMAXPROCS=2 with 2 ms).
     */
    static final long AGENT_HANDOFF_GRACE = Math.max(forcePreemptNanos, 10_000_000L);

    private static volatile Thread thread;
    /** Hand-offs of Ps from mounted Gs (case 2 and 3), for tests and diagnostics. Written by sysmon only. */
    static volatile long handoffs;
    /** How many of those Gs run on without a P, not yet back at a check (handedOff's size; sysmon writes, on a change). */
    static volatile int handedOffNow;
    /** With the agent: when retake has something to do next (a slice ends), or 0 (sysmon only). */
    private static long nextDeadline;
    /** Hogs handed off while the agent is installed, until they yield at a check (sysmon only). */
    private static final java.util.ArrayList<G> handedOff = new java.util.ArrayList<>();
    private static volatile long lastCgroupCheck;

    private static long forcePreempt() {
        String v = System.getProperty("gmp4j.forcePreemptMillis");
        if (v != null) {
            try {
                double ms = Double.parseDouble(v);
                if (ms > 0) {
                    return (long) (ms * 1_000_000);
                }
            } catch (NumberFormatException ignored) {
                // invalid: keep the default, as Go ignores bad knobs
            }
        }
        return 2_000_000;
    }

    static boolean isSysmon(Thread t) {
        return t == thread;
    }

    static synchronized void start() {
        if (thread != null) {
            return;
        }
        thread = RuntimeApi.newHelperThread("gmp4j-sysmon", Sysmon::loop); // before start: loop asks isSysmon
        io.gmp4j.internal.pprof.ThreadCreate.record(thread);
        try {
            thread.start();
        } catch (Throwable e) { // no native thread (OutOfMemoryError): the next schedinit tries again
            thread = null;
            throw e;
        }
    }

    private static void loop() {
        // The delay is Go's: 20 us, doubled after 50 idle ticks (1 ms), at most 10 ms; cut short
        // when a timer is due while Ps are busy.
        long delayMicros = 0;
        int idle = 0;
        lastCgroupCheck = System.nanoTime(); // schedinit has just read the limit
        for (;;) {
            try {
                if (idle == 0) {
                    delayMicros = 20;
                } else if (idle > 50) {
                    delayMicros *= 2;
                }
                if (delayMicros > 10_000) {
                    delayMicros = 10_000;
                }
                long sleepNanos = delayMicros * 1000;
                long nextTimer = Timers.earliest();
                if (nextTimer != 0 && Sched.npidle < Sched.gomaxprocs
                        && !(Preempt.agentInstalled && nextTimer - System.nanoTime() <= 0)) { // due: see runBusyTimers
                    // proc.go: sysmon's "sleep until the next timer": a busy P will not run it.
                    sleepNanos = Math.max(20_000, Math.min(sleepNanos, nextTimer - System.nanoTime()));
                }
                if (nextDeadline != 0) {
                    // With the agent, sysmon sleeps to the next slice end (idle back-off aside)
                    // rather than ticking at 20 us through every slice.
                    sleepNanos = Math.max(20_000, Math.min(sleepNanos, nextDeadline - Sched.nanotime()));
                }
                if (Preempt.agentInstalled && Sched.npidle < Sched.gomaxprocs) {
                    // A P seen between two Gs has no slice end yet: never back off past half a
                    // slice while Ps are busy (W10's p99 was 11.6 ms with 10 ms back-offs).
                    sleepNanos = Math.min(sleepNanos, Math.max(20_000, forcePreemptNanos / 2));
                }
                LockSupport.parkNanos(sleepNanos);
                long now = Sched.nanotime();
                int work = runBusyTimers(now) + retake(now);
                Deadlock.check(now);
                if (now - lastCgroupCheck > 1_000_000_000L) {
                    lastCgroupCheck = now;
                    updateMaxprocs();
                    registerJfrEvents();
                }
                SchedTrace.tick(now);
                idle = work > 0 ? 0 : idle + 1;
            } catch (Throwable e) {
                // Without sysmon, hand-offs, busy Ps' timers and checkdead stop: a throw here is
                // Go's throw (out of memory included), never a silent end of the thread.
                Panics.runtimeThrow("sysmon", e);
            }
        }
    }

    /**
     * Runs due timers of Ps whose M has been in one goroutine's code since the last tick (it
     * will not check them soon). An idle P's timers need an M instead (proc.go: sysmon's
     * startm for overdue timers): wakep starts a spinning one, whose stealWork runs them and
     * keeps the readied goroutines on a P rather than the global queue. A P that is switching
     * goroutines checks its own timers in findRunnable. Sysmon running every due timer cost W6
     * (100,000 sleepers) ~8 % of its timers through the global queue (syncperf, 2026-11-28).
     */
    private static int runBusyTimers(long now) {
        int n = 0;
        for (P pp : Sched.allp) {
            if (!pp.timers.hasDue(now)) {
                continue;
            }
            if (pp.running != null && pp.sysmonRunticks == pp.runticks
                    && (!Preempt.agentInstalled || pp.sysmonPreemptRun == pp.runticks)) {
                // With the agent the running G yields when asked at its slice end, and the P
                // runs its own timers then, readying into runnext; sysmon's ready would go to
                // the global queue's head, behind the P's local ring (W10 waited a whole round
                // of spinners). Sysmon steps in only for a G that was asked and ran on.
                pp.timers.check(now);
                n++;
            } else if (pp.status == P._Pidle && Sched.nmspinning.get() == 0) {
                Proc.wakep();
                n++;
            }
        }
        return n;
    }

    /** proc.go: retake. Returns how many Ps it handed off or asked to yield. */
    static int retake(long now) {
        int n = 0;
        boolean asyncPreemptOff = Env.asyncPreemptOff();
        boolean asked = false; // some running G has a request its back-edge checks can honour
        boolean agentOn = Preempt.agentInstalled;
        long deadline = 0; // with the agent: the next slice end or hand-off due
        for (P pp : Sched.allp) {
            M mp = pp.running;
            if (mp == null && pp.status != P._Prunning) {
                continue; // idle
            }
            int t = pp.schedtick;
            if (pp.sysmonSchedtick != t) {
                pp.sysmonSchedtick = t;
                pp.sysmonSchedwhen = now;
            }
            if (mp == null) {
                // In scheduler code, or between Ms: a slice inherited across locked Ms (a pair
                // of locked Gs, each handing the P to the other's M through runnext) spends
                // most of its time here, in thread wake-ups, and a sysmon that gets a CPU only
                // when a locked M parks never sees its G mounted. End the slice all the same:
                // the P's next findRunnable serves its local ring and the global queue first.
                if (now - pp.sysmonSchedwhen >= forcePreemptNanos && !pp.sliceOver) {
                    pp.sliceOver = true;
                }
                continue;
            }
            int r = pp.runticks;
            boolean sameG = pp.sysmonRunticks == r; // no execute since the last tick
            if (!sameG) {
                pp.sysmonRunticks = r;
                pp.sysmonRunwhen = now;
                pp.sysmonPreemptRun = -1;
            }
            G gp = mp.curg;
            if (gp == null) {
                continue;
            }
            // Go's time slice: the slice began at the last execute that did not inherit one
            // (a runnext chain shares it). Over it, ask the running G to yield; repeated at each
            // tick, so every G of a runnext chain that runs on goes to the global queue.
            if (now - pp.sysmonSchedwhen >= forcePreemptNanos) {
                if (!pp.sliceOver) {
                    pp.sliceOver = true; // for a G that parks through the JDK: see findRunnable
                }
                if (!gp.preempt) {
                    gp.preempt = true; // phase 1: the G yields at its next gmp4j call (gopreempt_m)
                    if (ExecTrace.on) {
                        ExecTrace.preempt(pp, gp);
                    }
                    // Counted as work, unlike Go's retake: sysmon keeps its 20 us tick while it
                    // preempts, so each G of a runnext chain is asked within a tick of taking
                    // the P. Backing off to 10 ms here let one pair of TestPingPongHog hold the
                    // P for seconds (2026-12-04); the tick costs W2 nothing measurable.
                    // With the back-edge agent only a second ask in one slice (a chain) counts:
                    // a hog yields at its first ask, and 20 us ticks cost ~15 % of a CPU at
                    // GOMAXPROCS=1 with four spinners; sysmon wakes at slice ends instead.
                    if (!agentOn || pp.sysmonAskSlice == pp.sysmonSchedwhen) {
                        n++;
                    }
                    pp.sysmonAskSlice = pp.sysmonSchedwhen;
                }
                if (gp.preempt && !gp.preemptPinned) {
                    asked = true;
                }
                if (pp.sysmonPreemptRun != r) {
                    pp.sysmonPreemptRun = r;
                    pp.sysmonPreemptWhen = now;
                    deadline = Sched.earlier(deadline, now + (agentOn ? AGENT_HANDOFF_GRACE : forcePreemptNanos)); // the hand-off's
                    continue;
                }
            } else {
                deadline = Sched.earlier(deadline, pp.sysmonSchedwhen + forcePreemptNanos); // the slice's end
            }
            // The hand-off (phase 2; case 3 without phase 1): the same G is still mounted a
            // tick after it was asked, or it blocked while pinned. With the back-edge agent a
            // hog yields at its next check, so the fallback waits one more slice (a busy machine
            // may not run the hog's thread within a tick), unless a check found it pinned.
            boolean blocked = sameG && pinnedBlocked(gp);
            boolean hog = pp.sysmonPreemptRun == r && now - pp.sysmonRunwhen >= forcePreemptNanos
                    && (!Preempt.agentInstalled || gp.preemptPinned || now - pp.sysmonPreemptWhen >= AGENT_HANDOFF_GRACE);
            if (!blocked && !hog) {
                continue;
            }
            if (!blocked && asyncPreemptOff) {
                continue;
            }
            // proc.go: retake takes a P in a syscall when other work waits, and after 10 ms
            // anyway (a pinned wait may last for good; checkdead needs its P idle).
            if (!otherWorkWaits(pp, now) && !(blocked && now - pp.sysmonRunwhen >= SYSCALL_RETAKE_NANOS)) {
                continue;
            }
            if (pp.casRunning(mp, null)) { // pairs with the M's casRunning after cont.run()
                Proc.handoffp(pp);
                handoffs++;
                n++;
                if (!blocked && Preempt.agentInstalled && !gp.preemptPinned) {
                    // The hog runs on without a P: its next back-edge check sends it to the
                    // global queue (Go's exitsyscall finding no P), so the flag stays raised.
                    gp.preempt = true;
                    handedOff.add(gp);
                }
                if (ExecTrace.on) {
                    ExecTrace.handoff(pp, gp, blocked);
                }
                if (jfrRegistered) {
                    HandoffEvent.emit(pp.id, gp.goid, now - pp.sysmonRunwhen, blocked);
                }
            }
        }
        // The back-edge checks' flag (Preempt): raised while a request is pending, lowered at
        // the first tick that finds none; written only on a change.
        for (int i = handedOff.size() - 1; i >= 0; i--) {
            G gp = handedOff.get(i);
            if (gp.status == G._Grunning && gp.preempt && !gp.preemptPinned) {
                asked = true;
            } else {
                handedOff.remove(i); // yielded (execute cleared preempt), parked, ended or pinned
            }
        }
        if (handedOffNow != handedOff.size()) {
            handedOffNow = handedOff.size();
        }
        nextDeadline = agentOn ? deadline : 0;
        int pending = asked ? 1 : 0;
        if (Preempt.pending != pending) {
            Preempt.pending = pending;
        }
        return n;
    }

    /** proc.go: retake's pd.syscallwhen+10*1000*1000: a blocked P is retaken then, work or not. */
    private static final long SYSCALL_RETAKE_NANOS = 10_000_000;

    /** Whether work is waiting that only a hand-off of pp will get to soon. */
    private static boolean otherWorkWaits(P pp, long now) {
        if (!RunQueue.runqempty(pp)) {
            return true;
        }
        long nextTimer = Timers.earliest();
        boolean globalWork = Sched.runqsize != 0 || nextTimer != 0 && nextTimer <= now;
        if (!globalWork) {
            return false;
        }
        if (Sched.npidle > 0) {
            Proc.wakep(); // an idle P can take it without retaking this one
            return false;
        }
        return true;
    }

    /** Mounted but blocked: parked or waiting for a monitor while pinned. */
    private static boolean pinnedBlocked(G gp) {
        Thread.State s = gp.thread.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
    }

    private static volatile boolean jfrRegistered;
    private static boolean jfrRegistering;

    /**
     * Events of the unnamed module reach a recording only once registered; registering at
     * start-up would initialise JFR in every program, so sysmon does it once something else
     * (a -XX:StartFlightRecording, a Recording, JMC) has initialised JFR. A recording started
     * less than a second earlier may miss the first hand-offs.
     */
    private static void registerJfrEvents() {
        if (jfrRegistering) {
            return;
        }
        boolean started;
        try {
            started = jdk.jfr.FlightRecorder.isInitialized();
        } catch (LinkageError absent) {
            // no jdk.jfr in this runtime (a jlinked java.base, --limit-modules): nothing to register with
            jfrRegistering = true;
            return;
        }
        if (started) {
            jfrRegistering = true;
            // Registering loads and instruments the event class (~150 ms on a cold JVM): never
            // on sysmon's own path, where it would delay timers and hand-offs.
            RuntimeApi.newHelperThread("gmp4j-jfr-register", () -> {
                jdk.jfr.FlightRecorder.register(HandoffEvent.class);
                jfrRegistered = true;
            }).start();
        }
    }

    /** Go 1.25: re-read the CPU limit unless GOMAXPROCS was fixed (updatemaxprocs). */
    private static void updateMaxprocs() {
        if (Env.gomaxprocsFixed || Env.godebug("updatemaxprocs", 1) == 0) {
            return;
        }
        int n = Env.defaultGomaxprocs();
        if (n != Sched.gomaxprocs && n > 0) {
            Proc.procresize(n);
        }
    }
}
