package io.gmp4j.examples;

import java.io.PrintStream;

/** One runnable example program: {@code ./gmp4j run <name> [args]}. */
public interface Example {
    /** The name the launcher takes ({@code ./gmp4j run <name>}). */
    String name();

    /** One line for {@code ./gmp4j examples}. */
    String summary();

    /**
     * The program's main, run as the main goroutine (inside {@code Go.run}); prints to {@code out}
     * and returns the process exit status.
     */
    int run(String[] args, PrintStream out) throws Exception;
}
