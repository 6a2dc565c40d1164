package io.gmp4j.internal.runtime;

import java.util.Map;
import java.util.TreeMap;

/**
 * The scheduler's state for the debug server's live page ({@code /debug/sched}): what
 * {@code schedtrace}/{@code scheddetail} print, as JSON and as a row of figures for its chart.
 * Read as {@link SchedTrace} reads it: racy reads of volatile fields, no {@code Sched.lock}, so
 * a stuck scheduler can still be looked at (figures may disagree by a G or two). The only locks
 * taken are those any outside thread may take: the {@code AllGs} shards and the P timer heaps.
 */
public final class SchedView {
    private SchedView() {}

    private static final long START = System.nanoTime();

    /** The chart's figures, in {@link #sample}'s order. */
    public static final String[] SERIES = {
        "gomaxprocs", "idleprocs", "threads", "spinningthreads", "idlethreads", "runqueue", "localrunqueue", "running", "goroutines",
    };

    /**
     * One row of schedtrace's figures: GOMAXPROCS, idle Ps, threads (Ms + sysmon), spinning Ms,
     * idle Ms, the global run queue, the sum of the Ps' local run queues (runnext included),
     * Ms running a G, goroutines. Allocates only the row.
     */
    public static long[] sample() {
        P[] allp = Sched.allp;
        int n = Math.min(Sched.gomaxprocs, allp.length);
        long local = 0;
        for (int i = 0; i < n; i++) {
            local += RunQueue.runqsize(allp[i]) + (allp[i].runnext != null ? 1 : 0);
        }
        long running = 0;
        for (M mp : Sched.allm()) {
            if (mp.curg != null) {
                running++;
            }
        }
        return new long[] {
            Sched.gomaxprocs, Sched.npidle, Sched.mcount.get() + Sched.helperThreads, Sched.nmspinning.get(), Sched.nmidle,
            Sched.runqsize, local, running, Procs.numGoroutine(),
        };
    }

    /** Milliseconds since the runtime's classes loaded (schedtrace's clock). */
    public static long uptimeMillis() {
        return (System.nanoTime() - START) / 1_000_000;
    }

    /** Above this many goroutines, a G parked by the JDK is counted without a stack walk. */
    private static final int STACK_WALK_LIMIT = 256;

    /**
     * The scheduler now: the schedtrace header's figures, a row per P, per M, and the goroutines
     * counted by status and by wait reason. See the page for the field names.
     */
    public static String json() {
        StringBuilder sb = new StringBuilder(1024);
        P[] allp = Sched.allp;
        int n = Math.min(Sched.gomaxprocs, allp.length);
        sb.append("{\"uptimeMs\":").append(uptimeMillis())
                .append(",\"gomaxprocs\":").append(Sched.gomaxprocs)
                .append(",\"idleprocs\":").append(Sched.npidle)
                .append(",\"threads\":").append(Sched.mcount.get() + Sched.helperThreads)
                .append(",\"spinningthreads\":").append(Sched.nmspinning.get())
                .append(",\"needspinning\":").append(Sched.needspinning)
                .append(",\"idlethreads\":").append(Sched.nmidle)
                .append(",\"runqueue\":").append(Sched.runqsize)
                .append(",\"ps\":[");
        for (int i = 0; i < n; i++) {
            P pp = allp[i];
            M mp = pp.m;
            G curg = mp != null && mp.p == pp ? mp.curg : null;
            G next = pp.runnext;
            sb.append(i > 0 ? "," : "").append("{\"id\":").append(pp.id)
                    .append(",\"status\":\"").append(pstatus(pp)).append('"')
                    .append(",\"runqsize\":").append(RunQueue.runqsize(pp))
                    .append(",\"runnext\":").append(next != null ? String.valueOf(next.goid) : "null")
                    .append(",\"curg\":").append(curg != null ? String.valueOf(curg.goid) : "null")
                    .append(",\"m\":").append(mp != null ? String.valueOf(mp.id) : "null")
                    .append(",\"schedtick\":").append(pp.schedtick)
                    .append(",\"syscalltick\":").append(pp.syscalltick)
                    .append(",\"timers\":").append(pp.timers.size())
                    .append('}');
        }
        sb.append("],\"ms\":[");
        M[] ms = Sched.allm();
        for (int i = 0; i < ms.length; i++) {
            M mp = ms[i];
            P pp = mp.heldP();
            G curg = mp.curg;
            G lockedg = mp.lockedg;
            sb.append(i > 0 ? "," : "").append("{\"id\":").append(mp.id)
                    .append(",\"p\":").append(pp != null ? String.valueOf(pp.id) : "null")
                    .append(",\"curg\":").append(curg != null ? String.valueOf(curg.goid) : "null")
                    .append(",\"spinning\":").append(mp.spinning)
                    .append(",\"blocked\":").append(mp.blocked)
                    .append(",\"lockedg\":").append(lockedg != null ? String.valueOf(lockedg.goid) : "null")
                    .append('}');
        }
        sb.append("],\"gs\":");
        gs(sb);
        return sb.append('}').toString();
    }

    private static String pstatus(P pp) {
        if (pp.retired) {
            return "retiring";
        }
        return switch (pp.status) {
            case P._Pidle -> "idle";
            case P._Prunning -> "running";
            case P._Pdead -> "dead";
            default -> String.valueOf(pp.status);
        };
    }

    /** Goroutines by Go's status (scheddetail's numbers and names) and waiting ones by reason. */
    private static void gs(StringBuilder sb) {
        var all = AllGs.snapshot();
        boolean walk = all.size() <= STACK_WALK_LIMIT;
        int runnable = 0, running = 0, waiting = 0, dead = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        for (G gp : all) {
            int status = gp.status;
            String reason = gp.waitReason().text();
            if (status == G._Grunning && gp.waitReason() == WaitReason.ZERO) {
                // Parked by the JDK without our bookkeeping: waiting, as scheddetail shows it.
                Thread.State s = gp.thread.getState();
                if (s != Thread.State.RUNNABLE && s != Thread.State.NEW) {
                    status = G._Gwaiting;
                    reason = walk ? Traceback.state(gp) : "JDK park";
                }
            }
            switch (status) {
                case G._Grunnable -> runnable++;
                case G._Grunning -> running++;
                case G._Gwaiting -> {
                    waiting++;
                    reasons.merge(reason.isEmpty() ? "?" : reason, 1, Integer::sum);
                }
                case G._Gdead -> dead++;
                default -> {}
            }
        }
        sb.append("{\"total\":").append(all.size())
                .append(",\"runnable\":").append(runnable)
                .append(",\"running\":").append(running)
                .append(",\"waiting\":").append(waiting)
                .append(",\"dead\":").append(dead)
                .append(",\"waitReasons\":{");
        boolean first = true;
        for (var e : reasons.entrySet()) {
            sb.append(first ? "" : ",").append('"').append(e.getKey().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\":").append(e.getValue());
            first = false;
        }
        sb.append("}}");
    }
}
