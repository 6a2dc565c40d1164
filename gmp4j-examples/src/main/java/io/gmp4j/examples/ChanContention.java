package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.debug.Debug;
import io.gmp4j.metrics.Metrics;
import io.gmp4j.sync.WaitGroup;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Seed 002, Bug 6: "Channel send sometimes takes microseconds". 1000 producers send 100 values
 * each into one channel of capacity 100 drained by one consumer: every send and receive takes
 * that channel's one lock (hchan.lock; gmp4j's Chan has one too), so the producers on every P
 * contend for it. The fix shards the channel: producer id sends to channels[id % N], one
 * consumer per shard.
 *
 * The program measures both: wall time, ns per value, and the mean time a send took as seen by
 * the producers (System.nanoTime around each send, which includes waiting for buffer space).
 * It also prints runtime/metrics' figures that gmp4j keeps (/gmp4j/sched/steals), and the top of
 * the block and mutex profiles of one more run (Debug.setBlockProfileRate(1) and
 * Debug.setMutexProfileFraction(1), read back from this process's own /debug/pprof/block?debug=1
 * and mutex?debug=1 on a loopback port): where producers waited for buffer space, in Chan.send,
 * and where goroutines waited for the channel's lock itself (Go's mutex profile shows hchan.lock
 * as runtime-lock contention; gmp4j's with the waiter's stack, as Go 1.22's
 * runtimecontentionstacks=1).
 */
final class ChanContention implements Example {
    @Override
    public String name() {
        return "chan-contention";
    }

    @Override
    public String summary() {
        return "seed bug 6: 1000 producers on one channel vs sharded channels: throughput and time per send; --fixed: GOMAXPROCS shards [producers=1000 perProducer=100]";
    }

    /** What one run measured. */
    record Result(int shards, long values, long received, long wallNanos, long meanSendNanos, long steals) {}

    @Override
    public int run(String[] args, PrintStream out) {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        int producers = a.intNum(0, 1000);
        int perProducer = a.intNum(1, 100);
        int shards = fixed ? Math.max(2, Go.gomaxprocs(0)) : 1;
        measure(producers, perProducer, shards); // warm-up (JIT), not reported
        Result r = measure(producers, perProducer, shards);
        out.printf("%s: %,d values from %d producers at GOMAXPROCS=%d in %.1f ms: %.0f ns/value, a send took %,d ns on average%n",
                shards == 1 ? "one channel (cap 100), one consumer" : shards + " sharded channels (cap 100), a consumer each",
                r.received(), producers, Go.gomaxprocs(0), r.wallNanos() / 1e6, (double) r.wallNanos() / r.values(),
                r.meanSendNanos());
        out.printf("  /gmp4j/sched/steals during the run: %,d%n", r.steals());
        List<Pprof.Group> top = profiledBlocks(producers, perProducer, shards);
        long total = 0, events = 0;
        for (Pprof.Group g : top) {
            total += g.delayNanos();
            events += g.count();
        }
        out.printf("  block profile of one more run (Debug.setBlockProfileRate(1), /debug/pprof/block?debug=1): %,.1f ms waited in %,d blocking events; top stacks:%n",
                total / 1e6, events);
        for (Pprof.Group g : top.subList(0, Math.min(3, top.size()))) {
            out.printf("    %,10.1f ms %,8d  %s  <-  %s%n", g.delayNanos() / 1e6, g.count(), g.frames().isEmpty() ? "?" : g.frames().getFirst(),
                    g.callerIn("io.gmp4j.examples."));
        }
        List<Pprof.Group> locks = lastMutexDelta;
        long lockTotal = 0, lockEvents = 0;
        for (Pprof.Group g : locks) {
            lockTotal += g.delayNanos();
            lockEvents += g.count();
        }
        out.printf("  mutex profile of the same run (Debug.setMutexProfileFraction(1), /debug/pprof/mutex?debug=1): %,.3f ms waited for a lock in %,d contended acquisitions; top stacks:%n",
                lockTotal / 1e6, lockEvents);
        for (Pprof.Group g : locks.subList(0, Math.min(3, locks.size()))) {
            out.printf("    %,10.3f ms %,8d  %s  <-  %s%n", g.delayNanos() / 1e6, g.count(), g.frames().isEmpty() ? "?" : g.frames().getFirst(),
                    g.callerIn("io.gmp4j.examples."));
        }
        return 0;
    }

