package io.gmp4j.chan;

import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.gmp4j.chan.ChanExport.inGo;
import static io.gmp4j.chan.ChanExport.scaled;
import static io.gmp4j.chan.ChanExport.waitingReceivers;
import static io.gmp4j.chan.ChanExport.waitingSenders;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sudogs and select waiters are reused from a per-M cache (Sudog.acquire/release). A sudog
 * handed out again while a waker or a stale wait queue still holds it would lose or duplicate
 * a value, wake the wrong goroutine (a hang) or leave a stale entry on a queue. Here producers
 * and consumers block in selects over several channels, with timeouts, plain sends and
 * receives, and cancellation channels that a closer keeps closing under them; every value
 * must arrive exactly once and no queue may keep a sudog at the end.
 */
@ExtendWith(GoLeakCheck.class)
class SudogReuseStressTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void everyValueOnceUnderSelectTimeoutsAndCloses(int procs) {
        int producers = 8, consumers = 8;
        int perProducer = scaled(2_000);
        int total = producers * perProducer;
        inGo(procs, r -> {
            @SuppressWarnings("unchecked")
            Chan<Integer>[] data = new Chan[] {Chan.make(0), Chan.make(0), Chan.make(1), Chan.make(4)};
            Chan<Integer> plain = Chan.make(0);
            // The current cancellation channel: the closer closes it and installs a fresh one.
            AtomicReference<Chan<Integer>> cancel = new AtomicReference<>(Chan.make(0));
            AtomicIntegerArray seen = new AtomicIntegerArray(total);
            AtomicInteger received = new AtomicInteger();
            AtomicLong sum = new AtomicLong();
            AtomicInteger cancels = new AtomicInteger();
            Chan<Boolean> producersDone = Chan.make(producers);
            Chan<Boolean> consumersDone = Chan.make(consumers);
            Chan<Boolean> stopCloser = Chan.make(0);
            Chan<Boolean> closerDone = Chan.make(1);

            for (int p = 0; p < producers; p++) {
                int base = p * perProducer;
                r.go(() -> {
                    Object[] lastClosed = {null};
                    for (int i = 0; i < perProducer; i++) {
                        int v = base + i;
                        if ((i & 7) == 0) {
                            plain.send(v); // the plain path's sudog, between select ones
                            continue;
                        }
                        boolean[] sent = {false};
                        while (!sent[0]) {
                            Chan<Integer> c = live(cancel, lastClosed);
                            Select.select(
                                    data[0].onSend(v, () -> sent[0] = true),
                                    data[1].onSend(v, () -> sent[0] = true),
                                    data[2].onSend(v, () -> sent[0] = true),
                                    data[3].onSend(v, () -> sent[0] = true),
                                            c.onRecvOk((x, ok) -> cancelled(c, lastClosed, cancels)),
                                    Time.after(Duration.ofMillis(1)).onRecv(null));
                        }
                    }
                    producersDone.send(true);
                });
            }
            for (int k = 0; k < consumers; k++) {
                r.go(() -> {
                    Object[] lastClosed = {null};
                    while (received.get() < total) {
                        Chan<Integer> c = live(cancel, lastClosed);
                        Select.select(
                                data[0].onRecv(v -> take(v, seen, received, sum)),
                                data[1].onRecv(v -> take(v, seen, received, sum)),
                                data[2].onRecv(v -> take(v, seen, received, sum)),
                                data[3].onRecv(v -> take(v, seen, received, sum)),
                                plain.onRecv(v -> take(v, seen, received, sum)),
                                c.onRecvOk((x, ok) -> cancelled(c, lastClosed, cancels)),
                                Time.after(Duration.ofMillis(2)).onRecv(null));
                    }
                    consumersDone.send(true);
                });
            }
            r.go(() -> {
                // Closes the cancellation channel under the waiting selects, again and again:
                // closechan readies a list of select sudogs whose other cases stay queued.
                for (;;) {
                    Chan<Integer> old = cancel.getAndSet(Chan.make(0));
                    old.close();
                    if (Select.select(stopCloser.onRecv(null), Time.after(Duration.ofMillis(1)).onRecv(null)) == 0) {
                        break;
                    }
                }
                closerDone.send(true);
            });

            for (int p = 0; p < producers; p++) {
                producersDone.recv();
            }
            for (int k = 0; k < consumers; k++) {
                consumersDone.recv();
            }
            stopCloser.send(true);
            closerDone.recv();

            assertEquals(total, received.get(), "values received");
            for (int v = 0; v < total; v++) {
                assertEquals(1, seen.get(v), "times value " + v + " was received");
            }
            assertEquals((long) total * (total - 1) / 2, sum.get(), "sum of the values received");
            for (Chan<Integer> c : data) {
                assertEquals(0, waitingSenders(c), "stale senders on " + c);
                assertEquals(0, waitingReceivers(c), "stale receivers on " + c);
            }
            assertEquals(0, waitingSenders(plain) + waitingReceivers(plain), "stale sudogs on the plain channel");
            assertEquals(true, cancels.get() > 0, "no select was woken by a close");
        });
    }

    /** The current cancellation channel, or a nil one while it is the one already seen closed. */
    private static Chan<Integer> live(AtomicReference<Chan<Integer>> cancel, Object[] lastClosed) {
        Chan<Integer> c = cancel.get();
        return c == lastClosed[0] ? Chan.nil() : c;
    }

    private static void cancelled(Chan<Integer> c, Object[] lastClosed, AtomicInteger cancels) {
        lastClosed[0] = c;
        cancels.incrementAndGet();
    }

    private static void take(int v, AtomicIntegerArray seen, AtomicInteger received, AtomicLong sum) {
        seen.incrementAndGet(v);
        sum.addAndGet(v);
        received.incrementAndGet();
    }
}
