package io.gmp4j.chan.lincheck;

import io.gmp4j.Go;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * sync.Mutex and sync.WaitGroup are linearizable on goroutine paths (waiters parked in the
 * semaphore, woken by an unlock or the last done on another M, Mutex's starvation hand-off):
 * random small histories at GOMAXPROCS 1, 2 and 8, each checked against {@link MutexModel} or
 * {@link WaitGroupModel} by {@link HistoryChecker}. SyncLincheckTest checks these types on
 * lincheck's platform threads; this class sits with the channel checker to share it.
 *
 * <p>Knobs as {@link GoroutineLinTest}'s: {@code -Dgmp4j.test.scale}, {@code -Dgmp4j.lin.histories},
 * {@code -Dgmp4j.lin.seed}.
 */
@ExtendWith(GoLeakCheck.class)
class SyncGoroutineLinTest {
    /**
     * Histories per GOMAXPROCS and type at scale 1: 6 s in all (shared 2-core machine, 2026-12-06;
     * WaitGroup's at GOMAXPROCS 8 are the slowest, 1.7 ms each).
     */
    private static final int HISTORIES = 1500;
    private static final long SEED = Long.getLong("gmp4j.lin.seed", 20261206L);
    /** One history in this many holds the mutex past Go's starvationThresholdNs (1 ms) once. */
    private static final int STARVING_ONE_IN = 25;
    private static final long STARVING_HOLD_NANOS = 1_500_000;

    private interface OneHistory {
        void run(long seed, int procs) throws Throwable;
    }

    @ParameterizedTest(name = "GOMAXPROCS={0}")
    @ValueSource(ints = {1, 2, 8})
    void mutexHistoriesAreLinearizable(int procs) throws InterruptedException {
        runHistories(procs, SyncGoroutineLinTest::mutexHistory);
    }

    @ParameterizedTest(name = "GOMAXPROCS={0}")
    @ValueSource(ints = {1, 2, 8})
    void waitGroupHistoriesAreLinearizable(int procs) throws InterruptedException {
        runHistories(procs, SyncGoroutineLinTest::waitGroupHistory);
    }

    /** Runs the histories from a driver goroutine at GOMAXPROCS {@code procs}; checks failures and leaks. */
    private static void runHistories(int procs, OneHistory history) throws InterruptedException {
        int histories = Integer.getInteger("gmp4j.lin.histories", GoTesting.scaled(HISTORIES));
        int before = Go.numGoroutine();
        int old = Go.gomaxprocs(procs);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch finished = new CountDownLatch(1);
        long[] current = new long[1];
        try {
            Go.go(() -> {
                try {
                    for (int i = 0; i < histories; i++) {
                        long seed = SEED + (long) procs * 1_000_003L + i;
                        synchronized (current) {
                            current[0] = seed;
                        }
                        history.run(seed, procs);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    finished.countDown();
                }
            });
            if (!finished.await(histories / 10 + 60, TimeUnit.SECONDS)) {
                synchronized (current) {
                    fail("histories did not finish; seed " + current[0] + "\n" + Go.stack(true));
                }
            }
            if (!failures.isEmpty()) {
                Throwable t = failures.peek();
                throw t instanceof AssertionError ae ? ae : new AssertionError(t);
            }
            GoTesting.assertNoLeak(before);
        } finally {
            Go.gomaxprocs(old);
        }
    }

    /**
     * 3 or 4 goroutines, each 2 to 4 times either lock, a short critical section, unlock, or
     * tryLock (and unlock when it succeeded).
     */
    private static void mutexHistory(long seed, int procs) throws Throwable {
        Random rnd = new Random(seed);
        int workers = 3 + rnd.nextInt(2);
        boolean starving = rnd.nextInt(STARVING_ONE_IN) == 0;
        Mutex mu = new Mutex();
        History<SyncOp, Boolean> h = new History<>();
        StartGate gate = new StartGate(workers, procs);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        WaitGroup wg = new WaitGroup();
        wg.add(workers);
        for (int g = 0; g < workers; g++) {
            int id = g;
            Random mine = new Random(seed * 31 + g);
            Go.go(() -> {
                try {
                    gate.arriveAndAwait();
                    int n = 2 + mine.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        boolean locked;
                        if (mine.nextInt(10) < 7) {
                            locked = h.record(id, SyncOp.LOCK, () -> {
                                mu.lock();
                                return true;
                            }, SyncGoroutineLinTest::unexpected);
                        } else {
                            locked = h.record(id, SyncOp.TRY_LOCK, mu::tryLock, SyncGoroutineLinTest::unexpected);
                        }
                        if (locked) {
                            // The critical section: varies the interleaving; the long one
                            // (goroutine 0's first) makes the waiters' wait pass 1 ms.
                            if (starving && id == 0 && i == 0) {
                                long end = System.nanoTime() + STARVING_HOLD_NANOS;
                                while (System.nanoTime() - end < 0) {
                                    Thread.onSpinWait();
                                }
                            }
                            for (int k = mine.nextInt(64); k > 0; k--) {
                                Thread.onSpinWait();
                            }
                            h.record(id, SyncOp.UNLOCK, () -> {
                                mu.unlock();
                                return true;
                            }, SyncGoroutineLinTest::unexpected);
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        checkFailures(failures, "mutex", seed, procs);
        List<History.Entry<SyncOp, Boolean>> entries = h.entries();
        HistoryChecker.Result r = new MutexModel(entries).check();
        if (!r.linearizable()) {
            fail("mutex history not linearizable at GOMAXPROCS=" + procs + ", seed " + seed + ":\n" + SyncHistories.explain(entries, r));
        }
    }

    /**
     * One or two rounds of: the driver adds n (2 to 4); n goroutines each call done once (some
     * first add(1) and done for it, while their own count keeps the counter above zero, which
     * Go allows concurrently with a Wait); 1 or 2 goroutines await. The next round's add comes
     * after every await returned (Go's rule for reuse).
     */
    private static void waitGroupHistory(long seed, int procs) throws Throwable {
        Random rnd = new Random(seed);
        WaitGroup wg = new WaitGroup();
        History<SyncOp, Boolean> h = new History<>();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        int driver = 0;
        int nextId = 1;
        int rounds = 1 + rnd.nextInt(2);
        for (int round = 0; round < rounds; round++) {
            int doers = 2 + rnd.nextInt(3);
            int waiters = 1 + rnd.nextInt(2);
            h.record(driver, SyncOp.add(doers), () -> {
                wg.add(doers);
                return true;
            }, SyncGoroutineLinTest::unexpected);
            StartGate gate = new StartGate(doers + waiters, procs);
            WaitGroup harness = new WaitGroup();
            harness.add(doers + waiters);
            for (int i = 0; i < doers + waiters; i++) {
                int id = nextId++;
                boolean waiter = i >= doers;
                Random mine = new Random(seed * 31 + id);
                Go.go(() -> {
                    try {
                        gate.arriveAndAwait();
                        for (int k = mine.nextInt(64); k > 0; k--) {
                            Thread.onSpinWait();
                        }
                        if (waiter) {
                            h.record(id, SyncOp.AWAIT, () -> {
                                wg.await();
                                return true;
                            }, SyncGoroutineLinTest::unexpected);
                            return;
                        }
                        if (mine.nextInt(3) == 0) {
                            h.record(id, SyncOp.add(1), () -> {
                                wg.add(1);
                                return true;
                            }, SyncGoroutineLinTest::unexpected);
                            h.record(id, SyncOp.DONE, () -> {
                                wg.done();
                                return true;
                            }, SyncGoroutineLinTest::unexpected);
                        }
                        h.record(id, SyncOp.DONE, () -> {
                            wg.done();
                            return true;
                        }, SyncGoroutineLinTest::unexpected);
                    } catch (Throwable t) {
                        failures.add(t);
                    } finally {
                        harness.done();
                    }
                });
            }
            harness.await();
        }
        checkFailures(failures, "waitgroup", seed, procs);
        List<History.Entry<SyncOp, Boolean>> entries = h.entries();
        HistoryChecker.Result r = new WaitGroupModel(entries).check();
        if (!r.linearizable()) {
            fail("WaitGroup history not linearizable at GOMAXPROCS=" + procs + ", seed " + seed + ":\n" + SyncHistories.explain(entries, r));
        }
    }

    private static Boolean unexpected(String panic) {
        throw new AssertionError("unexpected panic: " + panic);
    }

    private static void checkFailures(Queue<Throwable> failures, String what, long seed, int procs) {
        if (!failures.isEmpty()) {
            throw new AssertionError("a " + what + " goroutine failed at GOMAXPROCS=" + procs + ", seed " + seed, failures.peek());
        }
    }
}
