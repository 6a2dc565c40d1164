package io.gmp4j.bench;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The workloads written with the JDK's closest primitives, on virtual threads (the JDK's
 * default scheduler) or on platform threads: same code, different {@link ThreadFactory}.
 *
 * <p>Mapping from Go: unbuffered channel = {@code SynchronousQueue}; buffered channel =
 * {@code ArrayBlockingQueue} (close = a sentinel); {@code sync.WaitGroup} =
 * {@code CountDownLatch}; {@code sync.Mutex} = {@code ReentrantLock} (non-fair);
 * {@code time.Sleep} = {@code Thread.sleep}; PP's {@code LockSupport} is the same on both
 * sides; {@code select} has no JDK counterpart, so W7's
 * producers share one {@code SynchronousQueue}. "main" runs on a thread of the same kind, as
 * Go's main is a goroutine.
 */
final class JdkWorkloads implements WorkloadRunner {
    private final ThreadFactory threads;

    JdkWorkloads(boolean virtual) {
        this.threads = virtual ? Thread.ofVirtual().factory() : Thread.ofPlatform().factory();
    }

    @Override
    public String run(Workload w, Params p) throws Exception {
        return onThread(() -> switch (w) {
            case W1 -> spawn(p.get("n"));
            case W2 -> pingPong(p.get("n"));
            case PP -> ParkPingPong.run(p.get("n"), this::start);
            case W3 -> stream(p.get("n"), p.get("cap"));
            case W4 -> fanIn(p.get("producers"), p.get("msgs"), p.get("cap"));
            case W4s -> shardedFanIn(p.get("producers"), p.get("msgs"), p.get("cap"), p.get("shards"));
            case W5 -> cpuBound(p.get("jobs"), p.get("steps"));
            case W6 -> sleepers(p.get("n"), p.get("sleepMs"));
            case W7 -> sharedQueue(p.get("n"));
            case W8 -> mutex(p.get("workers"), p.get("iters"));
            case W9 -> latency(p.get("markMs"));
            case W10 -> wakeLateness(p.get("durationMs"), p.get("sleepMs"));
            case MEM -> parked(p.get("n"));
        });
    }

