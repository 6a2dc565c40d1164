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
import io.gmp4j.time.Ticker;
import io.gmp4j.time.Time;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ports of Go's language-level channel test programs (go/test/chan/*.go, go/test/chancap.go,
 * closedchan.go, chanlinear.go, makechan.go; Go 1.19), one test per program, each run as the
 * program's main goroutine ({@link ChanExport#inGo}) with its assertions. perm.go (compile-time
 * channel direction errors) has no runtime part. Also the runtime tests of chanbarrier_test.go
 * and a correctness smoke run of a few chan_test.go benchmarks.
 *
 * Go programs that leave generators blocked for good when main returns (sieve1, sieve2, powser1,
 * powser2, select8) run under {@link Prog}: it closes every channel the program made once the
 * checks are done, so that each generator ends in a "send on closed channel" panic or a closed
 * receive, and the leak check still holds.
 */
@ExtendWith(GoLeakCheck.class)
class GoTestChanPortTest {

    /** How long a "this blocks" probe waits before it calls the operation blocked (select3: 10 ms). */
    private static final Duration BLOCK_PROBE = Duration.ofMillis(50);

    /**
     * A Go program whose goroutines outlive main: channels made through {@link #make} are all
     * closed by {@link #shutdown}, including those made after it; the panics and null values
     * that then end the program's goroutines are expected and dropped.
     */
    static final class Prog {
        private final ChanExport.Run r;
        private final List<Chan<?>> chans = new ArrayList<>();
        private volatile boolean down;

        Prog(ChanExport.Run r) {
            this.r = r;
        }

        synchronized <T> Chan<T> make(int cap) {
            Chan<T> c = Chan.make(cap);
            if (down) {
                c.close();
            } else {
                chans.add(c);
            }
            return c;
        }

        void go(ChanExport.ThrowingRunnable f) {
            r.go(() -> {
                try {
                    f.run();
                } catch (Throwable t) {
                    if (!down) {
                        throw t;
                    }
                }
            });
        }

        synchronized void shutdown() {
            down = true;
            for (Chan<?> c : chans) {
                c.close();
            }
        }
    }

    // ---- test/chan/doubleselect.go ---------------------------------------------------------

    // test/chan/doubleselect.go: one select over four sends never fires two cases; the mux and
    // the receiver see each value once. 100,000 iterations at GOMAXPROCS 2, as Go.
    @Test
    void doubleselect() {
        inGo(2, r -> {
            int iterations = scaled(100_000);
            Chan<Integer> c1 = Chan.make(), c2 = Chan.make(), c3 = Chan.make(), c4 = Chan.make();
            Chan<Boolean> done = Chan.make();
            Chan<Integer> cmux = Chan.make();
            r.go(() -> {
                try {
                    for (int i = 0; i < iterations; i++) {
                        Select.select(c1.onSend(i, null), c2.onSend(i, null), c3.onSend(i, null), c4.onSend(i, null));
                    }
                } finally {
                    c4.close();
                    c3.close();
                    c2.close();
                    c1.close();
                }
            });
            for (Chan<Integer> in : List.of(c1, c2, c3, c4)) {
                r.go(() -> {
                    for (int v : in) {
                        cmux.send(v);
                    }
                    done.send(true);
                });
            }
            r.go(() -> {
                done.recv();
                done.recv();
                done.recv();
                done.recv();
                cmux.close();
            });
            Set<Integer> seen = new HashSet<>();
            for (int v : cmux) {
                assertTrue(seen.add(v), "got duplicate value: " + v);
            }
            assertEquals(iterations, seen.size());
        });
    }

    // ---- test/chan/fifo.go -----------------------------------------------------------------

