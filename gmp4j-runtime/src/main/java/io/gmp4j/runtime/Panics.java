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
        sb.append('\n');
        // panic.go: dopanic_m. GOTRACEBACK decides how much follows the message.
        Env.Traceback tb = Env.gotraceback();
        if (tb.level() > 0) {
            boolean system = tb.level() >= 2;
            sb.append('\n').append(Traceback.goroutine(gp, panic, system));
            if (tb.all()) {
                String others = Traceback.others(gp, system);
                if (!others.isEmpty()) {
                    sb.append('\n').append(others);
                }
            }
        }
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

    /**
     * runtime.fatal: prints the message and, unless GOTRACEBACK=none, every goroutine (a fatal
     * error is a user throw in Go: all goroutines at the GOTRACEBACK level); exits 2.
     */
    static void fatal(String msg, Throwable cause) {
        StringBuilder sb = new StringBuilder("fatal error: ").append(msg).append('\n');
        if (cause != null && !(cause instanceof Goexit.Signal)) {
            sb.append("runtime: ").append(cause).append('\n');
        }
        die(sb.append(goroutines()).toString());
    }

    /** proc.go: checkmcount. */
    static void threadExhaustion(int max) {
        die("runtime: program exceeds " + max + "-thread limit\nfatal error: thread exhaustion\n" + goroutines());
    }

    /** A fatal error's goroutine dump at the GOTRACEBACK level: empty for none. */
    private static String goroutines() {
        Env.Traceback tb = Env.gotraceback();
        return tb.level() > 0 ? "\n" + Traceback.stack(true, tb.level() >= 2) : "";
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
