package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import io.gmp4j.sync.Cond;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.Once;
import io.gmp4j.sync.Pool;
import io.gmp4j.sync.RWMutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Ticker;
import io.gmp4j.time.Time;
import io.gmp4j.time.Timer;
import io.gmp4j.xsync.ErrGroup;
import io.gmp4j.xsync.Semaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Randomized torture of the scheduler: W workers (default 12) run a random mix of scenarios
 * ({@link #NAMES}; MASK, hex, bit i enables NAMES[i], default all) for N seconds, each scenario
 * checking its own accounting (messages sent = received, sums, WaitGroup totals, timer
 * armings = values received + successful stops, contexts all done, no object handed out twice
 * by a Pool). {@code TortureProg SEED SECONDS [WORKERS [MASK]]}; run it with the launcher's
 * class loader (PreemptLoader) so that the call-free loops get back-edge checks, or without.
 * Prints {@code OK ...} with per-scenario counts and exits 0 once the goroutine count is back to
 * its start; a failed check prints {@code FAIL ...}, every goroutine's stack, and halts with 5;
 * a worker without progress for 10 s halts with 4 (watchdog goroutine) or, 20 s, with 6
 * (platform thread); a run that does not end halts with 3; a deadlock verdict exits with 2.
 * A failure names the scenario and the seed of its SplittableRandom, for a replay.
 * With {@code -Dtorture.observe=true} the {@link Observers} run beside the workers (traces,
 * dumps, metrics, the debug server, profile toggles); a failed observer check halts with 8.
 *
 * <p>Intensity is bounded on purpose: a storm of spurious wake-ups or dozens of call-free
 * loops per P only measures starvation (a G in the global queue waits its 1-in-61 turn behind
 * a local queue that never empties, as in Go), not lost work.
 */
public final class TortureProg {
    private TortureProg() {}

    static long seed;
    static long endAt;
    static int workers;
    static long mask = -1L;
    static AtomicLongArray progress;
    static AtomicReferenceArray<String> doing;
    static volatile boolean finished;
    static final String[] NAMES = {"procs", "pingpong", "fanInOut", "selectMix", "timer", "closeRace", "mutex",
        "rwmutex", "cond", "wgOncePool", "errgroup", "semaphore", "ctxTree", "locked", "goexit", "panics", "cpuHog",
        "jdkBlock", "observe", "ticker", "afterFunc", "gosched", "selfSelect", "ctxRace", "sharedPool", "timerRace", "interrupts"};
    static final AtomicLongArray counts = new AtomicLongArray(NAMES.length);
    static final AtomicLong afterFuncRan = new AtomicLong();
    static final AtomicLong afterFuncExpected = new AtomicLong();
    static final Object monitor = new Object();
    static final ReentrantLock jlock = new ReentrantLock();

    public static void main(String[] args) {
        seed = Long.parseLong(args[0]);
        int secs = Integer.parseInt(args[1]);
        workers = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        if (args.length > 3) {
            mask = Long.parseUnsignedLong(args[3], 16);
        }
        progress = new AtomicLongArray(workers);
        doing = new AtomicReferenceArray<>(workers);
        System.out.println("seed " + seed + " secs " + secs + " workers " + workers + " procs " + Go.gomaxprocs(0)
                + " mask " + Long.toHexString(mask));
        long start = System.nanoTime();
        endAt = start + secs * 1_000_000_000L;
        Thread plat = new Thread(() -> platformWatchdog(start + (secs + 60) * 1_000_000_000L));
        plat.setDaemon(true);
        plat.start();
        Go.run(TortureProg::body);
        finished = true;
        StringBuilder sb = new StringBuilder("OK seed " + seed + " ms " + (System.nanoTime() - start) / 1_000_000);
        for (int i = 0; i < NAMES.length; i++) {
            sb.append(' ').append(NAMES[i]).append('=').append(counts.get(i));
        }
        System.out.println(sb);
        System.out.flush();
        System.exit(0);
    }

    static void platformWatchdog(long hardEnd) {
        for (;;) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            if (finished) {
                return;
            }
            long now = System.nanoTime();
            for (int i = 0; i < workers; i++) {
                long p = progress.get(i);
                if (p != Long.MAX_VALUE && p != 0 && now - p > 20_000_000_000L) {
                    die(6, "platform watchdog: worker " + i + " in " + doing.get(i) + " made no progress for 20 s");
                }
            }
            if (now > hardEnd) {
                die(3, "platform watchdog: run did not end");
            }
        }
    }

    static void die(int code, String msg) {
        System.out.println("FAIL seed " + seed + ": " + msg);
        System.out.flush();
        Thread t = new Thread(() -> {
            System.out.println(Go.stack(true));
            System.out.flush();
        });
        t.setDaemon(true);
        t.start();
        try {
            t.join(15_000);
        } catch (InterruptedException e) {
            // halt anyway
        }
        System.out.println("numGoroutine " + Go.numGoroutine());
        for (java.util.function.Supplier<String> d : DBG) {
            System.out.println("dbg: " + d.get());
        }
        System.out.flush();
        Runtime.getRuntime().halt(code);
    }

    static boolean got(Chan.Recv<?> r) {
        return r != null && r.ok();
    }

    static final java.util.Set<java.util.function.Supplier<String>> DBG = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static void check(boolean cond, String what) {
        if (!cond) {
            die(5, what);
        }
    }

    static void body() {
        int base = Go.numGoroutine();
        boolean observe = Boolean.getBoolean("torture.observe");
        if (observe) {
            Observers.start(seed);
        }
        WaitGroup wg = new WaitGroup();
        long now = System.nanoTime();
        for (int i = 0; i < workers; i++) {
            progress.set(i, now);
            int id = i;
            SplittableRandom r = new SplittableRandom(seed * 1000 + i);
            wg.add(1);
            Go.go(() -> {
                try {
                    worker(id, r);
                } finally {
                    progress.set(id, Long.MAX_VALUE);
                    wg.done();
                }
            });
        }
        Chan<Object> wdDone = Chan.make();
        Go.go(() -> {
            while (!finishedWorkers) {
                Time.sleep(Duration.ofMillis(200));
                long t = System.nanoTime();
                for (int i = 0; i < workers; i++) {
                    long p = progress.get(i);
                    if (p != Long.MAX_VALUE && t - p > 10_000_000_000L) {
                        die(4, "watchdog: worker " + i + " in " + doing.get(i) + " made no progress for 10 s");
                    }
                }
            }
            wdDone.close();
        });
        wg.await();
        finishedWorkers = true;
        wdDone.recv();
        if (observe) {
            Observers.finish();
        }
        // afterFunc callbacks whose stop returned false must all run
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (afterFuncRan.get() != afterFuncExpected.get()) {
            check(System.nanoTime() < deadline,
                    "afterFunc ran " + afterFuncRan.get() + " expected " + afterFuncExpected.get());
            Time.sleep(Duration.ofMillis(1));
        }
        Go.gomaxprocs(8);
        deadline = System.nanoTime() + 10_000_000_000L;
        while (Go.numGoroutine() > base) {
            check(System.nanoTime() < deadline, "goroutines leaked: " + Go.numGoroutine() + " > " + base);
            Time.sleep(Duration.ofMillis(1));
        }
        check(Go.numGoroutine() == base, "numGoroutine " + Go.numGoroutine() + " base " + base);
        // afterFuncs that were stopped must never run
        Time.sleep(Duration.ofMillis(20));
        check(afterFuncRan.get() == afterFuncExpected.get(),
                "stopped afterFunc ran: " + afterFuncRan.get() + " expected " + afterFuncExpected.get());
    }

    static volatile boolean finishedWorkers;

    static void worker(int id, SplittableRandom r) {
        while (System.nanoTime() < endAt) {
            int s;
            do {
                s = r.nextInt(NAMES.length);
            } while ((mask & (1L << s)) == 0);
            doing.set(id, NAMES[s]);
            long seedHere = r.nextLong();
            SplittableRandom rr = new SplittableRandom(seedHere);
            doing.set(id, NAMES[s] + "/" + seedHere);
            run(s, rr);
            counts.incrementAndGet(s);
            progress.set(id, System.nanoTime());
        }
    }

    static void run(int s, SplittableRandom r) {
        switch (s) {
            case 0 -> procs(r);
            case 1 -> pingpong(r);
            case 2 -> fanInOut(r);
            case 3 -> selectMix(r);
            case 4 -> timer(r);
            case 5 -> closeRace(r);
            case 6 -> mutex(r);
            case 7 -> rwmutex(r);
            case 8 -> cond(r);
            case 9 -> wgOncePool(r);
            case 10 -> errgroup(r);
            case 11 -> semaphore(r);
            case 12 -> ctxTree(r);
            case 13 -> locked(r);
            case 14 -> goexit(r);
            case 15 -> panics(r);
            case 16 -> cpuHog(r);
            case 17 -> jdkBlock(r);
            case 18 -> observe(r);
            case 19 -> ticker(r);
            case 20 -> afterFunc(r);
            case 21 -> goschedStorm(r);
            case 22 -> selfSelect(r);
            case 23 -> ctxRace(r);
            case 24 -> sharedPool(r);
            case 25 -> timerRace(r);
            case 26 -> interrupts(r);
            default -> throw new IllegalStateException();
        }
    }

    static final int[] PROCS = {1, 2, 3, 8};

    static void pause(SplittableRandom r) {
        switch (r.nextInt(4)) {
            case 0 -> Go.gosched();
            case 1 -> Time.sleep(Duration.ofNanos(r.nextLong(2_000_000)));
            case 2 -> {
                for (int i = r.nextInt(100); i > 0; i--) {
                    Thread.onSpinWait();
                }
            }
            default -> {}
        }
    }

    static void procs(SplittableRandom r) {
        Go.gomaxprocs(PROCS[r.nextInt(PROCS.length)]);
        pause(r);
    }

    static void pingpong(SplittableRandom r) {
        Chan<Integer> a = Chan.make();
        Chan<Integer> b = r.nextBoolean() ? Chan.make() : Chan.make(1);
        Chan<Object> done = Chan.make();
        boolean lock = r.nextInt(4) == 0;
        Go.go(() -> {
            if (lock) {
                Go.lockOSThread();
            }
            for (Integer v : a) {
                b.send(v + 1);
            }
            done.close();
            // a locked goroutine that ends locked takes its M with it
        });
        int n = 1 + r.nextInt(300);
        for (int i = 0; i < n; i++) {
            a.send(i);
            Integer got = b.recv();
            check(got != null && got == i + 1, "pingpong: got " + got + " want " + (i + 1));
            if (r.nextInt(50) == 0) {
                pause(r);
            }
        }
        a.close();
        done.recv();
    }

    static void fanInOut(SplittableRandom r) {
        Chan<Long> ch = Chan.make(r.nextInt(9));
        int np = 1 + r.nextInt(4);
        int nc = 1 + r.nextInt(4);
        int m = 1 + r.nextInt(200);
        WaitGroup pwg = new WaitGroup();
        WaitGroup cwg = new WaitGroup();
        AtomicLong sum = new AtomicLong();
        AtomicLong cnt = new AtomicLong();
        for (int p = 0; p < np; p++) {
            pwg.add(1);
            boolean viaSelect = r.nextBoolean();
            Go.go(() -> {
                for (long i = 1; i <= m; i++) {
                    if (viaSelect) {
                        Select.select(ch.onSend(i, () -> {}), Chan.<Long>nil().onSend(-1L, () -> {}));
                    } else {
                        ch.send(i);
                    }
                }
                pwg.done();
            });
        }
        Go.go(() -> {
            pwg.await();
            ch.close();
        });
        for (int c = 0; c < nc; c++) {
            cwg.add(1);
            int mode = r.nextInt(3);
            Go.go(() -> {
                if (mode == 0) {
                    for (Long v : ch) {
                        sum.addAndGet(v);
                        cnt.incrementAndGet();
                    }
                } else if (mode == 1) {
                    for (;;) {
                        Chan.Recv<Long> v = ch.recvOk();
                        if (!v.ok()) {
                            break;
                        }
                        sum.addAndGet(v.value());
                        cnt.incrementAndGet();
                    }
                } else {
                    boolean[] open = {true};
                    while (open[0]) {
                        Select.select(ch.onRecvOk((v, ok) -> {
                            if (ok) {
                                sum.addAndGet(v);
                                cnt.incrementAndGet();
                            } else {
                                open[0] = false;
                            }
                        }), Chan.nil().onRecv(v -> check(false, "nil chan fired")));
                    }
                }
                cwg.done();
            });
        }
        cwg.await();
        check(cnt.get() == (long) np * m, "fanInOut count " + cnt.get() + " want " + (long) np * m);
        check(sum.get() == (long) np * m * (m + 1) / 2, "fanInOut sum " + sum.get());
    }

    static void selectMix(SplittableRandom r) {
        int k = 2 + r.nextInt(4);
        List<Chan<Integer>> real = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            real.add(Chan.make(r.nextInt(3)));
        }
        int n = 1 + r.nextInt(200);
        boolean senderTimer = r.nextBoolean();
        boolean recvDefault = r.nextInt(3) == 0;
        boolean recvTimer = r.nextBoolean();
        int nilExtra = r.nextInt(3);
        long sseed = r.nextLong();
        Chan<Object> sdone = Chan.make();
        Go.go(() -> {
            SplittableRandom sr = new SplittableRandom(sseed);
            for (int i = 1; i <= n; i++) {
                int v = i;
                boolean[] sent = {false};
                while (!sent[0]) {
                    List<Select.Case> cases = new ArrayList<>();
                    for (Chan<Integer> c : real) {
                        if (sr.nextInt(3) != 0) {
                            cases.add(c.onSend(v, () -> sent[0] = true));
                        }
                    }
                    if (cases.isEmpty()) {
                        cases.add(real.get(0).onSend(v, () -> sent[0] = true));
                    }
                    for (int j = 0; j < nilExtra; j++) {
                        cases.add(Chan.<Integer>nil().onSend(v, () -> check(false, "nil send fired")));
                    }
                    if (senderTimer) {
                        cases.add(Time.after(Duration.ofNanos(sr.nextLong(3_000_000))).onRecv(t -> {}));
                    }
                    java.util.Collections.shuffle(cases, new java.util.Random(sr.nextLong()));
                    Select.select(cases.toArray(new Select.Case[0]));
                }
            }
            sdone.close();
        });
        long sum = 0;
        int got = 0;
        Timer t = recvTimer ? Time.newTimer(Duration.ofNanos(r.nextLong(2_000_000))) : null;
        int[] box = new int[1];
        while (got < n) {
            List<Select.Case> cases = new ArrayList<>();
            box[0] = 0;
            for (Chan<Integer> c : real) {
                cases.add(c.onRecv(v -> box[0] = v));
            }
            for (int j = 0; j < nilExtra; j++) {
                cases.add(Chan.<Integer>nil().onRecv(v -> check(false, "nil recv fired")));
            }
            boolean[] fired = {false};
            if (t != null) {
                cases.add(t.c().onRecv(x -> fired[0] = true));
            }
            if (recvDefault) {
                cases.add(Select.onDefault(() -> {}));
            }
            java.util.Collections.shuffle(cases, new java.util.Random(r.nextLong()));
            Select.select(cases.toArray(new Select.Case[0]));
            if (box[0] != 0) {
                sum += box[0];
                got++;
            } else if (recvDefault && !fired[0]) {
                Go.gosched();
            }
            if (t != null) {
                if (fired[0]) {
                    check(!t.reset(Duration.ofNanos(r.nextLong(2_000_000))), "reset of a fired timer returned true");
                } else if (r.nextInt(8) == 0) {
                    t.stop();
                    check(got(t.c().tryRecv()) == false, "timer value after stop returned");
                    t.reset(Duration.ofNanos(r.nextLong(2_000_000)));
                }
            }
        }
        if (t != null) {
            t.stop();
        }
        sdone.recv();
        check(sum == (long) n * (n + 1) / 2, "selectMix sum " + sum + " want " + (long) n * (n + 1) / 2);
        for (Chan<Integer> c : real) {
            check(c.len() == 0, "selectMix leftover");
        }
    }

    static void timer(SplittableRandom r) {
        for (int round = 0; round < 1 + r.nextInt(5); round++) {
            Timer t = Time.newTimer(Duration.ofNanos(r.nextLong(3_000_000)));
            pause(r);
            boolean received = got(t.c().tryRecv());
            boolean stopped = r.nextBoolean() ? t.stop() : t.reset(Duration.ofHours(1));
            check(received != stopped, "timer: received " + received + " stopped " + stopped);
            check(!got(t.c().tryRecv()), "timer: value after stop/reset");
            t.stop();
            check(!t.reset(Duration.ofNanos(r.nextLong(1_000_000))), "timer: reset of stopped timer true");
            t.c().recv();
            check(!t.stop(), "timer: stop after receive true");
        }
    }

    static void closeRace(SplittableRandom r) {
        Chan<Integer> ch = Chan.make(r.nextInt(5));
        int ns = 1 + r.nextInt(4);
        AtomicLong ok = new AtomicLong();
        AtomicLong okSum = new AtomicLong();
        WaitGroup wg = new WaitGroup();
        long delay = r.nextLong(2_000_000);
        for (int s = 0; s < ns; s++) {
            wg.add(1);
            boolean viaSelect = r.nextBoolean();
            Go.go(() -> {
                try {
                    for (int i = 1; ; i++) {
                        try {
                            if (viaSelect) {
                                Select.select(ch.onSend(i, () -> {}));
                            } else {
                                ch.send(i);
                            }
                            ok.incrementAndGet();
                            okSum.addAndGet(i);
                        } catch (GoPanic p) {
                            check("send on closed channel".equals(p.getMessage()), "closeRace: panic " + p);
                            return;
                        }
                    }
                } finally {
                    wg.done();
                }
            });
        }
        Chan<long[]> res = Chan.make(1);
        Go.go(() -> {
            long c = 0;
            long sum = 0;
            for (;;) {
                Chan.Recv<Integer> v = ch.recvOk();
                if (!v.ok()) {
                    break;
                }
                c++;
                sum += v.value();
            }
            res.send(new long[] {c, sum});
        });
        Time.sleep(Duration.ofNanos(delay));
        ch.close();
        wg.await();
        long[] got = res.recv();
        check(got[0] == ok.get() && got[1] == okSum.get(),
                "closeRace: received " + got[0] + "/" + got[1] + " sent " + ok.get() + "/" + okSum.get());
    }

    static final class Counter {
        long n;
        long a;
        long b;
    }

    static void mutex(SplittableRandom r) {
        Mutex mu = new Mutex();
        Counter c = new Counter();
        int g = 2 + r.nextInt(5);
        int m = 1 + r.nextInt(300);
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < g; i++) {
            wg.add(1);
            long sd = r.nextLong();
            Go.go(() -> {
                SplittableRandom gr = new SplittableRandom(sd);
                for (int j = 0; j < m; j++) {
                    if (gr.nextInt(4) == 0) {
                        while (!mu.tryLock()) {
                            Go.gosched();
                        }
                    } else {
                        mu.lock();
                    }
                    c.n++;
                    if (gr.nextInt(64) == 0) {
                        pause(gr);
                    }
                    mu.unlock();
                }
                wg.done();
            });
        }
        wg.await();
        mu.lock();
        check(c.n == (long) g * m, "mutex count " + c.n + " want " + (long) g * m);
        mu.unlock();
    }

    static void rwmutex(SplittableRandom r) {
        RWMutex mu = new RWMutex();
        Counter c = new Counter();
        int writers = 1 + r.nextInt(3);
        int readers = 1 + r.nextInt(5);
        int m = 1 + r.nextInt(200);
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < writers; i++) {
            wg.add(1);
            long sd = r.nextLong();
            Go.go(() -> {
                SplittableRandom gr = new SplittableRandom(sd);
                for (int j = 0; j < m; j++) {
                    if (gr.nextInt(4) == 0) {
                        while (!mu.tryLock()) {
                            Go.gosched();
                        }
                    } else {
                        mu.lock();
                    }
                    c.a++;
                    if (gr.nextInt(32) == 0) {
                        pause(gr);
                    }
                    c.b++;
                    mu.unlock();
                }
                wg.done();
            });
        }
        for (int i = 0; i < readers; i++) {
            wg.add(1);
            long sd = r.nextLong();
            Go.go(() -> {
                SplittableRandom gr = new SplittableRandom(sd);
                for (int j = 0; j < m; j++) {
                    if (gr.nextInt(4) == 0) {
                        while (!mu.tryRLock()) {
                            Go.gosched();
                        }
                    } else {
                        mu.rLock();
                    }
                    long a = c.a;
                    if (gr.nextInt(32) == 0) {
                        pause(gr);
                    }
                    long b = c.b;
                    mu.rUnlock();
                    check(a == b, "rwmutex torn read " + a + " " + b);
                }
                wg.done();
            });
        }
        wg.await();
        check(c.a == (long) writers * m && c.b == c.a, "rwmutex count");
    }

    static void cond(SplittableRandom r) {
        Mutex mu = new Mutex();
        Cond notFull = new Cond(mu);
        Cond notEmpty = new Cond(mu);
        int cap = 1 + r.nextInt(4);
        long[] buf = new long[cap];
        int[] st = new int[2]; // head, size
        int np = 1 + r.nextInt(3);
        int nc = 1 + r.nextInt(3);
        int m = 1 + r.nextInt(100);
        boolean bcast = r.nextBoolean();
        long total = (long) np * m;
        AtomicLong taken = new AtomicLong();
        AtomicLong sum = new AtomicLong();
        WaitGroup wg = new WaitGroup();
        long[] remaining = {total};
        for (int p = 0; p < np; p++) {
            wg.add(1);
            Go.go(() -> {
                for (int i = 1; i <= m; i++) {
                    mu.lock();
                    while (st[1] == cap) {
                        notFull.await();
                    }
                    buf[(st[0] + st[1]) % cap] = i;
                    st[1]++;
                    if (bcast) {
                        notEmpty.broadcast();
                    } else {
                        notEmpty.signal();
                    }
                    mu.unlock();
                }
                wg.done();
            });
        }
        for (int c = 0; c < nc; c++) {
            wg.add(1);
            Go.go(() -> {
                for (;;) {
                    mu.lock();
                    while (st[1] == 0 && remaining[0] > 0) {
                        notEmpty.await();
                    }
                    if (remaining[0] == 0) {
                        notEmpty.broadcast();
                        mu.unlock();
                        break;
                    }
                    long v = buf[st[0]];
                    st[0] = (st[0] + 1) % cap;
                    st[1]--;
                    remaining[0]--;
                    if (remaining[0] == 0) {
                        notEmpty.broadcast();
                    }
                    if (bcast) {
                        notFull.broadcast();
                    } else {
                        notFull.signal();
                    }
                    mu.unlock();
                    sum.addAndGet(v);
                    taken.incrementAndGet();
                }
                wg.done();
            });
        }
        wg.await();
        check(taken.get() == total && sum.get() == (long) np * m * (m + 1) / 2, "cond: taken " + taken.get());
    }

    static void wgOncePool(SplittableRandom r) {
        Once once = new Once();
        AtomicInteger ran = new AtomicInteger();
        Pool<long[]> pool = new Pool<>(() -> new long[1]);
        WaitGroup wg = new WaitGroup();
        WaitGroup inner = new WaitGroup();
        int n = 1 + r.nextInt(20);
        AtomicInteger innerDone = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            wg.add(1);
            Go.go(() -> {
                once.run(() -> {
                    ran.incrementAndGet();
                    Go.gosched();
                });
                check(ran.get() == 1, "once not done when run returned");
                long[] x = pool.get();
                x[0]++;
                pool.put(x);
                inner.add(1);
                Go.go(() -> {
                    innerDone.incrementAndGet();
                    inner.done();
                });
                wg.done();
            });
        }
        wg.await();
        inner.await();
        check(ran.get() == 1 && innerDone.get() == n, "wgOncePool once " + ran.get() + " inner " + innerDone.get());
    }

    static void errgroup(SplittableRandom r) {
        ErrGroup.WithContext wc = ErrGroup.withContext(Context.background());
        ErrGroup g = wc.group();
        Context ctx = wc.ctx();
        g.setLimit(r.nextBoolean() ? -1 : 1 + r.nextInt(4));
        int n = 1 + r.nextInt(10);
        int bad = r.nextInt(n + 1); // n: none fails
        Exception boom = new Exception("boom");
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            int id = i;
            long d = r.nextLong(2_000_000);
            g.go(() -> {
                ran.incrementAndGet();
                if (id == bad) {
                    Time.sleep(Duration.ofNanos(d));
                    throw boom;
                }
                Select.select(ctx.done().onRecv(x -> {}), Time.after(Duration.ofNanos(d)).onRecv(x -> {}));
            });
        }
        Throwable err = g.await();
        check(ran.get() == n, "errgroup ran " + ran.get());
        check(bad < n ? err == boom : err == null, "errgroup err " + err);
        check(ctx.err() != null, "errgroup ctx not cancelled after await");
    }

    static void semaphore(SplittableRandom r) {
        int w = 1 + r.nextInt(3);
        Semaphore sem = new Semaphore(w);
        AtomicInteger inside = new AtomicInteger();
        Context.WithCancel wc = Context.withTimeout(Context.background(), Duration.ofNanos(r.nextLong(5_000_000)));
        int n = 1 + r.nextInt(10);
        WaitGroup wg = new WaitGroup();
        AtomicInteger acquired = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            wg.add(1);
            boolean withCtx = r.nextBoolean();
            long hold = r.nextLong(1_000_000);
            Go.go(() -> {
                try {
                    if (withCtx) {
                        Throwable e = sem.acquire(wc.ctx(), 1);
                        if (e != null) {
                            check(e == Context.DEADLINE_EXCEEDED || e == Context.CANCELED, "sem err " + e);
                            failed.incrementAndGet();
                            return;
                        }
                    } else {
                        sem.acquire(1);
                    }
                    acquired.incrementAndGet();
                    int in = inside.incrementAndGet();
                    check(in <= w, "semaphore: " + in + " inside, weight " + w);
                    Time.sleep(Duration.ofNanos(hold));
                    inside.decrementAndGet();
                    sem.release(1);
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        wc.cancel().run();
        check(acquired.get() + failed.get() == n, "semaphore accounting");
        check(sem.tryAcquire(w), "semaphore not fully released");
        sem.release(w);
    }

    static void ctxTree(SplittableRandom r) {
        Context.WithCancel root = Context.withCancel(Context.background());
        List<Context> leaves = new ArrayList<>();
        List<Runnable> cancels = new ArrayList<>();
        buildTree(r, root.ctx(), 0, leaves, cancels);
        WaitGroup wg = new WaitGroup();
        for (Context c : leaves) {
            wg.add(1);
            int how = r.nextInt(3);
            Go.go(() -> {
                switch (how) {
                    case 0 -> c.done().recv();
                    case 1 -> Select.select(c.done().onRecv(x -> {}), Chan.nil().onRecv(x -> {}));
                    default -> {
                        while (c.done().tryRecv() == null && c.err() == null) {
                            Time.sleep(Duration.ofNanos(200_000));
                        }
                    }
                }
                check(c.err() != null, "ctx leaf done without err");
                wg.done();
            });
        }
        pause(r);
        if (r.nextBoolean() && !cancels.isEmpty()) {
            cancels.get(r.nextInt(cancels.size())).run();
        }
        root.cancel().run();
        wg.await();
        for (Runnable c : cancels) {
            c.run();
        }
        for (Context c : leaves) {
            Throwable e = c.err();
            check(e == Context.CANCELED || e == Context.DEADLINE_EXCEEDED, "ctx err " + e);
        }
    }

    static void buildTree(SplittableRandom r, Context parent, int depth, List<Context> leaves, List<Runnable> cancels) {
        int kids = depth >= 3 ? 0 : r.nextInt(3);
        if (kids == 0) {
            leaves.add(parent);
            return;
        }
        for (int i = 0; i < kids; i++) {
            Context c;
            switch (r.nextInt(4)) {
                case 0 -> {
                    Context.WithCancel wc = Context.withCancel(parent);
                    cancels.add(wc.cancel());
                    c = wc.ctx();
                }
                case 1 -> {
                    Context.WithCancel wc = Context.withTimeout(parent, Duration.ofNanos(r.nextLong(3_000_000)));
                    cancels.add(wc.cancel());
                    c = wc.ctx();
                }
                case 2 -> c = Context.withValue(parent, "k" + depth, i);
                default -> {
                    Context.StopFunc stop = Context.afterFunc(parent, afterFuncRan::incrementAndGet);
                    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
                    cancels.add(() -> {
                        if (once.compareAndSet(false, true) && !stop.stop()) {
                            afterFuncExpected.incrementAndGet();
                        }
                    });
                    c = parent;
                }
            }
            buildTree(r, c, depth + 1, leaves, cancels);
        }
    }

    static void locked(SplittableRandom r) {
        Chan<Integer> a = Chan.make();
        Chan<Object> done = Chan.make(1);
        int nest = 1 + r.nextInt(2);
        int how = r.nextInt(4);
        int n = 1 + r.nextInt(50);
        Go.go(() -> {
            for (int i = 0; i < nest; i++) {
                Go.lockOSThread();
            }
            try {
                for (int i = 0; i < n; i++) {
                    a.send(i);
                    if (i % 8 == 0) {
                        Go.gosched();
                    }
                }
                switch (how) {
                    case 0 -> {
                        for (int i = 0; i < nest; i++) {
                            Go.unlockOSThread();
                        }
                        Time.sleep(Duration.ofNanos(100_000));
                    }
                    case 1 -> Go.goexit();
                    case 2 -> Time.sleep(Duration.ofNanos(300_000));
                    default -> {}
                }
            } finally {
                done.send(new Object());
            }
        });
        for (int i = 0; i < n; i++) {
            Integer v = a.recv();
            check(v == i, "locked: got " + v);
        }
        done.recv();
        if (r.nextInt(4) == 0) {
            Go.lockOSThread();
            pause(r);
            Go.unlockOSThread();
        }
    }

    static void goexit(SplittableRandom r) {
        int n = 1 + r.nextInt(6);
        WaitGroup wg = new WaitGroup();
        AtomicInteger fin = new AtomicInteger();
        AtomicInteger after = new AtomicInteger();
        Chan<Integer> ch = Chan.make(n);
        for (int i = 0; i < n; i++) {
            wg.add(1);
            int how = r.nextInt(3);
            Go.go(() -> {
                try {
                    try {
                        if (how == 1) {
                            Go.gosched();
                        } else if (how == 2) {
                            Time.sleep(Duration.ofNanos(50_000));
                        }
                        Go.goexit();
                        after.incrementAndGet();
                    } finally {
                        ch.send(1);
                    }
                } finally {
                    fin.incrementAndGet();
                    wg.done();
                }
            });
        }
        wg.await();
        int got = 0;
        for (int i = 0; i < n; i++) {
            got += ch.recv();
        }
        check(got == n && fin.get() == n && after.get() == 0, "goexit finally blocks");
    }

    static void panics(SplittableRandom r) {
        Chan<String> res = Chan.make(8);
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(5);
            Go.go(() -> {
                String msg;
                try {
                    switch (kind) {
                        case 0 -> throw new GoPanic("mine");
                        case 1 -> {
                            Chan<Integer> c = Chan.make(1);
                            c.close();
                            c.send(1);
                        }
                        case 2 -> {
                            Chan<Integer> c = Chan.make();
                            c.close();
                            c.close();
                        }
                        case 3 -> new Mutex().unlock();
                        default -> {
                            Chan<Integer> c = Chan.make();
                            c.close();
                            Select.select(c.onSend(1, () -> {}), Select.onDefault(() -> {}));
                        }
                    }
                    msg = "no panic";
                } catch (GoPanic p) {
                    msg = String.valueOf(p.getMessage());
                }
                res.send(kind + ":" + msg);
            });
        }
        for (int i = 0; i < n; i++) {
            String s = res.recv();
            check(!s.endsWith("no panic"), "panics: " + s);
        }
    }

    static volatile long sink;

    static void cpuHog(SplittableRandom r) {
        int g = 1 + r.nextInt(3);
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < g; i++) {
            wg.add(1);
            long iters = r.nextLong(5_000_000);
            boolean intLoop = r.nextBoolean();
            Go.go(() -> {
                long x = 1;
                if (intLoop) {
                    int k = (int) Math.min(iters, Integer.MAX_VALUE);
                    for (int j = 0; j < k; j++) {
                        x = x * 31 + j;
                    }
                } else {
                    long j = 0;
                    while (j < iters) {
                        x = x * 31 + j;
                        j++;
                    }
                }
                sink = x;
                wg.done();
            });
        }
        wg.await();
    }

    static void jdkBlock(SplittableRandom r) {
        int g = 1 + r.nextInt(4);
        WaitGroup wg = new WaitGroup();
        ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(1 + r.nextInt(3));
        int m = 1 + r.nextInt(50);
        AtomicLong qsum = new AtomicLong();
        wg.add(2);
        Go.go(() -> {
            try {
                for (int i = 1; i <= m; i++) {
                    q.put(i);
                }
            } catch (InterruptedException e) {
                check(false, "interrupted");
            }
            wg.done();
        });
        Go.go(() -> {
            try {
                for (int i = 1; i <= m; i++) {
                    qsum.addAndGet(q.poll(30, TimeUnit.SECONDS));
                }
            } catch (InterruptedException e) {
                check(false, "interrupted");
            }
            wg.done();
        });
        for (int i = 0; i < g; i++) {
            wg.add(1);
            int kind = r.nextInt(4);
            long d = r.nextLong(2_000_000);
            Go.go(() -> {
                try {
                    switch (kind) {
                        case 0 -> Thread.sleep(Duration.ofNanos(d));
                        case 1 -> {
                            synchronized (monitor) {
                                LockSupport.parkNanos(d / 4);
                            }
                        }
                        case 2 -> LockSupport.parkNanos(d);
                        default -> {
                            jlock.lock();
                            try {
                                Thread.sleep(Duration.ofNanos(d / 4));
                            } finally {
                                jlock.unlock();
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    check(false, "interrupted");
                }
                wg.done();
            });
        }
        wg.await();
        check(qsum.get() == (long) m * (m + 1) / 2, "jdkBlock queue sum");
    }

    static void observe(SplittableRandom r) {
        int n = Go.numGoroutine();
        check(n >= 1, "numGoroutine " + n);
        if (r.nextInt(4) == 0) {
            String s = Go.stack(true);
            check(s.startsWith("goroutine "), "stack(true): " + s.substring(0, Math.min(80, s.length())));
        } else {
            String s = Go.stack(false);
            check(s.startsWith("goroutine "), "stack(false)");
        }
    }

    static void ticker(SplittableRandom r) {
        Ticker t = Time.newTicker(Duration.ofNanos(100_000 + r.nextLong(1_000_000)));
        int k = 1 + r.nextInt(5);
        for (int i = 0; i < k; i++) {
            t.c().recv();
            if (r.nextInt(4) == 0) {
                t.reset(Duration.ofNanos(100_000 + r.nextLong(1_000_000)));
            }
        }
        t.stop();
        check(!got(t.c().tryRecv()), "ticker value after stop");
    }

    static void afterFunc(SplittableRandom r) {
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
            Timer t = Time.afterFunc(Duration.ofNanos(r.nextLong(2_000_000)), afterFuncRan::incrementAndGet);
            pause(r);
            if (r.nextBoolean()) {
                if (!t.stop()) {
                    afterFuncExpected.incrementAndGet();
                }
            } else {
                afterFuncExpected.incrementAndGet();
            }
        }
    }

    static void goschedStorm(SplittableRandom r) {
        int g = 1 + r.nextInt(4);
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < g; i++) {
            wg.add(1);
            int k = r.nextInt(200);
            Go.go(() -> {
                for (int j = 0; j < k; j++) {
                    Go.gosched();
                }
                wg.done();
            });
        }
        wg.await();
    }

    static void selfSelect(SplittableRandom r) {
        Chan<Integer> c = Chan.make(r.nextInt(2));
        Chan<Object> quit = Chan.make();
        int n = 1 + r.nextInt(200);
        long[] b = new long[4]; // sends, sent sum, recvs, received sum
        Chan<Object> bdone = Chan.make();
        Go.go(() -> {
            boolean[] stop = {false};
            while (!stop[0]) {
                Select.select(c.onSend(2, () -> {
                    b[0]++;
                    b[1] += 2;
                }), c.onRecv(v -> {
                    b[2]++;
                    b[3] += v;
                }), quit.onRecv(v -> stop[0] = true));
            }
            bdone.close();
        });
        long[] a = new long[4];
        for (int i = 0; i < n; i++) {
            Select.select(c.onSend(1, () -> {
                a[0]++;
                a[1] += 1;
            }), c.onRecv(v -> {
                a[2]++;
                a[3] += v;
            }));
        }
        quit.close();
        bdone.recv();
        long leftN = 0;
        long leftSum = 0;
        for (Chan.Recv<Integer> v; (v = c.tryRecv()) != null && v.ok(); ) {
            leftN++;
            leftSum += v.value();
        }
        check(a[0] + a[2] == n, "selfSelect: A did " + (a[0] + a[2]) + " of " + n);
        check(a[0] + b[0] == a[2] + b[2] + leftN && a[1] + b[1] == a[3] + b[3] + leftSum,
                "selfSelect: sent " + (a[0] + b[0]) + "/" + (a[1] + b[1]) + " received " + (a[2] + b[2]) + "/"
                        + (a[3] + b[3]) + " left " + leftN);
        if (c.cap() == 0) {
            check(a[3] == 2 * a[2] && b[3] == b[2], "selfSelect: unbuffered select received its own send");
        }
    }

    static void ctxRace(SplittableRandom r) {
        Context.WithCancel root = r.nextBoolean() ? Context.withCancel(Context.background())
                : Context.withTimeout(Context.background(), Duration.ofNanos(r.nextLong(2_000_000)));
        long d = r.nextLong(1_000_000);
        Go.go(() -> {
            Time.sleep(Duration.ofNanos(d));
            root.cancel().run();
        });
        int k = 1 + r.nextInt(40);
        List<Context> kids = new ArrayList<>();
        List<Runnable> cancels = new ArrayList<>();
        AtomicInteger fRan = new AtomicInteger();
        int fExpected = 0;
        List<Context.StopFunc> stops = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Context parent = kids.isEmpty() || r.nextBoolean() ? root.ctx() : kids.get(r.nextInt(kids.size()));
            switch (r.nextInt(4)) {
                case 0 -> {
                    Context.WithCancel wc = Context.withCancel(parent);
                    kids.add(wc.ctx());
                    cancels.add(wc.cancel());
                }
                case 1 -> {
                    Context.WithCancel wc = Context.withTimeout(parent, Duration.ofHours(1));
                    kids.add(wc.ctx());
                    cancels.add(wc.cancel());
                }
                case 2 -> kids.add(Context.withValue(parent, "k", i));
                default -> stops.add(Context.afterFunc(parent, fRan::incrementAndGet));
            }
            if (r.nextInt(8) == 0) {
                Go.gosched();
            }
        }
        for (Context c : kids) {
            c.done().recv();
            check(c.err() != null, "ctxRace: done without err");
        }
        for (Context.StopFunc s : stops) {
            if (!s.stop()) {
                fExpected++;
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (fRan.get() != fExpected) {
            check(System.nanoTime() < deadline, "ctxRace: afterFunc ran " + fRan.get() + " want " + fExpected);
            Time.sleep(Duration.ofNanos(100_000));
        }
        for (Runnable c : cancels) {
            c.run();
        }
    }

    static final Pool<java.util.concurrent.atomic.AtomicBoolean> POOL = new Pool<>(java.util.concurrent.atomic.AtomicBoolean::new);

    static void sharedPool(SplittableRandom r) {
        int g = 1 + r.nextInt(4);
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < g; i++) {
            wg.add(1);
            long sd = r.nextLong();
            Go.go(() -> {
                SplittableRandom gr = new SplittableRandom(sd);
                List<java.util.concurrent.atomic.AtomicBoolean> held = new ArrayList<>();
                for (int j = 0; j < 100; j++) {
                    if (held.isEmpty() || gr.nextBoolean()) {
                        java.util.concurrent.atomic.AtomicBoolean x = POOL.get();
                        check(x.compareAndSet(false, true), "pool handed out an object twice");
                        held.add(x);
                    } else {
                        java.util.concurrent.atomic.AtomicBoolean x = held.remove(held.size() - 1);
                        x.set(false);
                        POOL.put(x);
                    }
                    if (gr.nextInt(16) == 0) {
                        pause(gr);
                    }
                }
                for (java.util.concurrent.atomic.AtomicBoolean x : held) {
                    x.set(false);
                    POOL.put(x);
                }
                wg.done();
            });
        }
        wg.await();
    }

    static void timerRace(SplittableRandom r) {
        Timer t = Time.newTimer(Duration.ofNanos(r.nextLong(1_000_000)));
        Chan<Object> quit = Chan.make();
        AtomicLong rcv = new AtomicLong();
        int nr = 1 + r.nextInt(3);
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < nr; i++) {
            wg.add(1);
            int how = r.nextInt(3);
            Go.go(() -> {
                boolean[] stop = {false};
                while (!stop[0]) {
                    switch (how) {
                        case 0 -> Select.select(t.c().onRecv(v -> rcv.incrementAndGet()), quit.onRecv(v -> stop[0] = true));
                        case 1 -> Select.select(t.c().onRecv(v -> rcv.incrementAndGet()), quit.onRecv(v -> stop[0] = true),
                                Select.onDefault(() -> Time.sleep(Duration.ofNanos(50_000))));
                        default -> {
                            if (got(t.c().tryRecv())) {
                                rcv.incrementAndGet();
                            } else if (quit.tryRecv() != null) {
                                stop[0] = true;
                            } else {
                                Go.gosched();
                            }
                        }
                    }
                }
                wg.done();
            });
        }
        long arms = 1;
        long trues = 0;
        int k = r.nextInt(30);
        for (int i = 0; i < k; i++) {
            pause(r);
            if (r.nextInt(3) == 0) {
                if (t.stop()) {
                    trues++;
                }
            } else {
                if (t.reset(Duration.ofNanos(r.nextLong(1_000_000)))) {
                    trues++;
                }
                arms++;
            }
        }
        quit.close();
        wg.await();
        if (t.stop()) {
            trues++;
        }
        check(!got(t.c().tryRecv()), "timerRace: value after stop");
        check(rcv.get() + trues == arms, "timerRace: arms " + arms + " received " + rcv.get() + " stopped " + trues);
    }

    /** gmp4j's waits are not interruptible: interrupts rain on goroutines that ping-pong, lock, sleep and wait. */
    static void interrupts(SplittableRandom r) {
        int n = 1 + r.nextInt(100);
        Chan<Integer> a = Chan.make(r.nextInt(2));
        Chan<Integer> b = Chan.make();
        Mutex mu = new Mutex();
        Cond cond = new Cond(mu);
        int[] turn = {0};
        WaitGroup wg = new WaitGroup();
        java.util.Set<Thread> victims = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicLong sum = new AtomicLong();
        long sleepNs = r.nextLong(500_000);
        int[] it = new int[4];
        java.util.function.Supplier<String> dbg = () -> "interrupts n=" + n + " p1 i=" + it[0] + " st=" + it[1] + " p2 i=" + it[2]
                + " st=" + it[3] + " turn=" + turn[0] + " a.len=" + a.len() + " cap=" + a.cap() + " sum=" + sum.get() + " mu=" + mu + " victims=" + victims;
        DBG.add(dbg);
        wg.add(3);
        Go.go(() -> {
            victims.add(Thread.currentThread());
            for (int i = 0; i < n; i++) {
                it[0] = i;
                it[1] = 1;
                a.send(i);
                it[1] = 2;
                Integer v = b.recv();
                it[1] = 3;
                check(v != null && v == i, "interrupts: pingpong got " + v);
                mu.lock();
                it[1] = 4;
                while (turn[0] != 0) {
                    cond.await();
                    it[1]++;
                }
                turn[0] = 1;
                cond.broadcast();
                mu.unlock();
            }
            Thread.interrupted();
            wg.done();
        });
        Go.go(() -> {
            victims.add(Thread.currentThread());
            for (int i = 0; i < n; i++) {
                it[2] = i;
                it[3] = 1;
                Integer v = a.recv();
                it[3] = 2;
                sum.addAndGet(v);
                if (i % 16 == 0) {
                    long t0 = System.nanoTime();
                    Time.sleep(Duration.ofNanos(sleepNs));
                    check(System.nanoTime() - t0 >= sleepNs, "interrupts: sleep cut short");
                }
                it[3] = 3;
                b.send(v);
                it[3] = 4;
                mu.lock();
                it[3] = 5;
                while (turn[0] != 1) {
                    cond.await();
                    it[3]++;
                }
                turn[0] = 0;
                cond.broadcast();
                mu.unlock();
            }
            Thread.interrupted();
            wg.done();
        });
        Chan<Object> stop = Chan.make();
        Go.go(() -> {
            while (stop.tryRecv() == null) {
                for (Thread t : victims) {
                    t.interrupt();
                }
                Time.sleep(Duration.ofMillis(1)); // a storm of spurious wake-ups would only measure starvation
            }
            wg.done();
        });
        // wait for the two players, then stop the interrupter
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (sum.get() != (long) n * (n - 1) / 2 || turn[0] != 0) {
            check(System.nanoTime() < deadline, "interrupts: no end");
            Time.sleep(Duration.ofNanos(200_000));
        }
        stop.close();
        wg.await();
        DBG.remove(dbg);
    }
}
