package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.MemStats;
import io.gmp4j.debug.Debug;
import io.gmp4j.metrics.Metrics;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.trace.Trace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * Observers run beside TortureProg's workers (-Dtorture.observe=true): traces started and
 * stopped into good, slow and failing streams from platform threads and goroutines (checked
 * against the trace-event format and for what they mean, TraceCheck), goroutine dumps,
 * MemStats, runtime/metrics and MXBean reads (cumulative figures never fall), forced GCs, the
 * debug server's pages fetched by several clients (some leaving mid-answer, some HEAD), the
 * mutex, block and heap profiles toggled, SetMaxThreads moved within safe bounds.
 * -Dtorture.obs=N: N tracers of each kind and 4N HTTP clients. -Dtorture.rogue=true adds a
 * thread that stops whatever trace runs and one that interrupts the tracers. Every call is
 * bounded by a watchdog (60 s; a hang fails with every goroutine's and platform thread's
 * stack); at the end no observer may have left a trace or a profiler held: a trace, a CPU
 * profile and a served trace must each start.
 */
final class Observers {
    private Observers() {}

    static volatile boolean stop;
    static final List<Thread> threads = new ArrayList<>();
    static final WaitGroup gwg = new WaitGroup();
    static final Map<String, long[]> ops = new ConcurrentHashMap<>(); // who -> {start nanos}
    static final Map<String, String> opName = new ConcurrentHashMap<>();
    static final Map<String, AtomicLong> stats = new ConcurrentHashMap<>();
    static InetSocketAddress addr;
    static boolean rogue;
    static final long OP_LIMIT = 60_000_000_000L;

    static void count(String what) {
        stats.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    static void begin(String who, String op) {
        opName.put(who, op);
        ops.put(who, new long[] {System.nanoTime()});
    }

    static final Map<String, AtomicLong> maxMs = new ConcurrentHashMap<>();

    static void end(String who) {
        long[] st = ops.remove(who);
        String op = opName.get(who);
        if (st != null && op != null) {
            String k = op.replaceAll(" kind [0-9]", "").replaceAll("[?].*", "");
            maxMs.computeIfAbsent(k, x -> new AtomicLong()).accumulateAndGet((System.nanoTime() - st[0]) / 1_000_000, Math::max);
        }
    }

    static void fail(String msg) {
        TortureProg.die(8, "observer: " + msg + "\n" + platformDump());
    }

    static String platformDump() {
        StringBuilder b = new StringBuilder("platform threads:\n");
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            b.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
            for (StackTraceElement s : e.getValue()) {
                b.append("\tat ").append(s).append('\n');
            }
        }
        return b.toString();
    }

