package io.gmp4j.internal.runtime;

import java.io.PrintStream;

/**
 * {@code GODEBUG=schedtrace=X[,scheddetail=1]} (proc.go: schedtrace), in modern Go's (1.22+)
 * line format, to stderr every X ms from sysmon:
 * <pre>
 * SCHED 1004ms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 needspinning=0 idlethreads=2 runqueue=0 [0 3]
 * </pre>
 * With {@code scheddetail=1}, Go 1.22's {@code schedtrace(true)}: the header with
 * {@code gcwaiting=... sysmonwait=...}, then a {@code P} line per P, an {@code M} line per M
 * ({@code M3: p=0 curg=17 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false
 * blocked=false lockedg=nil}) and a {@code G} line per goroutine ({@code G17: status=2() m=3
 * lockedm=nil}). A goroutine parked by the JDK shows as waiting (4) with the reason a dump
 * derives ({@code IO wait}, {@code sleep}, {@code semacquire}, ...).
 */
final class SchedTrace {
    private SchedTrace() {}

    private static final long START = System.nanoTime();
    /** The last line's time; sysmon's only. None yet: the first tick prints (Go's SCHED 0ms). */
    private static long last;
    private static boolean printed;

    static void tick(long now) {
        int ms = Env.godebug("schedtrace", 0);
        if (ms <= 0 || printed && now - last < ms * 1_000_000L) {
            return;
        }
        printed = true;
        last = now;
        Print.stderr(format(Env.godebug("scheddetail", 0) > 0, now)); // not System.err: see Print
    }

    static void print(PrintStream out, boolean detailed, long now) {
        out.print(format(detailed, now));
        out.flush();
    }

    /** The scheddetail=1 report now, for a fatal error about the scheduler's own state. */
    static String detail() {
        return format(true, System.nanoTime());
    }

    private static String format(boolean detailed, long now) {
        StringBuilder sb = new StringBuilder();
        P[] allp = Sched.allp;
        int n = Math.min(Sched.gomaxprocs, allp.length);
        // now may predate START (sysmon read the clock before this class loaded): never negative.
        sb.append("SCHED ").append(Math.max(0, now - START) / 1_000_000).append("ms: gomaxprocs=").append(Sched.gomaxprocs)
                .append(" idleprocs=").append(Sched.npidle)
                .append(" threads=").append(Sched.mcount.get() + Sched.helperThreads) // + sysmon and the template thread, as Go counts them
                .append(" spinningthreads=").append(Sched.nmspinning.get())
                .append(" needspinning=").append(Sched.needspinning)
                .append(" idlethreads=").append(Sched.nmidle)
                .append(" runqueue=").append(Sched.runqsize);
        if (detailed) {
            // No stop-the-world and no sysmon deep sleep here: gcwaiting, stopwait and sysmonwait stay as Go's idle values.
            sb.append(" gcwaiting=false nmidlelocked=").append(Sched.nmidlelocked.get()).append(" stopwait=0 sysmonwait=false\n");
            for (int i = 0; i < n; i++) {
                P pp = allp[i];
                M mp = pp.m;
                sb.append("  P").append(i).append(": status=").append(pp.status)
                        .append(" schedtick=").append(pp.schedtick)
                        .append(" syscalltick=").append(pp.syscalltick)
                        .append(" m=").append(mp != null ? String.valueOf(mp.id) : "nil")
                        .append(" runqsize=").append(RunQueue.runqsize(pp))
                        .append(" gfreecnt=0 timerslen=").append(pp.timers.size()).append('\n');
            }
            // proc.go: schedtrace(true): the Ms in allm order (newest first, as Go's list), then every G.
            M[] ms = Sched.allm();
            for (int i = ms.length - 1; i >= 0; i--) {
                M mp = ms[i];
                P pp = mp.heldP();
                G curg = mp.curg;
                G lockedg = mp.lockedg;
                sb.append("  M").append(mp.id).append(": p=").append(pp != null ? String.valueOf(pp.id) : "nil")
                        .append(" curg=").append(curg != null ? String.valueOf(curg.goid) : "nil")
                        .append(" mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=").append(mp.spinning)
                        .append(" blocked=").append(mp.blocked)
                        .append(" lockedg=").append(lockedg != null ? String.valueOf(lockedg.goid) : "nil").append('\n');
            }
            // forEachG: allgs in creation order (Go's list only grows), so by goid; AllGs' lists are not.
            java.util.List<G> gs = AllGs.snapshot();
            gs.sort(java.util.Comparator.comparingLong(g -> g.goid));
            for (G gp : gs) {
                int status = gp.status;
                WaitReason r = gp.waitReason();
                String reason = r.text();
                if (status == G._Grunning && r == WaitReason.ZERO) {
                    // Parked by the JDK (j.u.c., sockets, monitors, sleep) without our bookkeeping:
                    // waiting, with the reason a goroutine dump derives.
                    String s = Traceback.state(gp);
                    if (!s.equals("running")) {
                        status = G._Gwaiting;
                        reason = s;
                    }
                }
                M running = null;
                if (status == G._Grunning) {
                    for (M mp : ms) {
                        if (mp.curg == gp) {
                            running = mp;
                            break;
                        }
                    }
                }
                M lm = gp.lockedm;
                sb.append("  G").append(gp.goid).append(": status=").append(status)
                        .append('(').append(reason).append(") m=")
                        .append(running != null ? String.valueOf(running.id) : "nil")
                        .append(" lockedm=").append(lm != null ? String.valueOf(lm.id) : "nil").append('\n');
            }
        } else {
            for (int i = 0; i < n; i++) {
                sb.append(i == 0 ? " [" : " ").append(RunQueue.runqsize(allp[i]));
            }
            sb.append("]\n");
        }
        return sb.toString();
    }
}
