package io.gmp4j.bench;

import com.softwaremill.jox.Channel;
import com.softwaremill.jox.ChannelDone;
import com.softwaremill.jox.Select;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The channel workloads on jox ({@code com.softwaremill.jox:channels}), a Go-style channel
 * library for the JDK's virtual threads: rendezvous channel = unbuffered, buffered channel,
 * {@code done()} = close, {@code Select.select} over receive clauses.
 */
final class JoxWorkloads implements WorkloadRunner {
    @Override
    public String run(Workload w, Params p) throws Exception {
        return onVirtualThread(() -> switch (w) {
            case W2 -> pingPong(p.get("n"));
            case W3 -> stream(p.get("n"), p.get("cap"));
            case W4 -> fanIn(p.get("producers"), p.get("msgs"), p.get("cap"));
            case W4s -> shardedFanIn(p.get("producers"), p.get("msgs"), p.get("cap"), p.get("shards"));
            case W7 -> select(p.get("n"));
            case MEM -> parked(p.get("n"));
            default -> throw new IllegalArgumentException("jox has no " + w.id() + " (not a channel workload)");
        });
    }

    private static String onVirtualThread(Callable<String> body) throws Exception {
        String[] result = new String[1];
        Exception[] failure = new Exception[1];
        Thread.ofVirtual().start(() -> {
            try {
                result[0] = body.call();
            } catch (Exception e) {
                failure[0] = e;
            }
        }).join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    interface Body {
        void run() throws InterruptedException;
    }

    private static void go(Body body) {
        Thread.ofVirtual().start(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String pingPong(int n) throws InterruptedException {
        Channel<Integer> ping = Channel.newRendezvousChannel();
        Channel<Integer> pong = Channel.newRendezvousChannel();
        long t0 = System.nanoTime();
        go(() -> {
            for (int i = 0; i < n; i++) {
                pong.send(ping.receive());
            }
        });
        for (int i = 0; i < n; i++) {
            ping.send(Results.box(i));
            pong.receive();
        }
        return Results.perOp(t0, n);
    }

    private static String stream(int n, int cap) throws InterruptedException {
        Channel<Integer> ch = Channel.newBufferedChannel(cap);
        long t0 = System.nanoTime();
        go(() -> {
            for (int i = 0; i < n; i++) {
                ch.send(Results.box(i));
            }
            ch.done();
        });
        long sum = 0;
        for (Object v; !((v = ch.receiveOrClosed()) instanceof ChannelDone); ) {
            sum += (Integer) v;
        }
        String r = Results.perOp(t0, n);
        Results.sink = sum;
        return r;
    }

    private static void produce(Channel<Integer> ch, int msgs) {
        go(() -> {
            for (int i = 0; i < msgs; i++) {
                ch.send(Results.box(i));
            }
        });
    }

    private static String fanIn(int producers, int msgs, int cap) throws InterruptedException {
        Channel<Integer> ch = Channel.newBufferedChannel(cap);
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            produce(ch, msgs);
        }
        long sum = 0;
        for (int i = 0; i < producers * msgs; i++) {
            sum += ch.receive();
        }
        String r = Results.perOp(t0, (long) producers * msgs);
        Results.sink = sum;
        return r;
    }

    private static String shardedFanIn(int producers, int msgs, int cap, int shards) throws InterruptedException {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Channel<Integer>[] chans = new Channel[shards];
        for (int s = 0; s < shards; s++) {
            chans[s] = Channel.newBufferedChannel(cap);
        }
        CountDownLatch wg = new CountDownLatch(shards);
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            produce(chans[p % shards], msgs);
        }
        for (int s = 0; s < shards; s++) {
            int expect = ((producers - s + shards - 1) / shards) * msgs;
            Channel<Integer> ch = chans[s];
            go(() -> {
                long sum = 0;
                for (int i = 0; i < expect; i++) {
                    sum += ch.receive();
                }
                Results.sink = sum;
                wg.countDown();
            });
        }
        wg.await();
        return Results.perOp(t0, (long) producers * msgs);
    }

    private static String select(int n) throws InterruptedException {
        Channel<Integer> a = Channel.newRendezvousChannel();
        Channel<Integer> b = Channel.newRendezvousChannel();
        long t0 = System.nanoTime();
        for (Channel<Integer> ch : java.util.List.of(a, b)) {
            go(() -> {
                for (int i = 0; i < n / 2; i++) {
                    ch.send(Results.box(i));
                }
            });
        }
        long sum = 0;
        for (int i = 0; i < n / 2 * 2; i++) {
            sum += Select.select(a.receiveClause(v -> v), b.receiveClause(v -> -v));
        }
        String r = Results.perOp(t0, n / 2 * 2);
        Results.sink = sum;
        return r;
    }

    private static String parked(int n) throws InterruptedException {
        Channel<Integer> ch = Channel.newRendezvousChannel();
        AtomicInteger parked = new AtomicInteger();
        CountDownLatch wg = new CountDownLatch(n);
        long before = Results.heapUsedAfterGc();
        for (int i = 0; i < n; i++) {
            go(() -> {
                parked.incrementAndGet();
                ch.receiveOrClosed();
                wg.countDown();
            });
        }
        while (parked.get() < n) {
            Thread.sleep(1);
        }
        Thread.sleep(50);
        long after = Results.heapUsedAfterGc();
        ch.done();
        wg.await();
        return Results.bytesPer(before, after, n);
    }
}
