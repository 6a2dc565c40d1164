package io.gmp4j.internal.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A goroutine's pprof labels (runtime2.go: g.labels; proflabel.go: runtime_setProfLabel,
 * runtime_getProfLabel; proc.go: newproc1's {@code newg.labels = gp.labels}). The value is
 * runtime/pprof's labelMap, an immutable {@code Map<String, String>}; the runtime never looks
 * inside it.
 *
 * <p>Go keeps the pointer in the G. gmp4j's G is held at 64 bytes (FieldLayoutTest, the mem
 * workload), so the labels live beside it, in {@link #BY_G}, removed at goexit0. The go
 * statement copies the creator's labels to the new G only once any labels were ever set:
 * {@link #any}, one static volatile read per go for a program that never sets labels (as
 * CreatedBy's tracebackancestors and ExecTrace.on). A thread that is not a goroutine (the
 * JVM's main thread, before Go.run) keeps its labels in a ThreadLocal, and goroutines it starts
 * inherit them too.
 *
 * <p>The CPU profile reads the labels at each sample's time: while a {@link Session} runs,
 * every change (a set, or a new G's inherited labels) commits a {@link ProfLabelEvent} into the
 * profile's JFR recording, with JFR's own clock, the one its samples carry (Go's signal handler
 * reads gp.labels at the sample instead).
 *
 * <p>Writers: {@link #set} only by the thread whose labels change; {@link #inherit} by the go
 * statement's thread before the new G runs; {@link #forget} by the G itself as it exits. Readers
 * (the profiles) any thread.
 */
public final class ProfLabels {
    private ProfLabels() {}

    /** Set by the first {@link #set} with labels, never cleared: newproc's and goexit0's guard. */
    static volatile boolean any;

    private static final Map<G, Map<String, String>> BY_G = new ConcurrentHashMap<>();
    private static final ThreadLocal<Map<String, String>> OFF_G = new ThreadLocal<>();
    private static volatile Session session;

    /** runtime_setProfLabel: the calling goroutine's (or thread's) labels; null clears them. */
    public static void set(Map<String, String> labels) {
        if (labels != null && !any) {
            any = true;
        }
        G gp = G.current();
        Thread t = Thread.currentThread();
        if (gp == null) {
            OFF_G.set(labels);
        } else if (labels == null) {
            BY_G.remove(gp);
        } else {
            BY_G.put(gp, labels);
        }
        Session s = session; // after the put: see Session.snapshot
        if (s != null) {
            s.changed(t.threadId(), labels);
        }
    }

    /** runtime_getProfLabel: the calling goroutine's (or thread's) labels, or null. */
    public static Map<String, String> get() {
        if (!any) {
            return null;
        }
        G gp = G.current();
        return gp == null ? OFF_G.get() : BY_G.get(gp);
    }

    /** A goroutine's labels, or null; any thread (the goroutine profile). */
    static Map<String, String> of(G gp) {
        return any ? BY_G.get(gp) : null;
    }

    /** proc.go: newproc1's {@code newg.labels = gp.labels}. The go statement's thread; only when {@link #any}. */
    static void inherit(G newg) {
        Map<String, String> labels = get();
        if (labels != null) {
            BY_G.put(newg, labels);
            Session s = session;
            if (s != null) {
                s.changed(newg.thread().threadId(), labels);
            }
        }
    }

    /** goexit0 (and a G that never started): drops its labels. Only when {@link #any}. */
    static void forget(G gp) {
        BY_G.remove(gp);
    }

    /**
     * The label changes during one CPU profile (only one runs at a time: the profiler's busy
     * flag). Labels are numbered within the session, 0 for none; the events carry the number.
     */
    public static final class Session {
        private final Map<Map<String, String>, Long> ids = new ConcurrentHashMap<>();
        private final Map<Long, Map<String, String>> byId = new ConcurrentHashMap<>();

        private Session() {}

        private long id(Map<String, String> labels) {
            if (labels == null) {
                return 0;
            }
            return ids.computeIfAbsent(labels, l -> {
                synchronized (byId) {
                    long id = byId.size() + 1L;
                    byId.put(id, l);
                    return id;
                }
            });
        }

        private void changed(long threadId, Map<String, String> labels) {
            ProfLabelEvent.emit(threadId, id(labels));
        }

        /** The labels numbered {@code id}; null for 0 or an unknown number. */
        public Map<String, String> labels(long id) {
            return byId.get(id);
        }

        /**
         * Each labelled goroutine's thread id and its labels now (taken once the session is
         * installed). A set racing with the install: T1 puts its labels, then reads session;
         * T2 writes session, then reads BY_G. Both pairs are volatile accesses, so either T1
         * reads T2's session (and commits an event) or T2's snapshot sees T1's put.
         */
        public Map<Long, Map<String, String>> snapshot() {
            Map<Long, Map<String, String>> m = new java.util.HashMap<>();
            if (any) {
                for (var e : BY_G.entrySet()) {
                    m.put(e.getKey().thread().threadId(), e.getValue());
                }
            }
            return m;
        }

        /** Ends the session: no more events. */
        public void close() {
            if (session == this) {
                session = null;
            }
        }
    }

    /** Starts the session of a CPU profile whose recording runs already (ProfLabelEvent enabled). */
    public static Session startSession() {
        Session s = new Session();
        session = s;
        return s;
    }
}
