package io.gmp4j.internal.pprof;

import com.sun.net.httpserver.HttpExchange;
import io.gmp4j.internal.runtime.SchedView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The live scheduler page: {@code /debug/sched} serves {@code sched.html} (plain HTML and JS
 * from the jar, nothing fetched from elsewhere), which polls {@code /debug/sched/data} once a
 * second and draws the Ps, Ms and Gs now and the last minutes of schedtrace's figures.
 *
 * <p>The history is a bounded ring ({@value #HISTORY} rows, one every {@value #PERIOD_MS} ms: five
 * minutes) filled by a daemon platform thread of the debug server's own from the moment the
 * server starts, so that a page opened late still shows what came before. A row is nine racy
 * reads of the scheduler's counters ({@link SchedView#sample}); nothing runs on an M or sysmon.
 */
final class SchedPage {
    private SchedPage() {}

    static final int HISTORY = 600;
    static final int PERIOD_MS = 500;

    // The ring: written by the sampler, read by request threads, both under RING.
    private static final Object RING = new Object();
    private static final long[][] rows = new long[HISTORY][];
    private static final long[] times = new long[HISTORY];
    private static long seq; // rows taken so far
    private static Thread sampler;

    /** Starts the sampler once (the debug server's bind). */
    static synchronized void startSampler() {
        if (sampler != null) {
            return;
        }
        sampler = Thread.ofPlatform().daemon().name("gmp4j-debug-sched-sampler").start(() -> {
            for (;;) {
                take();
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static void take() {
        long[] row = SchedView.sample();
        long t = SchedView.uptimeMillis();
        synchronized (RING) {
            int i = (int) (seq % HISTORY);
            rows[i] = row;
            times[i] = t;
            seq++;
        }
    }

    /** The handler for {@code /debug/sched} and {@code /debug/sched/data}. */
    static void handle(HttpExchange ex) {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            try {
                if (path.equals("/debug/sched") || path.equals("/debug/sched/")) {
                    Map<String, String> q = DebugServer.query(ex);
                    if ("json".equals(q.get("format"))) {
                        data(ex, q);
                    } else {
                        page(ex);
                    }
                } else if (path.equals("/debug/sched/data")) {
                    data(ex, DebugServer.query(ex));
                } else {
                    DebugServer.send(ex, 404, "text/plain; charset=utf-8", "404 page not found\n".getBytes(StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                DebugServer.send(ex, 500, "text/plain; charset=utf-8", ("sched: " + e + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private static void page(HttpExchange ex) throws IOException {
        byte[] html;
        try (InputStream in = SchedPage.class.getResourceAsStream("sched.html")) {
            if (in == null) {
                throw new IllegalStateException("sched.html missing from the jar");
            }
            html = in.readAllBytes();
        }
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        DebugServer.send(ex, 200, "text/html; charset=utf-8", html);
    }

    /**
     * {@code {"now": SchedView.json(), "series": [names], "history": [[ms, figures...], ...],
     * "seq": n}}: the rows taken after {@code since} (all that the ring holds without it).
     */
    private static void data(HttpExchange ex, Map<String, String> q) throws IOException {
        long since;
        try {
            since = Long.parseLong(q.getOrDefault("since", "0"));
        } catch (NumberFormatException e) {
            since = 0;
        }
        boolean empty;
        synchronized (RING) {
            empty = seq == 0;
        }
        if (empty) {
            take(); // a first row before the sampler's, so that a page opened at start-up has one
        }
        StringBuilder sb = new StringBuilder(4096);
        sb.append("{\"now\":").append(SchedView.json()).append(",\"periodMs\":").append(PERIOD_MS).append(",\"series\":[");
        for (int i = 0; i < SchedView.SERIES.length; i++) {
            sb.append(i > 0 ? "," : "").append('"').append(SchedView.SERIES[i]).append('"');
        }
        sb.append("],\"history\":[");
        synchronized (RING) {
            long from = Math.max(Math.max(since, 0), seq - HISTORY);
            for (long s = from; s < seq; s++) {
                int i = (int) (s % HISTORY);
                sb.append(s > from ? "," : "").append('[').append(times[i]);
                for (long v : rows[i]) {
                    sb.append(',').append(v);
                }
                sb.append(']');
            }
            sb.append("],\"seq\":").append(seq).append('}');
        }
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        DebugServer.send(ex, 200, "application/json", sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
