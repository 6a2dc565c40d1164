package io.gmp4j.bench;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The workloads on gmp4j, written as the Go twin ({@code go/twin.go}) is: main is goroutine 1
 * ({@link Go#run}), channels carry boxed ints from Integer's cache (no allocation per message,
 * as Go sends ints), {@code WaitGroup}, {@code Mutex} and {@code Time.sleep} are gmp4j's.
 *
 * <p>Only child JVMs of the gmp4j column load this class; the other columns never touch the
 * gmp4j runtime.
 */
final class GmpWorkloads implements WorkloadRunner {
    @Override
    public String run(Workload w, Params p) {
        String[] result = new String[1];
        Go.run(() -> result[0] = switch (w) {
            case W1 -> spawn(p.get("n"));
            case W2 -> pingPong(p.get("n"));
            case PP -> ParkPingPong.run(p.get("n"), Go::go);
            case W3 -> stream(p.get("n"), p.get("cap"));
            case W4 -> fanIn(p.get("producers"), p.get("msgs"), p.get("cap"));
            case W4s -> shardedFanIn(p.get("producers"), p.get("msgs"), p.get("cap"), p.get("shards"));
            case W5 -> cpuBound(p.get("jobs"), p.get("steps"));
            case W6 -> sleepers(p.get("n"), p.get("sleepMs"));
            case W7 -> select(p.get("n"));
            case W8 -> mutex(p.get("workers"), p.get("iters"));
            case W9 -> latency(p.get("markMs"));
            case W10 -> wakeLateness(p.get("durationMs"), p.get("sleepMs"));
            case MEM -> parked(p.get("n"));
        });
        return result[0];
    }

    private static String spawn(int n) {
        WaitGroup wg = new WaitGroup();
        long t0 = System.nanoTime();
        wg.add(n);
        for (int i = 0; i < n; i++) {
            Go.go(wg::done);
        }
        wg.await();
        return Results.perOp(t0, n);
    }

    private static String pingPong(int n) {
        Chan<Integer> ping = Chan.make(0);
        Chan<Integer> pong = Chan.make(0);
        long t0 = System.nanoTime();
        Go.go(() -> {
            for (int i = 0; i < n; i++) {
                pong.send(ping.recv());
            }
        });
        for (int i = 0; i < n; i++) {
            ping.send(Results.box(i));
            pong.recv();
        }
        return Results.perOp(t0, n);
    }

    private static String stream(int n, int cap) {
        Chan<Integer> ch = Chan.make(cap);
        long t0 = System.nanoTime();
        Go.go(() -> {
            for (int i = 0; i < n; i++) {
                ch.send(Results.box(i));
            }
            ch.close();
        });
        long sum = 0;
        for (Integer v : ch) {
            sum += v;
        }
        String r = Results.perOp(t0, n);
        Results.sink = sum;
        return r;
    }

    private static void produce(Chan<Integer> ch, int msgs) {
        Go.go(() -> {
            for (int i = 0; i < msgs; i++) {
                ch.send(Results.box(i));
            }
        });
    }

    private static String fanIn(int producers, int msgs, int cap) {
        Chan<Integer> ch = Chan.make(cap);
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            produce(ch, msgs);
        }
        long sum = 0;
        for (int i = 0; i < producers * msgs; i++) {
            sum += ch.recv();
        }
        String r = Results.perOp(t0, (long) producers * msgs);
        Results.sink = sum;
        return r;
    }

    private static String shardedFanIn(int producers, int msgs, int cap, int shards) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Chan<Integer>[] chans = new Chan[shards];
        for (int s = 0; s < shards; s++) {
            chans[s] = Chan.make(cap);
        }
        WaitGroup wg = new WaitGroup();
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            produce(chans[p % shards], msgs);
        }
        wg.add(shards);
        for (int s = 0; s < shards; s++) {
            int expect = ((producers - s + shards - 1) / shards) * msgs;
            Chan<Integer> ch = chans[s];
            Go.go(() -> {
                long sum = 0;
                for (int i = 0; i < expect; i++) {
                    sum += ch.recv();
                }
                Results.sink = sum;
                wg.done();
            });
        }
        wg.await();
        return Results.perOp(t0, (long) producers * msgs);
    }

    private static long lcgJobs(int jobs, int steps, int workers, long[] checksum) {
        AtomicInteger next = new AtomicInteger();
        AtomicLong total = new AtomicLong();
        WaitGroup wg = new WaitGroup();
        long t0 = System.nanoTime();
        wg.add(workers);
        for (int w = 0; w < workers; w++) {
            Go.go(() -> {
                long sum = 0;
                for (int job; (job = next.getAndIncrement()) < jobs; ) {
                    long x = job;
                    for (int i = 0; i < steps; i++) {
                        x = Results.lcg(x);
                    }
                    sum += x;
                }
                total.addAndGet(sum);
                wg.done();
            });
        }
        wg.await();
        long elapsed = System.nanoTime() - t0;
        checksum[0] = total.get();
        return elapsed;
    }

    private static String cpuBound(int jobs, int steps) {
        int cpus = Go.numCPU();
        long[] sum1 = new long[1];
        long[] sum4 = new long[1];
        long t1 = lcgJobs(jobs, steps, cpus, sum1);
        long t4 = lcgJobs(jobs, steps, 4 * cpus, sum4);
        if (sum1[0] != sum4[0]) {
            throw new IllegalStateException("W5: checksums differ");
        }
        return Results.w5(t1, t4);
    }

    private static String sleepers(int n, int sleepMs) {
        Duration d = Duration.ofMillis(sleepMs);
        WaitGroup wg = new WaitGroup();
        long t0 = System.nanoTime();
        wg.add(n);
        for (int i = 0; i < n; i++) {
            Go.go(() -> {
                Time.sleep(d);
                wg.done();
            });
        }
        wg.await();
        return Results.millis(t0);
    }

    private static String select(int n) {
        Chan<Integer> a = Chan.make(0);
        Chan<Integer> b = Chan.make(0);
        long t0 = System.nanoTime();
        for (Chan<Integer> ch : java.util.List.of(a, b)) {
            Go.go(() -> {
                for (int i = 0; i < n / 2; i++) {
                    ch.send(Results.box(i));
                }
            });
        }
        long[] sum = new long[1];
        Consumer<Integer> fromA = v -> sum[0] += v;
        Consumer<Integer> fromB = v -> sum[0] -= v;
        for (int i = 0; i < n / 2 * 2; i++) {
            Select.select(a.onRecv(fromA), b.onRecv(fromB));
        }
        String r = Results.perOp(t0, n / 2 * 2);
        Results.sink = sum[0];
        return r;
    }

    private static String mutex(int workers, int iters) {
        Mutex mu = new Mutex();
        long[] counter = new long[1];
        WaitGroup wg = new WaitGroup();
        long t0 = System.nanoTime();
        wg.add(workers);
        for (int w = 0; w < workers; w++) {
            Go.go(() -> {
                for (int i = 0; i < iters; i++) {
                    mu.lock();
                    try {
                        counter[0]++;
                    } finally {
                        mu.unlock();
                    }
                }
                wg.done();
            });
        }
        wg.await();
        String r = Results.perOp(t0, (long) workers * iters);
        if (counter[0] != (long) workers * iters) {
            throw new IllegalStateException("W8: lost updates");
        }
        return r;
    }

    private static volatile boolean w9Done;

    /**
     * W9 as in the Go twin: main sleeps to the mark while a G spins without calls, then starts
     * a second G; the figure is how late after the mark that G first runs. Main itself needs a
     * P to wake, so this measures the same hand-off Go's sysmon preemption provides.
     */
    private static String latency(int markMs) {
        w9Done = false;
        long t0 = System.nanoTime();
        long mark = t0 + markMs * 1_000_000L;
        Chan<Boolean> spinning = Chan.make(0);
        Go.go(() -> {
            spinning.close();
            long x = 1;
            while (!w9Done) { // no calls
                x = (x * 1103515245L + 12345L) & 0x7fffffffL;
            }
            Results.sink = x;
        });
        spinning.recv();
        long left = mark - System.nanoTime();
        if (left > 0) {
            Time.sleep(Duration.ofNanos(left));
        }
        Chan<Long> ran = Chan.make(1);
        Go.go(() -> {
            long late = System.nanoTime() - mark;
            w9Done = true;
            ran.send(late);
        });
        long late = ran.recv();
        return String.format(Locale.ROOT, "value=%.3f", late / 1e6);
    }

    private static String wakeLateness(int durationMs, int sleepMs) {
        int spinners = 2 * Go.gomaxprocs(0);
        Duration sleep = Duration.ofMillis(sleepMs);
        AtomicInteger finished = new AtomicInteger();
        WaitGroup wg = new WaitGroup();
        wg.add(spinners + 1);
        long[] late = new long[durationMs * 2 + 16];
        int[] count = new int[1];
        Chan<Boolean> sleeping = Chan.make(0);
        Go.go(() -> {
            sleeping.close();
            while (finished.get() < spinners) {
                long before = System.nanoTime();
                Time.sleep(sleep);
                if (count[0] < late.length) {
                    late[count[0]++] = System.nanoTime() - before - sleep.toNanos();
                }
            }
            wg.done();
        });
        sleeping.recv();
        long end = System.nanoTime() + durationMs * 1_000_000L;
        for (int s = 0; s < spinners; s++) {
            Go.go(() -> {
                long x = 1;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 1000; i++) {
                        x = Results.lcg(x);
                    }
                }
                Results.sink = x;
                finished.incrementAndGet();
                wg.done();
            });
        }
        wg.await();
        return Results.w10(late, count[0]);
    }

    private static String parked(int n) {
        Chan<Integer> ch = Chan.make(0);
        AtomicInteger parked = new AtomicInteger();
        WaitGroup wg = new WaitGroup();
        long before = Results.heapUsedAfterGc();
        wg.add(n);
        for (int i = 0; i < n; i++) {
            Go.go(() -> {
                parked.incrementAndGet();
                ch.recv();
                wg.done();
            });
        }
        while (parked.get() < n) {
            Time.sleep(Duration.ofMillis(1));
        }
        Time.sleep(Duration.ofMillis(50));
        long after = Results.heapUsedAfterGc();
        ch.close();
        wg.await();
        return Results.bytesPer(before, after, n);
    }
}
