package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.LONG;
import static io.gmp4j.testing.GoTesting.awaitTrue;
import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.PanicHandler;
import io.gmp4j.PanicNilError;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoLeakCheck;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Ports of Go's sync/oncefunc_test.go (Go 1.21's OnceFunc, OnceValue, OnceValues). */
@ExtendWith(GoLeakCheck.class)
class OnceFuncPortTest {
    private static final int PROCS = 2;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Go's testing.AllocsPerRun for a call that should allocate nothing: heap bytes per call over
     * every thread, after a warm-up (JIT). One object per call would be at least 16 bytes; the
     * bound of 8 leaves room for other threads allocating a few KB meanwhile (SudogAllocTest).
     * The least of five rounds: other threads of a loaded run allocated 2 MB in one round (10 B
     * per call, CI), and a call that allocates does so in every round.
     */
    private static void assertNoAllocation(Runnable call) {
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            call.run();
        }
        double perCall = Double.MAX_VALUE;
        for (int round = 0; round < 5 && perCall >= 8; round++) {
            long before = THREADS.getTotalThreadAllocatedBytes();
            for (int i = 0; i < n; i++) {
                call.run();
            }
            perCall = Math.min(perCall, (THREADS.getTotalThreadAllocatedBytes() - before) / (double) n);
        }
        assertTrue(perCall < 8, "want 0 allocations per call, got " + perCall + " bytes per call");
    }

    /** oncefunc_test.go: TestOnceFunc. f runs once; a call after the first allocates nothing. */
    @Test
    void onceFunc() {
        runG(PROCS, () -> {
            int[] calls = {0};
            Runnable f = Once.onceFunc(() -> calls[0]++);
            assertNoAllocation(f);
            assertEquals(1, calls[0], "calls");
        });
    }

    /** oncefunc_test.go: TestOnceValue. Every call returns the first call's result. */
    @Test
    void onceValue() {
        runG(PROCS, () -> {
            int[] calls = {0};
            Supplier<Integer> f = Once.onceValue(() -> {
                calls[0]++;
                return calls[0];
            });
            assertNoAllocation(f::get);
            int value = f.get();
            assertEquals(1, calls[0], "calls");
            assertEquals(1, value, "value");
        });
    }

    /** oncefunc_test.go: TestOnceValues. Both results are the first call's. */
    @Test
    void onceValues() {
        runG(PROCS, () -> {
            int[] calls = {0};
            Supplier<Once.Values<Integer, Integer>> f = Once.onceValues(() -> {
                calls[0]++;
                return new Once.Values<>(calls[0], calls[0] + 1);
            });
            assertNoAllocation(f::get);
            Once.Values<Integer, Integer> v = f.get();
            assertEquals(1, calls[0], "calls");
            assertEquals(new Once.Values<>(1, 2), v, "want v1==1 and v2==2");
        });
    }

    /**
     * oncefunc_test.go: testOncePanicWith. Each of two calls panics and passes check, and the
     * underlying function ran once. Java: both calls throw the same GoPanic object.
     */
    private static void testOncePanicWith(int[] calls, Runnable f, BiConsumer<String, Object> check) {
        GoPanic first = null;
        for (String label : List.of("first time", "second time")) {
            GoPanic p = assertThrows(GoPanic.class, f::run, label + ": f did not panic");
            check.accept(label, p.value());
            if (first == null) {
                first = p;
            } else {
                assertSame(first, p, label + ": not the first call's panic");
            }
        }
        assertEquals(1, calls[0], "calls");
    }

    /** oncefunc_test.go: testOncePanicX. */
    private static void testOncePanicX(int[] calls, Runnable f) {
        testOncePanicWith(calls, f, (label, p) -> assertEquals("x", p, label + ": want panic x"));
    }

    /** oncefunc_test.go: TestOnceFuncPanic. */
    @Test
    void onceFuncPanic() {
        runG(PROCS, () -> {
            int[] calls = {0};
            Runnable f = Once.onceFunc(() -> {
                calls[0]++;
                throw new GoPanic("x");
            });
            testOncePanicX(calls, f);
        });
    }

    /** oncefunc_test.go: TestOnceValuePanic. */
    @Test
    void onceValuePanic() {
        runG(PROCS, () -> {
            int[] calls = {0};
            Supplier<Integer> f = Once.onceValue(() -> {
                calls[0]++;
                throw new GoPanic("x");
            });
            testOncePanicX(calls, f::get);
        });
    }

    /** oncefunc_test.go: TestOnceValuesPanic. */
    @Test
    void onceValuesPanic() {
        runG(PROCS, () -> {
            int[] calls = {0};
            Supplier<Once.Values<Integer, Integer>> f = Once.onceValues(() -> {
                calls[0]++;
                throw new GoPanic("x");
            });
            testOncePanicX(calls, f::get);
        });
    }

    /** Go's {@code case nil, *runtime.PanicNilError}: nil only under GODEBUG=panicnil=1. */
    private static void assertNilPanic(String label, Object p) {
        assertTrue(p == null || p instanceof PanicNilError, label + ": want nil panic, got " + p);
    }

    /** oncefunc_test.go: TestOnceFuncPanicNil. panic(nil) is remembered like any panic. */
    @Test
    void onceFuncPanicNil() {
        runG(PROCS, () -> {
            int[] calls = {0};
            Runnable f = Once.onceFunc(() -> {
                calls[0]++;
                throw new GoPanic(null);
            });
            testOncePanicWith(calls, f, OnceFuncPortTest::assertNilPanic);
        });
    }

    /**
     * oncefunc_test.go: TestOnceFuncGoexit. Go leaves the outcome unspecified but f must not run
     * twice. Both callers run in their own goroutine and catch what the call throws (Go's
     * {@code defer func() { recover() }()}). As Go's code, both calls panic with nil: the first
     * because the Goexit in f leaves no value to re-panic with, the second because no result is valid.
     */
    @Test
    void onceFuncGoexit() {
        runG(PROCS, () -> {
            int[] calls = {0};
            Runnable f = Once.onceFunc(() -> {
                calls[0]++;
                Go.goexit();
            });
            List<Object> recovered = new ArrayList<>();
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 2; i++) {
                wg.add(1);
                Go.go(() -> {
                    try {
                        try {
                            f.run();
                        } catch (GoPanic p) {
                            recovered.add(p.value());
                        }
                    } finally {
                        wg.done();
                    }
                });
                wg.await();
            }
            assertEquals(1, calls[0], "calls");
            assertEquals(2, recovered.size(), "panics recovered: " + recovered);
            for (Object p : recovered) {
                assertNilPanic("Goexit", p);
            }
        });
    }

    static void onceFuncPanic0() {
        throw new GoPanic("x");
    }

    /** A caller after the first, named so that its frame can be looked for. */
    static void laterCaller(Runnable f) {
        f.run();
    }

    private static boolean hasFrame(Throwable t, String method) {
        return Arrays.stream(t.getStackTrace()).anyMatch(e -> e.getMethodName().contains(method));
    }

    /**
     * oncefunc_test.go: TestOnceFuncPanicTraceback. The first call's panic has a stack trace that
     * goes into the function that panicked (Go's onceFuncPanic, here onceFuncPanic0). Java: a
     * later call that crashes its goroutine hands the crash (a panic handler here) that same
     * object, whose stack still leads into f from the first caller, not from the later one.
     */
    @Test
    void onceFuncPanicTraceback() {
        runG(PROCS, () -> {
            Runnable f = Once.onceFunc(OnceFuncPortTest::onceFuncPanic0);
            GoPanic p = assertThrows(GoPanic.class, f::run);
            assertEquals("x", p.value(), "want panic x");
            assertTrue(hasFrame(p, "onceFuncPanic0"),
                    () -> "want stack containing onceFuncPanic0, got " + Arrays.toString(p.getStackTrace()));
            assertTrue(hasFrame(p, "onceFuncPanicTraceback"), "the first caller is on the stack");

            Chan<Throwable> crashed = Chan.make(1);
            PanicHandler old = Go.setPanicHandler((goid, t) -> crashed.send(t));
            try {
                Go.go(() -> laterCaller(f));
                Throwable later = crashed.recv();
                assertSame(p, later, "the crash shows the first call's panic");
                assertFalse(hasFrame(later, "laterCaller"), "the later caller's frames are not the crash's");
            } finally {
                Go.setPanicHandler(old);
            }
        });
    }

    /** oncefunc_test.go: TestOnceXGC's cases: each wraps a function that writes to buf. */
    static Stream<Arguments> onceXGC() {
        return Stream.of(
                Arguments.of("OnceFunc", (Function<byte[], Runnable>) buf -> Once.onceFunc(() -> buf[0] = 1)),
                Arguments.of("OnceValue", (Function<byte[], Runnable>) buf -> {
                    Supplier<Object> f = Once.onceValue(() -> {
                        buf[0] = 1;
                        return null;
                    });
                    return f::get;
                }),
                Arguments.of("OnceValues", (Function<byte[], Runnable>) buf -> {
                    Supplier<Once.Values<Object, Object>> f = Once.onceValues(() -> {
                        buf[0] = 1;
                        return new Once.Values<>(null, null);
                    });
                    return f::get;
                }),
                Arguments.of("OnceFunc panic", (Function<byte[], Runnable>) buf -> Once.onceFunc(() -> {
                    buf[0] = 1;
                    throw new GoPanic("test panic");
                })),
                Arguments.of("OnceValue panic", (Function<byte[], Runnable>) buf -> {
                    Supplier<Object> f = Once.onceValue(() -> {
                        buf[0] = 1;
                        throw new GoPanic("test panic");
                    });
                    return f::get;
                }),
                Arguments.of("OnceValues panic", (Function<byte[], Runnable>) buf -> {
                    Supplier<Once.Values<Object, Object>> f = Once.onceValues(() -> {
                        buf[0] = 1;
                        throw new GoPanic("test panic");
                    });
                    return f::get;
                }));
    }

    /** A wrapped function and a weak reference to the buffer only its f holds. */
    private record Wrapped(Runnable f, WeakReference<byte[]> buf) {}

    /** Makes buf in its own frame, so that no test frame holds it (the interpreter may keep dead locals). */
    private static Wrapped wrap(Function<byte[], Runnable> fn) {
        byte[] buf = new byte[1024];
        return new Wrapped(fn.apply(buf), new WeakReference<>(buf));
    }

    private static void callRecovering(Runnable f) {
        try {
            f.run();
        } catch (GoPanic recovered) {
            // Go: defer func() { recover() }()
        }
    }

    /**
     * oncefunc_test.go: TestOnceXGC. The function passed to onceFunc, onceValue or onceValues
     * stays alive until the first call and is not kept alive after it, even if it panicked and
     * the wrapper is still in use. Go waits for one GC and its finalizers; here a weak reference
     * is cleared by the collection that finds buf unreachable: GCs until then, for at most LONG / 2.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void onceXGC(String name, Function<byte[], Runnable> fn) {
        runG(PROCS, () -> {
            Wrapped w = wrap(fn);
            Go.gc();
            assertNotNull(w.buf().get(), "wrapped function garbage collected too early");
            callRecovering(w.f());
            long deadline = System.nanoTime() + LONG.toNanos() / 2; // within runG's watchdog
            while (w.buf().get() != null) {
                assertTrue(System.nanoTime() < deadline,
                        "wrapped function should be garbage collected, but still live");
                Go.gc();
            }
            callRecovering(w.f());
            Reference.reachabilityFence(w);
        });
    }

    private static final Pattern MUTEX_WAITER = Pattern.compile("(?m)^goroutine \\d+ \\[sync\\.Mutex\\.Lock");

    private static int mutexWaiters() {
        Matcher m = MUTEX_WAITER.matcher(Go.stack(true));
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /**
     * Not in oncefunc_test.go (Go leaves parallelism to TestOnce): callers that come while f runs
     * wait for it, as Once.Do's do. f blocks until released; the other callers are seen parked on
     * the Once's mutex before the release, none has returned then, and each returns f's result,
     * or throws its panic, the same object for all, once f returned; f ran once.
     */
    @ParameterizedTest
    @CsvSource({"1,false", "2,false", "8,false", "1,true", "2,true", "8,true"})
    void callersWaitForTheFirst(int procs, boolean panics) {
        runG(procs, () -> {
            int n = 8;
            Object value = new Object();
            GoPanic panic = new GoPanic("x");
            Chan<Boolean> started = Chan.make(1);
            Chan<Boolean> release = Chan.make(0);
            int[] calls = {0};
            Supplier<Object> f = Once.onceValue(() -> {
                calls[0]++;
                started.send(true);
                release.recv();
                if (panics) {
                    throw panic;
                }
                return value;
            });
            Chan<Object> results = Chan.make(n);
            Runnable caller = () -> {
                Object r;
                try {
                    r = f.get();
                } catch (GoPanic p) {
                    r = p;
                }
                results.send(r);
            };
            Go.go(caller);
            started.recv();
            for (int i = 1; i < n; i++) {
                Go.go(caller);
            }
            awaitTrue((n - 1) + " callers parked on the Once's mutex", () -> {
                assertEquals(0, results.len(), "a caller returned while f ran");
                return mutexWaiters() >= n - 1;
            });
            assertEquals(0, results.len(), "a caller returned while f ran");
            release.close();
            for (int i = 0; i < n; i++) {
                assertSame(panics ? panic : value, results.recv(), "caller " + i);
            }
            assertEquals(1, calls[0], "calls");
        });
    }
}
