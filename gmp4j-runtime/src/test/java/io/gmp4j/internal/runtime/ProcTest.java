package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.testing.GoTesting.inGoroutine;
import static io.gmp4j.testing.GoTesting.scaled;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** The scheduler (proc_test.go) through the public API and Export. */
@ExtendWith(GoLeakCheck.class)
class ProcTest {

    /** Waits, parking, until {@code counter} reaches zero; the last decrementer unparks {@code waiter}. */
    private static void awaitZero(AtomicInteger counter) {
        while (counter.get() != 0) {
            LockSupport.parkNanos(counter, 1_000_000);
        }
    }

    // proc_test.go: TestGoroutineParallelism's spirit
    /** 100,000 goroutines, spawned by a goroutine, each run exactly once. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void everyGoroutineRunsExactlyOnce(int procs) {
        int before = Go.numGoroutine();
        int n = scaled(100_000);
        AtomicIntegerArray ran = new AtomicIntegerArray(n);
        AtomicInteger left = new AtomicInteger(n);
        withProcs(procs, () -> inGoroutine(() -> {
            Thread self = Thread.currentThread();
            for (int i = 0; i < n; i++) {
                int id = i;
                Go.go(() -> {
                    ran.incrementAndGet(id);
                    if (left.decrementAndGet() == 0) {
                        LockSupport.unpark(self);
                    }
                });
            }
            while (left.get() != 0) {
                LockSupport.park();
            }
        }));
        for (int i = 0; i < n; i++) {
            assertEquals(1, ran.get(i), "goroutine " + i);
        }
        assertNoLeak(before);
    }

    /** Goroutines started from a platform thread (the global queue path) all run once too. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void goroutinesFromPlatformThreadRun(int procs) {
        int before = Go.numGoroutine();
        int n = scaled(20_000);
        AtomicIntegerArray ran = new AtomicIntegerArray(n);
        AtomicInteger left = new AtomicInteger(n);
        withProcs(procs, () -> {
            for (int i = 0; i < n; i++) {
                int id = i;
                Go.go(() -> {
                    ran.incrementAndGet(id);
                    left.decrementAndGet();
                });
            }
            awaitZero(left);
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, ran.get(i), "goroutine " + i);
        }
        assertNoLeak(before);
    }

    // proc_test.go: TestGoroutineParallelism's work distribution
    /** With 2 Ps, goroutines spawned on one P spread to the other by stealing (steal counters). */
    @Test
    void workSpreadsBySteal() {
        int before = Go.numGoroutine();
        withProcs(2, () -> {
            long stealsBefore = sum(Procs.steals());
            // Fewer than a run queue's 256 slots, so nothing overflows to the global queue:
            // the second P can only get work by stealing.
            int n = 200;
            AtomicInteger left = new AtomicInteger(n);
            java.util.Set<Integer> ps = java.util.concurrent.ConcurrentHashMap.newKeySet();
            inGoroutine(() -> {
                for (int i = 0; i < n; i++) {
                    Go.go(() -> {
                        ps.add(Export.currentPid());
                        long until = System.nanoTime() + 1_000_000; // 1 ms of work each: ~100 ms in all, time for the other M to be scheduled even on a loaded machine
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        left.decrementAndGet();
                    });
                }
                awaitZero(left);
            });
            assertTrue(sum(Procs.steals()) > stealsBefore, "no steal happened");
            assertEquals(java.util.Set.of(0, 1), ps, "both Ps ran goroutines");
        });
        assertNoLeak(before);
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long x : a) {
            s += x;
        }
        return s;
    }

    // proc.go: newproc, chan.go: selectnbsend/selectnbrecv, select.go: selectgo (each call's
    // prologue is a preemption point)
    /**
     * At GOMAXPROCS=1 a goroutine whose loop makes only one kind of gmp4j call (a go statement,
     * a non-blocking send or receive, a select with a default) yields at that call once its
     * slice is over: while another goroutine runs, the looping one does not. Before, such a
     * loop ran on past its slice until sysmon handed its P to another M, and then beside that
     * P's goroutines. Only windows within the first three quarters of the observer's own
     * slice count: after it, the observer is a hog itself.
     */
    @ParameterizedTest
    @ValueSource(strings = {"go", "trySend", "tryRecv", "select with default"})
    void aLoopYieldsAtAGmp4jCallWhenItsSliceIsOver(String call) {
        int before = Go.numGoroutine();
        Chan<Integer> never = Chan.make(0); // no partner ever comes
        Runnable body = switch (call) {
            case "go" -> () -> Go.go(() -> {});
            case "trySend" -> () -> never.trySend(1);
            case "tryRecv" -> never::tryRecv;
            default -> () -> Select.select(never.onRecv(v -> {}), Select.onDefault(null));
        };
        // A try in which the observer's thread lost its CPU for most of a slice tells nothing (no
        // window counts): try again, up to 10 times. A loop whose thread the OS stopped just as
        // sysmon asked it to yield can lose its P to sysmon's hand-off (a tick later) and finish
        // an iteration or two beside the observer before its next call sends it away; a loop
        // that never yields runs thousands there.
        long[] result = {0, 0}; // windows, iterations of the loop within them
        for (int attempt = 0; attempt < 10 && result[0] == 0; attempt++) {
            result = loopBesideObserver(body);
        }
        assertTrue(result[1] <= 3, "the " + call + " loop ran " + result[1] + " iterations beside the observer, in "
                + result[0] + " windows");
        assertTrue(result[0] > 0, "10 tries, no window within the observer's slice: a machine too loaded to tell");
        assertNoLeak(before);
    }

    /** One try of aLoopYieldsAtAGmp4jCallWhenItsSliceIsOver: {windows, the loop's iterations within them}. */
    private static long[] loopBesideObserver(Runnable body) {
        AtomicLong iterations = new AtomicLong();
        AtomicBoolean observed = new AtomicBoolean();
        AtomicInteger windows = new AtomicInteger();
        AtomicLong overlaps = new AtomicLong();
        withProcs(1, () -> inGoroutine(() -> {
            long slice = Export.forcePreemptNanos();
            Go.go(() -> {
                long start = System.nanoTime();
                for (int w = 0; w < 5; w++) {
                    long c1 = iterations.get();
                    long t0 = System.nanoTime();
                    while (System.nanoTime() - t0 < slice / 10) {
                        Thread.onSpinWait();
                    }
                    long c2 = iterations.get();
                    if (System.nanoTime() - start < slice * 3 / 4) {
                        windows.incrementAndGet();
                        overlaps.addAndGet(c2 - c1);
                    }
                }
                observed.set(true);
            });
            // Out of runnext, into the local ring: from there the observer starts a slice of
            // its own. (runnext inherits the loop's spent slice, as in Go, and a hog is handed
            // off within a sysmon tick or two: the loop would then run beside it by design.)
            Go.go(() -> {});
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!observed.get() && System.nanoTime() < deadline) {
                body.run();
                iterations.incrementAndGet();
            }
            assertTrue(observed.get(), "the observer did not run within 10 s of the loop");
        }));
        return new long[] {windows.get(), overlaps.get()};
    }

    // proc.go: goschedImpl, then findRunnable's runqget (runnext first)
    /**
     * At GOMAXPROCS=1 a G readied into runnext runs at the first preemption of the goroutine
     * that readied it and polls on, not after that goroutine got the P back from the global
     * queue (but for Go's 1-in-61 look at it). sysmon's slice-over mark (for chains no gmp4j
     * call ends) put the global queue first: the poller took the P back again and again (61
     * and 334 slices in a row).
     */
    @Test
    void runnextRunsAtTheFirstPreemptionOfItsWaker() {
        int before = Go.numGoroutine();
        withProcs(1, () -> inGoroutine(() -> {
            Chan<Integer> never = Chan.make(0);
            for (int round = 0; round < 20; round++) {
                AtomicInteger rescheduled = new AtomicInteger(); // the poller's new slices, as it sees them
                AtomicInteger seen = new AtomicInteger(-1);
                Go.go(() -> seen.set(rescheduled.get()));
                long tick = Export.currentSchedtick();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (seen.get() < 0 && System.nanoTime() < deadline) {
                    never.tryRecv();
                    int t = Export.currentSchedtick();
                    if (t != tick) {
                        rescheduled.incrementAndGet();
                        tick = t;
                    }
                }
                // One is Go's too: findRunnable's 1-in-61 look at the global queue comes first.
                assertTrue(seen.get() <= 1, "round " + round + ": the runnext G ran after its waker had started "
                        + seen + " new slices");
            }
        }));
        assertNoLeak(before);
    }

    // proc_test.go: TestSchedLocalQueue's runnext behaviour
    /**
     * A goroutine readied by a goroutine runs next, on the same P, ahead of older queued ones.
     * A spawner that sysmon preempts meanwhile (a go statement is a preemption point) lets its P
     * run the queue first, so such a round is run again, up to five times; the order is
     * asserted on a round the spawner kept its P.
     */
    @Test
    void readiedGoroutineRunsNextOnSameP() {
        int before = Go.numGoroutine();
        withProcs(1, () -> inGoroutine(() -> {
            for (int round = 0; round < 5; round++) {
                if (runnextRound(round == 4)) {
                    return;
                }
            }
        }));
        assertNoLeak(before);
    }

    /** One round of readiedGoroutineRunsNextOnSameP; false when the spawner lost its P (and not last). */
    private static boolean runnextRound(boolean last) {
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger left = new AtomicInteger(11);
        Thread self = Thread.currentThread();
        int myP = Export.currentPid();
        int tick = Export.currentSchedtick();
        int[] childP = new int[1];
        for (int i = 0; i < 10; i++) {
            int id = i;
            Go.go(() -> {
                order.add("filler" + id);
                if (left.decrementAndGet() == 0) {
                    LockSupport.unpark(self);
                }
            });
        }
        Go.go(() -> {
            order.add("next");
            childP[0] = Export.currentPid();
            if (left.decrementAndGet() == 0) {
                LockSupport.unpark(self);
            }
        });
        boolean keptP = Export.currentSchedtick() == tick && Export.currentPid() == myP;
        while (left.get() != 0) {
            LockSupport.park();
        }
        if (!keptP && !last) {
            return false;
        }
        assertEquals("next", order.get(0), "runnext ran first: " + order);
        assertEquals(myP, childP[0], "same P");
        return true;
    }

    // proc_test.go: TestPingPongHog / the schedtick%61 check in findRunnable
    /** A G in the global queue runs while two Gs ping-pong through runnext forever (1 in 61). */
    @Test
    void globalQueueNotStarvedByRunnextPingPong() throws Exception {
        int before = Go.numGoroutine();
        withProcs(1, () -> {
            AtomicBoolean stop = new AtomicBoolean();
            Thread[] players = new Thread[2];
            AtomicInteger turn = new AtomicInteger();
            CountDownLatch both = new CountDownLatch(2);
            AtomicLong rounds = new AtomicLong();
            for (int k = 0; k < 2; k++) {
                int me = k;
                Go.go(() -> {
                    players[me] = Thread.currentThread();
                    both.countDown();
                    try {
                        both.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    while (!stop.get()) {
                        while (turn.get() != me && !stop.get()) {
                            LockSupport.park();
                        }
                        rounds.incrementAndGet();
                        turn.set(1 - me);
                        LockSupport.unpark(players[1 - me]);
                    }
                    LockSupport.unpark(players[1 - me]);
                });
            }
            try {
                assertTrue(both.await(10, TimeUnit.SECONDS));
                // Let the ping-pong get going, so the injected G competes with it.
                long r0 = rounds.get();
                while (rounds.get() < r0 + 1000) {
                    Thread.onSpinWait();
                }
                CountDownLatch ran = new CountDownLatch(1);
                Go.go(ran::countDown); // from a platform thread: the global queue
                assertTrue(ran.await(1, TimeUnit.SECONDS), "global-queue G starved by runnext ping-pong");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                stop.set(true);
                for (Thread t : players) {
                    LockSupport.unpark(t);
                }
            }
        });
        assertNoLeak(before);
    }

    // proc_test.go: TestGOMAXPROCS-style resize under load
    /** Changing GOMAXPROCS while 10,000 Gs run and yield loses none of them. */
    @Test
    void gomaxprocsChangeLosesNoGoroutine() {
        int before = Go.numGoroutine();
        int n = scaled(10_000);
        AtomicInteger left = new AtomicInteger(n);
        AtomicIntegerArray ran = new AtomicIntegerArray(n);
        int old = Go.gomaxprocs(2);
        try {
            for (int i = 0; i < n; i++) {
                int id = i;
                Go.go(() -> {
                    for (int y = 0; y < 5; y++) {
                        Go.gosched();
                    }
                    ran.incrementAndGet(id);
                    left.decrementAndGet();
                });
            }
            int[] sizes = {1, 8, 3, 1, 2, 8, 4};
            for (int i = 0; left.get() != 0; i++) {
                Go.gomaxprocs(sizes[i % sizes.length]);
                LockSupport.parkNanos(200_000);
            }
        } finally {
            Go.gomaxprocs(old);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1, ran.get(i), "goroutine " + i);
        }
        assertNoLeak(before);
    }

    /** gomaxprocs returns the previous value; n < 1 only queries. */
    @Test
    void gomaxprocsReturnsPrevious() {
        int old = Go.gomaxprocs(3);
        try {
            assertEquals(3, Go.gomaxprocs(0));
            assertEquals(3, Go.gomaxprocs(5));
            assertEquals(5, Go.gomaxprocs(-1));
        } finally {
            Go.gomaxprocs(old);
        }
    }

    // proc_test.go: TestGoexitDeferred... / TestGoexitCrash's live half
    /** Goexit runs finally blocks and skips the rest; the goroutine is gone afterwards. */
    @Test
    void goexitRunsFinallyBlocks() throws Exception {
        int before = Go.numGoroutine();
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        Go.go(() -> {
            try {
                try {
                    events.add("body");
                    Go.goexit();
                    events.add("after goexit");
                } finally {
                    events.add("inner finally");
                }
            } finally {
                events.add("outer finally");
                done.countDown();
            }
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertNoLeak(before);
        assertEquals(List.of("body", "inner finally", "outer finally"), events);
    }

    // crash_test.go: TestGoexitDefer
    /** Goexit is not a panic: a handler for panics (Go's recover) sees none, and the finally block runs. */
    @Test
    void goexitIsNotRecoveredAsAPanic() {
        int before = Go.numGoroutine();
        inGoroutine(() -> {
            Chan<String> c = Chan.make(0);
            Go.go(() -> {
                String r = null;
                try {
                    Go.goexit();
                } catch (io.gmp4j.GoPanic p) {
                    r = "non-nil recover during Goexit: " + p;
                } finally {
                    c.send(r == null ? "ok" : r);
                }
            });
            assertEquals("ok", c.recv()); // if the finally block did not run, this would deadlock
        });
        assertNoLeak(before);
    }

    /** A panic handler receives an escaped exception, with the goroutine's id. */
    @Test
    void panicHandlerReceivesPanic() throws Exception {
        int before = Go.numGoroutine();
        CountDownLatch got = new CountDownLatch(1);
        long[] goid = new long[2];
        Throwable[] seen = new Throwable[1];
        var old = Go.setPanicHandler((id, t) -> {
            goid[0] = id;
            seen[0] = t;
            got.countDown();
        });
        try {
            Go.go(() -> {
                goid[1] = Go.goid();
                throw new io.gmp4j.GoPanic("boom");
            });
            assertTrue(got.await(10, TimeUnit.SECONDS));
        } finally {
            Go.setPanicHandler(old);
        }
        assertEquals(goid[1], goid[0]);
        assertEquals("boom", seen[0].getMessage());
        assertNoLeak(before);
    }

    /**
     * Go.run(null) throws NullPointerException to its caller before a main goroutine is made.
     * It used to make one that failed on main.getClass() before its try: a crash with an
     * internal message, and under a handler that returns, a Go.run that never returned (the
     * main goroutine was gone without releasing its caller).
     */
    @Test
    void runOfNullThrowsAtTheCall() throws Exception {
        int before = Go.numGoroutine();
        java.util.concurrent.atomic.AtomicReference<Throwable> handled = new java.util.concurrent.atomic.AtomicReference<>();
        var old = Go.setPanicHandler((id, t) -> handled.set(t));
        try {
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
            Thread caller = Thread.ofPlatform().daemon().start(() -> {
                try {
                    Go.run(null);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            caller.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(!caller.isAlive(), "Go.run(null) did not return");
            assertTrue(thrown.get() instanceof NullPointerException, "thrown: " + thrown.get());
            assertEquals(null, handled.get(), "a goroutine panicked");
        } finally {
            Go.setPanicHandler(old);
        }
        AtomicBoolean ran = new AtomicBoolean();
        Go.run(() -> ran.set(true));
        assertTrue(ran.get(), "Go.run after Go.run(null)");
        assertNoLeak(before);
    }

    /** runtime.Stack: Go's header, the caller's frame, and every goroutine with its state. */
    @Test
    void stackHasGoFormat() throws Exception {
        int before = Go.numGoroutine();
        CountDownLatch parked = new CountDownLatch(1);
        AtomicBoolean release = new AtomicBoolean();
        Thread[] t = new Thread[1];
        Go.go(() -> {
            t[0] = Thread.currentThread();
            parked.countDown();
            while (!release.get()) {
                Park.park(this, WaitReason.CHAN_RECEIVE);
            }
        });
        assertTrue(parked.await(10, TimeUnit.SECONDS));
        // The latch opens just before the park: wait for the park itself, or the dump may catch
        // the goroutine still running on the other P.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t[0].getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        String[] s = new String[1];
        inGoroutine(() -> s[0] = Go.stack(true));
        release.set(true);
        LockSupport.unpark(t[0]);
        assertTrue(s[0].matches("(?s)goroutine \\d+ \\[running\\]:\n.*ProcTest.*"), s[0]);
        assertTrue(s[0].matches("(?s).*\ngoroutine \\d+ \\[(chan receive|runnable)\\]:\n.*"), s[0]);
        assertNoLeak(before);
    }

    /** Inside a goroutine, Thread.currentThread() is a virtual thread and ThreadLocals are per G. */
    @Test
    void goroutineIsAVirtualThread() {
        int before = Go.numGoroutine();
        ThreadLocal<Integer> tl = ThreadLocal.withInitial(() -> 0);
        inGoroutine(() -> {
            assertTrue(Thread.currentThread().isVirtual());
            tl.set(7);
            Go.gosched();
            assertEquals(7, tl.get());
        });
        assertEquals(0, tl.get());
        assertNoLeak(before);
    }

    private static int reached;

    private static void recurse(int n) {
        reached = n;
        recurse(n + 1);
    }

    /** How deep the calling thread can recurse before StackOverflowError. */
    private static int maxDepth() {
        reached = 0;
        try {
            recurse(0);
        } catch (StackOverflowError expected) {
            // the depth reached is the answer
        }
        return reached;
    }

    // stack_test.go: TestStackGrowth's spirit
    /** A goroutine recurses as deep as a JDK virtual thread (Go: stacks grow to 1 GB; here the JDK's -Xss limit). */
    @Test
    void goroutineRecursesAsDeepAsVirtualThread() throws Exception {
        int before = Go.numGoroutine();
        int[] depth = new int[2];
        Thread vt = Thread.ofVirtual().start(() -> depth[0] = maxDepth());
        vt.join();
        inGoroutine(() -> depth[1] = maxDepth());
        assertTrue(depth[0] > 1000, "virtual thread depth " + depth[0]);
        // Frame sizes differ a little with JIT state between the two probes (the goroutine's
        // runs second, on warmer code): 19,377 vs 19,637 frames measured with -Xss1m.
        assertTrue(depth[1] >= depth[0] * 8 / 10, "goroutine depth " + depth[1] + " vs virtual thread " + depth[0]);
        assertNoLeak(before);
    }

    /** Gosched lets the other goroutine on the single P run (proc_test.go: TestYieldProgress). */
    @Test
    void goschedYields() {
        int before = Go.numGoroutine();
        withProcs(1, () -> inGoroutine(() -> {
            AtomicBoolean other = new AtomicBoolean();
            Go.go(() -> other.set(true));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!other.get()) {
                assertTrue(System.nanoTime() < deadline, "other goroutine never ran");
                Go.gosched();
            }
        }));
        assertNoLeak(before);
    }

    /** Ms are reused: many rounds of bursts do not grow the thread count without bound. */
    @Test
    void msDoNotLeak() {
        int before = Go.numGoroutine();
        // Idle Ms stay, as in Go: Ms that earlier tests in this JVM needed (locked goroutines
        // hold one each) count here too, so the bound is on growth past them.
        int ms = Export.threads();
        withProcs(4, () -> {
            for (int round = 0; round < 20; round++) {
                AtomicInteger left = new AtomicInteger(500);
                for (int i = 0; i < 500; i++) {
                    Go.go(left::decrementAndGet);
                }
                awaitZero(left);
            }
            assertTrue(Export.threads() <= Math.max(ms, 4 + 16), "threads: " + Export.threads() + ", before: " + ms);
        });
        assertNoLeak(before);
    }
}
