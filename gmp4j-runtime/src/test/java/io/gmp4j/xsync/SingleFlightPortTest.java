package io.gmp4j.xsync;

import static io.gmp4j.testing.GoTesting.awaitTrue;
import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of golang.org/x/sync/singleflight/singleflight_test.go. */
@ExtendWith(GoLeakCheck.class)
class SingleFlightPortTest {

    /** singleflight_test.go: TestDo. */
    @Test
    void doReturnsValue() {
        runG(2, () -> {
            SingleFlight<String, Object> g = new SingleFlight<>();
            SingleFlight.Result<Object> r = g.run("key", () -> "bar");
            assertEquals("bar (String)", r.val() + " (" + r.val().getClass().getSimpleName() + ")");
            assertNull(r.err(), "Do error");
            assertFalse(r.shared());
        });
    }

    /** singleflight_test.go: TestDoErr. A thrown exception is the error, returned, not thrown. */
    @Test
    void doErr() {
        runG(2, () -> {
            SingleFlight<String, Object> g = new SingleFlight<>();
            Exception someErr = new Exception("Some error");
            SingleFlight.Result<Object> r = g.run("key", () -> {
                throw someErr;
            });
            assertSame(someErr, r.err(), "Do error");
            assertNull(r.val(), "unexpected non-nil value");
        });
    }

