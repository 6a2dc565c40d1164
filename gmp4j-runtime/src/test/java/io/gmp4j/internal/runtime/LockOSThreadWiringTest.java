package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.inGoroutine;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.time.Time;
import java.time.Duration;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * lockOSThread wires a goroutine to the M it runs on, with no point in between where the
 * goroutine could unmount and resume elsewhere (Go's lockOSThread runs without a safe point).
 * A version that kept lockedm in a ConcurrentHashMap could block on a contended bin's monitor
 * there, and a clean-clone CI run then wedged with a G locked to an M that had exited. This
 * checks the invariant under contention (12 goroutines locking and unlocking, a yield while
 * locked); it was not shown to catch that version, whose failure was rare.
 */
@ExtendWith(GoLeakCheck.class)
class LockOSThreadWiringTest {

    @ParameterizedTest(name = "GOMAXPROCS={0}")
    @ValueSource(ints = {1, 2, 8})
    void lockedGoroutineAndItsMPointAtEachOther(int procs) throws Exception {
        int prev = Go.gomaxprocs(procs);
        try {
            AtomicReference<String> failure = new AtomicReference<>();
            int n = 12; // each locked goroutine needs an M of its own, and idle Ms stay
            WaitGroup wg = new WaitGroup();
            wg.add(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    try {
                        for (int round = 0; round < 50 && failure.get() == null; round++) {
                            Go.lockOSThread();
                            try {
                                check(failure);
                                Go.gosched(); // a locked G comes back to its own M
                                check(failure);
                            } finally {
                                Go.unlockOSThread();
                            }
                            G gp = G.current();
                            if (gp.lockedm != null) {
                                failure.compareAndSet(null, gp + " still locked after unlockOSThread");
                            }
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await();
            assertNull(failure.get());
        } finally {
            Go.gomaxprocs(prev);
        }
    }

    // proc_test.go: TestLockOSThreadNesting (runtime.LockOSCounts: m.lockedExt here)
    /** lockOSThread nests: two locks and one unlock leave the goroutine locked; the second unlocks it. */
    @Test
    void lockOSThreadNesting() {
        inGoroutine(() -> {
            G gp = G.current();
            assertNull(gp.lockedm, "locked before lockOSThread");
            Go.lockOSThread();
            Go.lockOSThread();
            Go.unlockOSThread();
            M mp = gp.lockedm;
            assertNotNull(mp, "unlocked after two locks and one unlock");
            assertEquals(1, mp.lockedExt);
            assertSame(gp, mp.lockedg);
            Go.unlockOSThread();
            assertNull(gp.lockedm);
            assertEquals(0, mp.lockedExt);
            assertNull(mp.lockedg);
        });
    }

    /**
     * proc.go: LockOSThread. m.lockedExt is a uint32: the lock that would wrap it to 0 panics
     * "LockOSThread nesting overflow" and leaves the count as it was, so the goroutine stays
     * locked and as many unlocks as locks still unlock it. (Before, the count wrapped to 0 while
     * locked, and the next unlockOSThread took it to -1: locked until 2^32 more unlocks.) The
     * count is set just below the wrap instead of making 2^32 calls.
     */
    @Test
    void lockOSThreadNestingOverflowPanics() {
        inGoroutine(() -> {
            G gp = G.current();
            Go.lockOSThread();
            M mp = gp.lockedm;
            mp.lockedExt = -1; // 0xFFFFFFFF: Go's largest nesting count
            io.gmp4j.GoPanic p = org.junit.jupiter.api.Assertions.assertThrows(io.gmp4j.GoPanic.class, Go::lockOSThread);
            assertEquals("LockOSThread nesting overflow", p.getMessage());
            assertEquals(-1, mp.lockedExt, "count changed by the lock that panicked");
            assertSame(mp, gp.lockedm, "unlocked by the lock that panicked");
            assertSame(gp, mp.lockedg);
            mp.lockedExt = 1; // back to one lock, which one unlock undoes
            Go.unlockOSThread();
            assertNull(gp.lockedm);
            assertNull(mp.lockedg);
        });
    }

    // proc_test.go: TestLockOSThreadExit, testprog LockOSThreadMain
    /**
     * At GOMAXPROCS=1 (where Go starts the goroutine on the main thread) a goroutine locks its M
     * and ends locked: that M exits, and its creator goes on on another M.
     */
    @Test
    void lockOSThreadMainExitsTheLockedM() {
        withProcs(1, () -> inGoroutine(() -> {
            AtomicReference<M> sub = new AtomicReference<>();
            Chan<Boolean> ready = Chan.make(1);
            Go.go(() -> {
                Go.lockOSThread();
                sub.set(M.current());
                ready.send(true); // exits with the thread locked
            });
            ready.recv();
            Time.sleep(Duration.ofMillis(1));
            assertNotSame(sub.get(), M.current(), "goroutine migrated to locked thread");
            awaitExit(sub.get());
        }));
    }

    // proc_test.go: TestLockOSThreadAvoidsStatePropagation, testprog LockOSThreadAvoidsStatePropagation
    /**
     * A goroutine that changes its thread's kernel state (a working directory of its own) and
     * ends locked takes that state with it: no later goroutine sees it, neither on the thread
     * itself nor on a thread cloned from it (Go creates Ms from a locked thread through its
     * template thread). In a child JVM: GOMAXPROCS=1 and no idle Ms left by other tests.
     */
    @Test
    void lockOSThreadAvoidsStatePropagation() {
        assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"), "unshare is Linux's");
        GoTesting.Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", java.util.List.of(), java.util.List.of("GOMAXPROCS=1"),
                60, "lockOSThreadAvoidsStatePropagation");
        assumeFalse(c.stdout().equals("unshare not permitted\n"), "unshare not permitted");
        assertEquals("OK\n", c.stdout(), () -> "exit " + c.exitCode() + "\n" + c.stderr());
        assertEquals(0, c.exitCode(), c::stderr);
    }

    // proc_test.go: TestLockOSThreadExit, testprog LockOSThreadAlt
    /**
     * A locked goroutine starts another that locks its own (new) M and ends locked; the first
     * unlocks. The ended goroutine's M is never reused and exits.
     */
    @Test
    void lockOSThreadAltNeverReusesTheLockedM() {
        inGoroutine(() -> {
            Go.lockOSThread();
            AtomicReference<M> sub = new AtomicReference<>();
            Chan<Boolean> ready = Chan.make(1);
            Go.go(() -> {
                Go.lockOSThread();
                sub.set(M.current());
                ready.send(true);
            });
            ready.recv();
            Go.unlockOSThread();
            M subM = sub.get();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (subM.isAlive() && System.nanoTime() < deadline) {
                Time.sleep(Duration.ofMillis(1));
                assertNotSame(subM, M.current(), "locked thread reused");
            }
            assertFalse(subM.isAlive(), "sub thread " + subM + " still running");
            assertTrue(subM.exited);
        });
    }

    /**
     * proc_test.go: TestLockOSThreadTemplateThreadRace (golang.org/issue/38931). Two goroutines
     * lock their threads at the same moment, each right after a go statement (work in the local
     * queue, so handoffp starts an M early) and then yield, while another goroutine reads the
     * memory statistics without pause (Go's stop-the-world). Both must get through, every time;
     * Go ran it 100 times, each in a fresh process, and the race hung about one in fifty.
     */
    @Test
    void lockOSThreadTemplateThreadRace() {
        withProcs(4, () -> inGoroutine(() -> {
            AtomicBoolean stop = new AtomicBoolean();
            WaitGroup spinner = new WaitGroup();
            spinner.add(1);
            Go.go(() -> {
                while (!stop.get()) {
                    Go.readMemStats();
                }
                spinner.done();
            });
            try {
                for (int iter = 0; iter < 100; iter++) {
                    long start = System.nanoTime() + 10_000_000L;
                    WaitGroup wg = new WaitGroup();
                    wg.add(2);
                    for (int i = 0; i < 2; i++) {
                        Go.go(() -> {
                            while (System.nanoTime() < start) {
                                Thread.onSpinWait();
                            }
                            Go.go(() -> {});
                            Go.lockOSThread();
                            Go.gosched();
                            wg.done(); // and end locked: the M exits with the goroutine
                        });
                    }
                    Chan<Boolean> done = Chan.make(1);
                    Go.go(() -> {
                        wg.await();
                        done.send(true);
                    });
                    int it = iter;
                    assertEquals(0, Select.select(done.onRecv(null), Time.after(Duration.ofSeconds(30)).onRecv(null)),
                            () -> "iteration " + it + ": the two LockOSThreads did not both complete\n" + Go.stack(true));
                }
            } finally {
                stop.set(true);
                spinner.await();
            }
        }));
    }

    /**
     * Go.gomaxprocs shrinks while a locked goroutine holds a P above the new limit and has
     * goroutines queued on it. When the goroutine parks (its M gives the P up in stoplockedm)
     * or ends locked (its M exits), the retired P's goroutines go to the global queue, and an
     * M must come for them, as Go's startTheWorld wakes one after procresize. The test waits
     * until every other M sleeps first, so that none finds them by chance.
     */
    @Test
    void lockedMLeavingARetiredPWakesAnMForItsGoroutines() throws Exception {
        int prev = Go.gomaxprocs(0);
        try {
            for (int round = 0, tries = 0; round < 4; tries++) {
                assertTrue(tries < 100, "the locked goroutine never started on a P above P0");
                Go.gomaxprocs(3);
                boolean endLocked = round % 2 == 1;
                AtomicInteger pid = new AtomicInteger(-1);
                AtomicInteger cmd = new AtomicInteger(); // 1: go on, 2: give up (it got P0)
                AtomicReference<String> failure = new AtomicReference<>();
                CountDownLatch ran = new CountDownLatch(3), lDone = new CountDownLatch(1);
                Chan<Boolean> release = Chan.make(0);
                Go.go(() -> {
                    try {
                        Go.lockOSThread();
                        pid.set(M.current().p.id);
                        while (cmd.get() == 0) {
                            Thread.onSpinWait(); // keeps its P
                        }
                        if (cmd.get() == 2) {
                            Go.unlockOSThread();
                            return;
                        }
                        for (int i = 0; i < 3; i++) {
                            Go.go(ran::countDown); // to this (retired) P's queue
                        }
                        long deadline = System.nanoTime() + 10_000_000_000L;
                        while (!othersAsleep()) {
                            if (System.nanoTime() > deadline) {
                                failure.set("the other Ms never went to sleep\n" + SchedTrace.detail());
                                break;
                            }
                            Thread.onSpinWait();
                        }
                        if (!endLocked) {
                            release.recv();
                            Go.unlockOSThread();
                        }
                    } finally {
                        lDone.countDown();
                    }
                });
                while (pid.get() < 0) {
                    Thread.onSpinWait();
                }
                if (pid.get() == 0) {
                    cmd.set(2);
                    assertTrue(lDone.await(10, TimeUnit.SECONDS));
                    continue;
                }
                Go.gomaxprocs(1); // retires the locked goroutine's P
                cmd.set(1);
                boolean woke = ran.await(5, TimeUnit.SECONDS);
                String state = woke ? null : SchedTrace.detail();
                if (!woke) {
                    Go.go(() -> {}); // a wake-up from outside: the stranded goroutines run, nothing leaks
                    assertTrue(ran.await(10, TimeUnit.SECONDS));
                }
                if (!endLocked) {
                    release.send(true);
                }
                assertTrue(lDone.await(10, TimeUnit.SECONDS));
                assertNull(failure.get());
                int r = round;
                assertTrue(woke, () -> "round " + r + " (" + (endLocked ? "ended locked" : "parked")
                        + "): the goroutines of the retired P were left in the global queue with no M awake\n" + state);
                round++;
            }
        } finally {
            Go.gomaxprocs(prev);
        }
    }

    /** Every M but the caller's sleeps, no P but one is held, and none spins. */
    private static boolean othersAsleep() {
        if (Sched.npidle != Sched.gomaxprocs || Sched.nmspinning.get() != 0) {
            return false;
        }
        M me = M.current();
        for (M mp : Sched.allm()) {
            if (mp != me && !mp.blocked) {
                return false;
            }
        }
        return true;
    }

    /** Waits (up to 10 s) for mp's thread to end; fails if it does not. */
    private static void awaitExit(M mp) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (mp.isAlive() && System.nanoTime() < deadline) {
            Time.sleep(Duration.ofMillis(1));
        }
        assertFalse(mp.isAlive(), mp + " still running after its locked goroutine ended");
    }

    private static void check(AtomicReference<String> failure) {
        G gp = G.current();
        M mp = M.current();
        if (gp.lockedm != mp || mp.lockedg != gp) {
            failure.compareAndSet(null, gp + " runs on M" + mp.id + " but is locked to "
                    + (gp.lockedm == null ? "nil" : "M" + gp.lockedm.id) + ", whose lockedg is " + mp.lockedg);
        }
    }
}
