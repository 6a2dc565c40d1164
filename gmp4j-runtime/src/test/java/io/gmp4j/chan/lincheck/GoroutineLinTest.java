package io.gmp4j.chan.lincheck;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Channels and select are linearizable on the paths goroutines really take: random small
 * scenarios ({@link ChanScenario}) run as goroutines, which park in send, receive and select
 * and are woken by partners on other Ms (hand-off spin, runnext, stealing), at GOMAXPROCS 1,
 * 2 and 8; every history is checked against {@link ChanModel} by {@link HistoryChecker}. The
 * lincheck suites next to this one check only the non-blocking operations, on lincheck's
 * platform threads.
 *
 * <p>A scenario's goroutines may block for good (more receives than sends): a closer goroutine
 * waits until every worker has finished or sits parked inside an operation while the history's
 * clock stands still, then closes a and b (both closes are in the history), which ends every
 * blocked operation. If it closes too early (a parked worker was about to be woken), the
 * history is still a valid one, only less interesting: the check never depends on it.
 *
 * <p>Knobs: {@code -Dgmp4j.test.scale=N} runs N times the histories (stress);
 * {@code -Dgmp4j.lin.histories=N} runs exactly N per GOMAXPROCS; {@code -Dgmp4j.lin.seed=S}
 * changes the seeds (a failure prints its scenario and seed; the interleaving is chance, so
 * rerunning a seed repeats the scenario, not necessarily the failure).
 */
@ExtendWith(GoLeakCheck.class)
class GoroutineLinTest {
    /**
     * Histories per GOMAXPROCS at scale 1. 150,000 took 4 s at GOMAXPROCS 1, 67 s at 2 and 96 s
     * at 8 (shared 2-core machine at load 2-4, 2026-12-06); 4,000 took 12 s in all, these about 9.
     */
    private static final int HISTORIES = 3000;
    private static final long SEED = Long.getLong("gmp4j.lin.seed", 20261206L);
    /** Rounds the closer must see every live worker parked in an operation, with the clock unchanged. */
    private static final int CALM_ROUNDS = 3;

