package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * Child-JVM programs for the JDK's own concurrency inside Go.run (issue 12): work that arrives
 * from outside gmp4j's goroutines is not a deadlock, however late; once the outside helpers
 * are done, a real deadlock is still reported. Run as {@code InteropProg <name>}; every
 * outside helper sleeps {@link #SLOW_MS} first, well past checkdead's 100 ms + 1 s cycle.
 */
public final class InteropProg {
    private InteropProg() {}

    static final long SLOW_MS = 2000;

    public static void main(String[] args) throws Exception {
        String name = args[0];
        boolean thenDeadlock = name.endsWith("ThenDeadlock");
        String kind = thenDeadlock ? name.substring(0, name.length() - "ThenDeadlock".length()) : name;
        if (kind.equals("nested")) {
            // The outer main goroutine waits in the inner Go.run: asleep, like the inner one.
            Go.run(() -> Go.run(() -> Chan.make(0).recv()));
            return;
        }
        Thread outsideVt = null;
        Chan<String> early = Chan.make(0);
        if (kind.equals("outsideVirtualThread")) {
            // A JDK virtual thread on the JDK's scheduler, started before Go.run by a platform thread.
            outsideVt = Thread.ofVirtual().start(() -> {
                sleep(SLOW_MS);
                early.send("from a JDK virtual thread started outside");
            });
        }
        Thread vt = outsideVt;
        java.util.concurrent.ExecutorService[] after = new java.util.concurrent.ExecutorService[1];
        Go.run(() -> {
            Chan<String> ch = kind.equals("outsideVirtualThread") ? early : Chan.make(0);
            switch (kind) {
                case "platformThread" -> new Thread(() -> {
                    sleep(SLOW_MS);
                    ch.send("from a platform thread");
                }).start();
                case "commonPool" -> CompletableFuture.runAsync(() -> {
                    sleep(SLOW_MS);
                    ch.send("from the common pool");
                });
                case "virtualThread" -> {
                    // One child parked with no timeout, released by another that sleeps.
                    CountDownLatch go = new CountDownLatch(1);
                    Thread.ofVirtual().start(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new RuntimeException(e);
                        }
                        ch.send("from a JDK virtual thread");
                    });
                    Thread.ofVirtual().start(() -> {
                        sleep(SLOW_MS);
                        go.countDown();
                    });
                }
                case "virtualThreadExecutor" -> {
                    var ex = Executors.newVirtualThreadPerTaskExecutor();
                    ex.submit(() -> {
                        sleep(SLOW_MS);
                        ch.send("from a virtual-thread executor");
                    });
                    after[0] = ex; // closed after the receive: close waits for the task
                }
                // The common pool's DelayScheduler thread, started by the first delayed task in the
                // group of its caller (here "VirtualThreads"), stays alive, idle, for good.
                case "delayedExecutor" -> CompletableFuture.runAsync(() -> ch.send("from a delayed executor"),
                        CompletableFuture.delayedExecutor(SLOW_MS, java.util.concurrent.TimeUnit.MILLISECONDS));
                case "poolSchedule" -> java.util.concurrent.ForkJoinPool.commonPool().schedule(
                        () -> ch.send("from ForkJoinPool.schedule"), SLOW_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
                case "outsideVirtualThread" -> { }
                default -> throw new IllegalArgumentException(kind);
            }
            System.out.println(ch.recv());
            if (after[0] != null) {
                after[0].close(); // the JDK's wait for its threads, inside a goroutine
            }
            if (thenDeadlock) {
                if (vt != null) {
                    join(vt);
                }
                System.out.println("waiting forever");
                ch.recv(); // nobody is left to send: Go's deadlock
            }
        });
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }
}
