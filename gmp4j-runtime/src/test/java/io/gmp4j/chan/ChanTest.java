package io.gmp4j.chan;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.internal.runtime.G;
import io.gmp4j.internal.runtime.WaitReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.gmp4j.chan.ChanExport.eventually;
import static io.gmp4j.chan.ChanExport.inGo;
import static io.gmp4j.chan.ChanExport.scaled;
import static io.gmp4j.chan.ChanExport.waitingReceivers;
import static io.gmp4j.chan.ChanExport.waitingSenders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's runtime/chan_test.go channel behaviours, plus gmp4j's own API surface. */
@ExtendWith(GoLeakCheck.class)
class ChanTest {

    // chan_test.go: TestChan (the short size, 20 capacities, at GOMAXPROCS 4).
    // Contract: for every capacity, receive blocks on empty, send blocks on full, closed
    // channels drain then yield zero/false, close unblocks receivers, FIFO, and no value is
    // lost or duplicated among 4 senders and 4 receivers; len/cap are right.
    @Test
    void chan() {
        inGo(4, r -> {
            for (int chanCap = 0; chanCap < 20; chanCap++) {
                final int cap = chanCap;
                {
                    // Ensure that receive from empty chan blocks.
                    Chan<Integer> c = Chan.make(cap);
                    AtomicBoolean recv1 = new AtomicBoolean(), recv2 = new AtomicBoolean();
                    r.go(() -> { c.recv(); recv1.set(true); });
                    r.go(() -> { c.recvOk(); recv2.set(true); });
                    eventually("two receivers parked", () -> waitingReceivers(c) == 2);
                    assertFalse(recv1.get() || recv2.get(), "chan[" + cap + "]: receive from empty chan");
                    // Ensure that non-blocking receive does not block.
                    assertNull(c.tryRecv(), "chan[" + cap + "]: receive from empty chan");
                    int dflt = Select.select(c.onRecv(v -> { throw new AssertionError("receive from empty chan"); }), Select.onDefault(null));
                    assertEquals(1, dflt);
                    c.send(0);
                    c.send(0);
                }
                {
                    // Ensure that send to full chan blocks.
                    Chan<Integer> c = Chan.make(cap);
                    for (int i = 0; i < cap; i++) {
                        c.send(i);
                    }
                    AtomicBoolean sent = new AtomicBoolean();
                    r.go(() -> { c.send(0); sent.set(true); });
                    eventually("sender parked", () -> waitingSenders(c) == 1);
                    assertFalse(sent.get(), "chan[" + cap + "]: send to full chan");
                    // Ensure that non-blocking send does not block.
                    assertFalse(c.trySend(0), "chan[" + cap + "]: send to full chan");
                    c.recv();
                }
                {
                    // Ensure that we receive 0 (null) from closed chan.
                    Chan<Integer> c = Chan.make(cap);
                    for (int i = 0; i < cap; i++) {
                        c.send(i);
                    }
                    c.close();
                    for (int i = 0; i < cap; i++) {
                        assertEquals(i, c.recv());
                    }
                    assertNull(c.recv());
                    assertEquals(new Chan.Recv<Integer>(null, false), c.recvOk());
                }
                {
                    // Ensure that close unblocks receive.
                    Chan<Integer> c = Chan.make(cap);
                    Chan<Boolean> done = Chan.make();
                    r.go(() -> {
                        Chan.Recv<Integer> v = c.recvOk();
                        done.send(v.value() == null && !v.ok());
                    });
                    eventually("receiver parked", () -> waitingReceivers(c) == 1);
                    c.close();
                    assertTrue(done.recv(), "chan[" + cap + "]: received non zero from closed chan");
                }
                {
                    // Send 100 integers, ensure that we receive them non-corrupted in FIFO order.
                    Chan<Integer> c = Chan.make(cap);
                    r.go(() -> { for (int i = 0; i < 100; i++) c.send(i); });
                    for (int i = 0; i < 100; i++) {
                        assertEquals(i, c.recv());
                    }
                    // Same, but using recv2.
                    r.go(() -> { for (int i = 0; i < 100; i++) c.send(i); });
                    for (int i = 0; i < 100; i++) {
                        Chan.Recv<Integer> v = c.recvOk();
                        assertTrue(v.ok());
                        assertEquals(i, v.value());
                    }
                    // Send 1000 integers in 4 goroutines, ensure that we receive what we send.
                    final int P = 4, L = 1000;
                    for (int p = 0; p < P; p++) {
                        r.go(() -> { for (int i = 0; i < L; i++) c.send(i); });
                    }
                    Chan<Map<Integer, Integer>> done = Chan.make();
                    for (int p = 0; p < P; p++) {
                        r.go(() -> {
                            Map<Integer, Integer> recv = new HashMap<>();
                            for (int i = 0; i < L; i++) {
                                recv.merge(c.recv(), 1, Integer::sum);
                            }
                            done.send(recv);
                        });
                    }
                    Map<Integer, Integer> recv = new HashMap<>();
                    for (int p = 0; p < P; p++) {
                        done.recv().forEach((k, v) -> recv.merge(k, v, Integer::sum));
                    }
                    assertEquals(L, recv.size(), "chan[" + cap + "]: received values");
                    recv.values().forEach(v -> assertEquals(P, v));
                }
                {
                    // Test len/cap.
                    Chan<Integer> c = Chan.make(cap);
                    assertEquals(0, c.len());
                    assertEquals(cap, c.cap());
                    for (int i = 0; i < cap; i++) {
                        c.send(i);
                    }
                    assertEquals(cap, c.len());
                    assertEquals(cap, c.cap());
                }
            }
        });
    }

