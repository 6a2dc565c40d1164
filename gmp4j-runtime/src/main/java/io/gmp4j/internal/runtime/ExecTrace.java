package io.gmp4j.internal.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The execution tracer behind {@code io.gmp4j.trace.Trace} (Go's runtime/trace), writing
 * Chrome trace-event JSON ({@code {"traceEvents":[...]}}) that ui.perfetto.dev and
 * chrome://tracing open. Not Go's binary format (docs/DIVERGENCES.md).
 *
 * <p>Off: the hot paths (execute, ready, newproc) read one static volatile boolean, {@link #on}.
 * On: each M, and sysmon, writes fixed-size records into its own single-producer ring
 * ({@link Buf}, allocated once per M per trace); a goroutine writes into the ring of the M it is
 * mounted on (it runs on that M's stack, so M and G never write at once). Threads that are
 * neither (the JDK's timer and poller threads, the application's platform threads) share one
 * ring under a {@link RuntimeMutex} (a few field writes: nobody parks in it). A full ring drops
 * the event and counts it; the count goes into the trace's {@code otherData}. A platform thread
 * of the tracer's own ({@code gmp4j-trace-writer}) drains the rings every 100 ms and does all
 * formatting and I/O: nothing on an M or sysmon allocates (beyond its ring, once) or writes.
 *
 * <p>Events: a complete event ({@code "ph":"X"}) per goroutine run slice on its P's track
 * (pid 1 "Ps", tid = P id) and its M's (pid 2 "Ms", tid = M id), named
 * {@code G<goid> <start function>}, args goid, m, and how the slice ended; instant events for
 * goroutine creation, blocking (with Go's wait reason), sysmon preemption requests and
 * hand-offs; a flow arrow from each unblock (on the waker's track) to the woken goroutine's
 * next slice. A slice whose P sysmon handed away meanwhile goes on the M's track only.
 */
public final class ExecTrace {
    private ExecTrace() {}

    /** The one check on the hot paths. Written only by start/stop. */
    static volatile boolean on;

    static final int SLICE = 1, CREATE = 2, UNBLOCK = 3, PREEMPT = 4, HANDOFF = 5;
    /** Events per ring (a power of two); 5 longs and a reference each. */
    static final int CAP = 1 << 15;
    private static final int W = 5;

    /** A single-producer, single-consumer ring of fixed-size records. */
    static final class Buf {
        final long[] data = new long[CAP * W];
        final Object[] refs = new Object[CAP];
        final int gen;
        long head; // reader (the writer thread); HEAD
        long tail; // writer; TAIL
        long dropped; // writer; read after the writer is off (racy read: a count)

        Buf(int gen) {
            this.gen = gen;
        }

        void put(int kind, long ts, long a, long b, long c, Object ref) {
            long t = tail;
            if (t - (long) HEAD.getAcquire(this) >= CAP) { // pairs with the reader's setRelease
                dropped++;
                return;
            }
            int i = (int) (t & (CAP - 1));
            int o = i * W;
            data[o] = kind;
            data[o + 1] = ts;
            data[o + 2] = a;
            data[o + 3] = b;
            data[o + 4] = c;
            refs[i] = ref;
            TAIL.setRelease(this, t + 1); // publishes the record; pairs with drain's getAcquire
        }

        private static final VarHandle HEAD, TAIL;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                HEAD = l.findVarHandle(Buf.class, "head", long.class);
                TAIL = l.findVarHandle(Buf.class, "tail", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    // ---- state of one trace (start/stop under LOCK; the rest read racily by writers) ----

    private static final Object LOCK = new Object(); // only user threads and the writer thread
    private static volatile int gen;
    private static final RuntimeMutex bufsLock = new RuntimeMutex();
    private static volatile Buf[] bufs = new Buf[0];
    private static Buf sysmonBuf; // sysmon only
    private static Buf sharedBuf; // bufsLock
    private static Writer writer;

    // ---- recording (any thread; only while on) ----------------------------------------

    /** The caller's ring: its M's (the M itself or a G mounted on it), sysmon's, or null. */
    private static Buf ownBuf(Thread t) {
        M mp = t instanceof M m ? m : (t.isVirtual() && JdkInternals.carrierOf(t) instanceof M m ? m : null);
        int g = gen;
        if (mp != null) {
            Buf b = mp.tbuf;
            if (b == null || b.gen != g) {
                b = mp.tbuf = register(g);
            }
            return b;
        }
        if (Sysmon.isSysmon(t)) {
            Buf b = sysmonBuf;
            if (b == null || b.gen != g) {
                b = sysmonBuf = register(g);
            }
            return b;
        }
        return null;
    }

    private static Buf register(int g) {
        Buf b = new Buf(g);
        bufsLock.lock();
        try {
            Buf[] a = Arrays.copyOf(bufs, bufs.length + 1);
            a[a.length - 1] = b;
            bufs = a;
        } finally {
            bufsLock.unlock();
        }
        return b;
    }

    private static void emit(int kind, long ts, long a, long b, long c, Object ref) {
        Thread t = Thread.currentThread();
        Buf buf = ownBuf(t);
        if (buf != null) {
            buf.put(kind, ts, a, b, c, ref);
            return;
        }
        bufsLock.lock();
        try {
            Buf s = sharedBuf;
            if (s != null && s.gen == gen) {
                s.put(kind, ts, a, b, c, ref);
            }
        } finally {
            bufsLock.unlock();
        }
    }

    private static long curPid() {
        M mp = M.current();
        P pp = mp != null ? mp.p : null;
        return pp != null ? pp.id : -1;
    }

    /** newproc, before the G's thread starts. */
    static void create(G newg) {
        G parent = G.current();
        emit(CREATE, System.nanoTime(), newg.goid, parent != null ? parent.goid : 0, curPid(), newg.fn);
    }

    /** Proc.ready: gp became runnable. */
    static void unblock(G gp) {
        G waker = G.current();
        emit(UNBLOCK, System.nanoTime(), gp.goid, waker != null ? waker.goid : 0, curPid(), null);
    }

    /**
     * execute, after cont.run returned: gp ran on mp from {@code start}; {@code pid} is its P's
     * id, or -1 when sysmon handed the P away meanwhile.
     */
    static void slice(M mp, int pid, G gp, long start) {
        long end = System.nanoTime();
        long how = gp.status | (long) gp.waitReason.ordinal() << 8;
        bufOf(mp).put(SLICE, start, end, gp.goid, (long) pid << 40 | mp.id << 16 | how, gp.fn);
    }

    /** sysmon asked gp, running on pp, to yield. */
    static void preempt(P pp, G gp) {
        emit(PREEMPT, System.nanoTime(), gp.goid, pp.id, 0, null);
    }

    /** sysmon handed pp away from under gp. */
    static void handoff(P pp, G gp, boolean blocked) {
        emit(HANDOFF, System.nanoTime(), gp.goid, pp.id, blocked ? 1 : 0, null);
    }

    /** For M.tbufPut. */
    static Buf bufOf(M mp) {
        int g = gen;
        Buf b = mp.tbuf;
        if (b == null || b.gen != g) {
            b = mp.tbuf = register(g);
        }
        return b;
    }

    // ---- start / stop -----------------------------------------------------------------

    /** trace.Start. */
    public static void start(OutputStream out) {
        if (out == null) {
            throw new NullPointerException("out");
        }
        synchronized (LOCK) {
            if (writer != null) {
                throw new IllegalStateException("tracing is already enabled"); // Go's error text
            }
            int g = gen + 1;
            bufsLock.lock();
            try {
                bufs = new Buf[0];
                sharedBuf = new Buf(g);
                bufs = new Buf[] {sharedBuf};
            } finally {
                bufsLock.unlock();
            }
            long t0 = System.nanoTime();
            Writer w = new Writer(out, t0);
            try {
                w.header();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            gen = g;
            writer = w;
            w.start();
            on = true;
        }
    }

    /** trace.Stop: stops tracing, writes what the rings hold and the trailer. A no-op when off. */
    public static void stop() {
        Writer w;
        synchronized (LOCK) {
            w = writer;
            if (w == null) {
                return;
            }
            on = false;
            writer = null;
        }
        w.finish();
        if (w.failure != null) {
            throw new UncheckedIOException(w.failure);
        }
    }

    /** Whether a trace is being taken (tests). */
    public static boolean enabled() {
        return on;
    }

    /** The drainer: a platform thread that formats and writes. Never an M's or sysmon's work. */
    private static final class Writer extends Thread {
        private final OutputStream out;
        private final long t0;
        private volatile boolean done;
        IOException failure;
        private final StringBuilder sb = new StringBuilder(1 << 16);
        private boolean first = true;
        private long flowSeq;
        private final Map<Long, long[]> pendingFlow = new HashMap<>(); // goid -> {flow id, unblock ts}
        private final Map<Class<?>, String> names = new HashMap<>();
        private final TreeSet<Long> ps = new TreeSet<>(), ms = new TreeSet<>();
        private final List<long[]> round = new ArrayList<>();
        private final List<Object> roundRefs = new ArrayList<>();

        Writer(OutputStream out, long t0) {
            super("gmp4j-trace-writer");
            setDaemon(true);
            this.out = out;
            this.t0 = t0;
        }

        void header() throws IOException {
            out.write("{\"traceEvents\":[\n".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void run() {
            while (!done) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    // finish() wakes us
                }
                drainAndWrite();
            }
        }

        void finish() {
            done = true;
            interrupt();
            boolean interrupted = false;
            for (;;) {
                try {
                    join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            drainAndWrite(); // events recorded after the writer's last round
            long dropped = 0;
            for (Buf b : bufs) {
                dropped += b.dropped;
            }
            sb.setLength(0);
            for (long p : ps) {
                sep();
                sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":").append(p)
                        .append(",\"args\":{\"name\":\"P").append(p).append("\"}}");
            }
            for (long m : ms) {
                sep();
                sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":2,\"tid\":").append(m)
                        .append(",\"args\":{\"name\":\"M").append(m).append("\"}}");
            }
            sep();
            sb.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":3,\"tid\":0,\"args\":{\"name\":\"threads without a P\"}}");
            String[] procs = {"Ps", "Ms", "runtime"};
            for (int i = 0; i < procs.length; i++) {
                sep();
                sb.append("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":").append(i + 1)
                        .append(",\"args\":{\"name\":\"").append(procs[i]).append("\"}}");
                sep();
                sb.append("{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":").append(i + 1)
                        .append(",\"args\":{\"sort_index\":").append(i + 1).append("}}");
            }
            sb.append("\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"format\":\"gmp4j trace-event JSON\"")
                    .append(",\"droppedEvents\":").append(dropped)
                    .append(",\"ringEvents\":").append(CAP).append("}}\n");
            write();
            if (failure == null) {
                try {
                    out.flush();
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private void sep() {
            if (!first) {
                sb.append(",\n");
            }
            first = false;
        }

        private void write() {
            if (failure != null) {
                sb.setLength(0);
                return;
            }
            try {
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                failure = e; // the rest is drained and discarded; stop() throws it
            }
            sb.setLength(0);
        }

        private void drainAndWrite() {
            round.clear();
            roundRefs.clear();
            for (Buf b : bufs) {
                long h = b.head;
                long t = (long) Buf.TAIL.getAcquire(b); // pairs with put's setRelease
                for (; h < t; h++) {
                    int i = (int) (h & (CAP - 1));
                    int o = i * W;
                    round.add(Arrays.copyOfRange(b.data, o, o + W));
                    roundRefs.add(b.refs[i]);
                    b.refs[i] = null;
                }
                Buf.HEAD.setRelease(b, h); // frees the slots; pairs with put's getAcquire
            }
            Integer[] order = new Integer[round.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Long.compare(round.get(x)[1], round.get(y)[1]));
            sb.setLength(0);
            for (int i : order) {
                format(round.get(i), roundRefs.get(i));
            }
            write();
        }

        private void ts(long nanos) {
            long ns = Math.max(0, nanos - t0);
            long us = ns / 1000, frac = ns % 1000;
            sb.append(us).append('.');
            if (frac < 100) {
                sb.append('0');
            }
            if (frac < 10) {
                sb.append('0');
            }
            sb.append(frac);
        }

        private void instant(String name, long pid, long tid, long ts) {
            sep();
            sb.append("{\"name\":\"").append(name).append("\",\"ph\":\"i\",\"s\":\"t\",\"pid\":").append(pid)
                    .append(",\"tid\":").append(tid).append(",\"ts\":");
            ts(ts);
        }

        private void track(long p) {
            // An event from a thread with no P goes on the runtime process's single track.
            if (p >= 0) {
                ps.add(p);
            }
        }

        private void format(long[] e, Object ref) {
            int kind = (int) e[0];
            switch (kind) {
                case SLICE -> {
                    long start = e[1], end = e[2], goid = e[3], c = e[4];
                    long pid = c >> 40;
                    long mid = (c >>> 16) & 0xFF_FFFFL;
                    int status = (int) (c & 0xFF);
                    WaitReason r = WaitReason.values()[(int) ((c >>> 8) & 0xFF)];
                    String how = r != WaitReason.ZERO ? r.text()
                            : status == G._Gdead ? "exit"
                            : status == G._Grunnable ? "runnable"
                            : "java park";
                    String name = "G" + goid + " " + name(ref);
                    ms.add(mid);
                    for (int k = pid >= 0 ? 0 : 1; k < 2; k++) {
                        long p = k == 0 ? 1 : 2, tid = k == 0 ? pid : mid;
                        if (k == 0) {
                            track(pid);
                        }
                        sep();
                        sb.append("{\"name\":\"").append(esc(name)).append("\",\"cat\":\"goroutine\",\"ph\":\"X\",\"pid\":")
                                .append(p).append(",\"tid\":").append(tid).append(",\"ts\":");
                        ts(start);
                        sb.append(",\"dur\":");
                        ts(t0 + Math.max(0, end - start));
                        sb.append(",\"args\":{\"goid\":").append(goid).append(",\"m\":").append(mid)
                                .append(",\"p\":").append(pid).append(",\"end\":\"").append(how).append("\"}}");
                    }
                    long[] pending = pendingFlow.get(goid);
                    Long flow = null;
                    if (pending != null && pending[1] <= start) { // not a slice that ran before the unblock
                        pendingFlow.remove(goid);
                        flow = pending[0];
                    }
                    if (flow != null) {
                        sep();
                        sb.append("{\"name\":\"unblock\",\"cat\":\"flow\",\"ph\":\"f\",\"bp\":\"e\",\"id\":").append(flow)
                                .append(",\"pid\":").append(pid >= 0 ? 1 : 2).append(",\"tid\":").append(pid >= 0 ? pid : mid)
                                .append(",\"ts\":");
                        ts(start);
                        sb.append('}');
                    }
                    if (r != WaitReason.ZERO || how.equals("java park")) {
                        instant("GoBlock", pid >= 0 ? 1 : 2, pid >= 0 ? pid : mid, end);
                        sb.append(",\"args\":{\"goid\":").append(goid).append(",\"reason\":\"").append(how).append("\"}}");
                    }
                }
                case CREATE -> {
                    long p = e[4];
                    track(p);
                    instant("GoCreate", p >= 0 ? 1 : 3, Math.max(p, 0), e[1]);
                    sb.append(",\"args\":{\"goid\":").append(e[2]).append(",\"parent\":").append(e[3])
                            .append(",\"fn\":\"").append(esc(name(ref))).append("\"}}");
                }
                case UNBLOCK -> {
                    long p = e[4], goid = e[2];
                    track(p);
                    long pid = p >= 0 ? 1 : 3, tid = Math.max(p, 0);
                    instant("GoUnblock", pid, tid, e[1]);
                    sb.append(",\"args\":{\"goid\":").append(goid).append(",\"by\":").append(e[3]).append("}}");
                    long id = ++flowSeq;
                    pendingFlow.put(goid, new long[] {id, e[1]});
                    sep();
                    sb.append("{\"name\":\"unblock\",\"cat\":\"flow\",\"ph\":\"s\",\"id\":").append(id)
                            .append(",\"pid\":").append(pid).append(",\"tid\":").append(tid).append(",\"ts\":");
                    ts(e[1]);
                    sb.append('}');
                }
                case PREEMPT, HANDOFF -> {
                    long p = e[3];
                    track(p);
                    instant(kind == PREEMPT ? "preempt" : "sysmon handoff", 1, p, e[1]);
                    sb.append(",\"args\":{\"goid\":").append(e[2]);
                    if (kind == HANDOFF) {
                        sb.append(",\"blocked\":").append(e[4] != 0);
                    }
                    sb.append("}}");
                }
                default -> {}
            }
        }

        /** A goroutine's start function: its Runnable's class, a lambda shown as its enclosing class. */
        private String name(Object fn) {
            if (fn == null) {
                return "?";
            }
            return names.computeIfAbsent(fn.getClass(), c -> {
                String n = c.getName();
                int l = n.indexOf("$$Lambda");
                return l >= 0 ? n.substring(0, l) + ".func" : n;
            });
        }

        private static String esc(String s) {
            StringBuilder b = null;
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"' || ch == '\\' || ch < 0x20) {
                    if (b == null) {
                        b = new StringBuilder(s.substring(0, i));
                    }
                    b.append(String.format("\\u%04x", (int) ch));
                } else if (b != null) {
                    b.append(ch);
                }
            }
            return b == null ? s : b.toString();
        }
    }
}
