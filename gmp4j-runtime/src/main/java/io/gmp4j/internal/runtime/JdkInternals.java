package io.gmp4j.internal.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * The unsupported JDK internals gmp4j stands on, found once and checked at start-up
 * (docs/DESIGN.md, sharp edges 1, 5 and 6). Everything else reaches them through this class.
 *
 * <ul>
 *   <li>{@code java.lang.VirtualThread(Executor, String, int, Runnable)}: a virtual thread
 *       with our scheduler. Each G is its own {@link Executor}, so {@code execute} knows
 *       which G became runnable without a lookup.</li>
 *   <li>{@code VirtualThread.scheduler} (final): maps the current virtual thread to its G.</li>
 *   <li>{@code VirtualThread.carrierThread} (volatile): the M a G is mounted on. Read as a
 *       field, never through the {@code currentCarrierThread} intrinsic, which C2 may cache
 *       across a park (sharp edge 5).</li>
 *   <li>{@code VirtualThread.runContinuation} (final): the Runnable the JDK hands to the
 *       scheduler on every submission, so that {@code G.execute} tells its own thread from a
 *       child that inherited the G as its scheduler (ForeignThreads).</li>
 *   <li>{@code VirtualThread.defaultScheduler()}: the JDK's own ForkJoinPool, where such
 *       children run.</li>
 *   <li>{@code VirtualThread.state} and the virtual thread captured by the runContinuation
 *       lambda: which child a forwarded continuation belongs to and whether it is just starting
 *       (optional: without them ForeignThreads does not count children).</li>
 *   <li>{@code Thread.yield0()} and {@code Thread.sleepNanos0(long)}: the OS thread's own yield
 *       and sleep, which a goroutine's {@code Thread.yield}/{@code sleep} never reach (they
 *       switch goroutines): Go's osyield and futexsleep for the runtime's locks (optional:
 *       without them {@link #osyield} and {@link #ossleep} fall back to the goroutine's).</li>
 * </ul>
 *
 * <p>When one is missing, {@link #check} names the JDK and the flag to add, in one line.
 */
final class JdkInternals {
    private JdkInternals() {}

    /** The flag that opens java.lang to us: to the module io.gmp4j on the module path, else ALL-UNNAMED. */
    static final String FLAG = "--add-opens java.base/java.lang="
            + (JdkInternals.class.getModule().isNamed() ? JdkInternals.class.getModule().getName() : "ALL-UNNAMED");

    private static final MethodHandle NEW_VIRTUAL_THREAD;
    private static final VarHandle SCHEDULER;
    private static final VarHandle CARRIER_THREAD;
    private static final VarHandle RUN_CONTINUATION;
    private static final Executor DEFAULT_SCHEDULER;
    /** Optional (null when this JDK lays them out differently): see threadOf, isStarting. */
    private static final VarHandle STATE;
    private static final MethodHandle CONTINUATION_THREAD;
    private static final Class<?> CONTINUATION_CLASS;
    /** VirtualThread.STARTED: started, not yet run (JDK 25's value). */
    private static final int STARTED = 1;
    /**
     * Bit s set when VirtualThread state s is unmounted and runnable (STARTED, UNPARKED, YIELDED,
     * UNBLOCKED), read from the JDK's own constants; all ones when STATE is unknown.
     */
    private static final long RUNNABLE_STATES;
    /**
     * Optional (null, or PINNED -1, when this JDK lays them out differently): VirtualThread's
     * parkPermit and its PINNED state (parked untimed while mounted), for parkedPinned.
     */
    private static final VarHandle PARK_PERMIT;
    private static final int PINNED;
    private static final String PROBLEM;
    /** Optional: Thread.yield0() and Thread.sleepNanos0(long), or null (see osyield, ossleep). */
    private static final MethodHandle OS_YIELD, OS_SLEEP;

    static {
        MethodHandle ctor = null;
        VarHandle scheduler = null, carrier = null, runCont = null, state = null, permit = null;
        int pinned = -1;
        MethodHandle contThread = null;
        long runnable = -1L;
        Executor defaultScheduler = null;
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
            runCont = lookup.findVarHandle(vt, "runContinuation", Runnable.class);
            defaultScheduler = (Executor) lookup.findStatic(vt, "defaultScheduler",
                    MethodType.methodType(Executor.class)).invokeExact();
            try {
                state = lookup.findVarHandle(vt, "state", int.class);
                contThread = continuationThreadGetter(ctor, runCont, vt);
                long mask = 0;
                for (String name : new String[] {"STARTED", "UNPARKED", "YIELDED", "UNBLOCKED"}) {
                    int v = (int) lookup.findStaticVarHandle(vt, name, int.class).get();
                    if (v < 0 || v >= 64) {
                        throw new IllegalStateException(name + " = " + v);
                    }
                    mask |= 1L << v;
                }
                runnable = mask;
                try {
                    permit = lookup.findVarHandle(vt, "parkPermit", boolean.class);
                    pinned = (int) lookup.findStaticVarHandle(vt, "PINNED", int.class).get();
                } catch (ReflectiveOperationException | RuntimeException e) {
                    permit = null; // parkedPinned then says no: a pinned wait never ends in a verdict
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                state = null; // ForeignThreads then cannot count children: deadlock checks stay conservative
                contThread = null;
                runnable = -1L;
            }
        } catch (IllegalAccessException | SecurityException e) {
            problem = "gmp4j: the JVM was started without " + FLAG
                    + " (Java " + Runtime.version() + "); add it to the java command line"
                    + " (or Add-Opens: java.base/java.lang to the jar manifest)";
        } catch (ReflectiveOperationException | RuntimeException e) {
            problem = "gmp4j: this JDK (" + Runtime.version() + ") lacks the virtual-thread internals gmp4j needs ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); use JDK 25";
        } catch (Throwable e) {
            problem = "gmp4j: this JDK (" + Runtime.version() + ") has no default virtual-thread scheduler gmp4j can reach ("
                    + e + "); use JDK 25";
        }
        if (problem == null && Runtime.version().feature() < 25) {
            problem = "gmp4j: needs JDK 25 or newer, this is " + Runtime.version()
                    + "; install it (e.g. Temurin 25) and point JAVA_HOME at it";
        }
        NEW_VIRTUAL_THREAD = ctor;
        SCHEDULER = scheduler;
        CARRIER_THREAD = carrier;
        RUN_CONTINUATION = runCont;
        DEFAULT_SCHEDULER = defaultScheduler;
        STATE = contThread == null ? null : state;
        CONTINUATION_THREAD = state == null || contThread == null ? null
                : contThread.asType(MethodType.methodType(Thread.class, Runnable.class));
        CONTINUATION_CLASS = CONTINUATION_THREAD == null ? null : contThread.type().parameterType(0);
        RUNNABLE_STATES = STATE == null ? -1L : runnable;
        PARK_PERMIT = STATE == null ? null : permit;
        PINNED = PARK_PERMIT == null ? -1 : pinned;
        PROBLEM = problem;
        MethodHandle osYield = null, osSleep = null;
        if (problem == null) {
            try {
                MethodHandles.Lookup t = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
                osYield = t.findStatic(Thread.class, "yield0", MethodType.methodType(void.class));
                osSleep = t.findStatic(Thread.class, "sleepNanos0", MethodType.methodType(void.class, long.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                osYield = null;
                osSleep = null;
            }
        }
        OS_YIELD = osYield;
        OS_SLEEP = osSleep;
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

    /**
     * lock_futex.go: osyield. The calling OS thread gives up its CPU, whatever goroutine is
     * mounted on it (a goroutine's Thread.yield switches goroutines instead and keeps the CPU,
     * which a lock holder descheduled by the OS then never gets back).
     */
    static void osyield() {
        MethodHandle h = OS_YIELD;
        if (h == null) {
            Thread.yield();
            return;
        }
        try {
            h.invokeExact();
        } catch (Throwable e) {
            Thread.yield();
        }
    }

    /**
     * lock_futex.go: futexsleep with a timeout. The calling OS thread sleeps for about
     * {@code nanos}, its goroutine still mounted (its M keeps its P, as Go's M does in lock2).
     * Not interruptible, as Go's waits: a pending interrupt (which would end the sleep at once,
     * and a caller's retry loop would spin) is cleared for the sleep and set again after it, and
     * one that arrives during the sleep ends it early and is kept.
     */
    static void ossleep(long nanos) {
        MethodHandle h = OS_SLEEP;
        boolean interrupted = Thread.interrupted();
        try {
            if (h == null) {
                java.util.concurrent.locks.LockSupport.parkNanos(nanos);
            } else {
                h.invokeExact(nanos);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (Throwable e) {
            java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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

    /** The Runnable the JDK passes to {@code vt}'s scheduler each time vt becomes runnable. */
    static Runnable runContinuationOf(Thread vt) {
        return (Runnable) RUN_CONTINUATION.get(vt);
    }

    /** The JDK's default virtual-thread scheduler (a ForkJoinPool in JDK 25). */
    static Executor defaultScheduler() {
        return DEFAULT_SCHEDULER;
    }

    /** The virtual thread whose runContinuation is {@code cont}, or null when unknown. */
    static Thread threadOf(Runnable cont) {
        MethodHandle h = CONTINUATION_THREAD;
        if (h == null || cont.getClass() != CONTINUATION_CLASS) {
            return null;
        }
        try {
            return (Thread) h.invokeExact(cont);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * Whether virtual thread {@code vt} is unmounted and runnable, so that running its
     * continuation now runs it: false while it runs, waits, has ended or is held by a stack
     * trace (which submits it again when it lets go). True when this JDK's states are unknown.
     */
    static boolean isRunnable(Thread vt) {
        if (STATE == null) {
            return true;
        }
        int s = (int) STATE.getVolatile(vt);
        return s >= 0 && s < 64 && (RUNNABLE_STATES >>> s & 1) != 0;
    }

    /**
     * Whether virtual thread {@code vt} is parked without a timeout while mounted (pinned: a
     * class initialiser or a native frame below the park) and not unparked since. An unpark
     * sets the permit before it wakes the carrier, and the thread consumes it only after it
     * left PINNED, so a thread unparked but not yet running fails this; one that ran and parked
     * again in between passes it, and Deadlock tells that case by the wakes counted on its M
     * (M.parkReturns). False when this JDK's fields are unknown.
     */
    static boolean parkedPinned(Thread vt) {
        if (PARK_PERMIT == null) {
            return false;
        }
        return !(boolean) PARK_PERMIT.getVolatile(vt) && (int) STATE.getVolatile(vt) == PINNED;
    }

    /** Whether virtual thread {@code vt} has been started and has not run yet (its first submission). */
    static boolean isStarting(Thread vt) {
        return STATE != null && (int) STATE.getVolatile(vt) == STARTED;
    }

    /**
     * The getter of the one VirtualThread field of the runContinuation lambda
     * ({@code this::runContinuation} captures the thread). The lambda is a hidden class of
     * java.lang, so the same --add-opens reaches it.
     */
    private static MethodHandle continuationThreadGetter(MethodHandle ctor, VarHandle runCont, Class<?> vt)
            throws ReflectiveOperationException {
        Thread probe;
        try {
            probe = (Thread) ctor.invokeExact((Executor) Runnable::run, "", 0, (Runnable) () -> {});
        } catch (Throwable e) {
            throw new ReflectiveOperationException(e);
        }
        Runnable r = (Runnable) runCont.get(probe);
        Class<?> lambda = r.getClass();
        java.lang.reflect.Field found = null;
        for (java.lang.reflect.Field f : lambda.getDeclaredFields()) {
            if (f.getType() == vt && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                if (found != null) {
                    throw new NoSuchFieldException("two VirtualThread fields in " + lambda);
                }
                found = f;
            }
        }
        if (found == null) {
            throw new NoSuchFieldException("no VirtualThread field in " + lambda);
        }
        MethodHandle getter = MethodHandles.privateLookupIn(lambda, MethodHandles.lookup()).unreflectGetter(found);
        getter = getter.asType(MethodType.methodType(Thread.class, lambda));
        if ((Thread) invokeGetter(getter, r) != probe) {
            throw new NoSuchFieldException("the runContinuation lambda does not hold its thread");
        }
        return getter;
    }

    private static Object invokeGetter(MethodHandle getter, Runnable r) throws ReflectiveOperationException {
        try {
            return getter.invoke(r);
        } catch (Throwable e) {
            throw new ReflectiveOperationException(e);
        }
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
