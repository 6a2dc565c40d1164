package io.gmp4j;

import io.gmp4j.internal.runtime.Goexit;
import io.gmp4j.internal.runtime.Panics;
import io.gmp4j.internal.runtime.RuntimeApi;
import io.gmp4j.internal.runtime.Traceback;

/**
 * The {@code go} statement and Go's package {@code runtime}.
 *
 * <pre>
 * go f()                     Go.go(f)
 * func main() { ... }        Go.run(() -> { ... })
 * runtime.Gosched()          Go.gosched()
 * runtime.Goexit()           Go.goexit()
 * runtime.GOMAXPROCS(n)      Go.gomaxprocs(n)
 * runtime.NumGoroutine()     Go.numGoroutine()
 * runtime.LockOSThread()     Go.lockOSThread()
 * runtime.Stack(buf, all)    Go.stack(all)
 * </pre>
 *
 * <p>A goroutine is a JDK virtual thread scheduled by gmp4j's G-M-P scheduler; inside it,
 * {@code Thread.currentThread()}, ThreadLocals, locks and blocking JDK calls behave as in any
 * virtual thread. The JVM must run with {@code --add-opens java.base/java.lang=ALL-UNNAMED}
 * (README: "Embedding").
 */
public final class Go {
    private Go() {}

    /**
     * {@code go f()}: starts f in a new goroutine. Callable from any thread. A null f is Go's
     * {@code fatal error: go of nil func value}: the program ends, nothing to catch.
     */
    public static void go(Runnable f) {
        RuntimeApi.newproc(f);
    }

    /**
     * Runs {@code main} as the main goroutine (goroutine 1 the first time) and returns when
     * it returns. Other goroutines keep running (Ms are daemon threads: when the JVM's own
     * main returns, they end, as a Go program's do when main returns). If main panics, the
     * program crashes as Go's does, unless a {@linkplain #setPanicHandler handler} is
     * installed: then the panic is rethrown here after the handler ran. A null main throws
     * NullPointerException here, before any goroutine is made.
     */
    public static void run(Runnable main) {
        RuntimeApi.runMain(main);
    }

    /** runtime.Gosched: yields the processor; the goroutine goes to the global run queue. */
    public static void gosched() {
        RuntimeApi.gosched();
    }

    /**
     * runtime.Goexit: ends the calling goroutine after its finally blocks ran. If the main
     * goroutine calls it, the program continues until every other goroutine has ended, then
     * crashes with Go's "no goroutines (main called runtime.Goexit) - deadlock!".
     */
    public static void goexit() {
        Goexit.goexit();
    }

    /** runtime.GOMAXPROCS: sets the number of Ps when {@code n >= 1}; returns the previous value. */
    public static int gomaxprocs(int n) {
        return RuntimeApi.gomaxprocs(n);
    }

    /** runtime.NumGoroutine: goroutines that exist now. */
    public static int numGoroutine() {
        return RuntimeApi.numGoroutine();
    }

    /** runtime.NumCPU: logical CPUs this process may use (the JVM's count: affinity and cgroup limit). */
    public static int numCPU() {
        return java.lang.Runtime.getRuntime().availableProcessors();
    }

    /**
     * runtime.LockOSThread: wires the calling goroutine to its current M until as many unlocks.
     * Nests up to 2^32 - 1 deep (Go's uint32 count); one more panics "LockOSThread nesting overflow".
     */
    public static void lockOSThread() {
        RuntimeApi.lockOSThread();
    }

    /** runtime.UnlockOSThread. */
    public static void unlockOSThread() {
        RuntimeApi.unlockOSThread();
    }

    /** runtime.GC: asks the JVM for a collection (System.gc()); counted in MemStats.NumForcedGC. */
    public static void gc() {
        io.gmp4j.internal.runtime.Mem.gc();
    }

    /** runtime.ReadMemStats: the JVM's memory figures under Go's names (see {@link MemStats}). */
    public static MemStats readMemStats() {
        return new MemStats(io.gmp4j.internal.runtime.Mem.read(RuntimeApi.numGoroutine()));
    }

    /** runtime.Stack: the caller's goroutine traceback (with {@code all}: every goroutine), Go's format. */
    public static String stack(boolean all) {
        return Traceback.stack(all);
    }

    /**
     * Replaces what happens when a panic escapes a goroutine (default: Go's crash report, exit
     * status 2). Returns the previous handler, or null for the default.
     */
    public static PanicHandler setPanicHandler(PanicHandler h) {
        return Panics.setHandler(h);
    }

    /** The calling goroutine's id (Go keeps it private; handy in logs), 0 outside goroutines. */
    public static long goid() {
        return io.gmp4j.internal.runtime.Park.goid();
    }
}
