package io.gmp4j.chan;

import io.gmp4j.Go;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one door from the chan tests to package internals and to the runtime (Go's
 * export_test.go), plus the harness every test uses: run a body in a goroutine, collect
 * failures from helper goroutines, and check that no goroutine leaks.
 */
final class ChanExport {
    private ChanExport() {}

    /** Generous bound for "eventually" conditions on a shared 2-core machine. */
    static final Duration EVENTUALLY = Duration.ofSeconds(20);

    /** Stress sizes scale with -Dgmp4j.test.scale (default 1), the test kit's one knob. */
    static int scaled(int n) {
        return io.gmp4j.testing.GoTesting.scaled(n);
    }

    /** Sudogs queued in {@code c}'s sendq (Go: len(c.sendq)). */
    static int waitingSenders(Chan<?> c) {
        return c.waiting(0);
    }

    /** Sudogs queued in {@code c}'s recvq. */
    static int waitingReceivers(Chan<?> c) {
        return c.waiting(1);
    }

    /** Polls {@code cond} until true or {@link #EVENTUALLY} passes. Not a synchronisation substitute: a bounded wait for an observable state. */
    static void eventually(String what, BooleanSupplier cond) {
        eventually(what, EVENTUALLY, cond);
    }

    /** As {@link #eventually(String, BooleanSupplier)} within {@code bound} (under inGo's own, to fail with {@code what}). */
    static void eventually(String what, Duration bound, BooleanSupplier cond) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + bound + ": " + what);
            }
            if (Thread.currentThread().isVirtual()) {
                Thread.yield();
            } else {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    /**
     * A test run: {@link #go} starts goroutines whose failures are recorded instead of
     * crashing the program, {@link #run} runs the test body as a goroutine at a given
     * GOMAXPROCS, then checks failures and that NumGoroutine returned to its start value.
     */
    static final class Run {
        private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

        /** {@code go f()} with the panic captured for the test. */
        void go(ThrowingRunnable f) {
            Go.go(() -> {
                try {
                    f.run();
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
        }

        void check() {
            Throwable first = failures.peek();
            if (first != null) {
                AssertionError e = new AssertionError("a goroutine failed: " + first, first);
                failures.stream().skip(1).forEach(e::addSuppressed);
                throw e;
            }
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Throwable;
    }

    @FunctionalInterface
    interface Body {
        void run(Run r) throws Throwable;
    }

    /** Runs {@code body} in a goroutine at GOMAXPROCS {@code procs}; restores it; checks leaks. */
    static void inGo(int procs, Body body) {
        int prev = Go.gomaxprocs(procs);
        int before = Go.numGoroutine();
        Run r = new Run();
        CountDownLatch finished = new CountDownLatch(1);
        try {
            r.go(() -> {
                try {
                    body.run(r);
                } finally {
                    finished.countDown();
                }
            });
            try {
                if (!finished.await(EVENTUALLY.toSeconds(), TimeUnit.SECONDS)) {
                    fail("test goroutine did not finish; goroutines:\n" + Go.stack(true));
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            r.check();
            eventually("NumGoroutine back to " + before, () -> Go.numGoroutine() == before);
            assertEquals(before, Go.numGoroutine());
        } finally {
            Go.gomaxprocs(prev);
        }
    }

    /** As {@link #inGo(int, Body)} at GOMAXPROCS 4 (Go's TestChan). */
    static void inGo(Body body) {
        inGo(4, body);
    }
}
