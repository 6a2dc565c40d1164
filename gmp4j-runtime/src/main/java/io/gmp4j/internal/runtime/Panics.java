package io.gmp4j.internal.runtime;

import io.gmp4j.GoPanic;
import io.gmp4j.PanicHandler;
import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * How a program dies (panic.go: fatalpanic, printpanics, startpanic_m; proc.go: fatal/throw).
 * An uncaught panic prints {@code panic: <value>} and the goroutine's traceback, a fatal error
 * prints {@code fatal error: <msg>} and every goroutine; both exit with status 2 through
 * {@link Runtime#halt}, as Go's exit(2) does not run deferred work.
 *
 * <p>One report per process: the first thread to start dying prints and halts; any other that
 * panics or throws meanwhile parks for good (Go's paniclk and the {@code lock(&deadlock)} in
 * fatalpanic). A main goroutine that returns while another is dying waits too (proc.go: main's
 * {@code panicking} check), and so does the JVM's exit (a shutdown hook): a report that started
 * before the JVM began to exit always ends in status 2, never 0, however late after
 * {@code Go.run} returned the goroutine panicked.
 *
 * <p>What Go does not recover from is not handed to a {@link PanicHandler}: a
 * {@link StackOverflowError} is Go's {@code fatal error: stack overflow}, an
 * {@link OutOfMemoryError} {@code fatal error: runtime: out of memory}. The out-of-memory report
 * is encoded up front and a reserve is dropped before it is written, so it prints with the heap
 * full. Runtime threads (Ms, sysmon, timer callbacks, GC listeners) hand what escapes them to
 * {@link #runtimeThrow}: never a silent death.
 */
public final class Panics {
    private Panics() {}

    private static volatile PanicHandler handler;
    /**
     * panic.go: panicking. The thread that prints the report; null while nobody dies. An
     * AtomicReference, not a VarHandle: linking a VarHandle call site allocates, and the first
     * CAS may come with the heap full.
     */
    private static final AtomicReference<Thread> dying = new AtomicReference<>();

    private static final byte[] OOM = "fatal error: runtime: out of memory\n".getBytes(StandardCharsets.UTF_8);
    /** Freed before an out-of-memory report is built, so that the dump gets a little heap. */
    @SuppressWarnings("unused")
    private static byte[] reserve = new byte[256 << 10];

    /**
     * Loads and initialises what the fatal paths use while the heap has room, and registers the
     * exit's wait for a report (schedinit: once per JVM).
     */
    static void preload() {
        dying.compareAndSet(null, null);
        dying.get();
        Print.stderr(new byte[0]);
        Env.gotraceback();
        try {
            MethodHandles.lookup().ensureInitialized(Traceback.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("preload: " + e, e);
        }
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(Panics::awaitReportAtExit, "gmp4j-panic-exit"));
        } catch (IllegalStateException exiting) {
            // the JVM is already exiting: no report can start before it any more
        }
    }

    /** Installs {@code h} (null: the default crash); returns the previous one. */
    public static PanicHandler setHandler(PanicHandler h) {
        PanicHandler old = handler;
        handler = h;
        return old;
    }

    /**
     * A panic escaped goroutine gp. Returns only when a handler took it; a handler that throws
     * is a panic during the panic: both are printed (printpanics' chain) and the program dies.
     * A handler that calls Goexit ends gp through Goexit: its signal comes out of here.
     */
    static void crash(G gp, Throwable panic) {
        try {
            crash0(gp, panic);
        } catch (Goexit.Signal handlerGoexited) {
            throw handlerGoexited;
        } catch (Throwable e) {
            runtimeThrow("printpanics", e); // building the report failed (out of memory, most likely)
        }
    }

    private static void crash0(G gp, Throwable panic) {
        if (panic instanceof OutOfMemoryError) {
            outOfMemory();
        }
        if (panic instanceof StackOverflowError) {
            stackOverflow(gp, panic);
        }
        PanicHandler h = handler;
        if (h != null) {
            try {
                h.onPanic(gp.goid, panic);
                return;
            } catch (Throwable second) {
                if (second instanceof Goexit.Signal) {
                    // Goexit in a deferred call ends a panicking goroutine and drops its panic
                    // (panic.go: Goexit); the handler runs where those calls would.
                    throw second;
                }
                if (second instanceof OutOfMemoryError) {
                    outOfMemory();
                }
                report(gp, panic, second);
            }
        }
        report(gp, panic, null);
    }

    /** panic.go: fatalpanic. {@code second} (or null) panicked while {@code first} was handled. */
    private static void report(G gp, Throwable first, Throwable second) {
        startpanic();
        String firstText = null, secondText = null;
        try { // panic.go: preprintpanics: each value's text, once, before anything is printed
            firstText = panicText(first);
            if (second != null) {
                secondText = panicText(second);
            }
        } catch (Throwable e) {
            // As Go: the nested panic's value if a string, else only its type (its own text may panic too).
            Object r = e instanceof GoPanic nested ? nested.value() : e;
            String msg = "fatal error: panic while printing panic value: " + (r instanceof String str ? str : "type " + typeName(r)) + "\n";
            die(msg + tracebacks(gp, second != null ? second : first, true));
        }
        StringBuilder sb = new StringBuilder();
        printpanic(sb, firstText);
        Throwable last = first;
        if (second != null) {
            sb.append('\t');
            printpanic(sb, secondText);
            last = second;
        }
        // panic.go: dopanic_m. GOTRACEBACK decides how much follows the message.
        die(sb.append(tracebacks(gp, last, false)).toString());
    }

    /**
     * panic.go: printpanicval, Go 1.23+: each newline of the value is followed by a tab
     * (printindented), so that no line of a value can pass for a goroutine header.
     */
    private static void printpanic(StringBuilder sb, String text) {
        sb.append("panic: ");
        for (int from = 0, nl; ; from = nl + 1) {
            nl = text.indexOf('\n', from);
            if (nl < 0) {
                sb.append(text, from, text.length());
                break;
            }
            sb.append(text, from, nl + 1).append('\t');
        }
        sb.append('\n');
    }

    private static String typeName(Object v) {
        return v == null ? "nil" : v.getClass().getName();
    }

    /**
     * The text after "panic: ": Go's value for a GoPanic, Java's toString otherwise, then each
     * cause's. The causes' texts are part of the value's, taken in preprintpanics' try: one
     * that panics is a panic while printing. A chain may loop back (initCause only refuses
     * the throwable itself): each cause is printed once. A GoPanic whose value is an exception
     * (Go's panic(err)) prints as that exception thrown would, its causes included.
     */
    static String panicText(Throwable t) {
        StringBuilder sb = new StringBuilder(t instanceof GoPanic gp ? gp.getMessage() : t.toString());
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        seen.add(t);
        Throwable chain = t instanceof GoPanic gp && gp.value() instanceof Throwable v && seen.add(v) ? v : t;
        for (Throwable c = chain.getCause(); c != null && seen.add(c); c = c.getCause()) {
            sb.append(" [caused by ").append(c).append(']');
        }
        return sb.toString();
    }

    /**
     * runtime.fatal: prints the message and, unless GOTRACEBACK=none, every goroutine (a fatal
     * error is a user throw in Go: all goroutines at the GOTRACEBACK level); exits 2.
     */
    static void fatal(String msg, Throwable cause) {
        if (cause instanceof OutOfMemoryError) {
            outOfMemory();
        }
        startpanic();
        StringBuilder sb = new StringBuilder("fatal error: ").append(msg).append('\n');
        if (cause != null && !(cause instanceof Goexit.Signal)) {
            sb.append("runtime: ").append(cause).append('\n');
        }
        die(sb.append(goroutines()).toString());
    }

    /**
     * Something escaped a runtime thread's loop (an M's schedule, sysmon's tick, a timer callback,
     * a GC listener): Go's throw. Out of memory gets Go's own report; nothing allocates before
     * that test.
     */
    public static void runtimeThrow(String where, Throwable e) {
        if (e instanceof OutOfMemoryError) {
            outOfMemory();
        }
        fatal(where + ": unexpected " + e, e);
    }

    /** proc.go: checkmcount. */
    static void threadExhaustion(int max) {
        startpanic();
        die("runtime: program exceeds " + max + "-thread limit\nfatal error: thread exhaustion\n" + goroutines());
    }

    /**
     * stack.go: newstack's overflow check. The JVM's limit is its own (-Xss, the virtual thread's
     * stack), Go's message names Go's 1 GB maximum. The traceback is the overflowing goroutine's,
     * elided in the middle as Go elides deep stacks.
     */
    private static void stackOverflow(G gp, Throwable e) {
        startpanic();
        StringBuilder sb = new StringBuilder("runtime: goroutine stack exceeds 1000000000-byte limit\n")
                .append("fatal error: stack overflow\n");
        die(sb.append(tracebacks(gp, e, true)).toString());
    }

    /**
     * What GOTRACEBACK shows after a panic or fatal message about gp: gp's frames as {@code t}
     * left them (gp has unwound since; Go prints before unwinding), then, with {@code all} (a
     * throw: runtime1.go gotraceback's m.throwing) or GOTRACEBACK=all, the other goroutines.
     * Empty at GOTRACEBACK=none.
     */
    private static String tracebacks(G gp, Throwable t, boolean all) {
        Env.Traceback tb = Env.gotraceback();
        if (tb.level() <= 0) {
            return "";
        }
        boolean system = tb.level() >= 2;
        StringBuilder sb = new StringBuilder("\n").append(Traceback.goroutine(gp, t, system));
        if (all || tb.all()) {
            String others = Traceback.others(gp, system);
            if (!others.isEmpty()) {
                sb.append('\n').append(others);
            }
        }
        return sb.toString();
    }

    /**
     * malloc.go: throw("out of memory"). The message is written from bytes encoded at class
     * initialisation; the goroutine dump follows if the freed reserve lets it be built.
     */
    private static void outOfMemory() {
        reserve = null;
        startpanic();
        try {
            Print.stderr(OOM);
            String dump = goroutines();
            if (!dump.isEmpty()) {
                Print.stderr(dump);
            }
        } catch (Throwable ignored) {
            // no heap even for the dump: the message is out
        } finally {
            Runtime.getRuntime().halt(2);
        }
    }

    /**
     * panic.go: startpanic_m. The first thread to get here prints; any other parks for good
     * (the process halts under it). The dying thread itself may pass again (a throw while it
     * builds its report).
     */
    private static void startpanic() {
        Thread me = Thread.currentThread();
        if (dying.get() == me) {
            return;
        }
        if (!dying.compareAndSet(null, me)) { // a CAS, not a monitor: Ms and goroutines both get here
            waitForever();
        }
    }

    /** panic.go: panicking > 0: some thread has started printing a fatal report. */
    static boolean panicking() {
        return dying.get() != null;
    }

    /** proc.go: main: "if panicking, wait forever": Go.run's caller after main returned. */
    static void waitIfPanicking() {
        Thread d = dying.get();
        if (d != null && d != Thread.currentThread()) {
            waitForever();
        }
    }

    /**
     * The JVM is exiting (its main returned, or System.exit) while a goroutine may be printing a
     * report: Go's runtime.main parks instead of exit(0) when panicking. Waits for the report's
     * halt(2); one stuck for a minute (stderr blocked) is cut short with the same status.
     */
    private static void awaitReportAtExit() {
        Thread d = dying.get();
        if (d == null || d == Thread.currentThread()) {
            return;
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            Thread.interrupted(); // a set interrupt would end every park at once: a spin (waitForever)
            LockSupport.parkNanos(Panics.class, left);
        }
        Runtime.getRuntime().halt(2);
    }

    /**
     * Parks until the halt. Clears the interrupt before each park: while it is set, a park
     * returns at once, and an interrupted waiter (a second panicker, Go.run's caller) spun on its
     * CPU for as long as the report took (CrashTest). Nothing returns from here to owe it back.
     */
    private static void waitForever() {
        for (;;) {
            Thread.interrupted();
            LockSupport.park(Panics.class);
        }
    }

    /** A fatal error's goroutine dump at the GOTRACEBACK level: empty for none. */
    private static String goroutines() {
        Env.Traceback tb = Env.gotraceback();
        String all = tb.level() > 0 ? Traceback.stack(true, tb.level() >= 2) : "";
        return all.isEmpty() ? "" : "\n" + all;
    }

    private static void die(String report) {
        PrintStream err = System.err;
        err.print(report);
        if (!report.endsWith("\n")) {
            err.println();
        }
        err.flush();
        writeCrashFile(report);
        Runtime.getRuntime().halt(2);
    }

    /**
     * {@code -Dgmp4j.crashFile=PATH} ({@code %p}: the pid, as the JVM's -XX:ErrorFile): the
     * report also goes to that file. For a harness that swallows stderr when the process halts
     * (Surefire's forked JVM: "The forked VM terminated without properly saying goodbye");
     * the build's argLine sets it to target/gmp4j-crash-%p.log and .ci/run prints those files.
     * Best effort: a file that cannot be written changes nothing else.
     */
    private static void writeCrashFile(String report) {
        String path = System.getProperty("gmp4j.crashFile");
        if (path == null || path.isEmpty()) {
            return;
        }
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(path.replace("%p", Long.toString(ProcessHandle.current().pid()))),
                    report.endsWith("\n") ? report : report + "\n");
        } catch (Throwable ignored) {
            // stderr has the report; the file is a convenience
        }
    }
}
