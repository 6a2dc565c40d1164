package io.gmp4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One system's results for one workload: its measured runs, or why it has none. */
final class Column {
    final Contender contender;
    final Map<String, String> params;
    final List<Map<String, Double>> runs = new ArrayList<>();
    /** The child's READY line (versions), or null. */
    String info;
    /** Why the column has fewer runs than asked (starved, failed, not installed), or null. */
    String problem;
    /** A run hit the workload's deadline ("did not run within N s"). */
    boolean starved;
    ChildProcess child;
    /** Wall time this column's child spent in warm-up runs, as the parent saw it. */
    long warmNanos;
    /** The figures of the last two warm-up runs (Workload#warmsToSteadyState), newest first. */
    double lastWarm = Double.NaN, prevWarm = Double.NaN;

    /** Whether the last two warm-up figures agree within {@code tolerance} (a fraction). */
    boolean warmSteady(double tolerance) {
        return Math.abs(lastWarm - prevWarm) <= tolerance * Math.abs(prevWarm); // false while either is NaN
    }

    Column(Contender contender, Map<String, String> params) {
        this.contender = contender;
        this.params = params;
    }

    static Map<String, Double> parseMetrics(String line) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String kv : line.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                String v = kv.substring(eq + 1);
                m.put(kv.substring(0, eq), v.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(v));
            }
        }
        return m;
    }

    boolean hasFigures() {
        return !runs.isEmpty();
    }

    double[] values(String metric) {
        return runs.stream().mapToDouble(r -> r.getOrDefault(metric, Double.NaN)).toArray();
    }

    double median(String metric) {
        double[] v = values(metric);
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    double min(String metric) {
        return Arrays.stream(values(metric)).min().orElse(Double.NaN);
    }

    double max(String metric) {
        return Arrays.stream(values(metric)).max().orElse(Double.NaN);
    }
}