    // test/chan/fifo.go: a buffered channel is FIFO; unbuffered sends taken by a daisy chain of
    // receivers arrive in order.
    @Test
    void fifo() {
        inGo(2, r -> {
            int n = 10;
            // AsynchFifo
            Chan<Integer> ch = Chan.make(n);
            for (int i = 0; i < n; i++) {
                ch.send(i);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i, ch.recv(), "bad receive");
            }
            // SynchFifo
            Chan<Integer> sch = Chan.make();
            Chan<Integer> in = Chan.make();
            Chan<Integer> start = in;
            for (int i = 0; i < n; i++) {
                Chan<Integer> out = Chan.make();
                int val = i;
                Chan<Integer> cin = in;
                r.go(() -> { // Chain
                    cin.recv();
                    assertEquals(val, sch.recv());
                    out.send(1);
                });
                in = out;
            }
            start.send(0);
            for (int i = 0; i < n; i++) {
                sch.send(i);
            }
            in.recv();
        });
    }

    // ---- test/chan/goroutines.go -----------------------------------------------------------

    // test/chan/goroutines.go: 10,000 goroutines chained by unbuffered channels pass one value.
    @Test
    void goroutines() {
        inGo(2, r -> {
            int n = 10_000;
            Chan<Integer> leftmost = Chan.make();
            Chan<Integer> right = leftmost, left = leftmost;
            for (int i = 0; i < n; i++) {
                right = Chan.make();
                Chan<Integer> l = left, rr = right;
                r.go(() -> l.send(rr.recv()));
                left = right;
            }
            Chan<Integer> last = right;
            r.go(() -> last.send(1));
            assertEquals(1, leftmost.recv());
        });
    }

    // ---- test/chan/nonblock.go -------------------------------------------------------------

    // test/chan/nonblock.go: a select with default neither blocks nor fires early; polling with
    // default eventually meets a blocked partner (unbuffered) or the buffer (cap 1). Go's four
    // element types are one reference type here; the int/long/boolean/String rounds are kept.
    @Test
    void nonblock() {
        inGo(2, r -> {
            Ticker ticker = Time.newTicker(Duration.ofNanos(10_000)); // 10 us
            try {
                Runnable sleep = () -> {
                    ticker.c().recv();
                    ticker.c().recv();
                    Go.gosched();
                    Go.gosched();
                    Go.gosched();
                };
                int maxTries = 10_000;
                Chan<Boolean> sync = Chan.make();
                Object[][] rounds = {{123, 234}, {123456L, 234567L}, {true, false}, {"hello", "hello again"}};
                for (int buffer = 0; buffer < 2; buffer++) {
                    for (Object[] round : rounds) {
                        Object toRecv = round[0], toSend = round[1];
                        Chan<Object> c = Chan.make(buffer);
                        int dflt = Select.select(c.onRecv(v -> fail("blocked sender")), Select.onDefault(null));
                        assertEquals(1, dflt);

                        r.go(() -> { // receiver
                            assertEquals(toRecv, c.recv(), "value");
                            sync.send(true);
                        });
                        int tries = 0;
                        while (Select.select(c.onSend(toRecv, null), Select.onDefault(null)) != 0) {
                            assertTrue(++tries <= maxTries, "receiver buffer=" + buffer);
                            sleep.run();
                        }
                        sync.recv();

                        r.go(() -> { // sender
                            c.send(toSend);
                            sync.send(true);
                        });
                        if (buffer > 0) {
                            sync.recv();
                        }
                        Object[] got = new Object[1];
                        tries = 0;
                        while (Select.select(c.onRecv(v -> got[0] = v), Select.onDefault(null)) != 0) {
                            assertTrue(++tries <= maxTries, "sender buffer=" + buffer);
                            sleep.run();
                        }
                        assertEquals(toSend, got[0], "sender value");
                        if (buffer == 0) {
                            sync.recv();
                        }
                    }
                }
            } finally {
                ticker.stop();
            }
        });
    }

    // ---- test/chan/powser1.go, powser2.go --------------------------------------------------

    /** test/chan/powser1.go's rationals; {@code den == 0} is the end mark (finis). */
    record Rat(long num, long den) {
        boolean eq(Rat c) {
            return num == c.num && den == c.den;
        }
    }

    /**
     * test/chan/powser1.go: power series as demand-driven goroutine networks (McIlroy). Every
     * series is a pair of unbuffered channels, req and dat; split, getn and dosplit select over
     * several of them, with nil channels disabling cases. {@code dat} is a channel of Object: in
     * powser2 (channels of an interface) a value is a pointer, as every Java value is.
     */
    static final class Powser {
        final class Dch {
            final Chan<Integer> req = prog.make(0);
            final Chan<Object> dat = prog.make(0);
        }

        final Prog prog;
        final AtomicInteger seqno = new AtomicInteger();
        final Rat zero = itor(0), one = itor(1), finis = i2tor(1, 0);
        final Dch ones, twos;

        Powser(Prog prog) {
            this.prog = prog;
            ones = rep(one);
            twos = rep(itor(2));
        }

        Dch[] mkdch2() {
            return new Dch[] {new Dch(), new Dch()};
        }

        void dosplit(Dch in, Dch[] out, Chan<Integer> wait) {
            boolean[] both = {false};
            Select.select(
                    out[0].req.onRecv(null),
                    wait.onRecv(v -> {
                        both[0] = true;
                        Select.select(out[0].req.onRecv(null), out[1].req.onRecv(x -> {
                            Dch t = out[0];
                            out[0] = out[1];
                            out[1] = t;
                        }));
                    }));
            in.req.send(seqno.incrementAndGet());
            Chan<Integer> release = prog.make(0);
            prog.go(() -> dosplit(in, out, release));
            Object dat = in.dat.recv();
            out[0].dat.send(dat);
            if (!both[0]) {
                wait.recv();
            }
            out[1].req.recv();
            out[1].dat.send(dat);
            release.send(0);
        }

        void split(Dch in, Dch[] out) {
            Chan<Integer> release = prog.make(0);
            prog.go(() -> dosplit(in, out, release));
            release.send(0);
        }

        void put(Rat dat, Dch out) {
            out.req.recv();
            out.dat.send(dat);
        }

        Rat get(Dch in) {
            in.req.send(seqno.incrementAndGet());
            return (Rat) in.dat.recv();
        }

        Rat[] getn(Dch[] in) {
            @SuppressWarnings("unchecked")
            Chan<Integer>[] req = new Chan[] {in[0].req, in[1].req};
            @SuppressWarnings("unchecked")
            Chan<Object>[] dat = new Chan[] {Chan.nil(), Chan.nil()};
            Rat[] out = new Rat[2];
            for (int n = 4; n > 0; n--) {
                int s = seqno.incrementAndGet();
                Select.select(
                        req[0].onSend(s, () -> { dat[0] = in[0].dat; req[0] = Chan.nil(); }),
                        req[1].onSend(s, () -> { dat[1] = in[1].dat; req[1] = Chan.nil(); }),
                        dat[0].onRecv(it -> { out[0] = (Rat) it; dat[0] = Chan.nil(); }),
                        dat[1].onRecv(it -> { out[1] = (Rat) it; dat[1] = Chan.nil(); }));
            }
            return out;
        }

        void copy(Dch in, Dch out) {
            for (;;) {
                out.req.recv();
                out.dat.send(get(in));
            }
        }

        static long gcd(long u, long v) {
            if (u < 0) {
                return gcd(-u, v);
            }
            if (u == 0) {
                return v;
            }
            return gcd(v % u, u);
        }

        static Rat i2tor(long u, long v) {
            long g = gcd(u, v);
            return v > 0 ? new Rat(u / g, v / g) : new Rat(-u / g, -v / g);
        }

        static Rat itor(long u) {
            return i2tor(u, 1);
        }

        static long end(Rat u) {
            return u.den == 0 ? 1 : 0;
        }

        static Rat add(Rat u, Rat v) {
            long g = gcd(u.den, v.den);
            return i2tor(u.num * (v.den / g) + v.num * (u.den / g), u.den * (v.den / g));
        }

        static Rat mul(Rat u, Rat v) {
            long g1 = gcd(u.num, v.den), g2 = gcd(u.den, v.num);
            return new Rat((u.num / g1) * (v.num / g2), (u.den / g2) * (v.den / g1));
        }

        static Rat neg(Rat u) {
            return i2tor(-u.num, u.den);
        }

        Dch[] splitPS(Dch u) {
            Dch[] uu = mkdch2();
            prog.go(() -> split(u, uu));
            return uu;
        }

        Dch addPS(Dch u, Dch v) {
            Dch z = new Dch();
            prog.go(() -> {
                for (;;) {
                    z.req.recv();
                    Rat[] uv = getn(new Dch[] {u, v});
                    switch ((int) (end(uv[0]) + 2 * end(uv[1]))) {
                        case 0 -> z.dat.send(add(uv[0], uv[1]));
                        case 1 -> {
                            z.dat.send(uv[1]);
                            copy(v, z);
                        }
                        case 2 -> {
                            z.dat.send(uv[0]);
                            copy(u, z);
                        }
                        default -> z.dat.send(finis);
                    }
                }
            });
            return z;
        }

        Dch cmul(Rat c, Dch u) {
            Dch z = new Dch();
            prog.go(() -> {
                boolean done = false;
                while (!done) {
                    z.req.recv();
                    Rat x = get(u);
                    if (end(x) != 0) {
                        done = true;
                    } else {
                        z.dat.send(mul(c, x));
                    }
                }
                z.dat.send(finis);
            });
            return z;
        }

        Dch subPS(Dch u, Dch v) {
            return addPS(u, cmul(neg(one), v));
        }

        Dch rep(Rat c) {
            Dch z = new Dch();
            prog.go(() -> {
                for (;;) {
                    put(c, z);
                }
            });
            return z;
        }

        Dch mulPS(Dch u, Dch v) {
            Dch z = new Dch();
            prog.go(() -> {
                z.req.recv();
                Rat[] uv = getn(new Dch[] {u, v});
                if (end(uv[0]) != 0 || end(uv[1]) != 0) {
                    z.dat.send(finis);
                } else {
                    z.dat.send(mul(uv[0], uv[1]));
                    Dch[] uu = splitPS(u), vv = splitPS(v);
                    Dch w = addPS(cmul(uv[0], vv[0]), cmul(uv[1], uu[0]));
                    z.req.recv();
                    z.dat.send(get(w));
                    copy(addPS(w, mulPS(uu[1], vv[1])), z);
                }
            });
            return z;
        }

        Dch diff(Dch u) {
            Dch z = new Dch();
            prog.go(() -> {
                z.req.recv();
                Rat x = get(u);
                if (end(x) == 0) {
                    boolean done = false;
                    for (int i = 1; !done; i++) {
                        x = get(u);
                        if (end(x) != 0) {
                            done = true;
                        } else {
                            z.dat.send(mul(itor(i), x));
                            z.req.recv();
                        }
                    }
                }
                z.dat.send(finis);
            });
            return z;
        }

        Dch integ(Rat c, Dch u) {
            Dch z = new Dch();
            prog.go(() -> {
                put(c, z);
                boolean done = false;
                for (int i = 1; !done; i++) {
                    z.req.recv();
                    Rat x = get(u);
                    if (end(x) != 0) {
                        done = true;
                    }
                    z.dat.send(mul(i2tor(1, i), x));
                }
                z.dat.send(finis);
            });
            return z;
        }

        Dch exp(Dch u) {
            Dch[] zz = mkdch2();
            split(integ(one, mulPS(zz[0], diff(u))), zz);
            return zz[1];
        }

        Dch monSubst(Dch u, Rat c0, int n) {
            Dch z = new Dch();
            prog.go(() -> {
                Rat c = one;
                for (;;) {
                    z.req.recv();
                    Rat x = get(u);
                    z.dat.send(mul(x, c));
                    c = mul(c, c0);
                    if (end(x) != 0) {
                        z.dat.send(finis);
                        break;
                    }
                    for (int i = 1; i < n; i++) {
                        z.req.recv();
                        z.dat.send(zero);
                    }
                }
            });
            return z;
        }

        void check(Dch u, Rat c, int count, String str) {
            for (int i = 0; i < count; i++) {
                Rat x = get(u);
                assertTrue(x.eq(c), str + ": got " + x + " should get " + c);
            }
        }

        void checka(Dch u, Rat[] a, String str) {
            for (Rat x : a) {
                check(u, x, 1, str);
            }
        }

        /** powser1.go: main's test branch. */
        void main() {
            int n = 10;
            check(ones, one, 5, "Ones");
            check(addPS(ones, ones), itor(2), 0, "Add Ones Ones");
            check(addPS(ones, twos), itor(3), 0, "Add Ones Twos");
            Rat[] a = new Rat[n];
            Dch d = diff(ones);
            for (int i = 0; i < n; i++) {
                a[i] = itor(i + 1);
            }
            checka(d, a, "Diff");
            Dch in = integ(zero, ones);
            a[0] = zero;
            for (int i = 1; i < n; i++) {
                a[i] = i2tor(1, i);
            }
            checka(in, a, "Integ");
            check(cmul(neg(one), twos), itor(-2), 10, "CMul");
            check(subPS(ones, twos), itor(-1), 0, "Sub Ones Twos");
            Dch m = mulPS(ones, ones);
            for (int i = 0; i < n; i++) {
                a[i] = itor(i + 1);
            }
            checka(m, a, "Mul");
            Dch e = exp(ones);
            a[0] = itor(1);
            a[1] = itor(1);
            a[2] = i2tor(3, 2);
            a[3] = i2tor(13, 6);
            a[4] = i2tor(73, 24);
            a[5] = i2tor(167, 40);
            a[6] = i2tor(4051, 720);
            a[7] = i2tor(37633, 5040);
            a[8] = i2tor(43817, 4480);
            a[9] = i2tor(4596553, 362880);
            checka(e, a, "Exp");
            Dch at = integ(zero, monSubst(ones, neg(one), 2));
            for (int c = 1, i = 0; i < n; i++) {
                if (i % 2 == 0) {
                    a[i] = zero;
                } else {
                    a[i] = i2tor(c, i);
                    c *= -1;
                }
            }
            checka(at, a, "ATan");
        }
    }

    // test/chan/powser1.go: McIlroy's power series on demand-driven channel networks (hundreds of
    // goroutines, selects with nil-disabled cases); Go's checks of Ones .. ATan, at GOMAXPROCS 2.
    @Test
    void powser1() {
        inGo(2, r -> {
            Prog p = new Prog(r);
            try {
                new Powser(p).main();
            } finally {
                p.shutdown();
            }
        });
    }

    // test/chan/powser2.go: powser1 over channels of an interface (the same in Java, where every
    // value is a reference), at GOMAXPROCS 1 so that the network runs on one P.
    @Test
    void powser2() {
        inGo(1, r -> {
            Prog p = new Prog(r);
            try {
                new Powser(p).main();
            } finally {
                p.shutdown();
            }
        });
    }

    // ---- test/chan/select.go .. select8.go -------------------------------------------------

    // test/chan/select.go: send cases evaluate their values at entry; a case on a full buffer is
    // not chosen; a nil channel's case never is; default only when nothing is ready.
    @Test
    void select() {
        inGo(1, r -> {
            int[] counter = {0};
            int[] shift = {0};
            IntSupplierSend sendFn = (a, b) -> {
                int i = 0;
                @SuppressWarnings("unchecked")
                Chan<Integer>[] ab = new Chan[] {a, b};
                for (;;) {
                    counter[0]++;
                    int va = 1 << shift[0];
                    counter[0]++;
                    int vb = 1 << shift[0];
                    int k = Select.select(ab[0].onSend(va, null), ab[1].onSend(vb, null), Select.onDefault(null));
                    if (k == 2) {
                        break;
                    }
                    i++;
                    ab[k] = Chan.nil();
                    shift[0]++;
                }
                return i;
            };
            Chan<Integer> a = Chan.make(1), b = Chan.make(1);
            assertEquals(2, sendFn.send(a, b), "Send returned");
            int av = a.recv(), bv = b.recv();
            assertEquals(3, av | bv, "bad values " + av + " " + bv);
            assertEquals(1, sendFn.send(a, Chan.nil()), "Send returned");
            assertEquals(10, counter[0], "counter");
        });
    }

    @FunctionalInterface
    interface IntSupplierSend {
        int send(Chan<Integer> a, Chan<Integer> b);
    }

    // test/chan/select2.go: 100,000 selects that block on c beside an idle dummy channel leave
    // nothing behind: no sudog stays on dummy, and the retained heap barely grows (Go: under
    // 110 kB after 100,000 selects; here 4 MB, a JVM heap reading being less exact).
    @Test
    void select2() {
        inGo(2, r -> {
            int n = scaled(100_000);
            Chan<Integer> c = Chan.make(), dummy = Chan.make();
            IntConsumer round = k -> {
                r.go(() -> {
                    for (int i = 0; i < k; i++) {
                        c.send(1);
                    }
                });
                for (int i = 0; i < k; i++) {
                    Select.select(c.onRecv(null), dummy.onRecv(v -> fail("dummy")));
                }
            };
            round.accept(n); // warm up
            eventually("warm-up sender done", () -> waitingSenders(c) == 0);
            long alloc = retainedHeap();
            round.accept(n);
            assertEquals(0, waitingReceivers(dummy), "sudogs left on dummy");
            assertEquals(0, waitingSenders(c));
            long grown = retainedHeap() - alloc;
            assertTrue(grown < 4 << 20, "too much memory for " + n + " selects: " + grown);
        });
    }

    private static long retainedHeap() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** select3.go: testPanic(always, f) with Go's message. */
    private static void assertPanics(String message, Runnable f) {
        GoPanic p = assertThrows(GoPanic.class, f::run);
        assertEquals(message, p.getMessage());
    }

    /** select3.go: testBlock(never, f): f returns within Go's 10 s. */
    private static void assertNeverBlocks(ChanExport.Run r, Runnable f) {
        Chan<String> c = Chan.make(1);
        r.go(() -> {
            f.run();
            c.send("never");
        });
        int k = Select.select(c.onRecv(null), Time.after(Duration.ofSeconds(10)).onRecv(null));
        assertEquals(0, k, "function blocked");
    }

    /**
     * select3.go: testBlock(always, f) for an f that blocks on a channel this test can later
     * serve: f has not returned after BLOCK_PROBE and is queued; then unblock releases it.
     */
    private static void assertBlocks(ChanExport.Run r, Runnable f, java.util.function.BooleanSupplier queued, Runnable unblock) {
        AtomicBoolean returned = new AtomicBoolean();
        Chan<Boolean> done = Chan.make(1);
        r.go(() -> {
            f.run();
            returned.set(true);
            done.send(true);
        });
        eventually("f queued", queued);
        Time.sleep(BLOCK_PROBE);
        assertFalse(returned.get(), "function did not block");
        unblock.run();
        done.recv();
    }

    /** select3.go: testBlock(always, f) for an f that blocks for good (nil channels, select {}): on a daemon platform thread, which cannot leak a goroutine. */
    private static void assertBlocksForever(Runnable f) throws InterruptedException {
        Thread t = Thread.ofPlatform().daemon().start(f);
        eventually("parked", () -> t.getState() == Thread.State.WAITING && LockSupport.getBlocker(t) != null);
        t.join(BLOCK_PROBE.toMillis());
        assertTrue(t.isAlive(), "function did not block");
    }

    // test/chan/select3.go: which operations and selects block, never block, or panic: nil
    // channels block and their select cases are never chosen; a closed channel never blocks a
    // receive and panics a send; select {} and selects over nil channels block; a select that
    // sends and receives on one channel does not meet itself.
    @Test
    void select3() {
        inGo(2, r -> {
            Chan<Integer> nilch = Chan.nil();
            Chan<Integer> closedch = Chan.make();
            closedch.close();

            assertBlocksForever(() -> nilch.send(7));
            assertBlocksForever(nilch::recv);
            assertEquals(1, Select.select(nilch.onSend(7, () -> fail("unreachable")), Select.onDefault(null)));
            assertEquals(1, Select.select(nilch.onRecv(v -> fail("unreachable")), Select.onDefault(null)));

            // sending to an async channel with free buffer space never blocks
            assertNeverBlocks(r, () -> Chan.<Integer>make(1).send(7));
            // receiving from a closed channel never blocks
            assertNeverBlocks(r, () -> {
                for (int i = 0; i < 10; i++) {
                    assertNull(closedch.recv(), "expected zero value when reading from closed channel");
                    Chan.Recv<Integer> x = closedch.recvOk();
                    assertEquals(new Chan.Recv<Integer>(null, false), x, "expected 0, false from closed channel");
                }
            });
            // sending to a closed channel panics
            assertPanics("send on closed channel", () -> closedch.send(7));
            // receiving from a non-ready channel always blocks
            Chan<Integer> ch1 = Chan.make();
            assertBlocks(r, ch1::recv, () -> waitingReceivers(ch1) == 1, () -> ch1.send(0));
            // empty selects always block
            assertBlocksForever(() -> Select.select());
            // selects with only nil channels always block
            assertBlocksForever(() -> Select.select(nilch.onRecv(v -> fail("unreachable"))));
            assertBlocksForever(() -> Select.select(nilch.onSend(7, () -> fail("unreachable"))));
            assertBlocksForever(() -> Select.select(nilch.onRecv(v -> fail("unreachable")), nilch.onSend(7, () -> fail("unreachable"))));
            // selects with non-ready non-nil channels always block
            Chan<Integer> ch2 = Chan.make();
            assertBlocks(r, () -> Select.select(ch2.onRecv(null)), () -> waitingReceivers(ch2) == 1, () -> ch2.send(0));
            // selects with default cases don't block
            assertNeverBlocks(r, () -> assertEquals(0, Select.select(Select.onDefault(null))));
            assertNeverBlocks(r, () -> assertEquals(1, Select.select(nilch.onRecv(v -> fail("unreachable")), Select.onDefault(null))));
            assertNeverBlocks(r, () -> assertEquals(1, Select.select(nilch.onSend(7, () -> fail("unreachable")), Select.onDefault(null))));
            // selects with ready channels don't block
            assertNeverBlocks(r, () -> {
                Chan<Integer> ch = Chan.make(1);
                assertEquals(0, Select.select(ch.onSend(7, null), Select.onDefault(() -> fail("unreachable"))));
            });
            assertNeverBlocks(r, () -> {
                Chan<Integer> ch = Chan.make(1);
                ch.send(7);
                assertEquals(0, Select.select(ch.onRecv(v -> assertEquals(7, v)), Select.onDefault(() -> fail("unreachable"))));
            });
            // selects with closed channels behave like ordinary operations
            assertNeverBlocks(r, () -> Select.select(closedch.onRecv(null)));
            assertNeverBlocks(r, () -> Select.select(closedch.onRecv(x -> assertNull(x))));
            assertNeverBlocks(r, () -> Select.select(closedch.onRecvOk((x, ok) -> {
                assertNull(x);
                assertFalse(ok);
            })));
            assertPanics("send on closed channel", () -> Select.select(closedch.onSend(7, null)));
            // select should not get confused if it sees itself
            Chan<Integer> c = Chan.make();
            assertBlocks(r, () -> Select.select(c.onSend(1, null), c.onRecv(null)),
                    () -> waitingReceivers(c) == 1 && waitingSenders(c) == 1, () -> c.send(2));
        });
    }

    // test/chan/select4.go: only the ready case's assignment runs (Go: the other case's
    // left-hand side is never evaluated).
    @Test
    void select4() {
        inGo(1, r -> {
            int[] x = {0};
            Chan<Integer> c = Chan.make(1), c1 = Chan.make();
            c.send(42);
            Select.select(c1.onRecv(v -> fail("BUG: called f")), c.onRecv(v -> x[0] = v));
            assertEquals(42, x[0]);
        });
    }

    // test/chan/select5.go: the generated program, run directly: every combination of its
    // templates (recv, send, recvOrder, sendOrder, nonblock) of a single real operation on c
    // (cap 1) beside optional defaults, dummy-channel cases and nil-channel cases, each in the
    // template's position, both plain and as a select. Order checks: a case's channel and value
    // are evaluated once, left to right, when the select is built.
    @Test
    void select5() {
        inGo(1, r -> {
            Select5 s = new Select5();
            s.runAll();
            assertTrue(s.cases > 100, "cases run: " + s.cases);
        });
    }

    /** select5.go's choose/maybe enumerator and its five templates, executed instead of printed. */
    static final class Select5 {
        final Chan<Integer> c = Chan.make(1), dummy = Chan.make(), nilch = Chan.nil();
        int n = 1;
        int cases;
        int order;
        private final List<int[]> choices = new ArrayList<>(); // {i, n}
        private int cp = -1;
        private boolean def;

        boolean maybe() {
            return choose(2) == 0;
        }

        boolean maybeDefault() {
            if (def) {
                return false;
            }
            def = maybe();
            return def;
        }

        boolean mustDefault() {
            return !def;
        }

        int choose(int k) {
            if (cp >= choices.size()) {
                choices.add(new int[] {0, k});
                cp = choices.size();
                return 0;
            }
            int[] ch = choices.get(cp);
            assertEquals(k, ch[1], "inconsistent choices");
            cp++;
            return ch[0];
        }

        boolean next() {
            if (cp < 0) {
                cp = 0;
                return true;
            }
            cp = choices.size() - 1;
            while (cp >= 0 && choices.get(cp)[0] == choices.get(cp)[1] - 1) {
                cp--;
            }
            if (cp < 0) {
                choices.clear();
                return false;
            }
            choices.get(cp)[0]++;
            while (choices.size() > cp + 1) {
                choices.remove(choices.size() - 1);
            }
            cp = 0;
            return true;
        }

        void checkorder(int o) {
            assertTrue(o > order, "invalid order " + o + " after " + order);
            order = o;
        }

        <T> Chan<T> fc(Chan<T> ch, int o) {
            checkorder(o);
            return ch;
        }

        int fn(int v, int o) {
            checkorder(o);
            return v;
        }

        void die(int x) {
            fail("have " + x + " want " + n);
        }

        interface Template {
            void run();
        }

        void each(Template t) {
            for (; next(); def = false) {
                t.run();
                cases++;
            }
        }

        void runAll() {
            each(this::recv);
            each(this::send);
            each(this::recvOrder);
            each(this::sendOrder);
            each(this::nonblock);
        }

        Select.Case dflt(String what) {
            return Select.onDefault(() -> fail(what));
        }

        void recv() {
            int[] x = {0};
            c.send(n);
            if (maybe()) {
                x[0] = c.recv();
            } else {
                List<Select.Case> cs = new ArrayList<>();
                if (maybeDefault()) {
                    cs.add(dflt("nonblock"));
                }
                // direct, indirect, :=, interface, map: one form in Java, the choices kept for the count
                boolean unused = maybe() || maybe() || maybe() || maybe();
                cs.add(c.onRecv(v -> x[0] = v));
                if (maybeDefault()) {
                    cs.add(dflt("nonblock"));
                }
                addDummiesAndNils(cs);
                Select.select(cs.toArray(Select.Case[]::new));
            }
            if (x[0] != n) {
                die(x[0]);
            }
            n++;
        }

        /** The dummy send/receive and nil send/receive cases of the recv and send templates. */
        private void addDummiesAndNils(List<Select.Case> cs) {
            if (maybe()) {
                cs.add(dummy.onSend(1, () -> fail("dummy send")));
            }
            if (maybe()) {
                cs.add(dummy.onRecv(v -> fail("dummy receive")));
            }
            if (maybe()) {
                cs.add(nilch.onSend(1, () -> fail("nilch send")));
            }
            if (maybe()) {
                cs.add(nilch.onRecv(v -> fail("nilch recv")));
            }
        }

        void recvOrder() {
            int[] x = {0};
            order = 0;
            c.send(n);
            if (maybe()) {
                checkorder(1); // *fp(&x, 1) = <-fc(c, 2): left to right outside a select
                x[0] = fc(c, 2).recv();
            } else if (maybe()) {
                fn(13, 1); // m[fn(13, 1)] = <-fc(c, 2)
                x[0] = fc(c, 2).recv();
            } else {
                List<Select.Case> cs = new ArrayList<>();
                if (maybeDefault()) {
                    cs.add(dflt("nonblock"));
                }
                int how = maybe() ? 0 : maybe() ? 1 : maybe() ? 2 : 3;
                int[] assigned = {0};
                cs.add(fc(c, 1).onRecv(v -> {
                    // the case's left-hand side is evaluated only once the case is chosen
                    if (how == 0 || how == 3) {
                        checkorder(100);
                    }
                    x[0] = v;
                    assigned[0]++;
                }));
                if (maybeDefault()) {
                    cs.add(dflt("nonblock"));
                }
                if (maybe()) {
                    Chan<Integer> d = fc(dummy, 2);
                    cs.add(d.onSend(fn(1, 3), () -> fail("dummy send")));
                }
                if (maybe()) {
                    cs.add(fc(dummy, 4).onRecv(v -> fail("dummy receive")));
                }
                if (maybe()) {
                    Chan<Integer> d = fc(nilch, 5);
                    cs.add(d.onSend(fn(1, 6), () -> fail("nilch send")));
                }
                if (maybe()) {
                    cs.add(fc(nilch, 7).onRecv(v -> fail("nilch recv")));
                }
                Select.select(cs.toArray(Select.Case[]::new));
                assertEquals(1, assigned[0]);
            }
            if (x[0] != n) {
                die(x[0]);
            }
            n++;
        }

        void send() {
            if (maybe()) {
                c.send(n);
            } else {
                List<Select.Case> cs = new ArrayList<>();
                if (maybeDefault()) {
                    cs.add(dflt("nonblock"));
                }
                cs.add(c.onSend(n, null));
                if (maybeDefault()) {
                    cs.add(dflt("nonblock"));
                }
                addDummiesAndNils(cs);
                Select.select(cs.toArray(Select.Case[]::new));
            }
            int x = c.recv();
            if (x != n) {
                die(x);
            }
            n++;
        }

        void sendOrder() {
            order = 0;
            if (maybe()) {
                Chan<Integer> ch = fc(c, 1);
                ch.send(fn(n, 2));
            } else {
                List<Select.Case> cs = new ArrayList<>();
                if (maybeDefault()) {
                    cs.add(dflt("nonblock"));
                }
                Chan<Integer> ch = fc(c, 1);
                cs.add(ch.onSend(fn(n, 2), null));
                if (maybeDefault()) {
                    cs.add(dflt("nonblock"));
                }
                if (maybe()) {
                    Chan<Integer> d = fc(dummy, 3);
                    cs.add(d.onSend(fn(1, 4), () -> fail("dummy send")));
                }
                if (maybe()) {
                    cs.add(fc(dummy, 5).onRecv(v -> fail("dummy receive")));
                }
                if (maybe()) {
                    Chan<Integer> d = fc(nilch, 6);
                    cs.add(d.onSend(fn(1, 7), () -> fail("nilch send")));
                }
                if (maybe()) {
                    cs.add(fc(nilch, 8).onRecv(v -> fail("nilch recv")));
                }
                Select.select(cs.toArray(Select.Case[]::new));
            }
            int x = c.recv();
            if (x != n) {
                die(x);
            }
            n++;
        }

        void nonblock() {
            int[] x = {n};
            List<Select.Case> cs = new ArrayList<>();
            if (maybeDefault()) {
                cs.add(Select.onDefault(null));
            }
            if (maybe()) {
                cs.add(dummy.onSend(1, () -> fail("dummy <- 1")));
            }
            if (maybe()) {
                cs.add(nilch.onSend(1, () -> fail("nilch <- 1")));
            }
            if (maybe()) {
                cs.add(dummy.onRecv(v -> fail("<-dummy")));
            }
            if (maybe()) {
                cs.add(dummy.onRecv(v -> { x[0] = v; fail("<-dummy x"); }));
            }
            if (maybe()) {
                cs.add(dummy.onRecv(v -> fail("<-dummy (and didn't crash saving result!)")));
            }
            if (maybe()) {
                cs.add(nilch.onRecv(v -> fail("<-nilch")));
            }
            if (maybe()) {
                cs.add(nilch.onRecv(v -> { x[0] = v; fail("<-nilch x"); }));
            }
            if (maybe()) {
                cs.add(nilch.onRecv(v -> fail("<-nilch (and didn't crash saving result!)")));
            }
            if (mustDefault()) {
                cs.add(Select.onDefault(null));
            }
            Select.Case[] arr = cs.toArray(Select.Case[]::new);
            int k = Select.select(arr);
            assertEquals("default", arr[k].toString());
            if (x[0] != n) {
                die(x[0]);
            }
            n++;
        }
    }

    // test/chan/select6.go: a select woken by c2 leaves no stale sudog on c1, so the two later
    // sends on c1 meet the plain receiver and the select's goroutine's own receive (Go issue 2075).
    @Test
    void select6() {
        inGo(2, r -> {
            Chan<Boolean> c1 = Chan.make(), c2 = Chan.make(), c3 = Chan.make();
            r.go(c1::recv);
            r.go(() -> {
                Select.select(c1.onRecv(v -> { throw new GoPanic("dummy"); }), c2.onRecv(v -> c3.send(true)));
                c1.recv();
            });
            r.go(() -> c2.send(true));
            c3.recv();
            c1.send(true);
            c1.send(true);
        });
    }

    // test/chan/select7.go: each of plain receive, one-case select and two-case select meets each
    // of plain send, one-case select and two-case select on an unbuffered channel.
    @Test
    void select7() {
        inGo(2, r -> {
            List<java.util.function.Consumer<Chan<Integer>>> recvs = List.of(
                    Chan::recv,
                    c -> Select.select(c.onRecv(null)),
                    c -> {
                        Chan<Integer> c2 = Chan.make();
                        Select.select(c.onRecv(null), c2.onRecv(null));
                    });
            List<java.util.function.Consumer<Chan<Integer>>> sends = List.of(
                    c -> c.send(1),
                    c -> Select.select(c.onSend(1, null)),
                    c -> {
                        Chan<Integer> c2 = Chan.make();
                        Select.select(c.onSend(1, null), c2.onSend(1, null));
                    });
            for (var recv : recvs) {
                for (var send : sends) {
                    Chan<Integer> c = Chan.make();
                    Chan<Boolean> done = Chan.make(1);
                    r.go(() -> {
                        recv.accept(c);
                        done.send(true);
                    });
                    Go.gosched();
                    send.accept(c);
                    done.recv();
                }
            }
        });
    }

    // test/chan/select8.go: break out of select cases, with and without default, beside a
    // goroutine that sends on ch forever (ended here by closing ch: its send then panics).
    @Test
    void select8() {
        inGo(2, r -> {
            Prog p = new Prog(r);
            Chan<Integer> ch = p.make(0);
            p.go(() -> {
                for (;;) {
                    ch.send(5);
                }
            });
            try {
                assertEquals(0, Select.select(ch.onRecv(v -> assertEquals(5, v))));
                assertEquals(0, Select.select(Select.onDefault(null)));
                Select.select(ch.onRecv(v -> assertEquals(5, v)), Select.onDefault(null));
                int k = Select.select(ch.onRecv(v -> assertEquals(5, v)), ch.onSend(10, () -> fail("unreachable")), Select.onDefault(null));
                assertNotEquals(1, k);
            } finally {
                p.shutdown();
            }
        });
    }

    // ---- test/chan/sendstmt.go, sieve1.go, sieve2.go, zerosize.go -------------------------

    // test/chan/sendstmt.go: a send to a channel received from a channel of channels, in a
    // select with default; a send of an expression's value.
    @Test
    void sendstmt() {
        inGo(1, r -> {
            // chanchan
            Chan<Chan<Integer>> cc = Chan.make(1);
            Chan<Integer> c = Chan.make(1);
            cc.send(c);
            assertEquals(0, Select.select(cc.recv().onSend(2, null), Select.onDefault(() -> fail("nonblock"))));
            assertEquals(2, c.recv(), "bad receive");
            // sendprec
            Chan<Boolean> b = Chan.make(1);
            b.send(false || true);
            assertTrue(b.recv(), "sent false");
        });
    }

    // test/chan/sieve1.go: the concurrent prime sieve (a daisy chain of filter goroutines over
    // unbuffered channels) yields the 25 primes below 100.
    @Test
    void sieve1() {
        inGo(2, r -> {
            Prog p = new Prog(r);
            try {
                Chan<Integer> primes = p.make(0);
                p.go(() -> { // Sieve
                    Chan<Integer> ch = p.make(0);
                    Chan<Integer> gen = ch;
                    p.go(() -> { // Generate
                        for (int i = 2; ; i++) {
                            gen.send(i);
                        }
                    });
                    for (;;) {
                        int prime = ch.recv();
                        primes.send(prime);
                        Chan<Integer> ch1 = p.make(0);
                        Chan<Integer> in = ch;
                        p.go(() -> { // Filter
                            for (int i : in) {
                                if (i % prime != 0) {
                                    ch1.send(i);
                                }
                            }
                        });
                        ch = ch1;
                    }
                });
                for (int a : PRIMES) {
                    assertEquals(a, primes.recv());
                }
            } finally {
                p.shutdown();
            }
        });
    }

    private static final int[] PRIMES = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};

    // test/chan/sieve2.go: the prime sieve with a heap of buffered multiple-channels, a feedback
    // loop and a sending proxy that selects between its input and an output disabled (nil) while
    // its buffer is empty. Go's container/ring buffer is an ArrayDeque (an unbounded FIFO too).
    @Test
    void sieve2() {
        inGo(2, r -> {
            Prog p = new Prog(r);
            try {
                Chan<Integer> primesOut = sieve2(p);
                for (int a : PRIMES) {
                    assertEquals(a, primesOut.recv());
                }
            } finally {
                p.shutdown();
            }
        });
    }

    record PeekCh(int head, Chan<Integer> ch) {}

    private static Chan<Integer> sieve2(Prog p) {
        java.util.function.IntFunction<Chan<Integer>> multiples = q -> {
            Chan<Integer> out = p.make(10);
            p.go(() -> {
                for (int n = q * q; ; n += 2 * q) {
                    out.send(n);
                }
            });
            return out;
        };
        java.util.function.Supplier<Chan<Integer>> odds = () -> {
            Chan<Integer> out = p.make(50);
            p.go(() -> {
                for (int n = 5; ; n += 2) {
                    out.send(n);
                }
            });
            return out;
        };
        java.util.function.Function<Chan<Integer>, Chan<Integer>> sendproxy = out -> {
            Chan<Integer> proxy = p.make(10);
            p.go(() -> {
                ArrayDeque<Integer> buf = new ArrayDeque<>();
                for (;;) {
                    Chan<Integer> c = buf.isEmpty() ? Chan.nil() : out; // buffer empty: disable output
                    Integer e = buf.peekFirst();
                    Select.select(proxy.onRecv(buf::addLast), c.onSend(e, buf::removeFirst));
                }
            });
            return proxy;
        };
        Chan<Integer> out = p.make(10);
        out.send(2);
        out.send(3);
        Chan<Integer> composites = p.make(50);
        Chan<Integer> primes = p.make(10);
        primes.send(3);
        p.go(() -> {
            PriorityQueue<PeekCh> h = new PriorityQueue<>((x, y) -> Integer.compare(x.head(), y.head()));
            int min = 15;
            for (;;) {
                Chan<Integer> m = multiples.apply(primes.recv());
                int head = m.recv();
                while (min < head) {
                    composites.send(min);
                    PeekCh minchan = h.poll();
                    min = minchan.head();
                    h.add(new PeekCh(minchan.ch().recv(), minchan.ch()));
                }
                while (min == head) {
                    PeekCh minchan = h.poll();
                    min = minchan.head();
                    h.add(new PeekCh(minchan.ch().recv(), minchan.ch()));
                }
                composites.send(head);
                h.add(new PeekCh(m.recv(), m));
            }
        });
        p.go(() -> {
            Chan<Integer> primesIn = sendproxy.apply(primes);
            Chan<Integer> candidates = odds.get();
            int q = candidates.recv();
            for (;;) {
                int c = composites.recv();
                while (q < c) {
                    primesIn.send(q);
                    out.send(q);
                    q = candidates.recv();
                }
                if (q == c) {
                    q = candidates.recv();
                }
            }
        });
        return out;
    }

    // test/chan/zerosize.go: channels of a zero-size element (Go's struct{} and [0]byte; here
    // Chan<Void>, whose only value is null), unbuffered and with cap 1, work.
    @Test
    void zerosize() {
        inGo(1, r -> {
            Chan<Void> a = Chan.make(), b = Chan.make(1);
            Chan<Object> c = Chan.make(), d = Chan.make(1);
            assertEquals(0, a.cap());
            assertEquals(1, b.cap());
            assertEquals(0, c.cap());
            assertEquals(1, d.cap());
            b.send(null);
            assertEquals(1, b.len());
            assertEquals(new Chan.Recv<Void>(null, true), b.recvOk());
            r.go(() -> a.send(null));
            assertEquals(new Chan.Recv<Void>(null, true), a.recvOk());
            a.close();
            assertEquals(new Chan.Recv<Void>(null, false), a.recvOk());
        });
    }

    // ---- test/chancap.go, closedchan.go, chanlinear.go, makechan.go ------------------------

    // test/chancap.go: len and cap of buffered and unbuffered channels; make with a negative or
    // too large size panics "makechan: size out of range" (Go's 1<<59 and MaxInt64: beyond Java's
    // int, so Integer.MAX_VALUE here, also beyond the largest array).
    @Test
    void chancap() {
        inGo(1, r -> {
            Chan<Integer> c = Chan.make(10);
            assertEquals(0, c.len());
            assertEquals(10, c.cap());
            for (int i = 0; i < 3; i++) {
                c.send(i);
            }
            assertEquals(3, c.len());
            assertEquals(10, c.cap());
            c = Chan.make();
            assertEquals(0, c.len());
            assertEquals(0, c.cap());
            int n = -1;
            assertPanics("makechan: size out of range", () -> Chan.make(n));
            assertPanics("makechan: size out of range", () -> Chan.make(Integer.MIN_VALUE));
            assertPanics("makechan: size out of range", () -> Chan.make(Integer.MAX_VALUE));
        });
    }

    /** closedchan.go: the Chan interface, over plain operations (XChan), one-case selects (SChan) and two-case selects (SSChan). */
    interface CChan {
        void send(int x);

        boolean nbsend(int x);

        int recv();

        int[] nbrecv(); // {x, selected}

        int[] recv2(); // {x, ok}

        int[] nbrecv2(); // {x, ok, selected}

        void close();

        String impl();
    }

    private static int z(Integer v) {
        return v == null ? 0 : v;
    }

    private static int b(boolean v) {
        return v ? 1 : 0;
    }

    static CChan xchan(Chan<Integer> c) {
        return new CChan() {
            public void send(int x) { c.send(x); }
            public boolean nbsend(int x) { return Select.select(c.onSend(x, null), Select.onDefault(null)) == 0; }
            public int recv() { return z(c.recv()); }
            public int[] nbrecv() {
                int[] out = {0, 0};
                Select.select(c.onRecv(x -> { out[0] = z(x); out[1] = 1; }), Select.onDefault(null));
                return out;
            }
            public int[] recv2() { Chan.Recv<Integer> v = c.recvOk(); return new int[] {z(v.value()), b(v.ok())}; }
            public int[] nbrecv2() {
                int[] out = {0, 0, 0};
                Select.select(c.onRecvOk((x, ok) -> { out[0] = z(x); out[1] = b(ok); out[2] = 1; }), Select.onDefault(null));
                return out;
            }
            public void close() { c.close(); }
            public String impl() { return "(<- operator)"; }
        };
    }

    static CChan schan(Chan<Integer> c) {
        return new CChan() {
            public void send(int x) { Select.select(c.onSend(x, null)); }
            public boolean nbsend(int x) { return Select.select(Select.onDefault(null), c.onSend(x, null)) == 1; }
            public int recv() { int[] o = {-1}; Select.select(c.onRecv(x -> o[0] = z(x))); return o[0]; }
            public int[] nbrecv() {
                int[] out = {0, 0};
                Select.select(Select.onDefault(null), c.onRecv(x -> { out[0] = z(x); out[1] = 1; }));
                return out;
            }
            public int[] recv2() {
                int[] out = {-1, -1};
                Select.select(c.onRecvOk((x, ok) -> { out[0] = z(x); out[1] = b(ok); }));
                return out;
            }
            public int[] nbrecv2() {
                int[] out = {0, 0, 0};
                Select.select(Select.onDefault(null), c.onRecvOk((x, ok) -> { out[0] = z(x); out[1] = b(ok); out[2] = 1; }));
                return out;
            }
            public void close() { c.close(); }
            public String impl() { return "(select)"; }
        };
    }

    static CChan sschan(Chan<Integer> c, Chan<Boolean> dummy) {
        return new CChan() {
            public void send(int x) { Select.select(c.onSend(x, null), dummy.onRecv(v -> fail("dummy"))); }
            public boolean nbsend(int x) {
                return Select.select(Select.onDefault(null), dummy.onRecv(v -> fail("nbsend")), c.onSend(x, null)) == 2;
            }
            public int recv() {
                int[] o = {-1};
                Select.select(dummy.onRecv(v -> fail("recv")), c.onRecv(x -> o[0] = z(x)));
                return o[0];
            }
            public int[] nbrecv() {
                int[] out = {0, 0};
                Select.select(dummy.onRecv(v -> fail("nbrecv")), Select.onDefault(null), c.onRecv(x -> { out[0] = z(x); out[1] = 1; }));
                return out;
            }
            public int[] recv2() {
                int[] out = {-1, -1};
                Select.select(dummy.onRecv(v -> fail("recv")), c.onRecvOk((x, ok) -> { out[0] = z(x); out[1] = b(ok); }));
                return out;
            }
            public int[] nbrecv2() {
                int[] out = {0, 0, 0};
                Select.select(dummy.onRecv(v -> fail("nbrecv")), Select.onDefault(null),
                        c.onRecvOk((x, ok) -> { out[0] = z(x); out[1] = b(ok); out[2] = 1; }));
                return out;
            }
            public void close() { c.close(); }
            public String impl() { return "(select)"; }
        };
    }

    private static void closedTest1(CChan c) {
        String impl = c.impl();
        for (int i = 0; i < 3; i++) {
            assertEquals(0, c.recv(), "test1: recv on closed " + impl);
            assertArrayEquals(new int[] {0, 0}, c.recv2(), "test1: recv2 on closed " + impl);
            assertArrayEquals(new int[] {0, 1}, c.nbrecv(), "test1: recv on closed nb " + impl);
            assertArrayEquals(new int[] {0, 0, 1}, c.nbrecv2(), "test1: recv2 on closed nb " + impl);
        }
        assertPanics("send on closed channel", () -> c.nbsend(1));
        assertEquals(0, c.recv(), "test1: recv on closed got non-zero after send on closed " + impl);
        assertPanics("send on closed channel", () -> c.send(2));
        assertEquals(0, c.recv(), "test1: recv on closed got non-zero after send on closed " + impl);
    }

    // test/closedchan.go: a closed channel, unbuffered or buffered with a value left, through
    // plain operations, one-case selects and selects with a dummy case: the value first, then
    // zero/false forever, non-blocking forms selected, sends panic "send on closed channel"
    // and discard their value; close of a nil or a closed channel panics with Go's messages.
    @Test
    void closedchan() {
        inGo(2, r -> {
            Chan<Boolean> dummy = Chan.make();
            List<java.util.function.Function<Chan<Integer>, CChan>> mks = List.of(
                    GoTestChanPortTest::xchan, GoTestChanPortTest::schan, c -> sschan(c, dummy));
            java.util.function.Supplier<Chan<Integer>> closedsync = () -> {
                Chan<Integer> c = Chan.make();
                c.close();
                return c;
            };
            java.util.function.Supplier<Chan<Integer>> closedasync = () -> {
                Chan<Integer> c = Chan.make(2);
                c.send(1);
                c.close();
                return c;
            };
            for (var mk : mks) {
                closedTest1(mk.apply(closedsync.get()));
            }
            List<java.util.function.Consumer<CChan>> testcloseds = List.of(
                    c -> { assertEquals(1, c.recv(), "testasync1: Recv did not get 1 " + c.impl()); closedTest1(c); },
                    c -> { assertArrayEquals(new int[] {1, 1}, c.recv2(), "testasync2 " + c.impl()); closedTest1(c); },
                    c -> { assertArrayEquals(new int[] {1, 1}, c.nbrecv(), "testasync3 " + c.impl()); closedTest1(c); },
                    c -> { assertArrayEquals(new int[] {1, 1, 1}, c.nbrecv2(), "testasync4 " + c.impl()); closedTest1(c); });
            for (var testclosed : testcloseds) {
                for (var mk : mks) {
                    testclosed.accept(mk.apply(closedasync.get()));
                }
            }
            assertPanics("close of nil channel", () -> Chan.nil().close());
            Chan<Integer> ch = Chan.make();
            ch.close();
            assertPanics("close of closed channel", ch::close);
        });
    }

    // test/chanlinear.go: n goroutines each selecting over a shared channel and its own, woken
    // ten times each: the time is O(n) (2n takes under 3x of n; Go's retries: n doubles while a
    // run is under a second, then five tries), so leaving the shared channel's long wait queue
    // costs O(1).
    @Test
    void chanlinear() {
        inGo(2, r -> {
            java.util.function.IntConsumer f = n -> {
                int messages = 10;
                Chan<Boolean> c = Chan.make();
                List<Chan<Boolean>> a = new ArrayList<>();
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < n; i++) {
                    Chan<Boolean> d = Chan.make();
                    a.add(d);
                    wg.add(1);
                    r.go(() -> {
                        try {
                            for (int j = 0; j < messages; j++) {
                                Select.select(c.onRecv(null), d.onRecv(null));
                            }
                        } finally {
                            wg.done();
                        }
                    });
                }
                for (int i = 0; i < messages; i++) {
                    for (Chan<Boolean> d : a) {
                        d.send(true);
                    }
                }
                wg.await(); // Go returns without: its goroutines end on their own
            };
            java.util.function.IntFunction<Long> timeF = n -> {
                long t1 = System.nanoTime();
                f.accept(n);
                return System.nanoTime() - t1;
            };
            int n = 1000, fails = 0;
            for (;;) {
                Go.gc();
                long t1 = timeF.apply(n);
                Go.gc();
                long t2 = timeF.apply(2 * n);
                if (t2 < 3 * t1) {
                    return;
                }
                if (t1 < 1_000_000_000L) {
                    n *= 2;
                    continue;
                }
                if (++fails >= 5) {
                    fail("chanSelect: too slow: " + n + " channels: " + t1 + " ns; " + 2 * n + " channels: " + t2 + " ns");
                }
            }
        });
    }

    // test/makechan.go: Go rejects a negative or non-integer size at compile time; the one
    // runtime counterpart is that a negative size panics, and make(T, 1) works.
    @Test
    void makechan() {
        assertPanics("makechan: size out of range", () -> Chan.make(-1));
        assertEquals(1, Chan.make(1).cap());
    }

    // ---- runtime/chanbarrier_test.go, chan_test.go benchmarks as smoke tests ---------------

    /** chanbarrier_test.go: doRequest. A goroutine sends a fresh response (plainly, or in a select beside done). */
    private static Object doRequest(ChanExport.Run r, boolean useSelect) {
        record Async(Object resp, Throwable err) {}
        Chan<Async> ch = Chan.make(0);
        Chan<Void> done = Chan.make(0);
        if (useSelect) {
            r.go(() -> Select.select(ch.onSend(new Async(null, new IllegalStateException("myError")), null), done.onRecv(null)));
        } else {
            r.go(() -> ch.send(new Async(null, new IllegalStateException("myError"))));
        }
        Async a = ch.recv();
        Go.gosched();
        return a.err();
    }

    private static void chanSendBarrier(boolean useSelect) {
        inGo(4, r -> {
            int outer = 10, inner = scaled(1000); // Go's -short sizes
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < outer; i++) {
                wg.add(1);
                r.go(() -> {
                    try {
                        byte[] garbage = null;
                        for (int j = 0; j < inner; j++) {
                            Object err = doRequest(r, useSelect);
                            assertTrue(err instanceof IllegalStateException, "err " + err);
                            garbage = new byte[1 << 10];
                        }
                        assertNotNull(garbage);
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await();
        });
    }

    // runtime/chanbarrier_test.go: TestChanSendBarrier. A value sent to a receiver that blocked
    // first arrives whole (Go: the write barrier of the direct send), under allocation.
    @Test
    void chanSendBarrier() {
        chanSendBarrier(false);
    }

    // runtime/chanbarrier_test.go: TestChanSendSelectBarrier, the send in a select.
    @Test
    void chanSendSelectBarrier() {
        chanSendBarrier(true);
    }

    // runtime/chan_test.go: benchmarkChanProdCons (chanSize 0, 10, 100; localWork 0 and 100),
    // as a correctness run: GOMAXPROCS producers and consumers share one channel; every
    // producer's 0 ends one consumer, and every value sent is received.
    @Test
    void chanProdConsSmoke() {
        for (int chanSize : new int[] {0, 10, 100}) {
            for (int localWork : new int[] {0, 100}) {
                inGo(2, r -> {
                    int callsPerSched = 1000, procs = Go.gomaxprocs(-1);
                    AtomicInteger n = new AtomicInteger(scaled(20_000) / callsPerSched);
                    int total = n.get() * callsPerSched;
                    AtomicInteger received = new AtomicInteger();
                    Chan<Boolean> c = Chan.make(2 * procs);
                    Chan<Integer> myc = Chan.make(chanSize);
                    for (int q = 0; q < procs; q++) {
                        r.go(() -> {
                            int foo = 0;
                            while (n.decrementAndGet() >= 0) {
                                for (int g = 0; g < callsPerSched; g++) {
                                    for (int i = 0; i < localWork; i++) {
                                        foo *= 2;
                                        foo /= 2;
                                    }
                                    myc.send(1);
                                }
                            }
                            myc.send(0);
                            c.send(foo == 42);
                        });
                        r.go(() -> {
                            int foo = 0;
                            for (;;) {
                                int v = myc.recv();
                                if (v == 0) {
                                    break;
                                }
                                received.incrementAndGet();
                                for (int i = 0; i < localWork; i++) {
                                    foo *= 2;
                                    foo /= 2;
                                }
                            }
                            c.send(foo == 42);
                        });
                    }
                    for (int q = 0; q < procs; q++) {
                        c.recv();
                        c.recv();
                    }
                    assertEquals(total, received.get());
                });
            }
        }
    }

    // runtime/chan_test.go: BenchmarkSelectProdCons as a correctness run: producers and
    // consumers select beside an hour's timer and a never-closed channel; no value is lost.
    @Test
    void selectProdConsSmoke() {
        inGo(2, r -> {
            int callsPerSched = 1000, procs = Go.gomaxprocs(-1);
            AtomicInteger n = new AtomicInteger(scaled(20_000) / callsPerSched);
            int total = n.get() * callsPerSched;
            AtomicInteger received = new AtomicInteger();
            Chan<Boolean> c = Chan.make(2 * procs);
            Chan<Integer> myc = Chan.make(128);
            Chan<Boolean> myclose = Chan.make();
            List<io.gmp4j.time.Timer> timers = new ArrayList<>();
            for (int q = 0; q < procs; q++) {
                io.gmp4j.time.Timer pt = Time.newTimer(Duration.ofHours(1)), ct = Time.newTimer(Duration.ofHours(1));
                timers.add(pt);
                timers.add(ct);
                r.go(() -> {
                    for (; n.decrementAndGet() >= 0; ) {
                        for (int g = 0; g < callsPerSched; g++) {
                            Select.select(myc.onSend(1, null), pt.c().onRecv(v -> fail("timer")), myclose.onRecv(v -> fail("close")));
                        }
                    }
                    myc.send(0);
                    c.send(true);
                });
                r.go(() -> {
                    boolean[] stop = {false};
                    while (!stop[0]) {
                        Select.select(
                                myc.onRecv(v -> {
                                    if (v == 0) {
                                        stop[0] = true;
                                    } else {
                                        received.incrementAndGet();
                                    }
                                }),
                                ct.c().onRecv(v -> fail("timer")),
                                myclose.onRecv(v -> fail("close")));
                    }
                    c.send(true);
                });
            }
            for (int q = 0; q < procs; q++) {
                c.recv();
                c.recv();
            }
            timers.forEach(io.gmp4j.time.Timer::stop);
            assertEquals(total, received.get());
        });
    }

    // runtime/chan_test.go: BenchmarkChanPopular as a correctness run: 1000 goroutines select
    // over one shared idle channel and their own; each of b.N rounds wakes every one once.
    @Test
    void chanPopularSmoke() {
        inGo(2, r -> {
            int n = 1000, bN = 20;
            Chan<Boolean> c = Chan.make();
            List<Chan<Boolean>> a = new ArrayList<>();
            WaitGroup wg = new WaitGroup();
            wg.add(n);
            for (int j = 0; j < n; j++) {
                Chan<Boolean> d = Chan.make();
                a.add(d);
                r.go(() -> {
                    for (int i = 0; i < bN; i++) {
                        Select.select(c.onRecv(v -> fail("c")), d.onRecv(null));
                    }
                    wg.done();
                });
            }
            for (int i = 0; i < bN; i++) {
                for (Chan<Boolean> d : a) {
                    d.send(true);
                }
            }
            wg.await();
            assertEquals(0, waitingReceivers(c), "sudogs left on the popular channel");
        });
    }

    // runtime/chan_test.go: BenchmarkChanSem, BenchmarkChanClosed, BenchmarkSelectUncontended
    // and BenchmarkReceiveDataFromClosedChan as correctness runs in parallel goroutines.
    @Test
    void chanParallelSmoke() {
        inGo(2, r -> {
            int procs = Go.gomaxprocs(-1), iters = scaled(20_000);
            Chan<Void> sem = Chan.make(procs);
            Chan<Void> closed = Chan.make();
            closed.close();
            WaitGroup wg = new WaitGroup();
            for (int q = 0; q < 4; q++) {
                wg.add(1);
                r.go(() -> {
                    try {
                        Chan<Integer> myc1 = Chan.make(1), myc2 = Chan.make(1);
                        myc1.send(0);
                        for (int i = 0; i < iters; i++) {
                            sem.send(null); // ChanSem
                            sem.recv();
                            assertEquals(0, Select.select(closed.onRecv(null), Select.onDefault(() -> fail("Unreachable")))); // ChanClosed
                            Select.select(myc1.onRecv(v -> myc2.send(0)), myc2.onRecv(v -> myc1.send(0))); // SelectUncontended
                        }
                        assertEquals(1, myc1.len() + myc2.len());
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await();
            assertEquals(0, sem.len());
            // ReceiveDataFromClosedChan
            int count = scaled(10_000);
            Chan<Void> ch = Chan.make(count);
            for (int i = 0; i < count; i++) {
                ch.send(null);
            }
            ch.close();
            int got = 0;
            for (Chan.Recv<Void> v = ch.recvOk(); v.ok(); v = ch.recvOk()) {
                got++;
            }
            assertEquals(count, got);
        });
    }
}
