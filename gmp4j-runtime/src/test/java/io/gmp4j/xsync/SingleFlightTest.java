package io.gmp4j.xsync;

import static io.gmp4j.testing.GoTesting.awaitNumGoroutine;
import static io.gmp4j.testing.GoTesting.awaitTrue;
import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** gmp4j's own SingleFlight tests: how Java's exceptions map onto Go's errors and panics, and the channel's shape. */
@ExtendWith(GoLeakCheck.class)
class SingleFlightTest {

    /** Runs {@code n} callers of run(key, fn) in goroutines once fn is running; fn waits for all. */
    private static Queue<Object> callersOutcomes(SingleFlight<String, String> g, int n, Throwable thrown) {
        Queue<Object> outcomes = new ConcurrentLinkedQueue<>();
        WaitGroup wg = new WaitGroup();
        Chan<Void> started = Chan.make(0);
        AtomicInteger calls = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            wg.add(1);
            int caller = i;
            Go.go(() -> {
                try {
                    if (caller > 0) {
                        started.recv(); // the first caller's fn is running
                    }
                    outcomes.add(g.run("k", () -> {
                        calls.incrementAndGet();
                        started.close();
                        awaitTrue("the other callers waiting", () -> XsyncExport.dups(g, "k") == n - 1);
                        if (thrown instanceof Exception e) {
                            throw e;
                        }
                        if (thrown != null) {
                            throw (Error) thrown;
                        }
                        return "v";
                    }));
                } catch (Throwable t) {
                    outcomes.add(t);
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        assertEquals(1, calls.get(), "fn ran once");
        return outcomes;
    }

    /** Every caller gets the value, shared, from one call of fn. */
    @Test
    void valueSharedByAllCallers() {
        runG(2, () -> {
            Queue<Object> out = callersOutcomes(new SingleFlight<>(), 4, null);
            assertEquals(4, out.size());
            for (Object o : out) {
                assertEquals(new SingleFlight.Result<>("v", null, true), o);
            }
        });
    }

    /** A checked exception and an unchecked one (not a GoPanic) are the error, returned to every caller. */
    @Test
    void exceptionsAreErrors() {
        runG(2, () -> {
            for (Exception e : new Exception[] {new IOException("io"), new UncheckedIOException(new IOException("unchecked"))}) {
                for (Object o : callersOutcomes(new SingleFlight<>(), 3, e)) {
                    assertEquals(new SingleFlight.Result<>(null, e, true), o);
                }
            }
        });
    }

    /**
     * A GoPanic or an Error is a panic: every caller of run throws it, the same object (its stack
     * trace, fn's, stands for Go's panicError's stack).
     */
    @Test
    void panicsRethrownToEveryCaller() {
        runG(2, () -> {
            for (Throwable p : new Throwable[] {new GoPanic("boom"), new AssertionError("error")}) {
                for (Object o : callersOutcomes(new SingleFlight<>(), 3, p)) {
                    assertSame(p, o);
                }
            }
        });
    }

    /** The key is free again after a call ends however it ended: the next call runs fn. */
    @Test
    void nextCallRunsAgain() {
        runG(2, () -> {
            SingleFlight<String, Integer> g = new SingleFlight<>();
            assertThrows(GoPanic.class, () -> g.run("k", () -> {
                throw new GoPanic("boom");
            }));
            assertEquals(-1, XsyncExport.dups(g, "k"));
            assertEquals(new SingleFlight.Result<>(1, null, false), g.run("k", () -> 1));
            Exception err = new Exception("e");
            assertEquals(new SingleFlight.Result<Integer>(null, err, false), g.run("k", () -> {
                throw err;
            }));
            assertEquals(new SingleFlight.Result<>(2, null, false), g.run(null, () -> 2)); // null is a key
        });
    }

    /**
     * doChan's channel is receive-only, as Go's {@code <-chan Result}: a send or close panics.
     * Callers joining by doChan and run share one call.
     */
    @Test
    void doChanReceiveOnlyAndShared() {
        runG(2, () -> {
            SingleFlight<String, String> g = new SingleFlight<>();
            Chan<Void> release = Chan.make(0);
            Chan<SingleFlight.Result<String>> first = g.doChan("k", () -> {
                release.recv();
                return "v";
            });
            Chan<SingleFlight.Result<String>> second = g.doChan("k", () -> "not run");
            GoPanic send = assertThrows(GoPanic.class, () -> first.send(new SingleFlight.Result<>("x", null, false)));
            assertEquals("send to receive-only channel", send.getMessage());
            GoPanic close = assertThrows(GoPanic.class, second::close);
            assertEquals("close of receive-only channel", close.getMessage());
            release.close();
            assertEquals(new SingleFlight.Result<>("v", null, true), first.recv());
            assertEquals(new SingleFlight.Result<>("v", null, true), second.recv());
        });
    }

    /**
     * fn calling Go.goexit in doChan's goroutine: that goroutine ends, its channel never gets a
     * result (Go's errGoexit path sends nothing), and the key is free again.
     */
    @Test
    void goexitInDoChanSendsNothing() {
        runG(2, () -> {
            int before = Go.numGoroutine();
            SingleFlight<String, String> g = new SingleFlight<>();
            Chan<SingleFlight.Result<String>> ch = g.doChan("k", () -> {
                Go.goexit();
                return "never";
            });
            awaitTrue("doChan's goroutine to exit", () -> XsyncExport.dups(g, "k") == -1);
            awaitNumGoroutine(before);
            assertEquals(0, ch.len(), "a result after Goexit");
            assertEquals(new SingleFlight.Result<>("again", null, false), g.run("k", () -> "again"));
        });
    }
}
