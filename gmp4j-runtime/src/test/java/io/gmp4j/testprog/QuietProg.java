package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Rounds in which every goroutine but one waits on gmp4j primitives and the only waker sits
 * somewhere the deadlock check must see as alive (a JDK sleep or park, a monitor, a j.u.c.
 * lock held by a platform thread, a platform thread, a JDK virtual thread, the common pool, a
 * timer), for 150-300 ms: no "all goroutines are asleep" verdict may come. {@code QuietProg SEED ROUNDS}.
 */
public final class QuietProg {
    private QuietProg() {}

    static final Object monitor = new Object();
    static volatile long sink;

    public static void main(String[] args) {
        long seed = Long.parseLong(args[0]);
        int rounds = Integer.parseInt(args[1]);
        System.out.println("seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        Go.run(() -> {
            int base = Go.numGoroutine();
            for (int round = 0; round < rounds; round++) {
                int kind = r.nextInt(17);
                int waiters = 1 + r.nextInt(6);
                long ms = 150 + r.nextInt(150);
                Go.gomaxprocs(1 + r.nextInt(4));
                Chan<Integer> ch = Chan.make(r.nextInt(2));
                Mutex mu = new Mutex();
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < waiters; i++) {
                    wg.add(1);
                    boolean lock = r.nextInt(3) == 0;
                    int how = r.nextInt(3);
                    Go.go(() -> {
                        if (lock) {
                            Go.lockOSThread();
                        }
                        switch (how) {
                            case 0 -> ch.recv();
                            case 1 -> {
                                mu.lock();
                                ch.recv();
                                mu.unlock();
                            }
                            default -> {
                                for (Integer v : ch) {
                                    // until closed
                                }
                            }
                        }
                        wg.done();
                    });
                }
                Runnable wake = ch::close;
                System.out.println("round " + round + " kind " + kind + " waiters " + waiters + " ms " + ms);
                switch (kind) {
                    case 0 -> Go.go(() -> { // JDK sleep in a goroutine
                        sleep(ms);
                        wake.run();
                    });
                    case 1 -> Go.go(() -> { // pinned: sleep inside synchronized
                        synchronized (monitor) {
                            sleep(ms);
                        }
                        wake.run();
                    });
                    case 2 -> Go.go(() -> { // locked to its thread, JDK park
                        Go.lockOSThread();
                        LockSupport.parkNanos(ms * 1_000_000);
                        wake.run();
                        Go.unlockOSThread();
                    });
                    case 3 -> { // a platform thread
                        Thread t = new Thread(() -> {
                            sleep(ms);
                            wake.run();
                        });
                        t.start();
                    }
                    case 4 -> Go.go(() -> { // a JDK virtual thread started in a goroutine
                        Thread.ofVirtual().start(() -> {
                            sleep(ms);
                            wake.run();
                        });
                    });
                    case 5 -> CompletableFuture.runAsync(() -> { // the common pool
                        sleep(ms);
                        wake.run();
                    });
                    case 6 -> Time.afterFunc(Duration.ofMillis(ms), wake);
                    case 7 -> { // a goroutine waits for a j.u.c. lock a platform thread holds
                        ReentrantLock jl = new ReentrantLock();
                        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
                        Thread t = new Thread(() -> {
                            jl.lock();
                            held.countDown();
                            sleep(ms);
                            jl.unlock();
                        });
                        t.start();
                        awaitLatch(held);
                        Go.go(() -> {
                            jl.lock();
                            jl.unlock();
                            wake.run();
                        });
                    }
                    case 8 -> { // a goroutine polls a queue a platform thread fills
                        ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(1);
                        Go.go(() -> {
                            try {
                                q.take();
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                            wake.run();
                        });
                        Thread t = new Thread(() -> {
                            sleep(ms);
                            q.add(1);
                        });
                        t.start();
                    }
                    case 9 -> Go.go(() -> { // a goroutine waits on a monitor a goroutine holds in a JDK sleep
                        Chan<Object> in = Chan.make();
                        Go.go(() -> {
                            synchronized (monitor) {
                                in.close();
                                sleep(ms);
                            }
                        });
                        in.recv();
                        synchronized (monitor) {
                            wake.run();
                        }
                    });
                    case 11 -> { // a goroutine blocked on a monitor a platform thread holds
                        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
                        Object m = new Object();
                        Thread t = new Thread(() -> {
                            synchronized (m) {
                                held.countDown();
                                sleep(ms);
                            }
                        });
                        t.start();
                        awaitLatch(held);
                        Go.go(() -> {
                            synchronized (m) {
                                wake.run();
                            }
                        });
                    }
                    case 12 -> { // Object.wait in a goroutine, notified by a platform thread
                        Object m = new Object();
                        boolean[] flag = {false};
                        Go.go(() -> {
                            synchronized (m) {
                                while (!flag[0]) {
                                    try {
                                        m.wait();
                                    } catch (InterruptedException e) {
                                        throw new AssertionError(e);
                                    }
                                }
                            }
                            wake.run();
                        });
                        new Thread(() -> {
                            sleep(ms);
                            synchronized (m) {
                                flag[0] = true;
                                m.notifyAll();
                            }
                        }).start();
                    }
                    case 13 -> { // CompletableFuture.get in a goroutine, completed by a platform thread
                        CompletableFuture<Integer> f = new CompletableFuture<>();
                        Go.go(() -> {
                            f.join();
                            wake.run();
                        });
                        new Thread(() -> {
                            sleep(ms);
                            f.complete(1);
                        }).start();
                    }
                    case 14 -> Go.go(() -> { // a child process
                        try {
                            Process p = new ProcessBuilder("sleep", String.valueOf(ms / 1000.0)).start();
                            p.waitFor();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                        wake.run();
                    });
                    case 15 -> Go.go(() -> { // a call-free CPU loop
                        long end = System.nanoTime() + ms * 1_000_000;
                        long x = 0;
                        while (System.nanoTime() < end) {
                            for (int j = 0; j < 10_000; j++) {
                                x += j ^ x;
                            }
                        }
                        sink = x;
                        wake.run();
                    });
                    case 16 -> Go.go(() -> { // Time.sleep while pinned in synchronized
                        synchronized (monitor) {
                            Time.sleep(Duration.ofMillis(ms));
                        }
                        wake.run();
                    });
                    default -> { // Time.sleep in a locked goroutine, then gomaxprocs change
                        Go.go(() -> {
                            Go.lockOSThread();
                            Time.sleep(Duration.ofMillis(ms));
                            Go.gomaxprocs(1 + (int) (ms % 3));
                            wake.run();
                        });
                    }
                }
                wg.await();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (Go.numGoroutine() > base) {
                    if (System.nanoTime() > deadline) {
                        System.out.println("FAIL leak " + Go.numGoroutine() + "\n" + Go.stack(true));
                        System.exit(5);
                    }
                    Time.sleep(Duration.ofMillis(1));
                }
            }
            System.out.println("OK");
        });
        System.exit(0);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static void awaitLatch(java.util.concurrent.CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
