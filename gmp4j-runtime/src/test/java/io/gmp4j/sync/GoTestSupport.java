package io.gmp4j.sync;

import io.gmp4j.Go;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Shared test plumbing for the sync, time and context suites: run a test body as a goroutine at
 * a given GOMAXPROCS and check afterwards that every goroutine it started has exited.
 */
public final class GoTestSupport {
    private GoTestSupport() {}

    /** Generous bound for "eventually" on a shared 2-core machine. */
    public static final Duration LONG = Duration.ofSeconds(10);

    /**
     * Runs {@code body} in a goroutine with GOMAXPROCS {@code procs}, rethrows what it threw, and
     * fails if the number of goroutines is not back to its start value within {@link #LONG}.
     */
    public static void runG(int procs, ThrowingRunnable body) {
        int oldProcs = Go.gomaxprocs(procs);
        try {
            int start = Go.numGoroutine();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch finished = new CountDownLatch(1);
            Go.go(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    finished.countDown();
                }
            });
            try {
                if (!finished.await(LONG.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("test goroutine did not finish within " + LONG + "\n" + Go.stack(true));
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new AssertionError(t);
            }
            awaitNumGoroutine(start);
        } finally {
            Go.gomaxprocs(oldProcs);
        }
    }

    /** Fails unless Go.numGoroutine() drops to {@code start} within {@link #LONG} (goroutines finishing their exit path). */
    public static void awaitNumGoroutine(int start) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (Go.numGoroutine() > start) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("leaked goroutines: " + Go.numGoroutine() + " > " + start + "\n" + Go.stack(true));
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Spins (no park) until {@code cond} holds, for at most {@link #LONG}; yields between checks. */
    public static void awaitTrue(String what, java.util.function.BooleanSupplier cond) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Go.gosched();
        }
    }

    /** A runnable that may throw anything. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Throwable;
    }
}
