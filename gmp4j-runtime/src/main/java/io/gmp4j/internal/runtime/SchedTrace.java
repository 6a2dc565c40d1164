package io.gmp4j.internal.runtime;

import java.io.PrintStream;

/**
 * {@code GODEBUG=schedtrace=X[,scheddetail=1]} (proc.go: schedtrace), in modern Go's (1.22+)
 * line format, to stderr every X ms from sysmon:
 * <pre>
 * SCHED 1004ms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 needspinning=0 idlethreads=2 runqueue=0 [0 3]
 * </pre>
 */
final class SchedTrace {
    private SchedTrace() {}

    private static final long START = System.nanoTime();
    private static long last = START;

    static void tick(long now) {
        int ms = Env.godebug("schedtrace", 0);
        if (ms <= 0 || now - last < ms * 1_000_000L) {
            return;
        }
        last = now;
        Print.stderr(format(Env.godebug("scheddetail", 0) > 0, now)); // not System.err: see Print
    }

    static void print(PrintStream out, boolean detailed, long now) {
        out.print(format(detailed, now));
        out.flush();
    }

    private static String format(boolean detailed, long now) {
        StringBuilder sb = new StringBuilder();
        P[] allp = Sched.allp;
        int n = Math.min(Sched.gomaxprocs, allp.length);
        sb.append("SCHED ").append((now - START) / 1_000_000).append("ms: gomaxprocs=").append(Sched.gomaxprocs)
                .append(" idleprocs=").append(Sched.npidle)
                .append(" threads=").append(Sched.mcount.get() + 1) // + sysmon, as Go counts it
                .append(" spinningthreads=").append(Sched.nmspinning.get())
                .append(" needspinning=").append(Sched.needspinning)
                .append(" idlethreads=").append(Sched.nmidle)
                .append(" runqueue=").append(Sched.runqsize);
        if (detailed) {
            sb.append(" gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false\n");
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
            for (G gp : AllGs.snapshot()) {
                WaitReason r = gp.waitReason;
                sb.append("  G").append(gp.goid).append(": status=").append(gp.status);
                if (r != WaitReason.ZERO) {
                    sb.append('(').append(r.text()).append(')');
                }
                M lm = gp.lockedm;
                sb.append(" m=nil lockedm=").append(lm != null ? String.valueOf(lm.id) : "nil").append('\n');
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
