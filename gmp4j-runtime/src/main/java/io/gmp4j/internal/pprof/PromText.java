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
                case Long l -> b.append(n).append(' ').append(unsigned(l)).append('\n');
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
            b.append(n).append("_bucket{le=\"").append(num(le)).append("\"} ").append(unsigned(cum)).append('\n');
        }
        long count = 0;
        for (long x : c) {
            count += x;
        }
        b.append(n).append("_bucket{le=\"+Inf\"} ").append(unsigned(count)).append('\n');
        b.append(n).append("_sum ").append(num(sum)).append('\n');
        b.append(n).append("_count ").append(unsigned(count)).append('\n');
    }

    /**
     * prometheus/common expfmt's writeFloat: strconv.FormatFloat(x, 'g', -1, 64), the shortest
     * decimal that reads back as x, in %e form (two exponent digits at least) when its exponent is
     * below -4 or at least 6 ("1.12384736e+08", "6.4e-08"), else %f ("0.004194304", "3758").
     * Java's Double.toString (JDK 19+) gives the same shortest digits in its own layout, but for
     * a shortest of one digit it may keep a closer two-digit one (subnormals: 4.9E-324).
     */
    static String num(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "+Inf" : "-Inf";
        }
        if (x == 0) {
            return "0";
        }
        java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
        if (d.precision() == 2) { // Java keeps two digits where one reads back too (4.9E-324); Go keeps one
            java.math.BigDecimal one = d.round(new java.math.MathContext(1, java.math.RoundingMode.HALF_EVEN));
            if (one.doubleValue() == Math.abs(x)) {
                d = one.stripTrailingZeros();
            }
        }
        String digits = d.unscaledValue().toString();
        int nd = digits.length();
        int exp = nd - 1 - d.scale(); // the first digit's power of ten (Go: digs.dp - 1)
        StringBuilder b = new StringBuilder(24);
        if (x < 0) {
            b.append('-');
        }
        if (exp < -4 || exp >= 6) {
            b.append(digits.charAt(0));
            if (nd > 1) {
                b.append('.').append(digits, 1, nd);
            }
            int e = Math.abs(exp);
            b.append('e').append(exp < 0 ? '-' : '+').append(e < 10 ? "0" : "").append(e);
        } else if (exp < 0) {
            b.append("0.").append("0".repeat(-exp - 1)).append(digits);
        } else if (nd <= exp + 1) {
            b.append(digits).append("0".repeat(exp + 1 - nd));
        } else {
            b.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, nd);
        }
        return b.toString();
    }

    /** A uint64 figure: client_golang's metric values are float64s, written as {@link #num}. */
    static String unsigned(long l) {
        return num(l >= 0 ? (double) l : new java.math.BigDecimal(Long.toUnsignedString(l)).doubleValue()); // Go's float64(u): nearest
    }

    /** HELP text escaping: backslash and newline. */
    private static String help(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
