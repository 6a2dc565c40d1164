package io.gmp4j.internal.runtime;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event: a thread's pprof labels changed (ProfLabels), committed only while a CPU profile's
 * recording runs, which enables it; the profile reads each sample's labels off these events, on
 * the clock its samples carry.
 */
@Name("io.gmp4j.ProfLabel")
@Label("pprof labels")
@Category({"gmp4j", "Profiling"})
@Description("A goroutine's pprof labels changed: pprof.Do, SetGoroutineLabels, or a go statement that copied them")
@StackTrace(false)
public final class ProfLabelEvent extends jdk.jfr.Event {
    /** The event's name, for the recording that enables it. */
    public static final String NAME = "io.gmp4j.ProfLabel";

    @Label("Thread id")
    @Description("The goroutine's virtual thread (not always the committing thread: a go statement commits its new G's)")
    long tid;

    @Label("Labels")
    @Description("The labels' number within the CPU profile; 0: none")
    long labels;

    static void emit(long tid, long labels) {
        ProfLabelEvent e = new ProfLabelEvent();
        if (e.shouldCommit()) {
            e.tid = tid;
            e.labels = labels;
            e.commit();
        }
    }
}