    // Go spec "Close": close of a closed channel, send on a closed channel (blocking and
    // non-blocking) and close of a nil channel panic with Go's messages; senders blocked when
    // the channel closes panic too; receivers blocked when it closes get (null, false).
    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void closeSemantics(int cap) {
        inGo(2, r -> {
            Chan<String> c = Chan.make(cap);
            for (int i = 0; i < cap; i++) {
                c.send("x" + i);
            }
            int nsenders = 3;
            AtomicInteger panics = new AtomicInteger();
            CountDownLatch sendersDone = new CountDownLatch(nsenders);
            for (int i = 0; i < nsenders; i++) {
                r.go(() -> {
                    try {
                        c.send("blocked");
                    } catch (GoPanic p) {
                        assertEquals("send on closed channel", p.getMessage());
                        panics.incrementAndGet();
                    } finally {
                        sendersDone.countDown();
                    }
                });
            }
            eventually("senders parked", () -> waitingSenders(c) == nsenders);
            c.close();
            assertTrue(sendersDone.await(20, TimeUnit.SECONDS));
            assertEquals(nsenders, panics.get(), "every blocked sender panics");
            assertEquals(cap, c.len(), "buffered values survive close");
            for (int i = 0; i < cap; i++) {
                assertEquals(new Chan.Recv<>("x" + i, true), c.recvOk());
            }
            assertEquals(new Chan.Recv<String>(null, false), c.recvOk());
            assertEquals(new Chan.Recv<String>(null, false), c.tryRecv());
            GoPanic p1 = assertThrows(GoPanic.class, () -> c.send("late"));
            assertEquals("send on closed channel", p1.getMessage());
            GoPanic p2 = assertThrows(GoPanic.class, () -> c.trySend("late"));
            assertEquals("send on closed channel", p2.getMessage());
            GoPanic p3 = assertThrows(GoPanic.class, c::close);
            assertEquals("close of closed channel", p3.getMessage());
            GoPanic p4 = assertThrows(GoPanic.class, () -> Chan.nil().close());
            assertEquals("close of nil channel", p4.getMessage());
            GoPanic p5 = assertThrows(GoPanic.class, () -> Chan.make(-1));
            assertEquals("makechan: size out of range", p5.getMessage());
        });
    }

