package io.gmp4j.internal.runtime;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event: sysmon took a P from an M that kept one goroutine too long (a CPU hog or a call
 * pinned in native code) and handed it to another M. Go shows these in its execution trace as
 * "syscall block" / "preempted"; here they are in any JFR recording.
 */
@Name("io.gmp4j.Handoff")
@Label("P hand-off")
@Category({"gmp4j", "Scheduler"})
@Description("sysmon retook a P from an M stuck with one goroutine and handed it to another M")
@StackTrace(false)
public final class HandoffEvent extends jdk.jfr.Event {
    @Label("P")
    int p;

    @Label("Goroutine")
    long goid;

    @Label("Held for")
    @Timespan(Timespan.NANOSECONDS)
    long heldNanos;

    @Label("Blocked while pinned")
    @Description("true: parked or waiting for a monitor while pinned; false: running (a loop or a native call)")
    boolean blocked;

    /** Commits one event. Sysmon calls it only once JFR runs, so this class loads no earlier. */
    static void emit(int p, long goid, long heldNanos, boolean blocked) {
        HandoffEvent e = new HandoffEvent();
        if (e.shouldCommit()) {
            e.p = p;
            e.goid = goid;
            e.heldNanos = heldNanos;
            e.blocked = blocked;
            e.commit();
        }
    }
}
