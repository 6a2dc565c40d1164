package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.PanicHandler;
import io.gmp4j.chan.Chan;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's sync/waitgroup_test.go. */
@ExtendWith(GoLeakCheck.class)
class WaitGroupTest {

    /**
     * waitgroup_test.go: TestWaitGroup (testWaitGroup). n goroutines wait on wg1 and then signal
     * wg2; none may pass wg1.Wait before the last wg1.Done; the group is reused for 8 rounds.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void waitGroup(int procs) {
        runG(procs, () -> {
            WaitGroup wg1 = new WaitGroup();
            WaitGroup wg2 = new WaitGroup();
            for (int round = 0; round < 8; round++) {
                int n = 16;
                wg1.add(n);
                wg2.add(n);
                AtomicInteger exited = new AtomicInteger();
                for (int i = 0; i != n; i++) {
                    Go.go(() -> {
                        wg1.done();
                        wg2.await();
                        exited.incrementAndGet();
                    });
                }
                wg1.await();
                for (int i = 0; i != n; i++) {
                    assertEquals(0, exited.get(), "WaitGroup released group too soon");
                    wg2.done();
                }
                GoTesting.awaitTrue("all exited", () -> exited.get() == n);
            }
        });
    }

    /** waitgroup_test.go: TestWaitGroupMisuse: the counter may not go negative. */
    @Test
    void negativeCounterPanics() {
        WaitGroup wg = new WaitGroup();
        wg.add(1);
        wg.done();
        GoPanic p = assertThrows(GoPanic.class, wg::done);
        assertEquals("sync: negative WaitGroup counter", p.getMessage());
    }

    /**
     * waitgroup_test.go: TestWaitGroupMisuse2/3, deterministic at GOMAXPROCS 1: the waiter is
     * readied by done() but cannot run before we add(1) for the next round, so when it runs it finds
     * the group reused and panics, as Go's Wait does.
     */
    @Test
    void reuseBeforeWaitReturnedPanics() {
        runG(1, () -> {
            WaitGroup wg = new WaitGroup();
            WaitGroup finished = new WaitGroup();
            AtomicReference<Throwable> caught = new AtomicReference<>();
            wg.add(1);
            finished.add(1);
            Go.go(() -> {
                try {
                    wg.await();
                } catch (Throwable t) {
                    caught.set(t);
                }
                finished.done();
            });
            GoTesting.awaitTrue("waiter parked", () -> (int) wgWaiters(wg) == 1);
            wg.done(); // readies the waiter (runnext); we keep the only P
            wg.add(1); // the next round starts before the waiter's Wait returned
            finished.await();
            wg.done();
            assertNotNull(caught.get(), "reuse was not detected");
            assertEquals("sync: WaitGroup is reused before previous Wait has returned", caught.get().getMessage());
        });
    }

    private static long wgWaiters(WaitGroup wg) {
        try {
            var f = WaitGroup.class.getDeclaredField("state");
            f.setAccessible(true);
            return (int) f.getLong(wg);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** waitgroup_test.go: TestWaitGroupRace. Concurrent done()s and a Wait see every increment. */
    @ParameterizedTest
    @ValueSource(ints = {2, 8})
    void race(int procs) {
        runG(procs, () -> {
            for (int i = 0; i < 300; i++) {
                WaitGroup wg = new WaitGroup();
                AtomicInteger n = new AtomicInteger();
                wg.add(2);
                Go.go(() -> {
                    n.incrementAndGet();
                    wg.done();
                });
                Go.go(() -> {
                    n.incrementAndGet();
                    wg.done();
                });
                wg.await();
                assertEquals(2, n.get(), "Spurious wakeup from Wait");
            }
        });
    }

    /** waitgroup_test.go: TestWaitGroupAlign (zero-size group): await on a fresh group returns at once. */
    @Test
    void zeroCounterAwaitReturns() {
        new WaitGroup().await();
    }

    /** waitgroup_test.go: TestWaitGroupGo (Go 1.25). await returns after the task ran and sees its write. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void go(int procs) {
        runG(procs, () -> {
            WaitGroup wg = new WaitGroup();
            int[] i = {0};
            wg.go(() -> i[0]++);
            wg.await();
            assertEquals(1, i[0], "got " + i[0] + ", want 1");
        });
    }

    /**
     * WaitGroup.Go's doc: a task may itself call go on its group. 100 tasks each start one more;
     * await returns after all 200 ran, and sees each one's plain write.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void goFromATask(int procs) {
        runG(procs, () -> {
            int n = 100;
            int[] ran = new int[2 * n];
            WaitGroup wg = new WaitGroup();
            for (int k = 0; k < n; k++) {
                int j = k;
                wg.go(() -> {
                    ran[2 * j]++;
                    wg.go(() -> ran[2 * j + 1]++);
                });
            }
            wg.await();
            for (int k = 0; k < 2 * n; k++) {
                assertEquals(1, ran[k], "task " + k);
            }
            assertEquals(0, wg.counterForTest());
        });
    }

    /**
     * waitgroup.go: Go (Go 1.26). A task that panics crashes its goroutine (here a handler takes
     * the crash) without calling done: once that goroutine has ended the counter is still 1.
     */
    @Test
    void goPanicDoesNotCallDone() {
        runG(2, () -> {
            int before = Go.numGoroutine();
            WaitGroup wg = new WaitGroup();
            GoPanic boom = new GoPanic("boom");
            Chan<Throwable> crashed = Chan.make(1);
            PanicHandler old = Go.setPanicHandler((goid, t) -> crashed.send(t));
            try {
                wg.go(() -> {
                    throw boom;
                });
                assertSame(boom, crashed.recv(), "the task's panic crashes its goroutine");
                GoTesting.awaitNumGoroutine(before);
            } finally {
                Go.setPanicHandler(old);
            }
            assertEquals(1, wg.counterForTest(), "done ran after the panic");
        });
    }

    /**
     * waitgroup.go: Go. A task that ends through Goexit counts as done: await returns, nothing
     * after the Goexit ran, and nothing panicked.
     */
    @Test
    void goGoexitCallsDone() {
        runG(2, () -> {
            int before = Go.numGoroutine();
            List<Throwable> panics = new CopyOnWriteArrayList<>();
            PanicHandler old = Go.setPanicHandler((goid, t) -> panics.add(t));
            try {
                WaitGroup wg = new WaitGroup();
                boolean[] afterGoexit = {false};
                wg.go(() -> {
                    Go.goexit();
                    afterGoexit[0] = true;
                });
                wg.await();
                assertFalse(afterGoexit[0], "Goexit returned");
                GoTesting.awaitNumGoroutine(before);
            } finally {
                Go.setPanicHandler(old);
            }
            assertEquals(List.of(), panics, "Goexit is no panic");
        });
    }

    /**
     * Go issue 74702 (fixed in WaitGroup.Go by Go 1.26): main awaits a task that panics. The
     * program must die of the panic, "panic: boom", the task's traceback and exit status 2, and
     * await must not return first (a done there would let main return and the JVM exit 0).
     */
    @Test
    void goPanicCrashesBeforeAwaitReturns() {
        GoTesting.Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of(), List.of(), 60,
                "waitGroupGoPanic");
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: boom\n\ngoroutine "), c.stderr());
        assertFalse(c.stdout().contains("await returned"), c.stdout());
    }
}
