package io.gmp4j.internal.runtime;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JDK virtual threads started inside goroutines: they are plain JDK virtual threads on the
 * JDK's own scheduler, not goroutines (docs/DIVERGENCES.md, "Goroutines and threads").
 *
 * <p>The JDK's {@code VirtualThread} constructor gives a thread built without a scheduler its
 * parent's scheduler when the parent is a virtual thread. So every virtual thread started in
 * a goroutine ({@code Thread.ofVirtual()}, a thread-per-task executor, a library's internals)
 * has the goroutine's G as its scheduler, for life (the field is final), and each time it
 * becomes runnable the JDK calls {@code G.execute} with the child's continuation. G.execute
 * tells it from its own by identity and hands it here, and we submit it to the JDK's default
 * scheduler: the child then runs as if a platform thread had started it (its parks, yields and
 * I/O keep Java's semantics; the JDK's executors and scopes own it). Its later submissions come
 * back through G.execute (a yield or a park on one of the JDK's carriers goes straight to the
 * pool), so this path keeps no per-G state and works after the G has ended.
 *
 * <p>checkdead must know whether such a child is alive (it may wake a goroutine): each child
 * is recorded at its first submission (JDK state STARTED) and {@link #anyAlive} looks for one
 * that has not terminated, dropping the dead. Dead entries are also swept whenever the list
 * has doubled, so a program that never idles keeps a bounded list.
 */
final class ForeignThreads {
    private ForeignThreads() {}

    private static final Executor JDK_SCHEDULER = JdkInternals.defaultScheduler();
    /** Children recorded at their start; some may have terminated since. */
    private static final ConcurrentLinkedQueue<Thread> children = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger recordedSinceSweep = new AtomicInteger();
    private static volatile int sweepAfter = 64;
    /** A child whose thread we could not identify was started: we can never say none is alive. */
    private static volatile boolean unidentified;

    /** A continuation that is not the G's own (G.execute). Any thread; must not block. */
    static void execute(Runnable continuation) {
        Thread vt = JdkInternals.threadOf(continuation);
        if (vt == null) {
            unidentified = true;
        } else if (JdkInternals.isStarting(vt)) {
            record(vt);
        }
        JDK_SCHEDULER.execute(continuation);
    }

    private static void record(Thread vt) {
        children.add(vt);
        if (recordedSinceSweep.incrementAndGet() >= sweepAfter) {
            recordedSinceSweep.set(0);
            int alive = 0;
            for (var it = children.iterator(); it.hasNext(); ) {
                if (it.next().isAlive()) {
                    alive++;
                } else {
                    it.remove();
                }
            }
            sweepAfter = Math.max(64, alive);
        }
    }

    /** Whether a JDK virtual thread started in a goroutine may still be alive (checkdead, sysmon). */
    static boolean anyAlive() {
        if (unidentified) {
            return true;
        }
        for (var it = children.iterator(); it.hasNext(); ) {
            if (it.next().isAlive()) {
                return true;
            }
            it.remove();
        }
        return false;
    }
}
