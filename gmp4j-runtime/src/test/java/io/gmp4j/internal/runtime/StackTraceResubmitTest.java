package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.testing.GoTesting.inGoroutine;
import static io.gmp4j.testing.GoTesting.scaled;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code Thread.getStackTrace} of a runnable virtual thread submits its continuation again
 * (VirtualThread.tryGetStackTrace: "task may have run while suspended"), and every goroutine
 * dump takes one per goroutine. The G is then offered to the scheduler while it is still in a
 * run queue. Queued twice, a G locked to an M had its second entry hand a P to that M while the
 * M ran the G, and the M exited with it when the G ended: the P was lost for good, and at
 * GOMAXPROCS=1 everything stopped (clean-clone CI hung twice so, with 220 entries for one G in
 * the global queue). G.queued drops the resubmission; Proc.takeEntry drops an entry that is
 * stale; startlockedm gives way to a pending hand-off and to an M that exited or unlocked.
 */
@ExtendWith(GoLeakCheck.class)
class StackTraceResubmitTest {

    /** Entries in every run queue, global and local. */
    private static int queued() {
        int n = Sched.runqsize;
        for (P pp : Sched.allp) {
            n += RunQueue.runqsize(pp);
        }
        return n;
    }

    /** A yielded goroutine traced a hundred times is queued once, and runs once. */
    @Test
    void tracingARunnableGoroutineQueuesItOnce() {
        int before = Go.numGoroutine();
        withProcs(1, () -> inGoroutine(() -> {
            AtomicInteger resumed = new AtomicInteger();
            Chan<Thread> started = Chan.make(1);
            Chan<Void> done = Chan.make(1);
            Go.go(() -> {
                started.send(Thread.currentThread());
                Go.gosched(); // to the global queue, YIELDED: runnable and unmounted
                resumed.incrementAndGet();
                done.close();
            });
            Thread t = started.recv();
            // We hold the only P: the other goroutine waits in the global queue, YIELDED, until
            // we let go of it (unless sysmon preempts us first: then the loop below is vacuous).
            int base = queued();
            int maxQueued = base;
            for (int i = 0; i < 100 && resumed.get() == 0; i++) {
                t.getStackTrace();
                maxQueued = Math.max(maxQueued, queued());
            }
            assertEquals(base, maxQueued, "run-queue entries while one runnable goroutine was traced 100 times");
            done.recv();
            assertEquals(1, resumed.get());
        }));
        assertNoLeak(before);
    }

    /**
     * Goroutines locked to their Ms yield in a loop and end locked (their Ms exit) while a
     * platform thread takes their stacks as fast as it can. Afterwards every P is idle or held
     * by a live M, and GOMAXPROCS=1 still runs goroutines.
     */
    @Test
    void lockedGoroutinesTracedWhileRunnableLoseNoP() {
        int before = Go.numGoroutine();
        for (int procs : new int[] {1, 2, 4}) {
            withProcs(procs, () -> {
                for (int round = 0; round < scaled(10); round++) {
                    inGoroutine(() -> {
                        int n = 4;
                        Thread[] threads = new Thread[n];
                        WaitGroup ready = new WaitGroup();
                        WaitGroup ended = new WaitGroup();
                        AtomicInteger running = new AtomicInteger(n);
                        ready.add(n);
                        ended.add(n);
                        for (int i = 0; i < n; i++) {
                            int k = i;
                            Go.go(() -> {
                                Go.lockOSThread(); // never unlocked: the M exits with the G
                                threads[k] = Thread.currentThread();
                                ready.done();
                                for (int y = 0; y < 200; y++) {
                                    Go.gosched();
                                }
                                running.decrementAndGet();
                                ended.done();
                            });
                        }
                        ready.await();
                        Thread tracer = Thread.ofPlatform().start(() -> {
                            while (running.get() > 0) {
                                for (Thread t : threads) {
                                    t.getStackTrace();
                                }
                            }
                        });
                        ended.await();
                        joinUninterruptibly(tracer);
                    });
                }
            });
        }
        assertNull(pHeldByAnExitedM(), "a P is held by an M that has exited");
        withProcs(1, () -> inGoroutine(() -> {
            Chan<Integer> c = Chan.make(0);
            Go.go(() -> c.send(42));
            assertEquals(42, c.recv());
        }));
        assertNoLeak(before);
    }