    /**
     * chan.go: makechan panics "makechan: size out of range" when the buffer could never be
     * allocated (mem > maxAlloc), a recoverable runtime error. The JVM's largest array is just
     * under Integer.MAX_VALUE elements: a capacity beyond it was an OutOfMemoryError ("Requested
     * array size exceeds VM limit"), which gmp4j reports as the fatal "runtime: out of memory"
     * and so ended the whole program though no memory had run out.
     */
    @Test
    void makeBeyondTheLargestArrayPanics() {
        for (int cap : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 1}) {
            GoPanic p = assertThrows(GoPanic.class, () -> Chan.make(cap), "cap " + cap);
            assertEquals("makechan: size out of range", p.getMessage());
        }
    }

    // Close wakes every blocked receiver (Go: closechan releases all readers).
    @Test
    void closeWakesAllReceivers() {
        inGo(2, r -> {
            Chan<Integer> c = Chan.make();
            int n = 50;
            Chan<Boolean> results = Chan.make(n);
            for (int i = 0; i < n; i++) {
                r.go(() -> {
                    Chan.Recv<Integer> v = c.recvOk();
                    results.send(!v.ok() && v.value() == null);
                });
            }
            eventually("receivers parked", () -> waitingReceivers(c) == n);
            c.close();
            for (int i = 0; i < n; i++) {
                assertTrue(results.recv());
            }
        });
    }

    // for v := range ch receives every value in order and ends at close.
    @Test
    void rangeUntilClose() {
        inGo(2, r -> {
            Chan<Integer> c = Chan.make(4);
            r.go(() -> {
                for (int i = 0; i < 100; i++) {
                    c.send(i);
                }
                c.close();
            });
            int expect = 0;
            for (Integer v : c) {
                assertEquals(expect++, v);
            }
            assertEquals(100, expect);
            assertFalse(c.iterator().hasNext(), "a closed channel's range stays over");
        });
    }

    // Go spec: a nil channel is never ready; trySend/tryRecv report not-ready, len/cap are 0.
    // A thread blocked on it stays blocked (checked on a daemon platform thread, which
    // cannot leak a goroutine; deadlock detection is a separate issue).
    @Test
    void nilChannel() throws Exception {
        Chan<Integer> nil = Chan.nil();
        assertFalse(nil.trySend(1));
        assertNull(nil.tryRecv());
        assertEquals(0, nil.len());
        assertEquals(0, nil.cap());
        List<Thread> blocked = new ArrayList<>();
        for (Runnable op : List.<Runnable>of(() -> nil.send(1), nil::recv, () -> nil.iterator().hasNext())) {
            Thread t = Thread.ofPlatform().daemon().start(op);
            blocked.add(t);
        }
        for (Thread t : blocked) {
            eventually("parked on nil chan", () -> t.getState() == Thread.State.WAITING && LockSupport.getBlocker(t) != null);
            t.interrupt(); // Go has no interrupts: the thread must stay parked.
        }
        for (Thread t : blocked) {
            t.join(50);
            assertTrue(t.isAlive(), "an operation on a nil channel returned");
        }
    }

    // Each blocked operation records Go's wait reason for goroutine dumps.
    @Test
    void waitReasons() {
        inGo(2, r -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> d = Chan.make();
            AtomicReference<G> recvG = new AtomicReference<>(), sendG = new AtomicReference<>(), selG = new AtomicReference<>();
            r.go(() -> { recvG.set(G.current()); c.recv(); });
            r.go(() -> { sendG.set(G.current()); d.send(1); });
            Chan<Integer> e = Chan.make();
            r.go(() -> { selG.set(G.current()); Select.select(e.onRecv(null), e.onSend(2, null)); });
            eventually("chan receive", () -> recvG.get() != null && recvG.get().waitReason() == WaitReason.CHAN_RECEIVE);
            eventually("chan send", () -> sendG.get() != null && sendG.get().waitReason() == WaitReason.CHAN_SEND);
            eventually("select", () -> selG.get() != null && selG.get().waitReason() == WaitReason.SELECT);
            c.send(1);
            assertEquals(1, d.recv());
            assertEquals(2, e.recv());
        });
    }

    // Blocked senders are served in FIFO order (chan.go: sendq is a FIFO), unbuffered and
    // buffered; and a buffered channel delivers buffer contents before waiting senders.
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void blockedSendersFifo(int cap) {
        inGo(2, r -> {
            Chan<Integer> c = Chan.make(cap);
            for (int i = 0; i < cap; i++) {
                c.send(-cap + i);
            }
            int n = 20;
            for (int i = 0; i < n; i++) {
                final int v = i;
                r.go(() -> c.send(v));
                eventually("sender " + i + " queued", () -> waitingSenders(c) == v + 1);
            }
            for (int i = -cap; i < n; i++) {
                assertEquals(i, c.recv());
            }
        });
    }

    // Blocked receivers are served in FIFO order too (recvq).
    @Test
    void blockedReceiversFifo() {
        inGo(2, r -> {
            Chan<Integer> c = Chan.make();
            int n = 10;
            Chan<Integer> got = Chan.make(n);
            for (int i = 0; i < n; i++) {
                final int id = i;
                r.go(() -> { c.recv(); got.send(id); });
                eventually("receiver " + i + " queued", () -> waitingReceivers(c) == id + 1);
            }
            for (int i = 0; i < n; i++) {
                c.send(i);
                assertEquals(i, got.recv());
            }
        });
    }

    // chan_test.go: TestNonblockRecvRace. A non-blocking receive racing with close must not
    // report "not ready" when the channel had a value and was then closed.
    @Test
    void nonblockRecvRace() {
        inGo(4, r -> {
            int n = scaled(1000);
            for (int i = 0; i < n; i++) {
                Chan<Integer> c = Chan.make(1);
                c.send(1);
                CountDownLatch done = new CountDownLatch(1);
                r.go(() -> {
                    try {
                        assertTrue(c.tryRecv() != null, "chan is not ready");
                    } finally {
                        done.countDown();
                    }
                });
                c.close();
                c.recv();
                assertTrue(done.await(20, TimeUnit.SECONDS));
            }
        });
    }

    // chan_test.go: TestMultiConsumer. 5 workers fed by one producer through a cap-62
    // channel; everything sent is received once, with the sum checked.
    @Test
    void multiConsumer() {
        inGo(4, r -> {
            int nwork = 23, niter = scaled(27_000);
            Chan<Integer> q = Chan.make(nwork * 3);
            Chan<Integer> rc = Chan.make(nwork * 3);
            CountDownLatch wg = new CountDownLatch(nwork);
            for (int i = 0; i < nwork; i++) {
                final int w = i;
                r.go(() -> {
                    try {
                        for (Integer v : q) {
                            // mess with the fifo-ish nature of range
                            if (pseudoRandom(w) % 5 == 0) {
                                Go.gosched();
                            }
                            rc.send(v);
                        }
                    } finally {
                        wg.countDown();
                    }
                });
            }
            long[] nr = new long[1], sr = new long[1];
            CountDownLatch drained = new CountDownLatch(1);
            r.go(() -> {
                try {
                    for (Integer v : rc) {
                        nr[0]++;
                        sr[0] += v;
                    }
                } finally {
                    drained.countDown();
                }
            });
            long expectSum = 0;
            for (int i = 0; i < niter; i++) {
                int v = pseudoRandom(i) % 1000;
                expectSum += v;
                q.send(v);
            }
            q.close();
            assertTrue(wg.await(60, TimeUnit.SECONDS));
            rc.close();
            assertTrue(drained.await(60, TimeUnit.SECONDS));
            assertEquals(niter, nr[0]);
            assertEquals(expectSum, sr[0]);
        });
    }

    private static int pseudoRandom(int seed) {
        return ((seed * 1103515245 + 12345) >>> 1) & 0x7fffffff;
    }

    // The stress: 1000 producers x 100 messages into one cap-100 channel, one
    // consumer, at GOMAXPROCS 1, 2 and 8. No message is lost or duplicated, and each
    // producer's messages arrive in its own send order (a channel is FIFO per sender).
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void manyProducers(int procs) {
        inGo(procs, r -> {
            int producers = scaled(1000), msgs = 100;
            Chan<Integer> c = Chan.make(100);
            Chan<Boolean> finished = Chan.make(producers);
            for (int p = 0; p < producers; p++) {
                final int id = p;
                r.go(() -> {
                    for (int i = 0; i < msgs; i++) {
                        c.send(id * msgs + i);
                    }
                    finished.send(true);
                });
            }
            r.go(() -> {
                for (int p = 0; p < producers; p++) {
                    finished.recv();
                }
                c.close();
            });
            int[] next = new int[producers];
            int total = 0;
            for (Integer v : c) {
                int id = v / msgs, seq = v % msgs;
                assertEquals(next[id], seq, "producer " + id + ": lost, duplicated or reordered");
                next[id]++;
                total++;
            }
            assertEquals(producers * msgs, total);
        });
    }

    // Platform threads that are not goroutines park as threads and interoperate with
    // goroutines in both directions, unbuffered.
    @Test
    void platformThreads() throws Exception {
        int before = Go.numGoroutine();
        Chan<Integer> toG = Chan.make(), fromG = Chan.make();
        Chan<Boolean> gDone = Chan.make(1);
        Go.go(() -> {
            for (int i = 0; i < 1000; i++) {
                fromG.send(toG.recv() + 1);
            }
            gDone.send(true);
        });
        Thread t = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 1000; i++) {
                toG.send(i);
                assertEquals(i + 1, fromG.recv());
            }
        });
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(t.isAlive());
        assertTrue(gDone.recv());
        // A platform-thread select over a channel fed by a goroutine.
        Chan<String> s = Chan.make();
        Go.go(() -> s.send("hi"));
        AtomicReference<String> got = new AtomicReference<>();
        assertEquals(1, Select.select(Chan.<String>nil().onRecv(got::set), s.onRecv(got::set)));
        assertEquals("hi", got.get());
        eventually("NumGoroutine back", () -> Go.numGoroutine() == before);
    }

    // trySend/tryRecv never block and follow Go's select-with-default, from a platform
    // thread that is not a goroutine (the time package calls trySend from scheduler threads).
    @Test
    void tryOpsFromPlatformThread() {
        Chan<Integer> c = Chan.make(1);
        assertTrue(c.trySend(1));
        assertFalse(c.trySend(2));
        assertEquals(1, c.len());
        assertEquals(new Chan.Recv<>(1, true), c.tryRecv());
        assertNull(c.tryRecv());
        Chan<Integer> u = Chan.make();
        assertFalse(u.trySend(1), "unbuffered without a receiver");
        assertNull(u.tryRecv(), "unbuffered without a sender");
        c.close();
        assertEquals(new Chan.Recv<Integer>(null, false), c.tryRecv());
    }

    // trySend hands a value to a receiver parked on an unbuffered channel.
    @Test
    void trySendToParkedReceiver() {
        inGo(2, r -> {
            Chan<Integer> u = Chan.make();
            Chan<Integer> got = Chan.make(1);
            r.go(() -> got.send(u.recv()));
            eventually("receiver parked", () -> waitingReceivers(u) == 1);
            assertTrue(u.trySend(42));
            assertEquals(42, got.recv());
            r.go(() -> u.send(7));
            eventually("sender parked", () -> waitingSenders(u) == 1);
            assertEquals(new Chan.Recv<>(7, true), u.tryRecv());
        });
    }

    // Values may be null (Go's zero value can be sent); recvOk tells them from a close.
    @Test
    void nullValues() {
        Chan<String> c = Chan.make(2);
        c.send(null);
        assertEquals(new Chan.Recv<String>(null, true), c.recvOk());
        c.send(null);
        c.close();
        assertEquals(new Chan.Recv<String>(null, true), c.recvOk());
        assertEquals(new Chan.Recv<String>(null, false), c.recvOk());
    }
}
