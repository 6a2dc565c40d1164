package io.gmp4j.internal.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Goroutine tracebacks in Go's format (traceback.go: goroutineheader, traceback1):
 * <pre>
 * goroutine 7 [chan receive, 2 minutes]:
 * io.gmp4j.examples.Pipeline.lambda$main$0(...)
 *         Pipeline.java:31
 * </pre>
 * Frames of gmp4j's runtime and the JDK's continuation machinery are hidden, as Go hides
 * runtime frames, unless {@code GOTRACEBACK=system} (or crash, or a number >= 2).
 */
public final class Traceback {
    private Traceback() {}

    /**
     * runtime.Stack: the current goroutine, then with {@code all} every other one. From a
     * thread that is not a goroutine (sysmon's fatal errors, a platform thread), {@code all}
     * lists only the goroutines, as Go's crash reports do. GOTRACEBACK=system (level 2) shows
     * the runtime's frames too.
     */
    public static String stack(boolean all) {
        return stack(all, Env.gotraceback().level() >= 2);
    }

    static String stack(boolean all, boolean system) {
        StringBuilder sb = new StringBuilder();
        G self = G.current();
        // A G in goexit0 (main Goexited and the last goroutine ends) is gone: Go throws that
        // fatal error on g0, whose traceback prints nothing at the default level.
        boolean showSelf = self != null && self.status != G._Gdead;
        if (showSelf) {
            header(sb, self, "running", false);
            frames(sb, Thread.currentThread().getStackTrace(), true, system);
            CreatedBy.print(sb, self, system);
        } else if (self == null && !all) {
            sb.append("goroutine 0 [running]:\n");
            frames(sb, Thread.currentThread().getStackTrace(), true, system);
        }
        if (all) {
            String others = others(self, system);
            if (showSelf && !others.isEmpty()) {
                sb.append('\n');
            }
            sb.append(others);
        }
        return sb.toString();
    }

    /** traceback.go: tracebackothers. Every goroutine but {@code self}, by goid, blank-line separated. */
    static String others(G self, boolean system) {
        StringBuilder sb = new StringBuilder();
        List<G> gs = AllGs.snapshot();
        gs.sort(Comparator.comparingLong(g -> g.goid));
        boolean first = true;
        for (G gp : gs) {
            if (gp == self) {
                continue;
            }
            if (!first) {
                sb.append('\n');
            }
            first = false;
            String state = state(gp);
            // A JDK wait's minutes count from its M's stamp (Proc.execute), made once the G has
            // unmounted: a wait pinned to the M (a class initializer's, a native frame's) has none
            // yet, and waitSince is still the G's previous wait's.
            header(sb, gp, state, gp.waitReason() != WaitReason.ZERO
                    || !state.equals("running") && !state.equals("runnable") && JdkInternals.carrierOf(gp.thread) == null);
            frames(sb, stackOf(gp, system), false, system);
            CreatedBy.print(sb, gp, system);
        }
        return sb.toString();
    }

    /**
     * gp's stack, or, where none of its frames would be shown (it has not run yet, or is still
     * in the runtime's entry frames), its start function: Go's traceback shows such a goroutine
     * at its function's entry (proc.go: newproc1 points sched.pc at fn), never with no frames.
     */
    static StackTraceElement[] stackOf(G gp, boolean system) {
        StackTraceElement[] st = gp.thread.getStackTrace();
        for (StackTraceElement e : st) {
            if (system || !hidden(e.getClassName())) {
                return st;
            }
        }
        return new StackTraceElement[] {startFrame(gp.fn)};
    }

    /**
     * The frame of a goroutine's start function ({@code G.fn}: the Runnable, or its class once
     * the G started): a lambda as Go names a function literal, {@code Enclosing.func}, as the
     * execution trace does; any other Runnable as its {@code run}. No file: the class file's
     * source name is not reachable through reflection.
     */
    static StackTraceElement startFrame(Object fn) {
        Class<?> c = fn instanceof Class<?> k ? k : fn == null ? Runnable.class : fn.getClass();
        String n = c.getName();
        int l = n.indexOf("$$Lambda");
        return l >= 0 ? new StackTraceElement(n.substring(0, l), "func", null, -1) : new StackTraceElement(n, "run", null, -1);
    }