    /**
     * Goroutine dumps taken without pause while pairs of goroutines (half of them locked) pass
     * messages over unbuffered channels, at GOMAXPROCS 1, 2 and 8: every message arrives once,
     * every goroutine ends, and no P is left with an exited M.
     */
    @Test
    void dumpsDuringChannelTrafficLoseNothing() {
        pairsUnderDumps(new int[] {1, 2, 8}, 8, scaled(2_000), (k, msgs, c) -> {
            if (k % 2 == 0) {
                Go.lockOSThread();
            }
            for (int i = 1; i <= msgs; i++) {
                c.send(i);
            }
        }, (k, msgs, c) -> {
            long sum = 0;
            for (int i = 0; i < msgs; i++) {
                sum += c.recv();
            }
            return sum;
        });
    }

    /**
     * As above, with goroutines that lock and unlock their M around each message and some that
     * end locked: stale entries then meet Ms that unlocked, went idle or exited (startlockedm's
     * CAS and take-back, an unlocked M's late hand-off, an idle M leaving the idle list).
     */
    @Test
    void dumpsWhileGoroutinesLockAndUnlockLoseNothing() {
        pairsUnderDumps(new int[] {1, 2, 4}, 6, scaled(1_000), (k, msgs, c) -> {
            for (int i = 1; i <= msgs; i++) {
                Go.lockOSThread();
                c.send(i);
                if (i < msgs || k % 3 != 0) {
                    Go.unlockOSThread(); // one in three ends locked: its M exits
                }
            }
        }, (k, msgs, c) -> {
            long sum = 0;
            for (int i = 0; i < msgs; i++) {
                if ((i & 1) == 0) {
                    Go.lockOSThread();
                    sum += c.recv();
                    Go.unlockOSThread();
                } else {
                    sum += c.recv();
                }
            }
            return sum;
        });
    }

    interface Sender {
        void send(int pair, int msgs, Chan<Integer> c);
    }

    interface Receiver {
        long receive(int pair, int msgs, Chan<Integer> c);
    }

    /**
     * At each GOMAXPROCS in {@code procsList}: {@code pairs} senders send 1..msgs over a channel
     * each, their receivers sum what they get, and a platform thread takes goroutine dumps until
     * all have ended. Every sum must be exact, and no P may be left with an exited M.
     */
    private static void pairsUnderDumps(int[] procsList, int pairs, int msgs, Sender sender, Receiver receiver) {
        int before = Go.numGoroutine();
        for (int procs : procsList) {
            withProcs(procs, () -> inGoroutine(() -> {
                AtomicInteger running = new AtomicInteger(2 * pairs);
                long[] sums = new long[pairs];
                WaitGroup wg = new WaitGroup();
                wg.add(2 * pairs);
                for (int p = 0; p < pairs; p++) {
                    int k = p;
                    Chan<Integer> c = Chan.make(0);
                    Go.go(() -> {
                        sender.send(k, msgs, c);
                        running.decrementAndGet();
                        wg.done();
                    });
                    Go.go(() -> {
                        sums[k] = receiver.receive(k, msgs, c);
                        running.decrementAndGet();
                        wg.done();
                    });
                }
                Thread dumper = Thread.ofPlatform().start(() -> {
                    while (running.get() > 0) {
                        Go.stack(true);
                    }
                });
                wg.await();
                joinUninterruptibly(dumper);
                for (int p = 0; p < pairs; p++) {
                    assertEquals((long) msgs * (msgs + 1) / 2, sums[p], "GOMAXPROCS=" + procs + ", pair " + p);
                }
            }));
        }
        assertNull(pHeldByAnExitedM(), "a P is held by an M that has exited");
        assertNoLeak(before);
    }

    /** The first P whose m has exited, after letting hand-offs in flight settle (up to 5 s). */
    private static String pHeldByAnExitedM() {
        String found = null;
        for (long deadline = System.nanoTime() + 5_000_000_000L; System.nanoTime() < deadline; ) {
            found = null;
            for (P pp : Sched.allp) {
                M m = pp.m;
                if (m != null && m.exited) {
                    found = pp + " (status " + pp.status + ") held by exited " + m;
                }
            }
            if (found == null) {
                return null;
            }
            LockSupport.parkNanos(10_000_000);
        }
        return found;
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
