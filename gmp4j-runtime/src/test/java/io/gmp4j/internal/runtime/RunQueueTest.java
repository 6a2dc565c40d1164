package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The local run queue (proc_test.go: TestRunqueue, TestRunqueueGC's spirit) through Export. */
class RunQueueTest {

    // proc_test.go / export_test.go: RunSchedLocalQueueTest
    /** Owner put/get is FIFO after runnext, and runnext is LIFO of one. */
    @Test
    void putGetOrder() {
        List<Object> overflow = new ArrayList<>();
        Object pp = Export.newP(0, b -> Collections.addAll(overflow, b));
        Object[] gs = new Object[10];
        for (int i = 0; i < gs.length; i++) {
            gs[i] = Export.newG(i + 100);
        }
        for (int i = 0; i < 5; i++) {
            Export.runqput(pp, gs[i], false);
        }
        Export.runqput(pp, gs[5], true);
        Export.runqput(pp, gs[6], true); // kicks gs[5] to the tail
        assertEquals(7, Export.runqsize(pp));
        assertSame(gs[6], Export.runqget(pp));
        for (int i = 0; i < 6; i++) {
            assertSame(gs[i], Export.runqget(pp), "slot " + i);
        }
        assertNull(Export.runqget(pp));
        assertTrue(Export.runqempty(pp));
        assertTrue(overflow.isEmpty());
    }

    // export_test.go: RunSchedLocalQueueTest's overflow half
    /** A full ring moves half of itself plus the new G to the global queue, oldest first. */
    @Test
    void overflowMovesHalfToGlobal() {
        List<Object> overflow = new ArrayList<>();
        Object pp = Export.newP(0, b -> Collections.addAll(overflow, b));
        int cap = Export.runqCapacity();
        List<Object> all = new ArrayList<>();
        for (int i = 0; i <= cap; i++) {
            Object g = Export.newG(i + 1);
            all.add(g);
            Export.runqput(pp, g, false);
        }
        assertEquals(cap / 2 + 1, overflow.size(), "half the ring plus the new G");
        for (int i = 0; i < cap / 2; i++) {
            assertSame(all.get(i), overflow.get(i));
        }
        assertSame(all.get(cap), overflow.get(cap / 2));
        assertEquals(cap / 2, Export.runqsize(pp));
        assertSame(all.get(cap / 2), Export.runqget(pp));
    }

    // proc_test.go: TestStealOrder (export_test.go: RunStealOrderTest)
    /**
     * stealWork's random order (proc.go: randomOrder): every increment is coprime to the P
     * count, so that from any start each P is visited exactly once; from three Ps on there are
     * at least two increments, and the random draws reach every one of them.
     */
    @Test
    void stealOrderVisitsEveryPOnce() {
        for (int procs = 1; procs <= 64; procs++) {
            StealOrder ord = StealOrder.of(procs);
            assertEquals(procs, ord.count);
            int[] coprimes = ord.coprimes();
            if (procs >= 3) {
                assertTrue(coprimes.length >= 2, "procs=" + procs + ": too few coprimes");
            }
            java.util.Set<Integer> drawn = new java.util.HashSet<>();
            for (int r = 0; r < procs * coprimes.length; r++) {
                int start = ord.start(r);
                int inc = ord.inc(r);
                drawn.add(inc);
                boolean[] seen = new boolean[procs];
                for (int k = 0, pos = start; k < procs; k++, pos = (pos + inc) % procs) {
                    assertFalse(seen[pos], "procs=" + procs + " start=" + start + " inc=" + inc + ": P" + pos + " twice");
                    seen[pos] = true;
                }
            }
            assertEquals(coprimes.length, drawn.size(), "procs=" + procs + ": increments never drawn");
        }
    }

    // proc_test.go: TestSchedLocalQueueSteal (export_test.go: RunSchedLocalQueueStealTest)
    /** Stealing takes half, from the head, and never loses or duplicates a G. */
    @Test
    void stealHalf() {
        Object victim = Export.newP(0, b -> { throw new AssertionError("overflow"); });
        Object thief = Export.newP(1, b -> { throw new AssertionError("overflow"); });
        for (int n = 1; n <= 200; n++) {
            for (int i = 0; i < n; i++) {
                Export.runqput(victim, Export.newG(i), false);
            }
            Object got = Export.runqsteal(thief, victim, false);
            int stolen = got == null ? 0 : 1;
            while (Export.runqget(thief) != null) {
                stolen++;
            }
            int left = 0;
            while (Export.runqget(victim) != null) {
                left++;
            }
            assertEquals(n, stolen + left, "n=" + n);
            assertEquals(n - n / 2, stolen, "steals half, rounded up, n=" + n);
        }
    }

    // proc_test.go: TestSchedLocalQueueEmpty (export_test.go: RunSchedLocalQueueEmptyTest)
    /**
     * runqempty is never spuriously true: while the owner puts a second G (to runnext or the
     * ring) and takes one, the queue always holds one, and an observer on another thread must
     * see it. A false "empty" leaves a runnable G beside an idle P (proc.go's comment).
     */
    @Test
    void runqNotSpuriouslyEmpty() throws Exception {
        int iters = io.gmp4j.testing.GoTesting.scaled(20_000);
        Object pp = Export.newP(0, b -> { throw new AssertionError("overflow"); });
        Object[] gs = {Export.newG(1), Export.newG(2)};
        java.util.concurrent.atomic.AtomicInteger ready = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.SynchronousQueue<Boolean> done = new java.util.concurrent.SynchronousQueue<>();
        java.util.concurrent.SynchronousQueue<boolean[]> go = new java.util.concurrent.SynchronousQueue<>();
        Thread observer = Thread.ofPlatform().start(() -> {
            try {
                for (boolean[] next; (next = go.take()).length > 0; ) {
                    ready.incrementAndGet();
                    while (ready.get() != 2) {
                        Thread.onSpinWait();
                    }
                    if (Export.runqempty(pp)) {
                        failure.compareAndSet(null, "queue is empty, next: " + next[0] + " " + next[1]);
                    }
                    done.put(true);
                }
            } catch (InterruptedException e) {
                failure.compareAndSet(null, e.toString());
            }
        });
        for (int i = 0; i < iters && failure.get() == null; i++) {
            ready.set(0);
            boolean next0 = (i & 1) == 0;
            boolean next1 = (i & 2) == 0;
            Export.runqput(pp, gs[0], next0);
            go.put(new boolean[] {next0, next1});
            ready.incrementAndGet();
            while (ready.get() != 2) {
                Thread.onSpinWait();
            }
            Export.runqput(pp, gs[1], next1);
            Export.runqget(pp);
            done.take();
            Export.runqget(pp);
        }
        go.put(new boolean[0]);
        observer.join();
        assertNull(failure.get());
        assertTrue(Export.runqempty(pp));
    }

    /** Under concurrent stealing, every G put is taken exactly once (owner, stealers, overflow). */
    @Test
    void concurrentStealersTakeEachOnce() throws Exception {
        int total = 200_000;
        int stealers = 3;
        AtomicIntegerArray taken = new AtomicIntegerArray(total);
        ConcurrentLinkedQueue<Object> overflow = new ConcurrentLinkedQueue<>();
        Object victim = Export.newP(0, b -> Collections.addAll(overflow, b));
        Object[] gs = new Object[total];
        for (int i = 0; i < total; i++) {
            gs[i] = Export.newG(i);
        }
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(stealers);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < stealers; s++) {
            Object thief = Export.newP(s + 1, b -> { throw new AssertionError("thief overflow"); });
            Thread t = Thread.ofPlatform().start(() -> {
                while (!done.get() || !Export.runqempty(victim)) {
                    Object g = Export.runqsteal(thief, victim, true);
                    if (g != null) {
                        taken.incrementAndGet((int) Export.goid(g));
                    }
                    for (Object x; (x = Export.runqget(thief)) != null; ) {
                        taken.incrementAndGet((int) Export.goid(x));
                    }
                }
                finished.countDown();
            });
            threads.add(t);
        }
        for (int i = 0; i < total; i++) {
            Export.runqput(victim, gs[i], (i & 7) == 0);
            if ((i & 3) == 0) {
                Object g = Export.runqget(victim);
                if (g != null) {
                    taken.incrementAndGet((int) Export.goid(g));
                }
            }
        }
        done.set(true);
        finished.await();
        for (Object x; (x = Export.runqget(victim)) != null; ) {
            taken.incrementAndGet((int) Export.goid(x));
        }
        for (Object g : overflow) {
            taken.incrementAndGet((int) Export.goid(g));
        }
        for (int i = 0; i < total; i++) {
            assertEquals(1, taken.get(i), "G " + i + " taken");
        }
    }
}
