package io.gmp4j.chan;

import io.gmp4j.GoPanic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.gmp4j.chan.ChanExport.eventually;
import static io.gmp4j.chan.ChanExport.inGo;
import static io.gmp4j.chan.ChanExport.scaled;
import static io.gmp4j.chan.ChanExport.waitingReceivers;
import static io.gmp4j.chan.ChanExport.waitingSenders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's select tests (runtime/chan_test.go) plus the Select API's own contract. */
@ExtendWith(GoLeakCheck.class)
class SelectTest {

    // chan_test.go: TestNonblockSelectRace (short size). A select with default racing with a
    // send that makes a second case ready must choose a case, never default.
    @Test
    void nonblockSelectRace() {
        inGo(4, r -> {
            Chan<Boolean> done = Chan.make(1);
            for (int i = 0; i < scaled(1000); i++) {
                Chan<Integer> c1 = Chan.make(1), c2 = Chan.make(1);
                c1.send(1);
                r.go(() -> {
                    int k = Select.select(c1.onRecv(null), c2.onRecv(null), Select.onDefault(null));
                    done.send(k != 2);
                });
                c2.send(1);
                Select.select(c1.onRecv(null), Select.onDefault(null));
                assertTrue(done.recv(), "no chan is ready");
            }
        });
    }

    // chan_test.go: TestNonblockSelectRace2. Same, with close(c2) replacing c2 <- 1.
    @Test
    void nonblockSelectRace2() {
        inGo(4, r -> {
            Chan<Boolean> done = Chan.make(1);
            for (int i = 0; i < scaled(1000); i++) {
                Chan<Integer> c1 = Chan.make(1), c2 = Chan.make();
                c1.send(1);
                r.go(() -> {
                    int k = Select.select(c1.onRecv(null), c2.onRecv(null), Select.onDefault(null));
                    done.send(k != 2);
                });
                c2.close();
                Select.select(c1.onRecv(null), Select.onDefault(null));
                assertTrue(done.recv(), "no chan is ready");
            }
        });
    }

    // chan_test.go: TestSelfSelect. send and receive on the same channel in one select neither
    // crash nor deadlock, and (unbuffered) a goroutine never receives its own value.
    @ParameterizedTest
    @ValueSource(ints = {0, 10})
    void selfSelect(int chanCap) {
        inGo(2, r -> {
            Chan<Integer> c = Chan.make(chanCap);
            CountDownLatch wg = new CountDownLatch(2);
            for (int p = 0; p < 2; p++) {
                final int me = p;
                r.go(() -> {
                    try {
                        for (int i = 0; i < 1000; i++) {
                            AtomicInteger got = new AtomicInteger(-1);
                            if (me == 0 || i % 2 == 0) {
                                Select.select(c.onSend(me, null), c.onRecv(got::set));
                            } else {
                                Select.select(c.onRecv(got::set), c.onSend(me, null));
                            }
                            if (chanCap == 0 && got.get() == me) {
                                throw new AssertionError("self receive");
                            }
                        }
                    } finally {
                        wg.countDown();
                    }
                });
            }
            assertTrue(wg.await(60, TimeUnit.SECONDS));
        });
    }

