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
            new Service());

    /** Seed 002_* scenarios with no example, and why (printed by --list). */
    static final List<String> SKIPPED = List.of(
            "bug6  channel lock contention: a profiling story (runtime.lock2 in pprof); gmp4j has no pprof yet",
            "bug7  findRunnable in the CPU profile: a profiling story; see GODEBUG=schedtrace's spinningthreads instead",
            "bug9  Gosched is not a memory barrier: a memory-model rule, the JMM's is the same (use AtomicBoolean or a channel)",
            "bug11 runtime.netpoll in the profile: gmp4j has no netpoller of its own (the JDK's poller wakes goroutines)",
            "bug12 shared scratch buffer: a data-sharing rule of the language, nothing to do with the scheduler",
            "bug13 GOMAXPROCS vs GC: per-P mcaches and mark workers are Go's GC; the JVM's collector does that work here");

    public static void main(String[] args) {
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
        int[] status = new int[1];
        Go.run(() -> {
            try {
                status[0] = ex.run(rest, System.out);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
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
        out.println("Seed scenarios (002_*) not ported, and why:");
        for (String s : SKIPPED) {
            out.println("  " + s);
        }
    }
}
