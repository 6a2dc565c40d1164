package io.gmp4j.bench;

import java.io.PrintStream;

/**
 * The progress line on stderr: rewritten in place on a terminal, one line per workload
 * otherwise (logs stay short).
 */
final class Progress {
    private final PrintStream err;
    private final Bench.Options options;
    private final long startedNanos;
    private final boolean terminal;
    private int workloadIndex;
    private int lastWidth;

    Progress(PrintStream err, Bench.Options options, long startedNanos) {
        this.err = err;
        this.options = options;
        this.startedNanos = startedNanos;
        java.io.Console console = System.console();
        this.terminal = err == System.err && console != null && console.isTerminal();
    }

    void workload(Workload w, int index) {
        workloadIndex = index;
        if (!terminal) {
            err.printf("[%d/%d] %s %s (%s) ...%n", index + 1, options.workloads().size(), w.id(), w.title, elapsed());
        } else {
            show(String.format("[%d/%d] %s starting children", index + 1, options.workloads().size(), w.id()));
        }
    }

    void step(Workload w, Column col, String phase) {
        if (!terminal) {
            return;
        }
        show(String.format("[%d/%d] %s %s: %s  (%s elapsed)", workloadIndex + 1, options.workloads().size(),
                w.id(), phase, col.contender.name(), elapsed()));
    }

    void clear() {
        if (terminal && lastWidth > 0) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
            err.flush();
            lastWidth = 0;
        }
    }

    private void show(String line) {
        String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
        err.print("\r" + padded);
        err.flush();
        lastWidth = line.length();
    }

    private String elapsed() {
        long s = (System.nanoTime() - startedNanos) / 1_000_000_000L;
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