    /** Runs body as "main" on a thread of this kind and returns its result. */
    private String onThread(Callable<String> body) throws Exception {
        String[] result = new String[1];
        Exception[] failure = new Exception[1];
        Thread main = threads.newThread(() -> {
            try {
                result[0] = body.call();
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        main.start();
        main.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    private void start(Runnable r) {
        threads.newThread(r).start();
    }

    private String spawn(int n) throws InterruptedException {
        CountDownLatch wg = new CountDownLatch(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            start(wg::countDown);
        }
        wg.await();
        return Results.perOp(t0, n);
    }

    private String pingPong(int n) throws InterruptedException {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        long t0 = System.nanoTime();
        start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    pong.put(ping.take());
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < n; i++) {
            ping.put(Results.box(i));
            pong.take();
        }
        return Results.perOp(t0, n);
    }

    private static final Integer END = -1; // cached box; payloads are 0..127

    private String stream(int n, int cap) throws InterruptedException {
        ArrayBlockingQueue<Integer> ch = new ArrayBlockingQueue<>(cap);
        long t0 = System.nanoTime();
        start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    ch.put(Results.box(i));
                }
                ch.put(END);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long sum = 0;
        for (Integer v; (v = ch.take()) != END; ) {
            sum += v;
        }
        String r = Results.perOp(t0, n);
        Results.sink = sum;
        return r;
    }

    private void produce(BlockingQueue<Integer> ch, int msgs) {
        start(() -> {
            try {
                for (int i = 0; i < msgs; i++) {
                    ch.put(Results.box(i));
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private String fanIn(int producers, int msgs, int cap) throws InterruptedException {
        ArrayBlockingQueue<Integer> ch = new ArrayBlockingQueue<>(cap);
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            produce(ch, msgs);
        }
        long sum = 0;
        for (int i = 0; i < producers * msgs; i++) {
            sum += ch.take();
        }
        String r = Results.perOp(t0, (long) producers * msgs);
        Results.sink = sum;
        return r;
    }

    private String shardedFanIn(int producers, int msgs, int cap, int shards) throws InterruptedException {
        @SuppressWarnings({"unchecked", "rawtypes"})
        ArrayBlockingQueue<Integer>[] chans = new ArrayBlockingQueue[shards];
        for (int s = 0; s < shards; s++) {
            chans[s] = new ArrayBlockingQueue<>(cap);
        }
        CountDownLatch wg = new CountDownLatch(shards);
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            produce(chans[p % shards], msgs);
        }
        for (int s = 0; s < shards; s++) {
            int expect = ((producers - s + shards - 1) / shards) * msgs;
            ArrayBlockingQueue<Integer> ch = chans[s];
            start(() -> {
                long sum = 0;
                try {
                    for (int i = 0; i < expect; i++) {
                        sum += ch.take();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                Results.sink = sum;
                wg.countDown();
            });
        }
        wg.await();
        return Results.perOp(t0, (long) producers * msgs);
    }

    private long lcgJobs(int jobs, int steps, int workers, long[] checksum) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicLong total = new AtomicLong();
        CountDownLatch wg = new CountDownLatch(workers);
        long t0 = System.nanoTime();
        for (int w = 0; w < workers; w++) {
            start(() -> {
                long sum = 0;
                for (int job; (job = next.getAndIncrement()) < jobs; ) {
                    long x = job;
                    for (int i = 0; i < steps; i++) {
                        x = Results.lcg(x);
                    }
                    sum += x;
                }
                total.addAndGet(sum);
                wg.countDown();
            });
        }
        wg.await();
        long elapsed = System.nanoTime() - t0;
        checksum[0] = total.get();
        return elapsed;
    }

    private String cpuBound(int jobs, int steps) throws InterruptedException {
        int cpus = Runtime.getRuntime().availableProcessors();
        long[] sum1 = new long[1];
        long[] sum4 = new long[1];
        long t1 = lcgJobs(jobs, steps, cpus, sum1);
        long t4 = lcgJobs(jobs, steps, 4 * cpus, sum4);
        if (sum1[0] != sum4[0]) {
            throw new IllegalStateException("W5: checksums differ");
        }
        return Results.w5(t1, t4);
    }

    private String sleepers(int n, int sleepMs) throws InterruptedException {
        CountDownLatch wg = new CountDownLatch(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            start(() -> {
                try {
                    Thread.sleep(sleepMs);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                wg.countDown();
            });
        }
        wg.await();
        return Results.millis(t0);
    }

    private String sharedQueue(int n) throws InterruptedException {
        SynchronousQueue<Integer> ch = new SynchronousQueue<>();
        long t0 = System.nanoTime();
        for (int p = 0; p < 2; p++) {
            start(() -> {
                try {
                    for (int i = 0; i < n / 2; i++) {
                        ch.put(Results.box(i));
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        long sum = 0;
        for (int i = 0; i < n / 2 * 2; i++) {
            sum += ch.take();
        }
        String r = Results.perOp(t0, n / 2 * 2);
        Results.sink = sum;
        return r;
    }

    private String mutex(int workers, int iters) throws InterruptedException {
        ReentrantLock mu = new ReentrantLock();
        long[] counter = new long[1];
        CountDownLatch wg = new CountDownLatch(workers);
        long t0 = System.nanoTime();
        for (int w = 0; w < workers; w++) {
            start(() -> {
                for (int i = 0; i < iters; i++) {
                    mu.lock();
                    try {
                        counter[0]++;
                    } finally {
                        mu.unlock();
                    }
                }
                wg.countDown();
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

    private String latency(int markMs) throws InterruptedException {
        w9Done = false;
        long t0 = System.nanoTime();
        long mark = t0 + markMs * 1_000_000L;
        CountDownLatch spinning = new CountDownLatch(1);
        start(() -> {
            spinning.countDown();
            long x = 1;
            while (!w9Done) { // no calls
                x = (x * 1103515245L + 12345L) & 0x7fffffffL;
            }
            Results.sink = x;
        });
        spinning.await();
        long left = mark - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000L, (int) (left % 1_000_000L));
        }
        long[] late = new long[1];
        CountDownLatch ran = new CountDownLatch(1);
        start(() -> {
            late[0] = System.nanoTime() - mark;
            w9Done = true;
            ran.countDown();
        });
        ran.await();
        return String.format(java.util.Locale.ROOT, "value=%.3f", late[0] / 1e6);
    }

    private String wakeLateness(int durationMs, int sleepMs) throws InterruptedException {
        int spinners = 2 * Runtime.getRuntime().availableProcessors();
        AtomicInteger finished = new AtomicInteger();
        CountDownLatch wg = new CountDownLatch(spinners + 1);
        long[] late = new long[durationMs * 2 + 16];
        int[] count = new int[1];
        CountDownLatch sleeping = new CountDownLatch(1);
        start(() -> {
            try {
                sleeping.countDown();
                while (finished.get() < spinners) {
                    long before = System.nanoTime();
                    Thread.sleep(sleepMs);
                    if (count[0] < late.length) {
                        late[count[0]++] = System.nanoTime() - before - sleepMs * 1_000_000L;
                    }
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            wg.countDown();
        });
        sleeping.await();
        long end = System.nanoTime() + durationMs * 1_000_000L;
        for (int s = 0; s < spinners; s++) {
            start(() -> {
                long x = 1;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 1000; i++) {
                        x = Results.lcg(x);
                    }
                }
                Results.sink = x;
                finished.incrementAndGet();
                wg.countDown();
            });
        }
        wg.await();
        return Results.w10(late, count[0]);
    }

    private String parked(int n) throws InterruptedException {
        SynchronousQueue<Integer> ch = new SynchronousQueue<>();
        AtomicInteger parked = new AtomicInteger();
        CountDownLatch wg = new CountDownLatch(n);
        long before = Results.heapUsedAfterGc();
        for (int i = 0; i < n; i++) {
            start(() -> {
                parked.incrementAndGet();
                try {
                    ch.take();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                wg.countDown();
            });
        }
        while (parked.get() < n) {
            Thread.sleep(1);
        }
        Thread.sleep(50);
        long after = Results.heapUsedAfterGc();
        for (int i = 0; i < n; i++) {
            ch.put(Results.box(i));
        }
        wg.await();
        return Results.bytesPer(before, after, n);
    }
}