    /** What the mutex profile gained during the last {@link #profiledBlocks} run (the channel lock's contention). */
    static volatile List<Pprof.Group> lastMutexDelta = List.of();

    /**
     * One more run with the block and mutex profiles on (rate 1: every event), and what it added
     * to this process's block profile, read through the debug server as {@code go tool pprof}
     * would: the groups, the largest delay first. The mutex profile's groups go to
     * {@link #lastMutexDelta}.
     */
    static List<Pprof.Group> profiledBlocks(int producers, int perProducer, int shards) {
        var before = Pprof.parseContention(new String(Pprof.get("/debug/pprof/block?debug=1"), StandardCharsets.UTF_8));
        var mutexBefore = Pprof.parseContention(new String(Pprof.get("/debug/pprof/mutex?debug=1"), StandardCharsets.UTF_8));
        int prev = Debug.setBlockProfileRate(1);
        int prevFraction = Debug.setMutexProfileFraction(1);
        try {
            measure(producers, perProducer, shards);
        } finally {
            Debug.setBlockProfileRate(prev);
            Debug.setMutexProfileFraction(prevFraction);
        }
        var after = Pprof.parseContention(new String(Pprof.get("/debug/pprof/block?debug=1"), StandardCharsets.UTF_8));
        var mutexAfter = Pprof.parseContention(new String(Pprof.get("/debug/pprof/mutex?debug=1"), StandardCharsets.UTF_8));
        lastMutexDelta = Pprof.delta(mutexBefore, mutexAfter);
        return Pprof.delta(before, after);
    }

    /** {@code producers} goroutines send {@code perProducer} values each, spread over {@code shards} channels. */
    static Result measure(int producers, int perProducer, int shards) {
        long steals0 = Metrics.read().get("/gmp4j/sched/steals:goroutines");
        @SuppressWarnings("unchecked")
        Chan<Integer>[] chans = new Chan[shards];
        AtomicLong received = new AtomicLong();
        AtomicLong sendNanos = new AtomicLong();
        WaitGroup consumers = new WaitGroup();
        for (int s = 0; s < shards; s++) {
            Chan<Integer> ch = Chan.make(100);
            chans[s] = ch;
            consumers.add(1);
            Go.go(() -> {
                try {
                    long n = 0;
                    for (Integer v : ch) { // range ch: until closed
                        n += v >= 0 ? 1 : 0;
                    }
                    received.addAndGet(n);
                } finally {
                    consumers.done();
                }
            });
        }
        long start = System.nanoTime();
        WaitGroup wg = new WaitGroup();
        for (int p = 0; p < producers; p++) {
            int id = p;
            wg.add(1);
            Go.go(() -> {
                try {
                    Chan<Integer> ch = chans[id % shards];
                    long t = 0;
                    for (int j = 0; j < perProducer; j++) {
                        long t0 = System.nanoTime();
                        ch.send(id * 1000 + j);
                        t += System.nanoTime() - t0;
                    }
                    sendNanos.addAndGet(t);
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        for (Chan<Integer> ch : chans) {
            ch.close();
        }
        consumers.await();
        long wall = System.nanoTime() - start;
        long values = (long) producers * perProducer;
        long steals = Metrics.read().get("/gmp4j/sched/steals:goroutines") - steals0;
        return new Result(shards, values, received.get(), wall, sendNanos.get() / values, steals);
    }
}
