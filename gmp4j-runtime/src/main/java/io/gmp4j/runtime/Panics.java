package io.gmp4j.runtime;

import io.gmp4j.GoPanic;
import io.gmp4j.PanicHandler;
import java.io.PrintStream;

/**
 * How a program dies (panic.go: fatalpanic, printpanics; proc.go: fatal/throw).
 * An uncaught panic prints {@code panic: <value>} and the goroutine's traceback, a fatal error
 * prints {@code fatal error: <msg>} and every goroutine; both exit with status 2 through
 * {@link Runtime#halt}, as Go's exit(2) does not run deferred work.
 */
public final class Panics {
    private Panics() {}

    private static volatile PanicHandler handler;

    /** Installs {@code h} (null: the default crash); returns the previous one. */
    public static PanicHandler setHandler(PanicHandler h) {
        PanicHandler old = handler;
        handler = h;
        return old;
    }

    /** A panic escaped goroutine gp. */
    static void crash(G gp, Throwable panic) {
        PanicHandler h = handler;
        if (h != null) {
            h.onPanic(gp.goid, panic);
            return;
        }
        StringBuilder sb = new StringBuilder("panic: ").append(panicText(panic));
        for (Throwable c = panic.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(" [caused by ").append(c).append(']');
        }
        sb.append("\n\n").append(Traceback.goroutine(gp, panic));
        die(sb.toString());
    }

    /** The text after "panic: ": Go's value for a GoPanic, Java's toString otherwise. */
    static String panicText(Throwable t) {
        if (t instanceof GoPanic gp) {
            Object v = gp.value();
            if (v instanceof Throwable e) {
                return e.toString();
            }
            return String.valueOf(gp.getMessage());
        }
        return t.toString();
    }

    /** runtime.fatal: prints the message and all goroutines, exits 2. */
    static void fatal(String msg, Throwable cause) {
        StringBuilder sb = new StringBuilder("fatal error: ").append(msg).append("\n\n");
        if (cause != null && !(cause instanceof Goexit.Signal)) {
            sb.append("runtime: ").append(cause).append('\n');
        }
        sb.append(Traceback.stack(true));
        die(sb.toString());
    }

    /** proc.go: checkmcount. */
    static void threadExhaustion(int max) {
        die("runtime: program exceeds " + max + "-thread limit\nfatal error: thread exhaustion\n\n" + Traceback.stack(true));
    }

    private static void die(String report) {
        PrintStream err = System.err;
        err.print(report);
        if (!report.endsWith("\n")) {
            err.println();
        }
        err.flush();
        Runtime.getRuntime().halt(2);
    }
}
