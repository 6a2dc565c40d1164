package io.gmp4j.chan;

import static io.gmp4j.chan.ChanExport.eventually;
import static io.gmp4j.chan.ChanExport.inGo;
import static io.gmp4j.chan.ChanExport.scaled;
import static io.gmp4j.chan.ChanExport.waitingReceivers;
import static io.gmp4j.chan.ChanExport.waitingSenders;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ports of the runtime/chan_test.go tests that {@link ChanTest} and {@link SelectTest} do not cover. */
@ExtendWith(GoLeakCheck.class)
class ChanPortTest {

    /**
     * chan_test.go: TestChanSendInterface. Sends of a reference (Go: an interface value) on a
     * full channel in a select with default: default is chosen, nothing blocks.
     */
    @Test
    void chanSendInterface() {
        inGo(1, r -> {
            record Mt() {}
            Object m = new Mt();
            Chan<Object> c = Chan.make(1);
            c.send(m);
            assertEquals(1, Select.select(c.onSend(m, () -> {}), Select.onDefault(() -> {})));
            assertEquals(2, Select.select(c.onSend(m, () -> {}), c.onSend(new Mt(), () -> {}), Select.onDefault(() -> {})));
            assertSame(m, c.recv());
            assertEquals(0, c.len());
        });
    }

    /**
     * chan_test.go: TestMultiConsumer, Go's shape: 23 workers ranging over q, a feeder that
     * closes q, waits for the workers and closes r, and the test goroutine ranging over r.
     * niter 27183 (Go: 271828), at GOMAXPROCS 1, 2 and 8 ({@link ChanTest#multiConsumer} runs a
     * variant at 4).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void multiConsumer(int procs) {
        inGo(procs, r -> {
            int nwork = 23, niter = scaled(27_183);
            int[] pn = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
            Chan<Integer> q = Chan.make(nwork * 3);
            Chan<Integer> rc = Chan.make(nwork * 3);
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < nwork; i++) {
                int w = i;
                wg.add(1);
                r.go(() -> {
                    for (int v : q) {
                        // mess with the fifo-ish nature of range
                        if (pn[w % pn.length] == v) {
                            Go.gosched();
                        }
                        rc.send(v);
                    }
                    wg.done();
                });
            }
            long[] expect = {0};
            r.go(() -> {
                for (int i = 0; i < niter; i++) {
                    int v = pn[i % pn.length];
                    expect[0] += v;
                    q.send(v);
                }
                q.close(); // no more work
                wg.await(); // workers done
                rc.close(); // ... so there can be no more results
            });
            long n = 0, s = 0;
            for (int v : rc) {
                n++;
                s += v;
            }
            assertEquals(niter, n, "iterations seen");
            assertEquals(expect[0], s, "sum"); // written before rc.close, which happens-before the range's end
        });
    }

    /** chan_test.go: stackGrowthRecursive. */
    private static int stackGrowthRecursive(int i) {
        long[] pad = new long[128];
        pad[i % 128] = i;
        if (i != 0 && pad[0] == 0) {
            return stackGrowthRecursive(i - 1) + (int) pad[1];
        }
        return (int) pad[0];
    }

