package io.gmp4j.internal.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Where a goroutine was created, for the lines under each goroutine of a traceback:
 * {@code created by F} and its go statement's file and line (traceback.go: printcreatedby;
 * runtime2.go: gopc), and under {@code GODEBUG=tracebackancestors=N} the creating goroutines'
 * stacks at their go statements, {@code [originating from goroutine N]:} (proc.go: saveAncestors;
 * traceback.go: printAncestorTraceback).
 *
 * <p>Go reads gopc off its own call for free. Java has no cheap caller frame (a stack walk costs
 * microseconds, several spawns' worth), so by default the site is found once per function class:
 * a lambda or method reference written in the go statement is a class of its own, and its first
 * go walks the stack and caches the frame on the class ({@link ClassValue}, which keeps no class
 * alive). A Runnable class started at several go statements (a named class, a lambda kept in a
 * variable) shows the first one seen. The creating
 * goroutine's id (Go 1.21's {@code in goroutine N}) would be a field more in every G (the mem
 * workload's bytes), so it is printed only under tracebackancestors, which, as in Go, pays per go
 * statement: a walk of the creator's stack, kept with the new G beside allgs until it exits.
 * docs/DIVERGENCES.md lists both differences.
 */
final class CreatedBy {
    private CreatedBy() {}

    /** traceback.go: _TracebackMaxFrames, the frames an ancestor keeps. */
    static final int MAX_FRAMES = 100;

    /** No frame found: the go statement's caller is not in the stack. */
    private static final StackTraceElement NONE = new StackTraceElement("", "", null, -1);

    private static final ClassValue<StackTraceElement> SITES = new ClassValue<>() {
        @Override
        protected StackTraceElement computeValue(Class<?> fnClass) {
            StackTraceElement[] st = fromGoStatement(Thread.currentThread().getStackTrace());
            return st.length > 0 ? st[0] : NONE;
        }
    };

    /** runtime2.go: ancestorInfo. A creator's stack at its go statement, its goid and its own site. */
    private record Ancestor(long goid, StackTraceElement[] frames, StackTraceElement site) {}

    /** What tracebackancestors keeps per G: its exact site, its parent and the ancestors (g.ancestors). */
    private record Origin(long parentGoid, StackTraceElement site, List<Ancestor> ancestors) {}

    /** Only under tracebackancestors; weak, so that a G gone without {@link #forget} leaks nothing. */
    private static final Map<G, Origin> ORIGINS = Collections.synchronizedMap(new WeakHashMap<>());

    /** The frames from the go statement's outward: everything above the runtime's newproc dropped. */
    private static StackTraceElement[] fromGoStatement(StackTraceElement[] st) {
        int i = 0;
        while (i < st.length && !isNewproc(st[i])) {
            i++;
        }
        while (i < st.length && (isNewproc(st[i]) || st[i].getClassName().equals("io.gmp4j.Go"))) {
            i++;
        }
        return Arrays.copyOfRange(st, i, st.length);
    }

    private static boolean isNewproc(StackTraceElement f) {
        return f.getMethodName().equals("newproc") && (f.getClassName().equals("io.gmp4j.internal.runtime.RuntimeApi")
                || f.getClassName().equals("io.gmp4j.internal.runtime.Proc"));
    }

    /**
     * proc.go: newproc1's {@code newg.gopc = callerpc} and {@code newg.ancestors =
     * saveAncestors(callergp)}. On the go statement's own thread, before newg runs.
     */
    static void note(G newg, Runnable fn) {
        // Always here, on the go statement's stack: a dump may fall back on the class's site
        // (the G's Origin forgotten as it exits), and computed there it would be the dumping
        // thread's, no go statement at all, kept for the class for good.
        SITES.get(fn.getClass());
        G parent = Env.tracebackAncestors > 0 ? G.current() : null;
        if (parent == null) {
            return;
        }
        StackTraceElement[] st = fromGoStatement(Thread.currentThread().getStackTrace());
        StackTraceElement site = st.length > 0 ? st[0] : NONE;
        List<StackTraceElement> shown = new ArrayList<>();
        for (StackTraceElement e : st) {
            if (shown.size() < MAX_FRAMES && !Traceback.isHiddenFrame(e.getClassName())) {
                shown.add(e);
            }
        }
        Origin p = ORIGINS.get(parent);
        List<Ancestor> ancestors = new ArrayList<>();
        StackTraceElement parentSite = parent.goid == 1 || parent.isMain ? NONE : siteOf(parent, p);
        ancestors.add(new Ancestor(parent.goid, shown.toArray(new StackTraceElement[0]), parentSite));
        if (p != null) {
            ancestors.addAll(p.ancestors.subList(0, Math.min(p.ancestors.size(), Env.tracebackAncestors - 1)));
        }
        ORIGINS.put(newg, new Origin(parent.goid, site, List.copyOf(ancestors)));
    }

    /** proc.go: goexit0 drops g.ancestors. */
    static void forget(G gp) {
        if (Env.tracebackAncestors > 0) {
            ORIGINS.remove(gp);
        }
    }

    private static StackTraceElement siteOf(G gp, Origin o) {
        if (o != null) {
            return o.site;
        }
        Object fn = gp.fn;
        Class<?> c = fn instanceof Class<?> k ? k : fn == null ? null : fn.getClass();
        return c == null ? NONE : SITES.get(c);
    }

    /**
     * traceback.go: printcreatedby, then each ancestor's traceback. No created-by line for the
     * main goroutine (Go: goid 1), for a site not found, or for one among the runtime's own
     * frames below {@code system} (Go's showframe).
     */
    static void print(StringBuilder sb, G gp, boolean system) {
        Origin o = Env.tracebackAncestors > 0 ? ORIGINS.get(gp) : null;
        if (gp.goid != 1 && !gp.isMain) {
            createdBy(sb, siteOf(gp, o), o != null ? o.parentGoid : 0, system);
        }
        if (o == null) {
            return;
        }
        for (Ancestor a : o.ancestors) {
            sb.append("[originating from goroutine ").append(a.goid).append("]:\n");
            for (StackTraceElement e : a.frames) {
                line(sb.append(e.getClassName()).append('.').append(e.getMethodName()).append("(...)\n"), e);
            }
            if (a.frames.length == MAX_FRAMES) {
                sb.append("...additional frames elided...\n");
            }
            if (a.goid != 1) {
                createdBy(sb, a.site, 0, system); // Go passes 0: the ancestor's parent is the next block
            }
        }
    }

    /** traceback.go: printcreatedby1. */
    private static void createdBy(StringBuilder sb, StackTraceElement e, long parentGoid, boolean system) {
        if (e == NONE || !system && Traceback.isHiddenFrame(e.getClassName())) {
            return;
        }
        sb.append("created by ").append(e.getClassName()).append('.').append(e.getMethodName());
        if (parentGoid != 0) {
            sb.append(" in goroutine ").append(parentGoid);
        }
        line(sb.append('\n'), e);
    }

    private static void line(StringBuilder sb, StackTraceElement e) {
        sb.append('\t').append(e.getFileName() != null ? e.getFileName() : "?").append(':')
                .append(Math.max(0, e.getLineNumber())).append('\n');
    }
}
