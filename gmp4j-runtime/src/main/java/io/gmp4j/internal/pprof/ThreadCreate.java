package io.gmp4j.internal.pprof;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The threadcreate profile (runtime/mprof.go: ThreadCreateProfile, over allm; runtime/proc.go:
 * newm saves each new M's creation stack in m.createstack). The runtime calls {@link #record}
 * just before it starts one of its platform threads (an M, sysmon, the timer cleaner): the
 * creator's stack, taken by a StackWalker on the creating thread. Threads are created rarely
 * (an M per P at most, plus Ms for lockOSThread), so the walk costs nothing measurable.
 *
 * <p>As Go's, the profile lists the threads that are still there (Go's allm drops an M that
 * exited, mexit): a record whose thread has terminated is dropped when the profile is read or
 * the next thread is recorded.
 */
public final class ThreadCreate {
    private ThreadCreate() {}

    /** proc.go: m.createstack has 32 entries. */
    static final int MAX_DEPTH = 32;

    private record Rec(Thread thread, StackTraceElement[] stack) {}

    private static final ConcurrentLinkedQueue<Rec> RECORDS = new ConcurrentLinkedQueue<>();
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** Records that the caller is about to start {@code t} (not started yet). Any thread. */
    public static void record(Thread t) {
        StackTraceElement[] st = WALKER.walk(frames -> frames.skip(1).limit(MAX_DEPTH)
                .map(StackWalker.StackFrame::toStackTraceElement).toArray(StackTraceElement[]::new));
        RECORDS.removeIf(r -> r.thread().getState() == Thread.State.TERMINATED);
        RECORDS.add(new Rec(t, st));
    }

    /** The creation stacks of the runtime's threads still alive (or not yet started), leaf first. */
    static List<StackTraceElement[]> stacks() {
        RECORDS.removeIf(r -> r.thread().getState() == Thread.State.TERMINATED);
        List<StackTraceElement[]> out = new ArrayList<>();
        for (Rec r : RECORDS) {
            out.add(r.stack());
        }
        return out;
    }

    /** ?debug=1: Go's printCountProfile, "threadcreate profile: total N" then "N @" groups. */
    static String text() {
        return Goroutines.text("threadcreate", Goroutines.unlabelled(stacks()));
    }

    /** The gzipped profile.proto: sample type threadcreate/count, period type threadcreate/count, period 1. */
    static byte[] proto() {
        return Goroutines.proto("threadcreate", Goroutines.unlabelled(stacks()));
    }
}