    /**
     * singleflight_test.go: TestDoDupSuppress. n goroutines call Do for one key while the first
     * call's fn is blocked. Go's fn sleeps 10 ms "to let more goroutines enter Do" and then
     * checks 0 < calls < n; here fn waits until the other n-1 callers are waiting in the group
     * (the count singleflight keeps as dups), so exactly one call runs and all share its value.
     */
    @Test
    void doDupSuppress() {
        runG(2, () -> {
            SingleFlight<String, Object> g = new SingleFlight<>();
            final int n = 10;
            Chan<String> c = Chan.make(1);
            AtomicInteger calls = new AtomicInteger();
            Callable<Object> fn = () -> {
                calls.incrementAndGet();
                String v = c.recv();
                c.send(v); // pump; make available for any future calls
                awaitTrue("the other callers waiting in Do", () -> XsyncExport.dups(g, "key") == n - 1);
                return v;
            };
            WaitGroup wg1 = new WaitGroup();
            WaitGroup wg2 = new WaitGroup();
            Queue<String> wrong = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < n; i++) {
                wg1.add(1);
                wg2.add(1);
                Go.go(() -> {
                    try {
                        wg1.done();
                        SingleFlight.Result<Object> r = g.run("key", fn);
                        if (r.err() != null || !"bar".equals(r.val()) || !r.shared()) {
                            wrong.add("Do = " + r + "; want bar, shared");
                        }
                    } finally {
                        wg2.done();
                    }
                });
            }
            wg1.await();
            // All of them have at least reached the line before the Do.
            c.send("bar");
            wg2.await();
            assertTrue(wrong.isEmpty(), wrong.toString());
            assertEquals(1, calls.get(), "number of calls");
        });
    }

    /** singleflight_test.go: TestForget (Go issue 31420): after Forget a new call runs, and later callers join it. */
    @Test
    void forget() {
        runG(2, () -> {
            SingleFlight<String, Object> g = new SingleFlight<>();
            Chan<Void> firstStarted = Chan.make(0);
            Chan<Void> unblockFirst = Chan.make(0);
            Chan<Void> firstFinished = Chan.make(0);
            Go.go(() -> g.run("key", () -> {
                firstStarted.close();
                unblockFirst.recv();
                firstFinished.close();
                return null;
            }));
            firstStarted.recv();
            g.forget("key");

            Chan<Void> unblockSecond = Chan.make(0);
            Chan<SingleFlight.Result<Object>> secondResult = g.doChan("key", () -> {
                unblockSecond.recv();
                return 2;
            });

            unblockFirst.close();
            firstFinished.recv();

            Chan<SingleFlight.Result<Object>> thirdResult = g.doChan("key", () -> 3);

            unblockSecond.close();
            secondResult.recv();
            SingleFlight.Result<Object> r = thirdResult.recv();
            assertEquals(2, r.val(), "We should receive result produced by second call");
        });
    }

    /** singleflight_test.go: TestDoChan. */
    @Test
    void doChan() {
        runG(2, () -> {
            SingleFlight<String, Object> g = new SingleFlight<>();
            Chan<SingleFlight.Result<Object>> ch = g.doChan("key", () -> "bar");
            SingleFlight.Result<Object> res = ch.recv();
            assertEquals("bar (String)", res.val() + " (" + res.val().getClass().getSimpleName() + ")");
            assertNull(res.err(), "Do error");
        });
    }

    /**
     * singleflight_test.go: TestPanicDo (Go issue 41133). Every caller of Do panics, none hangs:
     * here each catches the GoPanic fn threw.
     */
    @Test
    void panicDo() {
        runG(2, () -> {
            SingleFlight<String, Object> g = new SingleFlight<>();
            Callable<Object> fn = () -> {
                throw new GoPanic("invalid memory address or nil pointer dereference");
            };
            final int n = 5;
            AtomicInteger panicCount = new AtomicInteger();
            WaitGroup waited = new WaitGroup();
            waited.add(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    try {
                        g.run("key", fn);
                    } catch (GoPanic p) {
                        if (p.getMessage().equals("invalid memory address or nil pointer dereference")) {
                            panicCount.incrementAndGet();
                        }
                    } finally {
                        waited.done();
                    }
                });
            }
            waited.await(); // runG fails after LONG if Do hangs
            assertEquals(n, panicCount.get(), "panics");
        });
    }

    /**
     * singleflight_test.go: TestGoexitDo. fn calls runtime.Goexit: every caller's goroutine exits
     * (its finally blocks run), Do returns to none, and none sees an error.
     */
    @Test
    void goexitDo() {
        runG(2, () -> {
            SingleFlight<String, Object> g = new SingleFlight<>();
            Callable<Object> fn = () -> {
                Go.goexit();
                return null;
            };
            final int n = 5;
            AtomicInteger returned = new AtomicInteger();
            WaitGroup waited = new WaitGroup();
            waited.add(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    try {
                        g.run("key", fn);
                        returned.incrementAndGet();
                    } finally {
                        waited.done();
                    }
                });
            }
            waited.await();
            assertEquals(0, returned.get(), "Do returned after fn's Goexit");
        });
    }

    private static Child child(String prog) {
        return GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of(), List.of(), 60, prog);
    }

    /**
     * singleflight_test.go: TestPanicDoChan. A panic in DoChan's fn crashes the program (nothing
     * could deliver a result to the channel), although the caller would recover it.
     */
    @Test
    void panicDoChan() {
        Child c = child("singleflightPanicDoChan");
        assertEquals(2, c.exitCode(), "want a crash due to panic in DoChan\n" + c.stderr());
        assertFalse((c.stdout() + c.stderr()).contains("DoChan unexpectedly"), c.stdout() + c.stderr());
        assertTrue(c.stderr().startsWith("panic: Panicking in DoChan\n"), c.stderr());
    }

    /**
     * singleflight_test.go: TestPanicDoSharedByDoChan. A panic in Do's fn while a DoChan caller
     * waits for the same key crashes the program, although Do's caller would recover it.
     */
    @Test
    void panicDoSharedByDoChan() {
        Child c = child("singleflightPanicDoSharedByDoChan");
        assertEquals(2, c.exitCode(), "want a crash due to panic in Do shared by DoChan\n" + c.stderr());
        assertFalse((c.stdout() + c.stderr()).contains("DoChan unexpectedly"), c.stdout() + c.stderr());
        assertTrue(c.stderr().startsWith("panic: Panicking in Do\n"), c.stderr());
    }
}
