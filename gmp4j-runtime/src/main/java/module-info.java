/**
 * gmp4j: Go's runtime (G-M-P scheduler, channels, sync, time, context) on JDK virtual threads.
 *
 * <p>Only the API packages are exported. The scheduler itself lives in
 * {@code io.gmp4j.internal.runtime}; its types are public only so that the API packages can
 * reach them across packages, and that package is not exported. On the class path (where the
 * module descriptor is ignored) the package name is the boundary: nothing under
 * {@code io.gmp4j.internal} is API.
 *
 * <p>The runtime reaches one package-private constructor of {@code java.lang} (a virtual thread
 * with a custom scheduler), so a module-path launch needs
 * {@code --add-opens java.base/java.lang=io.gmp4j} (README, "Embedding the jar").
 */
module io.gmp4j {
    requires java.management; // java.lang.management, javax.management: gctrace, Pool's GC hook, metrics
    requires jdk.management;  // com.sun.management.GarbageCollectionNotificationInfo: gctrace
    requires jdk.jfr;         // HandoffEvent; the CPU profile (jdk.jfr.consumer.RecordingStream)
    requires jdk.httpserver;  // the debug server (/debug/pprof/, /debug/vars)
    requires java.instrument; // the back-edge preemption agent (io.gmp4j.internal.agent)

    exports io.gmp4j;
    exports io.gmp4j.chan;
    exports io.gmp4j.sync;
    exports io.gmp4j.xsync;
    exports io.gmp4j.time;
    exports io.gmp4j.context;
    exports io.gmp4j.debug;
    exports io.gmp4j.metrics;
    exports io.gmp4j.trace;
    exports io.gmp4j.pprof;
    // The agent's Premain-Class, reached by the JDK's instrumentation (not API).
    exports io.gmp4j.internal.agent to java.instrument;
}
