package io.gmp4j.internal.pprof;

import io.gmp4j.metrics.Metrics;
import java.util.Map;

/**
 * {@code /metrics}: every runtime/metrics figure in the Prometheus text exposition format (0.0.4),
 * named as client_golang's Go collector names them (internal.RuntimeMetricsToProm):
 * {@code /sched/latencies:seconds} becomes {@code go_sched_latencies_seconds}; a cumulative
 * scalar is a counter with {@code _total}, any other scalar a gauge; a Float64Histogram a
 * histogram with cumulative {@code _bucket{le=...}} (each count's upper bound; the -Inf underflow
 * bucket folds into the first, +Inf last), {@code _sum} and {@code _count}.
 */
public final class PromText {
    private PromText() {}

    /** client_golang's RuntimeMetricsToProm: namespace "go", subsystem from the path, name + unit. */
    public static String promName(Metrics.Description d) {
        String[] comp = d.name().split(":", 2);
        String key = comp[0].substring(1);
        int slash = key.lastIndexOf('/');
        String subsystem = key.substring(0, slash).replace('/', '_').replace('-', '_');
        String name = key.substring(slash + 1).replace('-', '_');
        String unit = comp[1].replace("-", "_").replace("*", "_").replace("/", "_per_");
        name += "_" + unit;
        if (d.cumulative() && d.kind() != Metrics.Kind.FLOAT64_HISTOGRAM) {
            name += "_total";
        }
        return "go_" + subsystem + "_" + name;
    }

    public static String render() {
        StringBuilder b = new StringBuilder(16 << 10);
        Map<String, Object> values = Metrics.readAll();
        for (Metrics.Description d : Metrics.all()) {
            Object v = values.get(d.name());
            if (v == null) {
                continue;
            }
            String n = promName(d);
            String type = d.kind() == Metrics.Kind.FLOAT64_HISTOGRAM ? "histogram" : d.cumulative() ? "counter" : "gauge";
            b.append("# HELP ").append(n).append(' ').append(help(d.description())).append('\n');
            b.append("# TYPE ").append(n).append(' ').append(type).append('\n');
            switch (v) {
                case Long l -> b.append(n).append(' ').append(Long.toUnsignedString(l)).append('\n');
                case Double x -> b.append(n).append(' ').append(num(x)).append('\n');
                case Metrics.Float64Histogram h -> histogram(b, n, h);
                default -> throw new IllegalStateException("render: " + v.getClass());
            }
        }
        return b.toString();
    }

    private static void histogram(StringBuilder b, String n, Metrics.Float64Histogram h) {
        long[] c = h.counts();
        double[] bk = h.buckets();
        long cum = 0;
        double sum = 0;
        for (int i = 0; i < c.length; i++) {
            cum += c[i];
            // client_golang's estimate: each sample at its bucket's lower bound (the upper one for -Inf).
            double at = Double.isInfinite(bk[i]) ? bk[i + 1] : bk[i];
            if (!Double.isInfinite(at)) {
                sum += at * c[i];
            }
            double le = bk[i + 1];
            if (Double.isInfinite(le)) {
                break; // written as +Inf below
            }
            b.append(n).append("_bucket{le=\"").append(num(le)).append("\"} ").append(cum).append('\n');
        }
        long count = 0;
        for (long x : c) {
            count += x;
        }
        b.append(n).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
        b.append(n).append("_sum ").append(num(sum)).append('\n');
        b.append(n).append("_count ").append(count).append('\n');
    }

    private static String num(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "+Inf" : "-Inf";
        }
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    /** HELP text escaping: backslash and newline. */
    private static String help(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
