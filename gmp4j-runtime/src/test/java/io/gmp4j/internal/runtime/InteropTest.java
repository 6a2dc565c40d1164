package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.testing.GoTesting.inGoroutine;
import static io.gmp4j.testing.GoTesting.scaled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDK's own concurrency used from goroutines (issue 12): a virtual thread started in a
 * goroutine is a JDK virtual thread on the JDK's scheduler (ForeignThreads), and checkdead
 * waits for work that can still come from outside gmp4j's goroutines (Deadlock), in child
 * JVMs for the verdicts (testprog/InteropProg).
 */
@ExtendWith(GoLeakCheck.class)
class InteropTest {

    /** What a JDK virtual thread started in a goroutine sees of itself. */
    record Seen(boolean virtual, long goid, boolean isG, boolean onM, boolean onJdkCarrier) {
        static Seen now() {
            Thread t = Thread.currentThread();
            Thread carrier = JdkInternals.carrierOf(t);
            return new Seen(t.isVirtual(), Go.goid(), G.current() != null, M.current() != null,
                    carrier instanceof ForkJoinWorkerThread);
        }
    }

    private static final Seen JDK_VIRTUAL_THREAD = new Seen(true, 0, false, false, true);

    /** The example, joined instead of slept: both kinds of child run, as JDK virtual threads. */
    @Test
    void virtualThreadsStartedInAGoroutineRun() throws Exception {
        int before = Go.numGoroutine();
        AtomicReference<Seen> fromThread = new AtomicReference<>();
        AtomicReference<Seen> fromExecutor = new AtomicReference<>();
        AtomicReference<Integer> goroutines = new AtomicReference<>();
        inGoroutine(() -> {
            try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                Thread t = Thread.ofVirtual().start(() -> {
                    fromThread.set(Seen.now());
                    goroutines.set(Go.numGoroutine());
                });
                Future<?> f = ex.submit(() -> fromExecutor.set(Seen.now()));
                t.join();
                f.get();
            } catch (InterruptedException | ExecutionException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(JDK_VIRTUAL_THREAD, fromThread.get());
        assertEquals(JDK_VIRTUAL_THREAD, fromExecutor.get());
        assertEquals(before + 1, goroutines.get(), "the child is not counted as a goroutine");
        assertNoLeak(before);
    }

    /**
     * A child that parks and is unparked many times (each wake-up comes back through the
     * goroutine's G.execute), on gmp4j channels both ways: it never runs on an M.
     */
    @Test
    void childPingPongsWithItsGoroutine() throws Exception {
        int before = Go.numGoroutine();
        int n = scaled(20_000);
        Chan<Integer> ping = Chan.make(0);
        Chan<Integer> pong = Chan.make(0);
        List<Seen> seen = new ArrayList<>();
        inGoroutine(() -> {
            Thread child = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < n; i++) {
                    pong.send(ping.recv() + 1);
                    if (i % 1000 == 0) {
                        seen.add(Seen.now());
                    }
                }
            });
            for (int i = 0; i < n; i++) {
                ping.send(i);
                assertEquals(i + 1, pong.recv());
            }
            join(child);
        });
        assertTrue(seen.stream().allMatch(JDK_VIRTUAL_THREAD::equals), seen.toString());
        assertNoLeak(before);
    }

    /** A child outlives its goroutine: its later wake-ups reach a dead G's execute and still run. */
    @Test
    void childOutlivesItsGoroutine() throws Exception {
        int before = Go.numGoroutine();
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> child = new AtomicReference<>();
        AtomicReference<Seen> seen = new AtomicReference<>();
        inGoroutine(() -> child.set(Thread.ofVirtual().start(() -> {
            await(release);
            seen.set(Seen.now());
        })));
        assertNoLeak(before); // the goroutine has ended; the child waits
        assertTrue(child.get().isAlive());
        assertTrue(ForeignThreads.anyAlive(), "a live child counts for checkdead");
        release.countDown(); // unparks the child: JDK -> dead G.execute -> JDK scheduler
        child.get().join();
        assertEquals(JDK_VIRTUAL_THREAD, seen.get());
        assertFalse(ForeignThreads.anyAlive(), "a terminated child no longer counts");
    }

    /** Grandchildren (their scheduler is still the goroutine's G), timed sleeps and yields, in an executor. */
    @Test
    void executorTasksSleepYieldAndStartTheirOwnThreads() throws Exception {
        int before = Go.numGoroutine();
        int tasks = 200;
        List<Seen> seen = new ArrayList<>();
        inGoroutine(() -> {
            List<Callable<Seen>> work = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                work.add(() -> {
                    Thread.sleep(1);
                    Thread.yield();
                    AtomicReference<Seen> grandchild = new AtomicReference<>();
                    Thread g = Thread.ofVirtual().start(() -> grandchild.set(Seen.now()));
                    g.join();
                    return grandchild.get();
                });
            }
            try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Future<Seen> f : ex.invokeAll(work)) {
                    seen.add(f.get());
                }
            } catch (InterruptedException | ExecutionException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(tasks, seen.size());
        assertTrue(seen.stream().allMatch(JDK_VIRTUAL_THREAD::equals), seen.toString());
        assertNoLeak(before);
    }

    /** A goroutine is still its own G; G.current() of a child is null, not the parent. */
    @Test
    void goroutineIdentityIsUnchanged() {
        int before = Go.numGoroutine();
        AtomicReference<G> self = new AtomicReference<>();
        AtomicReference<Object> inChild = new AtomicReference<>("not set");
        inGoroutine(() -> {
            G gp = G.current();
            self.set(gp);
            assertEquals(gp.thread(), Thread.currentThread());
            join(Thread.ofVirtual().start(() -> inChild.set(G.current())));
        });
        assertTrue(self.get() != null);
        assertNull(inChild.get());
        assertNoLeak(before);
    }

    // ---- checkdead with outside wakers, in child JVMs ------------------------------------

    private static Child run(String prog) {
        return GoTesting.runChild("io.gmp4j.testprog.InteropProg", List.of(), List.of("GOTRACEBACK=all"), 60, prog);
    }

    /** The example: a goroutine waits 2 s for a common-pool task; no verdict, exit 0. */
    @Test
    void commonPoolSenderIsNotDeadlock() {
        Child c = run("commonPool");
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("from the common pool\n", c.stdout());
    }

    /**
     * Each kind of outside helper sends after 2 s (no verdict meanwhile); once it is done, the
     * main goroutine waits forever and Go's deadlock error comes within a few seconds, exit 2
     * (the common pool's worker and the JDK's carriers are still alive then, idle; so is the
     * pool's DelayScheduler thread after a delayed task, parked with no delayed task left).
     */
    @ParameterizedTest
    @ValueSource(strings = {"platformThread", "commonPool", "virtualThread", "virtualThreadExecutor",
            "outsideVirtualThread", "delayedExecutor", "poolSchedule"})
    void outsideHelperThenRealDeadlock(String kind) {
        long start = System.nanoTime();
        Child c = run(kind + "ThenDeadlock");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertEquals(2, c.exitCode(), c.stdout() + c.stderr());
        assertTrue(c.stdout().matches("from .*\nwaiting forever\n"), c.stdout());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n"), c.stderr());
        assertTrue(c.stderr().contains("goroutine 1 [chan receive]:"), c.stderr());
        // 2 s of helper, JVM start-up, and checkdead's 100 ms + 1 s veto cycle, on a loaded machine.
        assertTrue(seconds < 30, "verdict after " + seconds + " s");
    }

    /** A deadlock inside a nested Go.run: the outer main goroutine waits there, asleep too. */
    @Test
    void nestedGoRunDeadlock() {
        Child c = run("nested");
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n"), c.stderr());
        assertTrue(c.stderr().contains("[Go.run]:"), c.stderr());
        assertTrue(c.stderr().contains("[chan receive]:"), c.stderr());
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
