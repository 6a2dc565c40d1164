package io.gmp4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The human tables on stdout and the --json document. */
final class Report {
    private final PrintStream out;
    private final Machine machine;
    private final Workload.Mode mode;
    /** --procs, or 0. */
    private final int procs;

    Report(PrintStream out, Machine machine, Workload.Mode mode, int procs) {
        this.out = out;
        this.machine = machine;
        this.mode = mode;
        this.procs = procs;
    }

    void header() {
        out.println("gmp4j bench  " + machine.date() + "  commit " + machine.commit());
        out.println("  JDK     " + machine.jdk());
        out.println("  machine " + machine.cpu() + ", " + machine.cpus() + " CPUs, "
                + machine.memoryBytes() / (1L << 30) + " GiB, " + machine.os());
        out.println("  go      " + machine.go());
        out.println("  mode    " + mode + "; each system in its own process, runs interleaved");
        if (procs > 0) {
            out.println("  procs   " + procs + " (--procs: GOMAXPROCS / the JDK scheduler's parallelism, on "
                    + machine.cpus() + " CPUs)");
        }
        out.println("  JVMs    " + String.join(" ", Bench.childJvmFlags()));
        out.println("  Figures: median (min .. max) of the measured runs. gmp4j/this < 1 means gmp4j is better");
        out.println("  (every figure is lower-is-better). Compare ratios, not absolute figures, across runs.");
        out.println();
    }

    void footer(long seconds) {
        out.printf("Total %d:%02d%n", seconds / 60, seconds % 60);
    }

    /** The gmp4j column of the default settings group: its sizes head the table. */
    static Column reference(Column[] cols) {
        return reference(cols, "");
    }

    /** The first gmp4j column with figures in {@code group} (see {@link Contender#group}), or null. */
    static Column reference(Column[] cols, String group) {
        for (Column c : cols) {
            if (c.contender.kind() == Kind.GMP4J && c.contender.group().equals(group) && c.hasFigures()) {
                return c;
            }
        }
        return null;
    }

    static Double ratio(Column ref, Column c) {
        if (ref == null || c == ref || !c.hasFigures()) {
            return null;
        }
        double r = ref.median("value") / c.median("value");
        return Double.isFinite(r) ? r : null;
    }

    /** {@link #table(Workload, Column[])}, then the cross-core probes taken before and after it ({@link CoreProbe}). */
    void table(Workload w, Column[] cols, long[] probe) {
        table(w, cols);
        if (probe[0] > 0 || probe[1] > 0) {
            out.println("    cross-core round trip (two platform threads): " + probeText(probe[0]) + " before, "
                    + probeText(probe[1]) + " after");
            out.println();
        }
    }

    private static String probeText(long ns) {
        return ns > 0 ? ns + " ns" : "-";
    }

    void table(Workload w, Column[] cols) {
        Column ref = reference(cols);
        Map<String, String> refParams = ref != null ? ref.params : cols.length > 0 ? cols[0].params : Map.of();
        out.println(w.id() + "  " + w.title);
        StringBuilder sizes = new StringBuilder();
        refParams.forEach((k, v) -> sizes.append(' ').append(k).append('=').append(v));
        Workload.Mode wm = w.mode(mode);
        if (wm.runs() != mode.runs()) {
            sizes.append("; ").append(wm.runs()).append(" measured runs");
        }
        out.println("    " + w.unit + ", lower is better;" + sizes);
        out.printf("    %-24s %10s  %-24s %11s%n", "system", "median", "(min .. max)", "gmp4j/this");
        for (Column c : cols) {
            StringBuilder line = new StringBuilder();
            line.append(String.format("    %-24s ", c.contender.name()));
            if (c.hasFigures()) {
                Double r = ratio(reference(cols, c.contender.group()), c);
                line.append(String.format("%10s  %-24s %11s", num(c.median("value")),
                        "(" + num(c.min("value")) + " .. " + num(c.max("value")) + ")",
                        r == null ? "" : ratioText(r)));
                for (String extra : w.extraMetrics()) {
                    double m = c.median(extra);
                    line.append("  ").append(extra).append(' ')
                            .append(extra.equals("samples") && !Double.isNaN(m) ? Long.toString(Math.round(m)) : num(m));
                }
                if (c.runs.size() < wm.runs()) {
                    line.append("  [").append(c.runs.size()).append(" runs]");
                }
                if (!c.params.equals(refParams)) {
                    line.append("  ").append(paramDiff(c.params, refParams));
                }
                if (c.problem != null) {
                    line.append("  then: ").append(c.problem);
                }
            } else {
                line.append(c.problem != null ? c.problem : "no figures");
            }
            out.println(line.toString().stripTrailing());
        }
        for (Column c : cols) {
            if (!c.contender.note().isEmpty()) {
                out.println("    note: " + c.contender.name() + ": " + c.contender.note());
            }
        }
        out.println();
    }