    @ParameterizedTest(name = "GOMAXPROCS={0}")
    @ValueSource(ints = {1, 2, 8})
    void channelHistoriesAreLinearizable(int procs) throws InterruptedException {
        int histories = Integer.getInteger("gmp4j.lin.histories", GoTesting.scaled(HISTORIES));
        int before = Go.numGoroutine();
        int old = Go.gomaxprocs(procs);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch finished = new CountDownLatch(1);
        String[] current = new String[1];
        Stats stats = new Stats();
        try {
            // The driver is a goroutine, as a Go test's body: the workers it starts go to its P.
            Go.go(() -> {
                try {
                    for (int i = 0; i < histories && failures.isEmpty(); i++) {
                        ChanScenario s = ChanScenario.random(SEED + (long) procs * 1_000_003L + i);
                        synchronized (current) {
                            current[0] = s.toString();
                        }
                        checkOne(s, procs, stats);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    finished.countDown();
                }
            });
            if (!finished.await(histories / 10 + 60, TimeUnit.SECONDS)) {
                String scenario;
                synchronized (current) {
                    scenario = current[0];
                }
                fail("histories did not finish; scenario " + scenario + "\n" + Go.stack(true));
            }
            if (!failures.isEmpty()) {
                Throwable t = failures.peek();
                throw t instanceof AssertionError ae ? ae : new AssertionError(t);
            }
            GoTesting.assertNoLeak(before);
            System.out.println("GoroutineLinTest GOMAXPROCS=" + procs + ": " + stats);
        } finally {
            Go.gomaxprocs(old);
        }
    }

    /** Counts for the report: how much of the blocking machinery the histories went through. */
    private static final class Stats {
        int histories, multiM, ops, spanning, rendezvous, closedEarly;

        @Override
        public String toString() {
            return histories + " histories checked (" + multiM + " with workers on more than one M), " + ops
                    + " operations (" + spanning + " spanning another goroutine's whole operation: blocked or slow), " + rendezvous
                    + " unbuffered rendezvous, " + closedEarly + " closed while a worker was blocked";
        }

        void add(List<History.Entry<ChanOp, ChanOp.Result>> entries, ChanModel m, boolean closedEarly, int carriers) {
            histories++;
            ops += entries.size();
            for (History.Entry<ChanOp, ChanOp.Result> e : entries) {
                if (entries.stream().anyMatch(f -> f.g() != e.g() && e.inv() < f.inv() && f.resp() < e.resp())) {
                    spanning++;
                }
            }
            multiM += carriers > 1 ? 1 : 0;
            rendezvous += m.rendezvousCount();
            this.closedEarly += closedEarly ? 1 : 0;
        }
    }

    /** Runs scenario {@code s} once as goroutines and checks its history; fails with the scenario and history. */
    private static void checkOne(ChanScenario s, int procs, Stats stats) {
        List<Chan<Integer>> chans = new ArrayList<>();
        for (int cap : s.caps()) {
            chans.add(Chan.make(cap));
        }
        History<ChanOp, ChanOp.Result> h = new History<>();
        int workers = s.goroutines().size();
        AtomicReferenceArray<Thread> threads = new AtomicReferenceArray<>(workers);
        AtomicIntegerArray inOp = new AtomicIntegerArray(workers);
        AtomicInteger done = new AtomicInteger();
        StartGate gate = new StartGate(workers, procs);
        Set<String> carriers = ConcurrentHashMap.newKeySet();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        WaitGroup wg = new WaitGroup();
        wg.add(workers + 1);
        for (int g = 0; g < workers; g++) {
            int id = g;
            List<ChanOp> ops = s.goroutines().get(g);
            Go.go(() -> {
                try {
                    threads.set(id, Thread.currentThread());
                    gate.arriveAndAwait();
                    carriers.add(carrierName(Thread.currentThread()));
                    Random pause = new Random(s.seed() * 31 + id);
                    for (ChanOp op : ops) {
                        // A few hundred nanoseconds at most: varies the interleaving, synchronises nothing.
                        for (int k = pause.nextInt(64); k > 0; k--) {
                            Thread.onSpinWait();
                        }
                        inOp.set(id, 1);
                        h.record(id, op, () -> op.perform(chans), ChanOp.Result::panicked);
                        inOp.set(id, 0);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    done.incrementAndGet();
                    wg.done();
                }
            });
        }
        boolean[] early = new boolean[1];
        Go.go(() -> {
            try {
                early[0] = awaitQuiet(h, workers, threads, inOp, done);
                for (int ch = 0; ch < chans.size(); ch++) {
                    ChanOp op = ChanOp.close(ch);
                    h.record(workers, op, () -> op.perform(chans), ChanOp.Result::panicked);
                }
            } catch (Throwable t) {
                failures.add(t);
            } finally {
                wg.done();
            }
        });
        wg.await();
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("a goroutine failed in GOMAXPROCS=" + procs + " scenario " + s, failures.peek());
            throw e;
        }
        List<History.Entry<ChanOp, ChanOp.Result>> entries = h.entries();
        ChanModel m = new ChanModel(s.caps(), entries);
        HistoryChecker.Result r = m.check();
        if (!r.linearizable()) {
            fail("not linearizable at GOMAXPROCS=" + procs + ": scenario " + s + "\nhistory:\n" + m.explain(r));
        }
        stats.add(entries, m, early[0], carriers.size());
    }

    /**
     * Waits until every worker finished (false) or every live one is parked inside an operation
     * while the clock stands still for {@link #CALM_ROUNDS} checks (true). A parked worker
     * that a partner has readied is RUNNABLE again (the JDK sets that in unpark), and a partner
     * that woke it moved the clock (its operation returned), so a premature answer needs a
     * wake-up that was readied but not yet observable; it only ends the scenario sooner.
     */
    private static boolean awaitQuiet(History<?, ?> h, int workers, AtomicReferenceArray<Thread> threads,
                                      AtomicIntegerArray inOp, AtomicInteger done) {
        int calm = 0;
        long last = -1;
        while (done.get() < workers) {
            long now = h.now();
            if (allParked(workers, threads, inOp, done) && now == last) {
                calm++;
                if (calm >= CALM_ROUNDS) {
                    return true;
                }
            } else {
                calm = 0;
            }
            last = now;
            Go.gosched();
        }
        return false;
    }

    /** The M a virtual thread runs on, from its toString ("VirtualThread[#42]/runnable@gmp4j-M3"). */
    private static String carrierName(Thread t) {
        String s = t.toString();
        return s.substring(s.lastIndexOf('@') + 1);
    }

    private static boolean allParked(int workers, AtomicReferenceArray<Thread> threads, AtomicIntegerArray inOp, AtomicInteger done) {
        int parked = 0;
        for (int g = 0; g < workers; g++) {
            Thread t = threads.get(g);
            if (t != null && inOp.get(g) == 1 && t.getState() == Thread.State.WAITING) {
                parked++;
            }
        }
        return parked + done.get() >= workers;
    }
}