    // chan_test.go: TestSelectStress (N/10 as Go's -short, then scaled down to keep the suite
    // short). Plain senders/receivers and one select sender/receiver over 4 channels, with
    // cases disabled by switching to the nil channel, at GOMAXPROCS 1, 2 and 8: no deadlock,
    // every send matched.
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void selectStress(int procs) {
        inGo(procs, r -> {
            @SuppressWarnings("unchecked")
            Chan<Integer>[] c = new Chan[] {Chan.make(), Chan.make(), Chan.make(2), Chan.make(3)};
            int n = scaled(2000);
            CountDownLatch wg = new CountDownLatch(10);
            for (int k = 0; k < 4; k++) {
                final int kk = k;
                r.go(() -> { try { for (int i = 0; i < n; i++) c[kk].send(0); } finally { wg.countDown(); } });
                r.go(() -> { try { for (int i = 0; i < n; i++) c[kk].recv(); } finally { wg.countDown(); } });
            }
            r.go(() -> {
                try {
                    int[] cnt = new int[4];
                    @SuppressWarnings("unchecked")
                    Chan<Integer>[] c1 = c.clone();
                    for (int i = 0; i < 4 * n; i++) {
                        int k = Select.select(c1[3].onSend(0, null), c1[2].onSend(0, null), c1[0].onSend(0, null), c1[1].onSend(0, null));
                        int ch = new int[] {3, 2, 0, 1}[k];
                        if (++cnt[ch] == n) {
                            c1[ch] = Chan.nil();
                        }
                    }
                } finally {
                    wg.countDown();
                }
            });
            r.go(() -> {
                try {
                    int[] cnt = new int[4];
                    @SuppressWarnings("unchecked")
                    Chan<Integer>[] c1 = c.clone();
                    for (int i = 0; i < 4 * n; i++) {
                        int k = Select.select(c1[0].onRecv(null), c1[1].onRecv(null), c1[2].onRecv(null), c1[3].onRecv(null));
                        if (++cnt[k] == n) {
                            c1[k] = Chan.nil();
                        }
                    }
                } finally {
                    wg.countDown();
                }
            });
            assertTrue(wg.await(90, TimeUnit.SECONDS), "select stress deadlocked");
        });
    }

    // chan_test.go: TestSelectFairness. Two always-ready buffered channels and two idle ones;
    // 10,000 selects. Bound (Go's): at six nines, |cnt1/trials - 0.5| <= 4.891676 / (2 sqrt(trials)).
    @Test
    void selectFairness() {
        inGo(2, r -> {
            int trials = 10_000;
            Chan<Integer> c1 = Chan.make(trials + 1), c2 = Chan.make(trials + 1);
            for (int i = 0; i < trials + 1; i++) {
                c1.send(1);
                c2.send(2);
            }
            Chan<Integer> c3 = Chan.make(), c4 = Chan.make(), out = Chan.make();
            Chan<Void> done = Chan.make();
            CountDownLatch wg = new CountDownLatch(1);
            r.go(() -> {
                try {
                    for (;;) {
                        AtomicInteger b = new AtomicInteger();
                        Select.select(c3.onRecv(b::set), c4.onRecv(b::set), c1.onRecv(b::set), c2.onRecv(b::set));
                        if (Select.select(out.onSend(b.get(), null), done.onRecv(null)) == 1) {
                            return;
                        }
                    }
                } finally {
                    wg.countDown();
                }
            });
            int cnt1 = 0, cnt2 = 0;
            for (int i = 0; i < trials; i++) {
                int b = out.recv();
                switch (b) {
                    case 1 -> cnt1++;
                    case 2 -> cnt2++;
                    default -> throw new AssertionError("unexpected value " + b + " on channel");
                }
            }
            double e = Math.abs((double) cnt1 / trials - 0.5);
            assertTrue(e <= 4.891676 / (2 * Math.sqrt(trials)), "unfair select: in " + trials + " trials, results were " + cnt1 + ", " + cnt2);
            done.close();
            assertTrue(wg.await(20, TimeUnit.SECONDS));
        });
    }

    // Uniform choice among four ready cases (pollorder is a uniform permutation). Each count is
    // Binomial(10000, 1/4): sd = sqrt(10000 * 3/16) = 43.3; at six nines (z = 4.892) each
    // count is within 212 of 2500. Checked on a platform thread: select needs no goroutine.
    @Test
    void selectFairnessFourWay() {
        int trials = 10_000;
        @SuppressWarnings("unchecked")
        Chan<Integer>[] cs = new Chan[4];
        for (int k = 0; k < 4; k++) {
            cs[k] = Chan.make(1);
            cs[k].send(k);
        }
        int[] cnt = new int[4];
        for (int i = 0; i < trials; i++) {
            int k = Select.select(cs[0].onRecv(null), cs[1].onRecv(null), cs[2].onRecv(null), cs[3].onRecv(null));
            cnt[k]++;
            cs[k].send(k);
        }
        double bound = 4.891676 * Math.sqrt(trials * 3.0 / 16);
        for (int k = 0; k < 4; k++) {
            assertTrue(Math.abs(cnt[k] - trials / 4.0) <= bound, "unfair select: " + java.util.Arrays.toString(cnt));
        }
    }

