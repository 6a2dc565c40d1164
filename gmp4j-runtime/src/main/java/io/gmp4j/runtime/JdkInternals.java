package io.gmp4j.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * The unsupported JDK internals gmp4j stands on, found once and checked at start-up
 * (DESIGN.md, sharp edges 1, 5 and 6). Everything else reaches them through this class.
 *
 * <ul>
 *   <li>{@code java.lang.VirtualThread(Executor, String, int, Runnable)}: a virtual thread
 *       with our scheduler. Each G is its own {@link Executor}, so {@code execute} knows
 *       which G became runnable without a lookup.</li>
 *   <li>{@code VirtualThread.scheduler} (final): maps the current virtual thread to its G.</li>
 *   <li>{@code VirtualThread.carrierThread} (volatile): the M a G is mounted on. Read as a
 *       field, never through the {@code currentCarrierThread} intrinsic, which C2 may cache
 *       across a park (sharp edge 5).</li>
 * </ul>
 *
 * <p>When one is missing, {@link #check} names the JDK and the flag to add, in one line.
 */
final class JdkInternals {
    private JdkInternals() {}

    static final String FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";

    private static final MethodHandle NEW_VIRTUAL_THREAD;
    private static final VarHandle SCHEDULER;
    private static final VarHandle CARRIER_THREAD;
    private static final String PROBLEM;

    static {
        MethodHandle ctor = null;
        VarHandle scheduler = null, carrier = null;
        Class<?> vt = null;
        String problem = null;
        try {
            vt = Class.forName("java.lang.VirtualThread");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(vt, MethodHandles.lookup());
            ctor = lookup.findConstructor(vt,
                    MethodType.methodType(void.class, Executor.class, String.class, int.class, Runnable.class))
                    .asType(MethodType.methodType(Thread.class, Executor.class, String.class, int.class, Runnable.class));
            scheduler = lookup.findVarHandle(vt, "scheduler", Executor.class);
            carrier = lookup.findVarHandle(vt, "carrierThread", Thread.class);
        } catch (IllegalAccessException | SecurityException e) {
            problem = "gmp4j: the JVM was started without " + FLAG
                    + " (Java " + Runtime.version() + "); add it to the java command line"
                    + " (or Add-Opens: java.base/java.lang to the jar manifest)";
        } catch (ReflectiveOperationException | RuntimeException e) {
            problem = "gmp4j: this JDK (" + Runtime.version() + ") lacks the virtual-thread internals gmp4j needs ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); use JDK 25";
        }
        if (problem == null && Runtime.version().feature() < 25) {
            problem = "gmp4j: needs JDK 25 or newer, this is " + Runtime.version()
                    + "; install it (e.g. Temurin 25) and point JAVA_HOME at it";
        }
        NEW_VIRTUAL_THREAD = ctor;
        SCHEDULER = scheduler;
        CARRIER_THREAD = carrier;
        PROBLEM = problem;
    }

    /** The start-up self-test: null when gmp4j can run, else the one line to print. */
    static String problem() {
        return PROBLEM;
    }

    /** Fails with the one-line explanation when the internals are missing. */
    static void check() {
        if (PROBLEM != null) {
            throw new IllegalStateException(PROBLEM);
        }
    }

    /** An unstarted virtual thread whose scheduler is {@code scheduler}. */
    static Thread newVirtualThread(Executor scheduler, String name, Runnable task) {
        try {
            return (Thread) NEW_VIRTUAL_THREAD.invokeExact(scheduler, name, 0, task);
        } catch (Throwable e) {
            throw new IllegalStateException("newVirtualThread: " + e, e);
        }
    }

    /** The scheduler of virtual thread {@code t}. */
    static Executor schedulerOf(Thread t) {
        return (Executor) SCHEDULER.get(t);
    }

    /** The carrier that {@code vt} is mounted on, or null (a volatile read). */
    static Thread carrierOf(Thread vt) {
        return (Thread) CARRIER_THREAD.getVolatile(vt);
    }

    /**
     * Sharp edge 1: initialise the JDK's I/O poller from a platform thread, so that its
     * sub-poller virtual threads do not inherit our scheduler for the life of the JVM.
     */
    static void initPollerFromPlatformThread() {
        try {
            Class.forName("sun.nio.ch.Poller", true, null);
        } catch (ClassNotFoundException | LinkageError ignored) {
            // A JDK without the class has no poller to capture.
        }
    }
}