    /**
     * Every live goroutine's stack as the goroutine profile sees it: its frames innermost
     * first, from the API call that parked it (Go's profiles keep runtime.gopark and friends;
     * these are dropped, as in the dumps), and without the ellipsis of long stacks. For /debug/pprof/goroutine; callable from any thread that is not an M.
     */
    public static List<StackTraceElement[]> goroutineStacks() {
        List<StackTraceElement[]> out = new ArrayList<>();
        for (GoroutineRecord r : goroutineProfile()) {
            out.add(r.stack());
        }
        return out;
    }

    /** A goroutine in the goroutine profile: its stack (as goroutineStacks) and its pprof labels, or null. */
    public record GoroutineRecord(StackTraceElement[] stack, java.util.Map<String, String> labels) {}

    /**
     * mprof.go: goroutineProfileWithLabels: each live goroutine's stack, as
     * {@link #goroutineStacks}, with its labels (ProfLabels) read just after its stack.
     */
    public static List<GoroutineRecord> goroutineProfile() {
        List<G> gs = AllGs.snapshot();
        gs.sort(Comparator.comparingLong(g -> g.goid));
        List<GoroutineRecord> out = new ArrayList<>(gs.size());
        G self = G.current();
        for (G gp : gs) {
            List<StackTraceElement> fs = new ArrayList<>();
            boolean top = gp == self; // the caller's own stack starts at its profile call (Go's: runtime/pprof's frames)
            for (StackTraceElement e : stackOf(gp, false)) {
                top &= e.getClassName().equals("java.lang.Thread") || e.getClassName().startsWith("io.gmp4j.internal.");
                if (!top && !hidden(e.getClassName())) {
                    fs.add(e);
                }
            }
            out.add(new GoroutineRecord(fromApiCall(fs).toArray(new StackTraceElement[0]), ProfLabels.of(gp)));
        }
        return out;
    }

    /** One goroutine's header and frames, for panics. */
    static String goroutine(G gp, Throwable t, boolean system) {
        StringBuilder sb = new StringBuilder();
        header(sb, gp, "running", false);
        frames(sb, t.getStackTrace(), false, system);
        CreatedBy.print(sb, gp, system);
        return sb.toString();
    }

    /** Go's status text: wait reason, or runnable/running. */
    static String state(G gp) {
        WaitReason r = gp.waitReason();
        if (r != WaitReason.ZERO) {
            return r.text();
        }
        return switch (gp.status) {
            case G._Grunnable -> "runnable";
            case G._Grunning -> {
                // Mounted, or parked by the JDK (j.u.c., sockets, monitors) without our bookkeeping.
                Thread.State s = gp.thread.getState();
                yield s == Thread.State.RUNNABLE ? "running" : jdkWaitReason(gp, s);
            }
            default -> "running";
        };
    }

    private static String jdkWaitReason(G gp, Thread.State s) {
        for (StackTraceElement e : gp.thread.getStackTrace()) {
            String c = e.getClassName();
            if (c.startsWith("sun.nio.ch.") || c.startsWith("java.net.")) {
                return "IO wait";
            }
            if (c.equals("java.lang.Thread") && e.getMethodName().startsWith("sleep")) {
                return "sleep";
            }
            if (c.equals("java.lang.Object") && e.getMethodName().startsWith("wait")) {
                return "sync.Cond.Wait";
            }
        }
        return s == Thread.State.BLOCKED ? "sync.Mutex.Lock" : "semacquire";
    }

    /** traceback.go: goroutineheader. {@code waiting}: in a wait, ours or the JDK's (its minutes). */
    private static void header(StringBuilder sb, G gp, String state, boolean waiting) {
        sb.append("goroutine ").append(gp.goid).append(" [").append(state);
        if (waiting) {
            long minutes = gp.waitMinutes();
            if (minutes >= 1) {
                sb.append(", ").append(minutes).append(" minutes"); // traceback.go: even for 1
            }
        }
        if (gp.lockedm != null) {
            sb.append(", locked to thread");
        }
        sb.append("]:\n");
    }

    /** traceback.go: tracebackInnerFrames, tracebackOuterFrames. */
    static final int INNER_FRAMES = 50, OUTER_FRAMES = 50;

