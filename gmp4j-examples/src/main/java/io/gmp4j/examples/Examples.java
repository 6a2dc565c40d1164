package io.gmp4j.examples;

import io.gmp4j.Go;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Entry point of the launcher: {@code ./gmp4j examples} ({@code --list}), {@code ./gmp4j run
 * <name> [args]} and {@code ./gmp4j demo}. Each example runs as the main goroutine of a Go-style
 * program ({@code Go.run}), so a deadlock or an escaped panic ends it as Go would (exit 2).
 */
public final class Examples {
    private Examples() {}

    /** Every example, in the order {@code --list} prints them. */
    public static final List<Example> ALL = List.of(
            new Demo(),
            new CpuHog(),
            new Workers(),
            new Leak(),
            new Containers(),
            new LockedThreads(),
            new NotSingleThreaded(),
            new DeadlockExample(),
            new HttpServerExample(),
            new PrimeSieve(),
            new PingPong(),
            new SharedScratch(),
            new FlagPoll(),
            new SilentServer(),
            new ChanContention(),
            new Bursty(),
            new SmallWrites(),
            new GcThreads(),
            new Service());

    /**
     * Seed 002_*'s 13 "find the bug" scenarios and the example that runs each (printed by --list);
     * the seed-004 service is the {@code service} example.
     */
    static final List<String> SEEDS = List.of(
            "1 cpuhog", "2 workers", "3 hung-reads leak", "4 gomaxprocs", "5 lockosthread", "6 chan-contention",
            "7 bursty", "8 leak", "9 gosched-flag", "10 gomaxprocs1", "11 small-writes", "12 scratch", "13 gc-threads");

    public static void main(String[] args) {
        String traceFile = null;
        if (args.length >= 2 && args[0].equals("--trace")) { // ./gmp4j run --trace FILE <example>
            traceFile = args[1];
            args = Arrays.copyOfRange(args, 2, args.length);
        }
        if (args.length == 0 || args[0].equals("--list") || args[0].equals("-l")) {
            list(System.out);
            System.exit(args.length == 0 ? 2 : 0);
        }
        Example ex = find(args[0]);
        if (ex == null) {
            System.err.println("gmp4j: unknown example \"" + args[0] + "\"; examples: " + names());
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        for (String a : rest) { // every number an example takes is a count, size, port or duration
            if (a.matches("-[0-9]+")) {
                System.err.println("gmp4j: " + ex.name() + ": not a count: \"" + a + "\"; see ./gmp4j examples");
                System.exit(2);
            }
        }
        int[] status = new int[1];
        java.io.OutputStream trace = null;
        if (traceFile != null) {
            try {
                trace = new java.io.BufferedOutputStream(new java.io.FileOutputStream(traceFile), 1 << 16);
            } catch (java.io.IOException e) {
                System.err.println("gmp4j: --trace: " + e.getMessage());
                System.exit(2);
            }
            io.gmp4j.trace.Trace.start(trace);
        }
        Go.run(() -> {
            try {
                status[0] = ex.run(rest, System.out);
            } catch (NumberFormatException e) { // the examples' numeric arguments: one line, not a panic
                System.err.println("gmp4j: " + ex.name() + ": not a number: " + e.getMessage().replace("For input string: ", "")
                        + "; see ./gmp4j examples");
                status[0] = 2;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        if (trace != null) {
            io.gmp4j.trace.Trace.stop();
            try {
                trace.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            System.err.println("gmp4j: execution trace in " + traceFile + " (open it in https://ui.perfetto.dev)");
        }
        System.out.flush();
        System.exit(status[0]);
    }

    /** The example called {@code name}, or null. */
    public static Example find(String name) {
        return ALL.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }

    static String names() {
        return ALL.stream().map(Example::name).collect(Collectors.joining(", "));
    }

    static void list(PrintStream out) {
        int width = ALL.stream().mapToInt(e -> e.name().length()).max().orElse(0);
        out.println("Examples (./gmp4j run <name> [args]; ./gmp4j demo):");
        for (Example e : ALL) {
            out.printf("  %-" + width + "s  %s%n", e.name(), e.summary());
        }
        out.println();
        out.println("Seed 002's 13 scenarios, bug -> example ([--fixed]: runs the fixed form; the others show both sides in one run or");
        out.println("through GODEBUG/GOMAXPROCS, as their lines say; seed 004's service: service):");
        StringBuilder line = new StringBuilder(" ");
        for (String s : SEEDS) {
            String[] numberAndNames = s.split(" ");
            line.append(" ").append(numberAndNames[0]).append(":");
            for (int i = 1; i < numberAndNames.length; i++) {
                line.append(i > 1 ? " +" : "").append(" ").append(numberAndNames[i]).append(takesFixed(numberAndNames[i]) ? " [--fixed]" : "");
            }
            line.append(";");
        }
        out.println(line.substring(0, line.length() - 1));
    }

    /** Whether the example has a --fixed form (its summary names it). */
    static boolean takesFixed(String name) {
        Example e = find(name);
        return e != null && e.summary().contains("--fixed");
    }
}
