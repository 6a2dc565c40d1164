package io.gmp4j.debug;

import io.gmp4j.internal.runtime.RuntimeApi;

/** Go's package runtime/debug. */
public final class Debug {
    private Debug() {}

    /**
     * debug.SetMaxThreads: the most Ms (platform threads running goroutines), sysmon's thread
     * included as Go counts its M, the program may use; going over crashes it with Go's "thread
     * exhaustion", as does a limit below the count already reached. Default 10,000. Returns the
     * previous value.
     */
    public static int setMaxThreads(int threads) {
        return RuntimeApi.setMaxThreads(threads);
    }

    /**
     * Starts the debug server: Go's {@code net/http/pprof} and {@code expvar} handlers
     * ({@code /debug/pprof/}, {@code /debug/pprof/goroutine}, {@code /debug/pprof/profile},
     * {@code /debug/vars}) for {@code go tool pprof}, as
     * {@code go http.ListenAndServe("localhost:6060", nil)} gives a Go program. The same starts at
     * start-up when {@code -Dgmp4j.debug.addr} or {@code GMP4J_DEBUG_ADDR} is set.
     *
     * <p>{@code addr} is {@code "host:port"}; {@code ":port"} listens on the loopback address
     * (Go's {@code ":6060"} listens on every interface: here only an explicit host does); port 0
     * picks a free port. Prints {@code gmp4j: debug server on http://127.0.0.1:PORT/debug/pprof/}
     * on stderr. Its threads are daemon platform threads, not goroutines.
     *
     * @return the bound address (with the port picked for port 0)
     * @throws IllegalArgumentException for a malformed address
     * @throws java.io.UncheckedIOException when the address cannot be bound
     * @throws IllegalStateException when the runtime image lacks jdk.httpserver or java.management
     */
    public static java.net.InetSocketAddress serve(String addr) {
        return io.gmp4j.internal.pprof.DebugServer.serve(addr);
    }

    /**
     * runtime.SetMutexProfileFraction: on average 1/rate of mutex contention events are
     * recorded in the mutex profile ({@code /debug/pprof/mutex}); 0 turns it off; a negative
     * rate only reads the current one. Returns the previous rate. Contention is the time a
     * goroutine waited in {@link io.gmp4j.sync.Mutex#lock()} or an {@link io.gmp4j.sync.RWMutex}
     * lock, attributed, as Go's, to the stack of the unlock that ended the wait; and the time a
     * goroutine waited for a channel's lock, attributed to the waiter's stack (docs/DIVERGENCES.md).
     */
    public static int setMutexProfileFraction(int rate) {
        return io.gmp4j.internal.pprof.Contention.setMutexProfileFraction(rate);
    }

    /**
     * runtime.SetBlockProfileRate: record in the block profile ({@code /debug/pprof/block}) a
     * blocking event of at least {@code rate} nanoseconds always, a shorter one with probability
     * duration/rate; {@code rate <= 0} turns it off. Blocking events: channel send and receive,
     * select, {@code WaitGroup.await}, {@code Cond.await}, Mutex and RWMutex locks. Returns the
     * previous rate (Go's returns nothing).
     */
    public static int setBlockProfileRate(int rate) {
        return io.gmp4j.internal.pprof.Contention.setBlockProfileRate(rate);
    }

    /**
     * runtime.MemProfileRate, as a setter: {@code rate > 0} starts the allocation sampling behind
     * {@code /debug/pprof/heap} and {@code /allocs} now (otherwise the first such request starts
     * it); 0 stops it and keeps requests from starting it (the records so far stay served); a
     * negative rate only reads. Returns the previous rate (Go's default 524288 before any call).
     * The samples come from JFR's {@code jdk.ObjectAllocationSample}, whose throttle decides how
     * often a sample is taken: the rate is not a byte interval here (docs/DIVERGENCES.md).
     */
    public static int setMemProfileRate(int rate) {
        return io.gmp4j.internal.pprof.Heap.setMemProfileRate(rate);
    }

    /** runtime/debug.Stack: the calling goroutine's traceback. */
    public static String stack() {
        return io.gmp4j.Go.stack(false);
    }

    /** runtime/debug.PrintStack: {@link #stack()} on standard error. */
    public static void printStack() {
        System.err.print(stack());
        System.err.flush();
    }

    /**
     * runtime/debug.SetTraceback: how much a crash (an unrecovered panic, a fatal error) prints,
     * with GOTRACEBACK's values ("none", "single", "all", "system", "crash", or a number). As in
     * Go, it can raise the level GOTRACEBACK set, never lower it.
     */
    public static void setTraceback(String level) {
        io.gmp4j.internal.runtime.Env.setTraceback(level);
    }

    /**
     * debug.SetGCPercent (GOGC): returns the previous value (100, or GOGC's). Applied to the
     * JVM's heap-free ratios where the collector honours them at run time (G1, Serial: when they
     * resize the heap, after full collections and G1's remark); a negative percent (GOGC=off)
     * stops the heap shrinking and says, once on stderr, that the JVM still collects. Where
     * nothing can take effect, one stderr line names the -XX flags to pass. docs/DIVERGENCES.md.
     */
    public static int setGCPercent(int percent) {
        return io.gmp4j.internal.runtime.Mem.setGCPercent(percent);
    }

    /**
     * debug.SetMemoryLimit (GOMEMLIMIT): returns the previous limit (Long.MAX_VALUE, Go's
     * math.MaxInt64, for none); a negative value only returns it. ZGC and Shenandoah get it as
     * SoftMaxHeapSize; on G1 (which ignores that flag on JDK 25), Parallel and Serial one stderr
     * line says it cannot take effect and names the flag to pass (-Xmx). docs/DIVERGENCES.md.
     */
    public static long setMemoryLimit(long bytes) {
        return io.gmp4j.internal.runtime.Mem.setMemoryLimit(bytes);
    }

    /**
     * debug.FreeOSMemory: a full collection (System.gc()), after which G1, Serial and Parallel
     * uncommit what MaxHeapFreeRatio allows; ZGC uncommits on its own delay.
     */
    public static void freeOSMemory() {
        io.gmp4j.internal.runtime.Mem.freeOSMemory();
    }
}