    /**
     * traceback.go: traceback2. A stack deeper than INNER_FRAMES + OUTER_FRAMES shows its
     * innermost and outermost frames with Go's "...N frames elided..." line between them.
     */
    private static void frames(StringBuilder sb, StackTraceElement[] st, boolean skipStackCall, boolean system) {
        int from = 0;
        if (skipStackCall) {
            // drop getStackTrace and the frames of Traceback/Go.stack themselves
            while (from < st.length && skippedCaller(st[from].getClassName())) {
                from++;
            }
        }
        List<StackTraceElement> shown = new ArrayList<>(st.length - from);
        for (int i = from; i < st.length; i++) {
            if (system || !hidden(st[i].getClassName())) {
                shown.add(st[i]);
            }
        }
        if (!system) {
            shown = fromApiCall(shown);
        }
        int count = shown.size();
        for (int i = 0; i < count; i++) {
            if (count > INNER_FRAMES + OUTER_FRAMES && i >= INNER_FRAMES && i < count - OUTER_FRAMES) {
                if (i == INNER_FRAMES) {
                    sb.append("...").append(count - INNER_FRAMES - OUTER_FRAMES).append(" frames elided...\n");
                }
                continue;
            }
            StackTraceElement e = shown.get(i);
            sb.append(e.getClassName()).append('.').append(e.getMethodName()).append("(...)\n\t");
            sb.append(e.getFileName() != null ? e.getFileName() : "?").append(':').append(Math.max(0, e.getLineNumber())).append('\n');
        }
    }

    /**
     * Go hides runtime.chanrecv1 and runtime.gopark above the caller's frame: of the runtime
     * frames that lead a stack, only the outermost stays, the API call the program made
     * (Chan.recv, WaitGroup.await), as in the block and mutex profiles.
     */
    private static List<StackTraceElement> fromApiCall(List<StackTraceElement> frames) {
        int lead = 0;
        while (lead + 1 < frames.size() && isRuntimeFrame(frames.get(lead).getClassName())
                && isRuntimeFrame(frames.get(lead + 1).getClassName())) {
            lead++;
        }
        return frames.subList(lead, frames.size());
    }

    /**
     * A frame of gmp4j's runtime or of its Go packages (chan, sync, xsync, time, context): Go's
     * {@code runtime.} frames and the sync package's. Dumps and the block and mutex profiles
     * keep only the outermost of those that lead a stack.
     */
    public static boolean isRuntimeFrame(String cls) {
        return cls.startsWith("io.gmp4j.internal.") || cls.startsWith("io.gmp4j.sync.") || cls.startsWith("io.gmp4j.chan.")
                || cls.startsWith("io.gmp4j.xsync.") || cls.startsWith("io.gmp4j.time.") || cls.startsWith("io.gmp4j.context.");
    }

    private static boolean skippedCaller(String c) {
        return c.equals("java.lang.Thread") || c.startsWith("io.gmp4j.internal.runtime.Traceback") || c.equals("io.gmp4j.Go");
    }

    /** The runtime's own frames and the JDK's parking and continuation machinery. */
    private static final java.util.Set<String> HIDDEN = java.util.Set.of(
            "io.gmp4j.internal.runtime.G", "io.gmp4j.internal.runtime.Proc", "io.gmp4j.internal.runtime.Park", "io.gmp4j.internal.runtime.Goexit",
            "io.gmp4j.internal.runtime.RuntimeApi", "io.gmp4j.internal.runtime.Panics", "io.gmp4j.internal.runtime.M",
            "java.lang.VirtualThread", "java.lang.System$1", "java.util.concurrent.locks.LockSupport");

    /**
     * A frame the dumps and the goroutine profile never show (below GOTRACEBACK=system): the
     * runtime's own and the JDK's continuation entry under every goroutine ({@code G.run},
     * {@code VirtualThread.run}), Go's {@code runtime.goexit}, which the block and mutex profiles
     * leave out as Go's do.
     */
    public static boolean isHiddenFrame(String cls) {
        return hidden(cls);
    }

    private static boolean hidden(String cls) {
        int dollar = cls.indexOf('$');
        String outer = dollar < 0 ? cls : cls.substring(0, dollar);
        return HIDDEN.contains(cls) || HIDDEN.contains(outer) || cls.startsWith("jdk.internal.");
    }
}