    // chan_test.go: TestPseudoRandomSend. Two send cases on the same channel are both chosen
    // (each more than n/10 times of n).
    @ParameterizedTest
    @ValueSource(ints = {0, 100})
    void pseudoRandomSend(int chanCap) {
        inGo(2, r -> {
            int n = 100;
            Chan<Integer> c = Chan.make(chanCap);
            int[] l = new int[n];
            CountDownLatch m = new CountDownLatch(1);
            r.go(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        io.gmp4j.Go.gosched();
                        l[i] = c.recv();
                    }
                } finally {
                    m.countDown();
                }
            });
            for (int i = 0; i < n; i++) {
                Select.select(c.onSend(1, null), c.onSend(0, null));
            }
            assertTrue(m.await(20, TimeUnit.SECONDS));
            int n0 = 0, n1 = 0;
            for (int v : l) {
                n0 += (v + 1) % 2;
                n1 += v;
            }
            assertTrue(n0 > n / 10 && n1 > n / 10, "want pseudorandom, got " + n0 + " zeros and " + n1 + " ones (chan cap " + chanCap + ")");
        });
    }

    // chan_test.go: TestSelectDuplicateChannel. A G queued on one channel twice dequeues itself
    // cleanly when another case fires; the channel's recvq stays intact for the next receiver.
    @Test
    void selectDuplicateChannel() {
        inGo(2, r -> {
            Chan<Integer> c = Chan.make(), d = Chan.make(), e = Chan.make();
            r.go(() -> {
                Select.select(c.onRecv(null), c.onRecv(null), d.onRecv(null));
                e.send(9);
            });
            eventually("A queued on c twice", () -> waitingReceivers(c) == 2);
            CountDownLatch bDone = new CountDownLatch(1);
            r.go(() -> { c.recv(); bDone.countDown(); });
            eventually("B queued on c", () -> waitingReceivers(c) == 3);
            d.send(7); // wake up A; it dequeues itself from c
            assertEquals(9, e.recv());
            assertEquals(1, waitingReceivers(c), "only B remains on c");
            c.send(8); // wake up B
            assertTrue(bDone.await(20, TimeUnit.SECONDS));
        });
    }

    /**
     * Pass 3 dequeues every unfired sudog, each under its own channel's lock: a select that
     * waits on quiet channels (one of them twice; receive cases on some, send cases on another,
     * so that no later operation drops a stale sudog on the way) and fires on a busy one, ten
     * thousand times over, leaves no sudog on the quiet channels.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void passThreeLeavesNothingOnQuietChannels(int procs) {
        inGo(procs, r -> {
            Chan<Integer> recv1 = Chan.make(), busy = Chan.make(), send = Chan.make(), recv2 = Chan.make();
            int n = scaled(10_000);
            r.go(() -> {
                for (int i = 0; i < n; i++) {
                    busy.send(i);
                }
            });
            long sum = 0;
            long[] got = new long[1];
            for (int i = 0; i < n; i++) {
                int k = switch (i % 3) {
                    case 0 -> Select.select(recv1.onRecv(null), busy.onRecv(v -> got[0] = v), send.onSend(-1, null));
                    case 1 -> Select.select(send.onSend(-1, null), recv1.onRecv(null), busy.onRecv(v -> got[0] = v), recv1.onRecv(null));
                    default -> Select.select(busy.onRecv(v -> got[0] = v), recv2.onRecv(null), send.onSend(-1, null));
                };
                assertEquals(i % 3 == 1 ? 2 : i % 3 == 0 ? 1 : 0, k, "only the busy case can fire");
                assertEquals(i, got[0], "busy delivers in order");
                sum += got[0];
            }
            assertEquals((long) n * (n - 1) / 2, sum);
            assertEquals(0, waitingReceivers(recv1), "stale receive sudogs on recv1");
            assertEquals(0, waitingReceivers(recv2), "stale receive sudogs on recv2");
            assertEquals(0, waitingSenders(send), "stale send sudogs on send");
        });
    }

    // select's contract: it returns the chosen case's index, runs only that case's callback,
    // prefers a ready case over default, reports close through onRecvOk, panics on a send
    // to a closed channel, rejects two defaults, and skips nil-channel cases.
    @Test
    void selectApi() {
        Chan<String> a = Chan.make(1), b = Chan.make(1);
        AtomicReference<String> got = new AtomicReference<>();
        AtomicInteger dflt = new AtomicInteger();
        assertEquals(2, Select.select(a.onRecv(got::set), b.onRecv(got::set), Select.onDefault(dflt::incrementAndGet)));
        assertEquals(1, dflt.get());
        b.send("b");
        assertEquals(1, Select.select(a.onRecv(got::set), b.onRecv(got::set), Select.onDefault(dflt::incrementAndGet)));
        assertEquals("b", got.get());
        AtomicInteger sent = new AtomicInteger();
        assertEquals(0, Select.select(a.onSend("a", sent::incrementAndGet), Select.onDefault(null)));
        assertEquals(1, sent.get());
        assertEquals(0, Select.select(Select.onDefault(null), a.onSend("a2", sent::incrementAndGet)), "full: default");
        assertEquals(1, sent.get());
        a.close();
        AtomicReference<Boolean> ok = new AtomicReference<>();
        // Buffered data first, then (null, false).
        assertEquals(0, Select.select(a.onRecvOk((v, o) -> { got.set(v); ok.set(o); })));
        assertEquals("a", got.get());
        assertTrue(ok.get());
        assertEquals(0, Select.select(a.onRecvOk((v, o) -> { got.set(v); ok.set(o); })));
        assertEquals(null, got.get());
        assertFalse(ok.get());
        GoPanic p = assertThrows(GoPanic.class, () -> Select.select(a.onSend("x", null), Chan.<String>nil().onSend("y", null)));
        assertEquals("send on closed channel", p.getMessage());
        // Go's select statement cannot have these; its reflect.Select panics with these messages.
        assertEquals("reflect.Select: multiple default cases", assertThrows(GoPanic.class,
                () -> Select.select(Select.onDefault(null), Select.onDefault(null))).getMessage());
        Select.Case[] tooMany = new Select.Case[65_537];
        Arrays.fill(tooMany, Chan.<String>nil().onRecv(got::set));
        assertEquals("reflect.Select: too many cases (max 65536)",
                assertThrows(GoPanic.class, () -> Select.select(tooMany)).getMessage());
        assertEquals(1, Select.select(Chan.<String>nil().onRecv(got::set), Select.onDefault(null)));
        assertEquals(0, Select.select(Select.onDefault(null)));
        // A null case is refused before any case runs, whatever the order: the ready send stays undone.
        Chan<String> buf = Chan.make(1);
        assertEquals("select: case 1 is null", assertThrows(NullPointerException.class,
                () -> Select.select(buf.onSend("x", null), null)).getMessage());
        assertEquals(0, buf.len());
    }

    // A select blocked on several channels is woken by close of one of them; a blocked send
    // case panics when its channel closes.
    @Test
    void selectBlockedThenClosed() {
        inGo(2, r -> {
            Chan<Integer> a = Chan.make(), b = Chan.make();
            Chan<String> result = Chan.make(2);
            r.go(() -> {
                AtomicReference<String> s = new AtomicReference<>();
                int k = Select.select(a.onRecvOk((v, ok) -> s.set(v + "/" + ok)), b.onRecv(v -> s.set("b")));
                result.send(k + ":" + s.get());
            });
            eventually("select parked", () -> waitingReceivers(a) == 1 && waitingReceivers(b) == 1);
            a.close();
            assertEquals("0:null/false", result.recv());
            assertEquals(0, waitingReceivers(b), "pass 3 dequeued the other case");

            Chan<Integer> c = Chan.make(), d = Chan.make();
            r.go(() -> {
                try {
                    Select.select(c.onSend(1, null), d.onRecv(null));
                    result.send("no panic");
                } catch (GoPanic p) {
                    result.send(p.getMessage());
                }
            });
            eventually("select parked", () -> ChanExport.waitingSenders(c) == 1);
            c.close();
            assertEquals("send on closed channel", result.recv());
        });
    }

    // W7's shape as a correctness check: 2 producers on 2 unbuffered channels, 1 consumer
    // select over both, at GOMAXPROCS 1, 2 and 8: every message arrives once, per-producer
    // order kept.
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void selectTwoProducers(int procs) {
        inGo(procs, r -> {
            int n = scaled(20_000);
            Chan<Integer> a = Chan.make(), b = Chan.make();
            r.go(() -> { for (int i = 0; i < n; i++) a.send(i); });
            r.go(() -> { for (int i = 0; i < n; i++) b.send(i); });
            int[] next = new int[2];
            for (int i = 0; i < 2 * n; i++) {
                int[] v = new int[1];
                int k = Select.select(a.onRecv(x -> v[0] = x), b.onRecv(x -> v[0] = x));
                assertEquals(next[k]++, v[0]);
            }
            assertEquals(n, next[0]);
            assertEquals(n, next[1]);
        });
    }

    // select.go: block. select() with no cases blocks forever (and absorbs interrupts); so does
    // a select whose only cases are on nil channels. Checked on daemon platform threads.
    @Test
    void selectNoCases() throws Exception {
        Thread t1 = Thread.ofPlatform().daemon().start(() -> Select.select());
        Thread t2 = Thread.ofPlatform().daemon().start(() -> Select.select(Chan.nil().onRecv(null)));
        for (Thread t : new Thread[] {t1, t2}) {
            eventually("parked forever", () -> t.getState() == Thread.State.WAITING);
            t.interrupt();
            t.join(50);
            assertTrue(t.isAlive(), "select returned");
        }
    }

    /**
     * Go evaluates a select's cases once, at entry: a select on an explicit Case[] whose elements
     * another goroutine replaces while the select is parked still completes the case it was
     * given (the original callback fires), dequeues its other sudogs from the original channels,
     * and leaves every channel involved working: a fresh receiver on each takes a send.
     */
    @Test
    void selectEvaluatesItsCasesOnce() {
        inGo(2, r -> {
            Chan<Integer> a = Chan.make(), b = Chan.make(), x = Chan.make(), y = Chan.make();
            // A receiver queued on b before the select: the select's sudog on b then has a
            // predecessor there, which a removal through the wrong channel would splice into
            // that channel's queue.
            Chan<Integer> early = Chan.make(1);
            r.go(() -> early.send(b.recv()));
            eventually("early receiver queued on b", () -> waitingReceivers(b) == 1);

            AtomicReference<String> fired = new AtomicReference<>();
            Select.Case[] cases = {a.onRecv(v -> fired.set("a:" + v)), b.onRecv(v -> fired.set("b:" + v))};
            Chan<String> done = Chan.make(1);
            r.go(() -> {
                int k = Select.select(cases);
                done.send(k + " " + fired.get());
            });
            eventually("select queued on a and b", () -> waitingReceivers(a) == 1 && waitingReceivers(b) == 2);
            cases[0] = x.onRecv(v -> fired.set("x:" + v));
            cases[1] = y.onRecv(v -> fired.set("y:" + v));
            a.send(1); // fires case 0, the select's a case
            assertEquals("0 a:1", done.recv(), "the fired case is the select's own, with its callback");

            assertEquals(0, waitingReceivers(a), "a");
            assertEquals(1, waitingReceivers(b), "only the early receiver stays on b");
            assertEquals(0, waitingReceivers(x), "x");
            assertEquals(0, waitingReceivers(y), "y");
            assertTrue(b.trySend(2), "the early receiver takes a send on b");
            assertEquals(2, early.recv());
            int v = 10;
            for (Chan<Integer> c : java.util.List.of(a, b, x, y)) {
                int sent = v;
                Chan<Integer> got = Chan.make(1);
                r.go(() -> got.send(c.recv()));
                // Bounded under inGo's watchdog: a receiver linked into no queue is lost work.
                eventually("a fresh receiver queued on " + c, java.time.Duration.ofSeconds(10), () -> waitingReceivers(c) == 1);
                assertTrue(c.trySend(sent), "the fresh receiver takes a send on " + c);
                assertEquals(sent, got.recv());
                assertEquals(0, waitingReceivers(c), "nothing left on " + c);
                v++;
            }
        });
    }
}