    /**
     * chan_test.go: TestShrinkStackDuringBlockedSend. The sender uses some stack between sends
     * and is parked in send (checked: it is in c's sendq, not a sleep) when the test forces a GC;
     * every value arrives intact and in order.
     */
    @Test
    void shrinkStackDuringBlockedSend() {
        inGo(2, r -> {
            int n = 10;
            Chan<Integer> c = Chan.make(0);
            Chan<Boolean> done = Chan.make(0);
            r.go(() -> {
                for (int i = 0; i < n; i++) {
                    c.send(i);
                    stackGrowthRecursive(20);
                }
                done.send(true);
            });
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    eventually("sender blocked in send", () -> waitingSenders(c) == 1);
                    Go.gc();
                }
                assertEquals(i, c.recv(), "bad channel read");
            }
            done.recv();
        });
    }

    /**
     * chan_test.go: TestNoShrinkStackWhileParking. A sender and a receiver hand 10 values across
     * an unbuffered channel while the test goroutine forces a GC; 20 rounds (Go: 200, each GC is
     * a full JVM collection here).
     */
    @Test
    void noShrinkStackWhileParking() {
        inGo(2, r -> {
            int n = 10;
            for (int round = 0; round < 20; round++) {
                Chan<Integer> c = Chan.make(0);
                Chan<Boolean> done = Chan.make(0);
                AtomicInteger bad = new AtomicInteger(-1);
                r.go(() -> {
                    for (int i = 0; i < n; i++) {
                        int v = c.recv();
                        if (v != i) {
                            bad.compareAndSet(-1, v);
                        }
                    }
                    done.send(true);
                });
                r.go(() -> {
                    for (int i = 0; i < n; i++) {
                        c.send(i);
                        stackGrowthRecursive(20);
                    }
                    done.send(true);
                });
                Go.gc();
                done.recv();
                done.recv();
                assertEquals(-1, bad.get(), "round " + round + ": a value arrived out of order");
            }
        });
    }

    /**
     * chan_test.go: TestSelectStackAdjust. Two goroutines park in a select (one with c and d
     * listed twice); a GC runs while they wait (both are checked to be queued on d: three
     * entries in its recvq); closing d wakes them through a d case, and the receive slot of the
     * c case (cx) is untouched.
     */
    @Test
    void selectStackAdjust() {
        inGo(2, r -> {
            Chan<int[]> c = Chan.make(0), d = Chan.make(0);
            Chan<Boolean> ready1 = Chan.make(0), ready2 = Chan.make(0);
            for (boolean dup : new boolean[] {false, true}) {
                Chan<Boolean> ready = dup ? ready2 : ready1;
                r.go(() -> {
                    stackGrowthRecursive((10 << 10) / (128 * 8));
                    ready.send(true);
                    int[] val = {42};
                    int[][] cx = {val};
                    Chan<int[]> c2 = dup ? c : Chan.nil(), d2 = dup ? d : Chan.nil();
                    int chosen = Select.select(
                            c.onRecv(v -> cx[0] = v), c2.onRecv(v -> {}), d.onRecv(v -> {}), d2.onRecv(v -> {}));
                    assertTrue(chosen == 2 || chosen == 3, "woken by case " + chosen);
                    assertSame(val, cx[0], "cx no longer points to val");
                    assertEquals(42, val[0], "val changed");
                    cx[0][0] = 43;
                    assertEquals(43, val[0], "changing *cx failed to change val");
                    ready.send(true);
                });
            }
            ready1.recv();
            ready2.recv();
            eventually("both selects queued on d", () -> waitingReceivers(d) == 3);
            Go.gc();
            d.close();
            ready1.recv();
            ready2.recv();
        });
    }

    /**
     * Close during select, stressed: receivers parked in a two-channel select (a channel seen
     * closed is replaced by nil, Go's idiom) are woken by each close with ok == false, and every
     * sent value, buffered ones included, is received exactly once;
     * a goroutine parked in a select with a send case on a channel that is then closed panics
     * "send on closed channel" (Go's selectgo: goto sclose). 200 rounds (cap 0 and 1
     * alternately) at GOMAXPROCS 1, 2 and 8.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void closeDuringSelect(int procs) {
        inGo(procs, r -> {
            int rounds = scaled(200), receivers = 4, m = 50;
            for (int round = 0; round < rounds; round++) {
                Chan<Integer> a = Chan.make(round % 2), b = Chan.make(round % 2);
                Chan<Integer> s = Chan.make(0);
                AtomicLong sum = new AtomicLong();
                AtomicInteger closedSeen = new AtomicInteger();
                AtomicInteger sendPanics = new AtomicInteger();
                WaitGroup wg = new WaitGroup();
                wg.add(receivers + 1);
                for (int k = 0; k < receivers; k++) {
                    r.go(() -> {
                        // Go's idiom: a channel seen closed is replaced by nil, until both are.
                        @SuppressWarnings("unchecked")
                        Chan<Integer>[] chans = new Chan[] {a, b};
                        while (chans[0] != null || chans[1] != null) {
                            Chan<Integer> x = chans[0] != null ? chans[0] : Chan.nil();
                            Chan<Integer> y = chans[1] != null ? chans[1] : Chan.nil();
                            Select.select(
                                    x.onRecvOk((v, ok) -> {
                                        if (ok) {
                                            sum.addAndGet(v);
                                        } else {
                                            chans[0] = null;
                                        }
                                    }),
                                    y.onRecvOk((v, ok) -> {
                                        if (ok) {
                                            sum.addAndGet(v);
                                        } else {
                                            chans[1] = null;
                                        }
                                    }));
                        }
                        closedSeen.incrementAndGet();
                        wg.done();
                    });
                }
                Chan<Void> never = Chan.make(0);
                r.go(() -> {
                    try {
                        Select.select(s.onSend(1, () -> {}), never.onRecv(v -> {}));
                    } catch (GoPanic p) {
                        if ("send on closed channel".equals(p.getMessage())) {
                            sendPanics.incrementAndGet();
                        }
                    }
                    wg.done();
                });
                for (int v = 1; v <= m; v++) {
                    int x = v;
                    Select.select(a.onSend(x, () -> {}), b.onSend(x, () -> {}));
                }
                eventually("the sender parked in select", () -> waitingSenders(s) == 1);
                if (round % 2 == 0) {
                    a.close();
                    s.close();
                    b.close();
                } else {
                    s.close();
                    b.close();
                    a.close();
                }
                wg.await();
                assertEquals((long) m * (m + 1) / 2, sum.get(), "round " + round + ": values lost or duplicated");
                assertEquals(receivers, closedSeen.get());
                assertEquals(1, sendPanics.get(), "round " + round + ": select send on a channel closed under it");
            }
        });
    }
}