    private static String paramDiff(Map<String, String> params, Map<String, String> ref) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            if (!v.equals(ref.get(k))) {
                sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v);
            }
        });
        return sb.toString();
    }

    static String ratioText(double r) {
        return String.format(Locale.ROOT, r >= 0.095 ? "%.2f" : r >= 0.00095 ? "%.3f" : "%.1e", r);
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 10_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    void writeJson(Path file, List<Workload> workloads, List<Column[]> tables) throws IOException {
        writeJson(file, workloads, tables, null);
    }

    /** The --json document; {@code probes} (or null): each workload's CoreProbe figures, before and after. */
    void writeJson(Path file, List<Workload> workloads, List<Column[]> tables, List<long[]> probes) throws IOException {
        Json j = new Json();
        j.open('{');
        j.field("date", machine.date()).field("commit", machine.commit()).field("jdk", machine.jdk())
                .field("os", machine.os()).field("cpu", machine.cpu()).field("cpus", machine.cpus()).field("procs", procs)
                .field("memoryBytes", machine.memoryBytes()).field("go", machine.go())
                .field("jvmFlags", String.join(" ", Bench.childJvmFlags()));
        j.key("mode").open('{').field("scale", mode.scale().name().toLowerCase(Locale.ROOT))
                .field("warmups", mode.warmups()).field("warmupMillis", mode.warmupMillis()).field("runs", mode.runs()).close('}');
        j.key("workloads").open('[');
        for (int i = 0; i < workloads.size(); i++) {
            Workload w = workloads.get(i);
            Column[] cols = tables.get(i);
            j.open('{').field("id", w.id()).field("title", w.title).field("unit", w.unit)
                    .field("runs", w.mode(mode).runs());
            if (probes != null) {
                long[] p = probes.get(i);
                j.key("crossCoreNanos").open('{').field("before", p[0] > 0 ? (Object) p[0] : null)
                        .field("after", p[1] > 0 ? (Object) p[1] : null).close('}');
            }
            j.key("systems").open('[');
            for (Column c : cols) {
                j.open('{').field("name", c.contender.name()).field("kind", c.contender.kind().label);
                String status = c.starved ? "starved" : c.problem == null ? "ok"
                        : c.problem.startsWith("n/a") ? "n/a"
                        : c.problem.matches("(failed|could not start|did not start|no READY).*") ? "failed"
                        : "unavailable";
                j.field("status", status).field("problem", c.problem).field("info", c.info);
                j.key("params").open('{');
                c.params.forEach(j::field);
                j.close('}');
                j.key("runs").open('[');
                for (Map<String, Double> run : c.runs) {
                    j.open('{');
                    run.forEach(j::field);
                    j.close('}');
                }
                j.close(']');
                if (c.hasFigures()) {
                    j.field("median", c.median("value")).field("min", c.min("value")).field("max", c.max("value"));
                    j.key("extraMedians").open('{');
                    for (String extra : w.extraMetrics()) {
                        j.field(extra, c.median(extra));
                    }
                    j.close('}');
                }
                j.field("gmp4jRatio", ratio(reference(cols, c.contender.group()), c));
                j.close('}');
            }
            j.close(']').close('}');
        }
        j.close(']').close('}');
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, j.toString() + "\n", StandardCharsets.UTF_8);
    }

    /** A minimal JSON writer: objects, arrays, strings, numbers, null. */
    static final class Json {
        private final StringBuilder sb = new StringBuilder();
        private boolean needComma;

        Json open(char c) {
            comma();
            sb.append(c);
            needComma = false;
            return this;
        }

        Json close(char c) {
            sb.append(c);
            needComma = true;
            return this;
        }

        Json key(String k) {
            comma();
            string(k);
            sb.append(':');
            needComma = false;
            return this;
        }

        Json field(String k, Object v) {
            key(k);
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Double d) {
                sb.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%s", d) : "null");
            } else if (v instanceof Number n) {
                sb.append(n);
            } else {
                string(v.toString());
            }
            needComma = true;
            return this;
        }

        private void comma() {
            if (needComma) {
                sb.append(',');
            }
        }

        private void string(String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
