package io.gmp4j.chan;

import io.gmp4j.context.Context;
import io.gmp4j.internal.runtime.HandoffSpin;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;

import static io.gmp4j.chan.ChanExport.inGo;
import static io.gmp4j.chan.ChanExport.scaled;
import static io.gmp4j.chan.ChanExport.waitingReceivers;
import static io.gmp4j.chan.ChanExport.waitingSenders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The windows of the channel and select wake-up protocols where gmp4j departs from Go's
 * chan.go/select.go: pass 3 takes one channel lock at a time (the selectDone CAS decides the
 * winner), a rendezvous spins before it parks (Sudog.parking), plain sudogs are cached per M,
 * and an interrupt must not end a wait. Each test checks exact conservation (every value sent
 * is received once, or its send was not chosen) and, through inGo, that no goroutine leaked.
 */
@ExtendWith(GoLeakCheck.class)
class WakeupProtocolStressTest {

    /**
     * Selects with a send and a receive case on the same channel, partnered with each other
     * and with plain senders (a goroutine and a platform thread): a select's two
     * sudogs sit in both queues of one channel at once, and a partner must skip the stale one.
     */
    @ParameterizedTest
    @CsvSource({"1,0", "2,0", "8,0", "2,1", "8,1"})
    void selectSendAndRecvOnTheSameChannel(int procs, int cap) throws Exception {
        int selectors = 6, plainThreads = 2; // plain senders: a platform thread and a goroutine
        int perSender = scaled(3_000);
        HandoffSpin.alwaysOnForTests(procs > 1);
        try {
            inGo(procs, r -> {
                Chan<Integer> c = Chan.make(cap);
                Chan<Boolean> stop = Chan.make();
                int total = (selectors + plainThreads) * perSender;
                AtomicIntegerArray received = new AtomicIntegerArray(total);
                AtomicIntegerArray sent = new AtomicIntegerArray(total);
                AtomicInteger nrecv = new AtomicInteger();
                Chan<Boolean> done = Chan.make(selectors + 1);
                for (int s = 0; s < selectors; s++) {
                    int base = s * perSender;
                    r.go(() -> {
                        int next = 0;
                        boolean[] stopped = {false};
                        while (!stopped[0]) {
                            int v = base + next;
                            boolean canSend = next < perSender;
                            int[] got = {-1};
                            int k = Select.select(
                                    (canSend ? c : Chan.<Integer>nil()).onSend(v, null),
                                    c.onRecv(x -> got[0] = x),
                                    Chan.<Integer>nil().onRecv(null),
                                    stop.onRecv(x -> stopped[0] = true));
                            if (k == 0) {
                                assertEquals(0, sent.getAndIncrement(v), "sent twice");
                                next++;
                            } else if (k == 1) {
                                assertEquals(0, received.getAndIncrement(got[0]), "value received twice: " + got[0]);
                                nrecv.incrementAndGet();
                            }
                        }
                        done.send(true);
                    });
                }
                // Plain senders on platform threads (no M, no cache, no spin) and a goroutine.
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < plainThreads; t++) {
                    int base = (selectors + t) * perSender;
                    Runnable body = () -> {
                        for (int i = 0; i < perSender; i++) {
                            sent.getAndIncrement(base + i);
                            c.send(base + i);
                        }
                    };
                    if (t == 0) {
                        threads.add(Thread.ofPlatform().start(body));
                    } else {
                        r.go(() -> {
                            body.run();
                            done.send(true);
                        });
                    }
                }
                // Every value sent gets received: stop once all were.
                ChanExport.eventually("all values received: " + nrecv, () -> nrecv.get() == total);
                stop.close();
                for (int s = 0; s < selectors + 1; s++) {
                    done.recv();
                }
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(20));
                    assertFalse(t.isAlive(), "plain sender hung");
                }
                for (int v = 0; v < total; v++) {
                    assertEquals(1, sent.get(v), "sent " + v);
                    assertEquals(1, received.get(v), "received " + v);
                }
                assertEquals(0, waitingSenders(c) + waitingReceivers(c), "stale sudogs");
            });
        } finally {
            HandoffSpin.alwaysOnForTests(false);
        }
    }

    /**
     * A select waits on a (closed under it) and on b, whose sender (in a select of its own,
     * with a way out) races the close: exactly one of the two wins; if the select took b's
     * value the sender must have been chosen, and the other way round. The closer and the
     * sender are goroutines or platform threads.
     */
    @ParameterizedTest
    @CsvSource({"1,false", "2,false", "8,false", "2,true", "8,true"})
    void closeRacesASelectThatAPartnerCompletes(int procs, boolean platform) {
        int rounds = scaled(5_000);
        HandoffSpin.alwaysOnForTests(procs > 1);
        try {
            inGo(procs, r -> {
                Chan<Chan<?>[]> closerWork = Chan.make(1), senderWork = Chan.make(1);
                Chan<Boolean> senderRes = Chan.make(1);
                Runnable closer = () -> {
                    for (Chan<?>[] w; (w = closerWork.recv()) != null; ) {
                        w[0].close();
                    }
                };
                @SuppressWarnings("unchecked")
                Runnable sender = () -> {
                    for (Chan<?>[] w; (w = senderWork.recv()) != null; ) {
                        Chan<Integer> b = (Chan<Integer>) w[1];
                        Chan<Boolean> fin = (Chan<Boolean>) w[2];
                        boolean[] sent = {false};
                        Select.select(b.onSend(7, () -> sent[0] = true), fin.onRecv(null));
                        senderRes.send(sent[0]);
                    }
                };
                Thread[] ts = new Thread[2];
                Chan<Boolean> gdone = Chan.make(2);
                if (platform) {
                    ts[0] = Thread.ofPlatform().start(closer);
                    ts[1] = Thread.ofPlatform().start(sender);
                } else {
                    r.go(() -> { closer.run(); gdone.send(true); });
                    r.go(() -> { sender.run(); gdone.send(true); });
                }
                int viaClose = 0, viaValue = 0;
                for (int i = 0; i < rounds; i++) {
                    Chan<Integer> a = Chan.make(), b = Chan.make();
                    Chan<Boolean> fin = Chan.make();
                    Chan<?>[] w = {a, b, fin};
                    boolean closeFirst = (i & 1) == 0;
                    if (closeFirst) {
                        closerWork.send(w);
                        senderWork.send(w);
                    } else {
                        senderWork.send(w);
                        closerWork.send(w);
                    }
                    int[] got = {0};
                    int k = Select.select(a.onRecvOk((x, ok) -> assertFalse(ok)), b.onRecv(x -> got[0] = x),
                            Chan.<Integer>nil().onSend(1, null));
                    fin.close();
                    boolean sent = senderRes.recv();
                    if (k == 1) {
                        assertEquals(7, got[0]);
                        assertTrue(sent, "select took b's value, the sender was not chosen");
                        viaValue++;
                    } else {
                        assertEquals(0, k);
                        assertFalse(sent, "the sender was chosen, the select took the close");
                        viaClose++;
                    }
                    assertEquals(0, waitingSenders(b) + waitingReceivers(b) + waitingReceivers(a), "stale sudogs");
                }
                closerWork.close();
                senderWork.close();
                if (platform) {
                    for (Thread t : ts) {
                        t.join(TimeUnit.SECONDS.toMillis(20));
                        assertFalse(t.isAlive(), "helper hung");
                    }
                } else {
                    gdone.recv();
                    gdone.recv();
                }
                assertTrue(viaClose + viaValue == rounds);
            });
        } finally {
            HandoffSpin.alwaysOnForTests(false);
        }
    }

    /**
     * A thread interrupts the waiters (goroutines and platform threads, in plain operations
     * and selects, spinning or parked) over and over while values flow: no wait may end early
     * or lose a value, and the interrupts must still be pending once the operations return.
     */
    @ParameterizedTest
    @CsvSource({"1", "2", "8"})
    void interruptsDuringWaitsLoseNothing(int procs) throws Exception {
        int n = scaled(20_000);
        HandoffSpin.alwaysOnForTests(procs > 1);
        try {
            inGo(procs, r -> {
                Chan<Integer> a = Chan.make(), b = Chan.make(), c = Chan.make(1);
                @SuppressWarnings("unchecked")
                Chan<Integer>[] chans = new Chan[] {a, b, c};
                int waiters = 4;
                AtomicIntegerArray seen = new AtomicIntegerArray(3 * n);
                AtomicInteger nrecv = new AtomicInteger();
                AtomicIntegerArray perChan = new AtomicIntegerArray(3);
                List<Thread> victims = new java.util.concurrent.CopyOnWriteArrayList<>();
                AtomicInteger interruptsSeen = new AtomicInteger();
                AtomicBoolean stopInterrupts = new AtomicBoolean();
                Chan<Boolean> done = Chan.make(8), sent = Chan.make(3);
                Runnable waiter = () -> {
                    victims.add(Thread.currentThread());
                    int[] got = {-1};
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (nrecv.get() < 3 * n) {
                        got[0] = -1;
                        // Every wait listens to all three channels (a timeout only ends the test's tail).
                        int which = rnd.nextInt(3);
                        Chan<Integer> first = chans[which];
                        if (rnd.nextInt(3) == 0) {
                            Chan.Recv<Integer> x = first.tryRecv();
                            if (x != null && x.ok()) { // not ok: closed after the last send
                                got[0] = x.value();
                            }
                        } else if (rnd.nextInt(2) == 0 && n - perChan.get(which) > 100) {
                            // A plain wait, while plenty of that channel's values seem left (a
                            // thread descheduled before it queues can still miss them all: the
                            // channels are closed after the last send, and then it gets ok == false).
                            Chan.Recv<Integer> x = first.recvOk();
                            if (x.ok()) {
                                got[0] = x.value();
                            }
                        }
                        if (got[0] < 0) {
                            Consumer<Integer> take = v -> got[0] = v == null ? -1 : v; // null: closed at the end
                            Select.select(first.onRecv(take), a.onRecv(take), b.onRecv(take), c.onRecv(take),
                                    Time.after(Duration.ofMillis(5)).onRecv(null));
                        }
                        if (Thread.interrupted()) {
                            interruptsSeen.incrementAndGet();
                        }
                        if (got[0] >= 0) {
                            assertEquals(0, seen.getAndIncrement(got[0]), "received twice: " + got[0]);
                            perChan.incrementAndGet(got[0] / n);
                            nrecv.incrementAndGet();
                        }
                    }
                };
                for (int i = 0; i < waiters; i++) {
                    r.go(() -> {
                        waiter.run();
                        done.send(true);
                    });
                }
                Thread pw = Thread.ofPlatform().start(() -> {
                    try {
                        waiter.run();
                    } catch (Throwable t) {
                        r.go(() -> {
                            throw t;
                        });
                    }
                });
                for (int s = 0; s < 3; s++) {
                    Chan<Integer> ch = chans[s];
                    int base = s * n;
                    r.go(() -> {
                        victims.add(Thread.currentThread());
                        for (int i = 0; i < n; i++) {
                            if ((i & 1) == 0) {
                                ch.send(base + i);
                            } else {
                                Select.select(ch.onSend(base + i, null), Chan.<Integer>nil().onSend(0, null));
                            }
                        }
                        Thread.interrupted();
                        sent.send(true);
                    });
                }
                Thread interrupter = Thread.ofPlatform().start(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (!stopInterrupts.get()) {
                        if (!victims.isEmpty()) {
                            victims.get(rnd.nextInt(victims.size())).interrupt();
                        }
                        Thread.yield();
                    }
                });
                for (int i = 0; i < 3; i++) {
                    sent.recv();
                }
                // Every send is done (c may still buffer one value), so the channels are closed, as
                // a Go producer closes: a waiter that queued in a plain recv after its channel's last
                // values went to others (it was descheduled on its way into the queue) gets
                // ok == false instead of waiting for ever.
                a.close();
                b.close();
                c.close();
                for (int i = 0; i < waiters; i++) {
                    done.recv();
                }
                pw.join(TimeUnit.SECONDS.toMillis(20));
                assertFalse(pw.isAlive(), "platform waiter hung");
                stopInterrupts.set(true);
                interrupter.join();
                Thread.interrupted();
                for (int v = 0; v < 3 * n; v++) {
                    assertEquals(1, seen.get(v), "received " + v);
                }
                assertTrue(interruptsSeen.get() > 0, "no interrupt was kept");
            });
        } finally {
            HandoffSpin.alwaysOnForTests(false);
        }
    }

    /**
     * Selects over data channels, a Context's done(), Time.after and nil channels, with
     * contexts cancelled and timers firing under them: every data value is received once.
     */
    @ParameterizedTest
    @CsvSource({"1", "2", "8"})
    void selectOverDataTimersAndContexts(int procs) {
        int producers = 4, perProducer = scaled(3_000);
        int total = producers * perProducer;
        inGo(procs, r -> {
            Chan<Integer> d0 = Chan.make(), d1 = Chan.make(2);
            AtomicIntegerArray seen = new AtomicIntegerArray(total);
            AtomicInteger nrecv = new AtomicInteger();
            Chan<Boolean> done = Chan.make(16);
            var root = Context.withCancel(Context.background());
            for (int p = 0; p < producers; p++) {
                int base = p * perProducer;
                r.go(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        int v = base + i;
                        boolean[] sent = {false};
                        while (!sent[0]) {
                            var ctx = Context.withTimeout(root.ctx(), Duration.ofNanos(ThreadLocalRandom.current().nextInt(200_000)));
                            Select.select(d0.onSend(v, () -> sent[0] = true), d1.onSend(v, () -> sent[0] = true),
                                    ctx.ctx().done().onRecv(null), Chan.<Integer>nil().onSend(v, null));
                            ctx.cancel().run();
                        }
                    }
                    done.send(true);
                });
            }
            int consumers = 4;
            for (int k = 0; k < consumers; k++) {
                r.go(() -> {
                    while (nrecv.get() < total) {
                        var ctx = Context.withCancel(root.ctx());
                        if (ThreadLocalRandom.current().nextBoolean()) {
                            Chan<Boolean> go = Chan.make();
                            r.go(() -> {
                                go.recv();
                                ctx.cancel().run();
                            });
                            go.send(true);
                        }
                        int[] got = {-1};
                        Select.select(d0.onRecv(v -> got[0] = v), d1.onRecv(v -> got[0] = v), ctx.ctx().done().onRecv(null),
                                Time.after(Duration.ofMillis(1)).onRecv(null), Chan.<Integer>nil().onRecv(null));
                        ctx.cancel().run();
                        if (got[0] >= 0) {
                            assertEquals(0, seen.getAndIncrement(got[0]), "received twice: " + got[0]);
                            nrecv.incrementAndGet();
                        }
                    }
                    done.send(true);
                });
            }
            for (int i = 0; i < producers + consumers; i++) {
                done.recv();
            }
            root.cancel().run();
            for (int v = 0; v < total; v++) {
                assertEquals(1, seen.get(v), "received " + v);
            }
            assertEquals(0, waitingSenders(d0) + waitingReceivers(d0) + waitingSenders(d1) + waitingReceivers(d1));
        });
    }

    /**
     * Random operations (plain, try, selects with nil, default, timer and duplicate cases,
     * send and receive on one channel) by goroutines and platform threads on a few channels of
     * capacity 0, 1 and 3, then every channel closed under whoever still waits: each value
     * whose send completed is received exactly once (during the run or from the drained
     * buffers), and none whose send panicked or was not chosen.
     */
    @ParameterizedTest
    @CsvSource({"1", "2", "8"})
    void randomOperationsConserveEveryValue(int procs) throws Exception {
        int workers = 6, platformWorkers = 2, ops = scaled(20_000);
        HandoffSpin.alwaysOnForTests(procs > 1);
        try {
            inGo(procs, r -> {
                @SuppressWarnings("unchecked")
                Chan<Integer>[] cs = new Chan[] {Chan.make(0), Chan.make(0), Chan.make(1), Chan.make(3)};
                int nw = workers + platformWorkers;
                int span = 4 * ops;
                AtomicIntegerArray sent = new AtomicIntegerArray(nw * span);
                AtomicIntegerArray received = new AtomicIntegerArray(nw * span);
                AtomicInteger finished = new AtomicInteger();
                Chan<Boolean> done = Chan.make(nw);
                List<Thread> threads = new ArrayList<>();
                for (int w = 0; w < nw; w++) {
                    int base = w * span;
                    Runnable body = () -> {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        int next = base;
                        try {
                            for (int i = 0; i < ops; i++) {
                                Chan<Integer> c = cs[rnd.nextInt(cs.length)], d = cs[rnd.nextInt(cs.length)];
                                int v = next++;
                                int[] got = {-1};
                                boolean[] ok = {false};
                                switch (rnd.nextInt(8)) {
                                    case 0 -> {
                                        c.send(v);
                                        ok[0] = true;
                                    }
                                    case 1 -> {
                                        Integer x = c.recv();
                                        if (x != null) {
                                            got[0] = x;
                                        }
                                    }
                                    case 2 -> ok[0] = c.trySend(v);
                                    case 3 -> {
                                        Chan.Recv<Integer> x = c.tryRecv();
                                        if (x != null && x.ok()) {
                                            got[0] = x.value();
                                        }
                                    }
                                    case 4 -> Select.select(c.onSend(v, () -> ok[0] = true), c.onRecv(x -> {
                                        if (x != null) {
                                            got[0] = x;
                                        }
                                    }));
                                    case 5 -> Select.select(c.onSend(v, () -> ok[0] = true), d.onSend(v, () -> ok[0] = true),
                                            Chan.<Integer>nil().onRecv(null), Select.onDefault(null));
                                    case 6 -> Select.select(c.onRecvOk((x, k) -> {
                                        if (k) {
                                            got[0] = x;
                                        }
                                    }), d.onRecvOk((x, k) -> {
                                        if (k) {
                                            got[0] = x;
                                        }
                                    }), Time.after(Duration.ofMillis(1)).onRecv(null));
                                    default -> Select.select(d.onRecvOk((x, k) -> {
                                        if (k) {
                                            got[0] = x;
                                        }
                                    }), c.onSend(v, () -> ok[0] = true), d.onSend(v, () -> ok[0] = true),
                                            Time.after(Duration.ofMillis(1)).onRecv(null));
                                }
                                if (ok[0]) {
                                    assertEquals(0, sent.getAndIncrement(v), "sent twice: " + v);
                                }
                                if (got[0] >= 0) {
                                    assertEquals(0, received.getAndIncrement(got[0]), "received twice: " + got[0]);
                                }
                                if (Thread.interrupted()) {
                                    throw new AssertionError("interrupt out of nowhere");
                                }
                            }
                        } catch (io.gmp4j.GoPanic e) {
                            assertEquals("send on closed channel", e.getMessage());
                        } finally {
                            finished.incrementAndGet();
                        }
                    };
                    if (w < workers) {
                        r.go(() -> {
                            body.run();
                            done.send(true);
                        });
                    } else {
                        threads.add(Thread.ofPlatform().start(() -> {
                            try {
                                body.run();
                            } catch (Throwable t) {
                                r.go(() -> {
                                    throw t;
                                });
                            }
                        }));
                    }
                }
                // Let them run (random plain operations may all block: the close ends those), then
                // close everything under whoever waits.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (finished.get() < nw && System.nanoTime() - until < 0) {
                    Time.sleep(Duration.ofMillis(5));
                }
                for (Chan<Integer> c : cs) {
                    c.close();
                }
                for (int w = 0; w < workers; w++) {
                    done.recv();
                }
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(20));
                    assertFalse(t.isAlive(), "platform worker hung");
                }
                for (Chan<Integer> c : cs) {
                    for (Integer x : c) {
                        assertEquals(0, received.getAndIncrement(x), "drained twice: " + x);
                    }
                    assertEquals(0, waitingSenders(c) + waitingReceivers(c), "stale sudogs");
                }
                int nsent = 0;
                for (int v = 0; v < nw * span; v++) {
                    assertEquals(sent.get(v), received.get(v), "value " + v + ": sent " + sent.get(v) + " times, received " + received.get(v));
                    nsent += sent.get(v);
                }
                assertTrue(nsent > 0);
            });
        } finally {
            HandoffSpin.alwaysOnForTests(false);
        }
    }

    /**
     * Spun hand-offs whose waker reads Sudog.parking after its store of done, while the waiter
     * has already released that sudog to its M's cache and reused it for its next operation on
     * another channel (the Dekker pair across reuse). Pairs of goroutines, and goroutines paired
     * with platform threads (which never spin), pass values through a ring of unbuffered
     * channels; every value arrives once and in order.
     */
    @ParameterizedTest
    @CsvSource({"2,false", "8,false", "2,true", "8,true"})
    void spunHandOffsWithImmediateSudogReuse(int procs, boolean platformPartner) throws Exception {
        int pairs = 3, n = scaled(50_000);
        HandoffSpin.alwaysOnForTests(true);
        try {
            inGo(procs, r -> {
                Chan<Boolean> done = Chan.make(2 * pairs);
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < pairs; p++) {
                    @SuppressWarnings("unchecked")
                    Chan<Integer>[] ring = new Chan[] {Chan.make(), Chan.make(), Chan.make()};
                    Chan<Integer> back = Chan.make();
                    r.go(() -> {
                        for (int i = 0; i < n; i++) {
                            ring[i % 3].send(i);
                            if ((i & 3) == 0) {
                                assertEquals(i, (int) back.recv()); // the sudog again, on another channel
                            }
                        }
                        done.send(true);
                    });
                    Runnable partner = () -> {
                        for (int i = 0; i < n; i++) {
                            int[] v = {-1};
                            if ((i & 1) == 0) {
                                v[0] = ring[i % 3].recv();
                            } else {
                                assertEquals(0, Select.select(ring[i % 3].onRecv(x -> v[0] = x), Chan.<Integer>nil().onRecv(null)));
                            }
                            assertEquals(i, v[0]);
                            if ((i & 3) == 0) {
                                back.send(i);
                            }
                        }
                    };
                    if (platformPartner && p == 0) {
                        threads.add(Thread.ofPlatform().start(() -> {
                            try {
                                partner.run();
                            } catch (Throwable t) {
                                r.go(() -> {
                                    throw t;
                                });
                            }
                        }));
                    } else {
                        r.go(() -> {
                            partner.run();
                            done.send(true);
                        });
                    }
                }
                for (int k = 0; k < 2 * pairs - threads.size(); k++) {
                    done.recv();
                }
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(20));
                    assertFalse(t.isAlive(), "platform partner hung");
                }
            });
        } finally {
            HandoffSpin.alwaysOnForTests(false);
        }
    }

    /**
     * Selects of 26 cases (past the insertion-sort bound, so lockorder by Arrays.sort and the
     * order array not cached): every channel three times as a send and three times as a
     * receive, plus nil cases, partnered with each other and with plain receivers. Duplicate
     * sudogs of one select sit side by side in one queue; only one may fire.
     */
    @ParameterizedTest
    @CsvSource({"1", "2", "8"})
    void largeSelectsWithDuplicateCases(int procs) {
        int selectors = 4, perSelector = scaled(2_000);
        int total = selectors * perSelector;
        inGo(procs, r -> {
            @SuppressWarnings("unchecked")
            Chan<Integer>[] cs = new Chan[] {Chan.make(0), Chan.make(0), Chan.make(1), Chan.make(0)};
            Chan<Boolean> stop = Chan.make();
            AtomicIntegerArray sent = new AtomicIntegerArray(total), received = new AtomicIntegerArray(total);
            AtomicInteger nrecv = new AtomicInteger();
            Chan<Boolean> done = Chan.make(selectors + 1);
            for (int s = 0; s < selectors; s++) {
                int base = s * perSelector;
                r.go(() -> {
                    int next = 0;
                    boolean[] stopped = {false};
                    int[] got = {-1};
                    int[] chose = {-1};
                    while (!stopped[0]) {
                        int v = base + next;
                        boolean canSend = next < perSelector;
                        List<Select.Case> cases = new ArrayList<>();
                        for (int dup = 0; dup < 3; dup++) {
                            for (Chan<Integer> c : cs) {
                                cases.add((canSend ? c : Chan.<Integer>nil()).onSend(v, () -> chose[0] = 0));
                                cases.add(c.onRecv(x -> {
                                    got[0] = x;
                                    chose[0] = 1;
                                }));
                            }
                        }
                        cases.add(Chan.<Integer>nil().onRecv(null));
                        cases.add(stop.onRecv(x -> stopped[0] = true));
                        java.util.Collections.shuffle(cases);
                        chose[0] = -1;
                        Select.select(cases.toArray(new Select.Case[0]));
                        if (chose[0] == 0) {
                            assertEquals(0, sent.getAndIncrement(v), "sent twice");
                            next++;
                        } else if (chose[0] == 1) {
                            assertEquals(0, received.getAndIncrement(got[0]), "received twice: " + got[0]);
                            nrecv.incrementAndGet();
                        }
                    }
                    done.send(true);
                });
            }
            r.go(() -> {
                // A plain receiver: its sudogs come from the M's cache, between the selects' ones.
                for (;;) {
                    int k = Select.select(cs[1].onRecv(x -> {
                        assertEquals(0, received.getAndIncrement(x), "received twice: " + x);
                        nrecv.incrementAndGet();
                    }), stop.onRecv(null));
                    if (k == 1) {
                        break;
                    }
                    Chan.Recv<Integer> x = cs[3].tryRecv();
                    if (x != null && x.ok()) {
                        assertEquals(0, received.getAndIncrement(x.value()), "received twice: " + x.value());
                        nrecv.incrementAndGet();
                    }
                }
                done.send(true);
            });
            ChanExport.eventually("all values received: " + nrecv, () -> nrecv.get() == total);
            stop.close();
            for (int s = 0; s < selectors + 1; s++) {
                done.recv();
            }
            for (int v = 0; v < total; v++) {
                assertEquals(1, sent.get(v), "sent " + v);
                assertEquals(1, received.get(v), "received " + v);
            }
            for (Chan<Integer> c : cs) {
                assertEquals(0, waitingSenders(c) + waitingReceivers(c), "stale sudogs");
            }
        });
    }
}