    /** An observer's failure, with its stack. */
    private static void threw(String name, Throwable e) {
        java.io.StringWriter sw = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(sw));
        fail(name + " threw " + sw);
    }

    static void platform(String name, Runnable r) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                threw(name, e);
            }
        }, "obs-" + name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    static void goroutine(String name, Runnable r) {
        gwg.add(1);
        Go.go(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                threw(name, e);
            } finally {
                gwg.done();
            }
        });
    }

    static void start(long seed) {
        addr = Debug.serve("127.0.0.1:0");
        Metrics.registerMBean();
        Thread wd = new Thread(() -> {
            while (!TortureProg.finished) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                for (Map.Entry<String, long[]> e : ops.entrySet()) {
                    if (now - e.getValue()[0] > OP_LIMIT) {
                        fail(e.getKey() + " hangs in " + opName.get(e.getKey()));
                    }
                }
            }
        }, "obs-watchdog");
        wd.setDaemon(true);
        wd.start();
        int n = Integer.getInteger("torture.obs", 1);
        for (int i = 0; i < n; i++) {
            int k = i;
            platform("trace-p" + k, () -> traces("trace-p" + k, new SplittableRandom(seed + 100 + k), true));
            goroutine("trace-g" + k, () -> traces("trace-g" + k, new SplittableRandom(seed + 200 + k), false));
        }
        platform("dump-p", () -> dumps("dump-p", new SplittableRandom(seed + 3)));
        goroutine("dump-g", () -> dumps("dump-g", new SplittableRandom(seed + 4)));
        for (int i = 0; i < 4 * n; i++) {
            int k = i;
            platform("http" + k, () -> http("http" + k, new SplittableRandom(seed + 10 + k)));
        }
        platform("toggle", () -> toggles("toggle", new SplittableRandom(seed + 5)));
        rogue = Boolean.getBoolean("torture.rogue");
        if (rogue) {
            // stops whatever trace runs: another observer's, the debug server's
            platform("interrupter", () -> {
                SplittableRandom r = new SplittableRandom(seed + 7);
                while (!stop) {
                    sleepMs(1 + r.nextInt(20));
                    Thread[] ts = tracers.toArray(new Thread[0]);
                    if (ts.length > 0) {
                        ts[r.nextInt(ts.length)].interrupt();
                        count("interrupt");
                    }
                }
            });
            platform("rogue", () -> {
                SplittableRandom r = new SplittableRandom(seed + 6);
                while (!stop) {
                    sleepMs(r.nextInt(100));
                    begin("rogue", "Trace.stop");
                    try {
                        Trace.stop();
                        count("rogue-stop");
                    } catch (UncheckedIOException e) {
                        count("rogue-stopfail");
                    }
                    end("rogue");
                }
            });
        }
    }

    /** Stops the observers and checks that nothing is left behind; called before the leak check. */
    static void finish() {
        long t0 = System.nanoTime();
        stop = true;
        long deadline = System.nanoTime() + 90_000_000_000L;
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                fail("interrupted");
            }
            if (t.isAlive()) {
                fail(t.getName() + " did not stop");
            }
        }
        System.out.println("observers: platform threads joined in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        begin("finish", "gwg.await");
        gwg.await();
        end("finish");
        Debug.setMutexProfileFraction(0);
        Debug.setBlockProfileRate(0);
        Debug.setMaxThreads(10_000);
        // Nothing left behind: a trace starts, a CPU profile and a served trace are granted.
        TortureProg.check(!Trace.isEnabled(), "a trace is still on after every observer stopped");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        begin("finish", "final trace");
        Trace.start(out);
        Go.gosched();
        Trace.stop();
        end("finish");
        checkTrace(out.toByteArray(), "final trace");
        for (String p : new String[] {"/debug/pprof/profile?seconds=1", "/debug/pprof/trace?seconds=1"}) {
            // A request whose client left is still the server's until its handler sees that (a
            // heartbeat's write fails) and its profiler or trace has stopped: a while, not for good.
            long until = System.nanoTime() + 15_000_000_000L;
            Resp r;
            int tries = 0;
            for (;;) {
                begin("finish", p);
                r = get(p);
                end("finish");
                tries++;
                if (r.status != 500 || System.nanoTime() > until) {
                    break;
                }
                sleepMs(100);
            }
            System.out.println("observers: " + p + " after " + tries + " tries");
            if (r.status != 200) {
                fail("after the observers " + p + ": " + r.status + " " + r.text());
            }
            checkBody(p, r);
        }
        StringBuilder b = new StringBuilder("observers:");
        new java.util.TreeMap<>(stats).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        System.out.println(b);
        StringBuilder m = new StringBuilder("observer max ms:");
        new java.util.TreeMap<>(maxMs).forEach((k, v) -> m.append(" [").append(k).append("]=").append(v));
        System.out.println(m);
    }

    // ---- traces

    static final java.util.Set<Thread> tracers = ConcurrentHashMap.newKeySet();

    static void traces(String who, SplittableRandom r, boolean plat) {
        tracers.add(Thread.currentThread());
        try {
            traces0(who, r, plat);
        } finally {
            tracers.remove(Thread.currentThread());
            Thread.interrupted();
        }
    }

    static void traces0(String who, SplittableRandom r, boolean plat) {
        while (!stop) {
            int kind = r.nextInt(4);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            OutputStream out;
            long failAfter = -1;
            boolean unchecked = false;
            switch (kind) {
                case 0, 1 -> out = sink;
                case 2 -> out = new SlowStream(sink, r.nextLong());
                default -> {
                    failAfter = r.nextInt(4) == 0 ? r.nextInt(40) : r.nextInt(200_000);
                    unchecked = r.nextBoolean();
                    out = new FailingStream(sink, failAfter, unchecked);
                }
            }
            begin(who, "Trace.start kind " + kind);
            boolean started;
            try {
                Trace.start(out);
                started = true;
            } catch (IllegalStateException e) {
                TortureProg.check(e.getMessage().contains("tracing is already enabled"), who + ": start: " + e);
                started = false;
                count("trace-busy");
            } catch (UncheckedIOException e) {
                TortureProg.check(failAfter >= 0, who + ": start failed on a good stream: " + e);
                started = false;
                count("trace-startfail");
            }
            end(who);
            if (!started) {
                sleepMs(r.nextInt(20));
                continue;
            }
            sleepMs(r.nextInt(150));
            begin(who, "Trace.stop kind " + kind);
            boolean failed = false;
            try {
                Trace.stop();
            } catch (UncheckedIOException e) {
                // with the rogue, this stop may have stopped another observer's failing trace
                TortureProg.check(failAfter >= 0 || rogue, who + ": stop failed on a good stream: " + e);
                failed = true;
            }
            end(who);
            if (out instanceof FailingStream fs && !rogue) {
                TortureProg.check(fs.threw == failed, who + ": stream threw " + fs.threw + " but stop failed " + failed);
            }
            if (failAfter < 0) {
                checkTrace(sink.toByteArray(), who + " kind " + kind);
                count("trace-ok");
            } else {
                count(failed ? "trace-fail" : "trace-failnotseen");
            }
        }
    }

    static void checkTrace(byte[] json, String what) {
        try {
            TraceCheck.check(json);
            TraceCheck.Semantics sem = TraceCheck.semantics(json, Double.NaN); // and what it means
            if (!sem.violations.isEmpty()) {
                throw new AssertionError("a trace breaks the tracer's promises: " + sem);
            }
        } catch (AssertionError | RuntimeException e) {
            String s = new String(json, StandardCharsets.UTF_8);
            fail(what + ": bad trace: " + e + " (" + json.length + " bytes, tail: "
                    + s.substring(Math.max(0, s.length() - 300)) + ")");
        }
    }

    static final class SlowStream extends OutputStream {
        final OutputStream out;
        final SplittableRandom r;

        SlowStream(OutputStream out, long seed) {
            this.out = out;
            this.r = new SplittableRandom(seed);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (r.nextInt(3) == 0) {
                sleepMs(r.nextInt(5));
            }
            out.write(b, off, len);
        }
    }

    static final class FailingStream extends OutputStream {
        final OutputStream out;
        final long failAfter;
        final boolean unchecked;
        long n;
        volatile boolean threw;

        FailingStream(OutputStream out, long failAfter, boolean unchecked) {
            this.out = out;
            this.failAfter = failAfter;
            this.unchecked = unchecked;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            n += len;
            if (n > failAfter) {
                threw = true;
                if (unchecked) {
                    throw new IllegalStateException("provoked unchecked failure");
                }
                throw new IOException("provoked failure");
            }
            out.write(b, off, len);
        }
    }

    // ---- dumps and reads

    static void dumps(String who, SplittableRandom r) {
        Map<String, Object> last = new java.util.HashMap<>();
        MemStats[] lastMs = new MemStats[1];
        javax.management.MBeanServer mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        while (!stop) {
            int k = r.nextInt(7);
            begin(who, "dump " + k);
            switch (k) {
                case 0 -> {
                    String s = Go.stack(true);
                    TortureProg.check(s.startsWith("goroutine "), who + ": stack(true): " + head(s));
                    for (String line : s.split("\n")) {
                        if (line.startsWith("goroutine ")) {
                            TortureProg.check(line.matches("goroutine [0-9]+ \\[[^\\]]+\\]:"), who + ": header " + line);
                        }
                    }
                }
                case 1 -> {
                    String s = Debug.stack();
                    TortureProg.check(s.startsWith("goroutine ") || s.isEmpty() || s.startsWith("thread"), who + ": stack(false): " + head(s));
                }
                case 2 -> TortureProg.check(Go.numGoroutine() >= 1, who + ": numGoroutine");
                case 3 -> {
                    if (r.nextInt(8) == 0) {
                        Go.gc(); // runtime.GC: a forced cycle
                        count("gc");
                    }
                    MemStats ms = Go.readMemStats();
                    TortureProg.check(ms != null, who + ": memstats");
                    if (lastMs[0] != null) {
                        MemStats a = lastMs[0];
                        TortureProg.check(ms.TotalAlloc >= a.TotalAlloc && ms.NumGC >= a.NumGC && ms.NumForcedGC >= a.NumForcedGC
                                && ms.PauseTotalNs >= a.PauseTotalNs && ms.LastGC >= a.LastGC
                                && ms.NumGC - ms.NumForcedGC >= a.NumGC - a.NumForcedGC && ms.NumForcedGC <= ms.NumGC,
                                who + ": memstats fell: TotalAlloc " + a.TotalAlloc + "->" + ms.TotalAlloc + " NumGC " + a.NumGC + "->" + ms.NumGC
                                + " NumForcedGC " + a.NumForcedGC + "->" + ms.NumForcedGC + " PauseTotalNs " + a.PauseTotalNs + "->" + ms.PauseTotalNs
                                + " LastGC " + a.LastGC + "->" + ms.LastGC);
                    }
                    lastMs[0] = ms;
                }
                case 4 -> {
                    Map<String, Object> m = Metrics.readAll();
                    TortureProg.check(m.size() == Metrics.all().size(), who + ": readAll " + m.size());
                    for (Metrics.Description d : Metrics.all()) {
                        if (!d.cumulative()) {
                            continue;
                        }
                        Object v = m.get(d.name());
                        Object was = last.put(d.name(), v);
                        if (was instanceof Long a && v instanceof Long b) {
                            TortureProg.check(Long.compareUnsigned(b, a) >= 0, who + ": cumulative " + d.name() + " fell " + a + " -> " + b);
                        } else if (was instanceof Double a && v instanceof Double b) {
                            TortureProg.check(b >= a, who + ": cumulative " + d.name() + " fell " + a + " -> " + b);
                        } else if (was instanceof Metrics.Float64Histogram a && v instanceof Metrics.Float64Histogram b) {
                            TortureProg.check(a.counts().length == b.counts().length, who + ": " + d.name() + " buckets changed");
                            for (int i = 0; i < a.counts().length; i++) {
                                TortureProg.check(b.counts()[i] >= a.counts()[i], who + ": cumulative " + d.name() + " bucket " + i
                                        + " fell " + a.counts()[i] + " -> " + b.counts()[i]);
                            }
                        }
                    }
                    Object g = m.get("/sched/goroutines:goroutines");
                    TortureProg.check(g instanceof Long l && l >= 1, who + ": goroutines " + g);
                }
                case 5 -> {
                    var all = Metrics.all();
                    var d = all.get(r.nextInt(all.size()));
                    TortureProg.check(Metrics.sample(d.name()) != null, who + ": sample " + d.name());
                }
                default -> {
                    try {
                        var on = new javax.management.ObjectName(Metrics.OBJECT_NAME);
                        Object t = mbs.getAttribute(on, "Threads");
                        Object dump = mbs.invoke(on, "goroutineDump", null, null);
                        TortureProg.check(t instanceof Integer && dump instanceof String s && s.startsWith("goroutine "),
                                who + ": mbean");
                    } catch (javax.management.JMException e) {
                        fail(who + ": mbean " + e);
                    }
                }
            }
            end(who);
            count("dump" + k);
            sleepMs(r.nextInt(10));
        }
    }

    static String head(String s) {
        return s.substring(0, Math.min(120, s.length()));
    }

    // ---- toggles

    static void toggles(String who, SplittableRandom r) {
        javax.management.MBeanServer mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        while (!stop) {
            begin(who, "toggle");
            switch (r.nextInt(4)) {
                case 0 -> Debug.setMutexProfileFraction(r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(5));
                case 1 -> Debug.setBlockProfileRate(r.nextInt(3) == 0 ? 0 : r.nextInt(2) == 0 ? 1 : 1 + r.nextInt(100_000));
                case 2 -> {
                    int threadsNow;
                    try {
                        threadsNow = (Integer) mbs.getAttribute(new javax.management.ObjectName(Metrics.OBJECT_NAME), "Threads");
                    } catch (javax.management.JMException e) {
                        fail(who + ": " + e);
                        return;
                    }
                    int limit = r.nextBoolean() ? 10_000 : threadsNow + 2000;
                    Debug.setMaxThreads(limit);
                    count("maxThreads");
                }
                default -> Debug.setMemProfileRate(r.nextInt(3) == 0 ? 0 : 524288);
            }
            end(who);
            count("toggle");
            sleepMs(r.nextInt(30));
        }
    }

    // ---- the debug server

    static final String[] PAGES = {"/debug/pprof/goroutine?debug=1", "/debug/pprof/goroutine?debug=2",
        "/debug/pprof/profile?seconds=1", "/debug/pprof/trace?seconds=1", "/debug/pprof/heap", "/debug/sched",
        "/debug/vars", "/metrics", "/debug/pprof/mutex", "/debug/pprof/block", "/debug/pprof/goroutine",
        "/debug/pprof/threadcreate?debug=1", "/debug/pprof/"};

    record Resp(int status, byte[] body) {
        String text() {
            return new String(body, 0, Math.min(body.length, 300), StandardCharsets.ISO_8859_1);
        }
    }

    static Resp get(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + addr.getPort() + path).toURL().openConnection();
            c.setConnectTimeout(20_000);
            c.setReadTimeout(40_000);
            int st = c.getResponseCode();
            InputStream in = st >= 400 ? c.getErrorStream() : c.getInputStream();
            byte[] b = in == null ? new byte[0] : in.readAllBytes();
            if (in != null) {
                in.close();
            }
            return new Resp(st, b);
        } catch (IOException e) {
            fail("GET " + path + ": " + e);
            return null;
        }
    }

    static void http(String who, SplittableRandom r) {
        while (!stop) {
            String p = PAGES[r.nextInt(PAGES.length)];
            if (r.nextInt(10) == 0) {
                begin(who, "HEAD " + p);
                headReq(p);
                end(who);
                count("http-head");
                continue;
            }
            if (r.nextInt(4) == 0) {
                begin(who, "abort " + p);
                abort(p, r);
                end(who);
                count("http-abort");
                continue;
            }
            begin(who, "GET " + p);
            Resp resp = get(p);
            end(who);
            if (resp.status == 500 && (p.contains("profile?") || p.contains("trace?"))) {
                String t = resp.text();
                TortureProg.check(t.startsWith("Could not enable"), who + ": " + p + " 500: " + t);
                count("http-busy");
                continue;
            }
            TortureProg.check(resp.status == 200, who + ": " + p + ": " + resp.status + " " + resp.text());
            checkBody(p, resp);
            count("http-ok");
        }
    }

    static void headReq(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + addr.getPort() + path).toURL().openConnection();
            c.setRequestMethod("HEAD");
            c.setConnectTimeout(20_000);
            c.setReadTimeout(40_000);
            int st = c.getResponseCode();
            TortureProg.check(st == 200 || st == 500 && (path.contains("profile?") || path.contains("trace?")), "HEAD " + path + ": " + st);
            c.disconnect();
        } catch (IOException e) {
            fail("HEAD " + path + ": " + e);
        }
    }

    static void checkBody(String p, Resp resp) {
        String t = new String(resp.body, StandardCharsets.UTF_8);
        switch (p) {
            case "/debug/pprof/goroutine?debug=1" -> {
                TortureProg.check(t.startsWith("goroutine profile: total "), p + ": " + head(t));
                long total = Long.parseLong(t.substring("goroutine profile: total ".length(), t.indexOf('\n')));
                long sum = 0;
                for (String line : t.split("\n")) {
                    if (line.endsWith(" @")) {
                        sum += Long.parseLong(line.substring(0, line.length() - 2));
                    }
                }
                TortureProg.check(sum == total && total >= 1, p + ": total " + total + " sum " + sum);
            }
            case "/debug/pprof/goroutine?debug=2" -> {
                TortureProg.check(t.startsWith("goroutine "), p + ": " + head(t));
                for (String line : t.split("\n")) {
                    if (line.startsWith("goroutine ")) {
                        TortureProg.check(line.matches("goroutine [0-9]+ \\[[^\\]]+\\]:"), p + ": header " + line);
                    }
                }
            }
            case "/debug/pprof/profile?seconds=1", "/debug/pprof/heap", "/debug/pprof/mutex", "/debug/pprof/block",
                    "/debug/pprof/goroutine" -> {
                try (GZIPInputStream g = new GZIPInputStream(new java.io.ByteArrayInputStream(resp.body))) {
                    byte[] raw = g.readAllBytes();
                    TortureProg.check(raw.length > 0, p + ": empty profile");
                } catch (IOException e) {
                    fail(p + ": not gzip: " + e + " " + resp.text());
                }
            }
            case "/debug/pprof/trace?seconds=1" -> checkTrace(resp.body, p);
            case "/debug/vars" -> {
                try {
                    Object o = new Json(t).parseAll();
                    TortureProg.check(o instanceof Map, p + ": not an object");
                } catch (AssertionError | RuntimeException e) {
                    fail(p + ": " + e.getMessage());
                }
            }
            case "/metrics" -> {
                TortureProg.check(t.endsWith("\n"), p + ": no final newline");
                for (String line : t.split("\n")) {
                    if (line.isEmpty() || line.startsWith("#")) {
                        continue;
                    }
                    int sp = line.lastIndexOf(' ');
                    TortureProg.check(sp > 0, p + ": line " + line);
                    String v = line.substring(sp + 1);
                    try {
                        Double.parseDouble(v.replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
                    } catch (NumberFormatException e) {
                        fail(p + ": value in " + line);
                    }
                }
            }
            default -> TortureProg.check(!t.isEmpty(), p + ": empty");
        }
    }

    static void abort(String p, SplittableRandom r) {
        try (Socket s = new Socket()) {
            s.connect(addr, 20_000);
            s.setSoTimeout(20_000);
            if (r.nextBoolean()) {
                s.setSoLinger(true, 0); // RST on close
            }
            OutputStream o = s.getOutputStream();
            String req = "GET " + p + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            int cut = r.nextInt(5) == 0 ? r.nextInt(req.length()) : req.length();
            o.write(req.substring(0, cut).getBytes(StandardCharsets.ISO_8859_1));
            o.flush();
            if (cut < req.length()) {
                return;
            }
            InputStream in = s.getInputStream();
            int want = r.nextInt(3000);
            byte[] buf = new byte[512];
            int got = 0;
            while (got < want) {
                int n = in.read(buf, 0, Math.min(buf.length, want - got));
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (java.net.SocketTimeoutException e) {
            fail("abort " + p + ": server did not answer in 20 s");
        } catch (IOException e) {
            count("http-abort-ioe");
        }
    }

    static void sleepMs(long ms) {
        if (ms <= 0) {
            return;
        }
        if (Go.goid() != 0) {
            io.gmp4j.time.Time.sleep(java.time.Duration.ofMillis(ms));
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            count("sleep-interrupted");
        }
    }
}
