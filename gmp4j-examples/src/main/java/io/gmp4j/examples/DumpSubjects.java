package io.gmp4j.examples;

import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.time.Duration;

/** The goroutines the demo parks for its dump: named methods so the traceback reads well. */
final class DumpSubjects {
    private DumpSubjects() {}

    static Runnable receiver(Chan<Integer> ch) {
        return () -> waitForWork(ch);
    }

    static Runnable sender(Chan<Integer> ch) {
        return () -> publishResult(ch);
    }

    static Runnable locker(Mutex mu) {
        return () -> updateSharedState(mu);
    }

    static Runnable waiter(WaitGroup wg) {
        return () -> awaitWorkers(wg);
    }

    static Runnable selecter(Context ctx) {
        return () -> pollUntilCancelled(ctx);
    }

    static void waitForWork(Chan<Integer> ch) {
        ch.recv();
    }

    static void publishResult(Chan<Integer> ch) {
        ch.send(42);
    }

    static void updateSharedState(Mutex mu) {
        mu.lock();
        mu.unlock();
    }

    static void awaitWorkers(WaitGroup wg) {
        wg.await();
    }

    static void pollUntilCancelled(Context ctx) {
        boolean[] done = {false};
        while (!done[0]) {
            Select.select(ctx.done().onRecv(v -> done[0] = true), Time.after(Duration.ofMinutes(1)).onRecv(null));
        }
    }
}
