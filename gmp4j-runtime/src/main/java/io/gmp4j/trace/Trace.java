package io.gmp4j.trace;

import io.gmp4j.internal.runtime.ExecTrace;
import java.io.OutputStream;

/**
 * Go's {@code runtime/trace}: an execution trace of the scheduler, written as Chrome
 * trace-event JSON ({@code {"traceEvents":[...]}}) that <a href="https://ui.perfetto.dev">ui.perfetto.dev</a>
 * and {@code chrome://tracing} open. Not Go's binary format: {@code go tool trace} cannot read
 * it (docs/DIVERGENCES.md).
 *
 * <p>What a trace shows: a track per P (process "Ps") with a slice per goroutine run
 * ({@code G<goid> <start function>}, args goid, m, and how the slice ended), the same slices
 * per M (process "Ms"), instant events for goroutine creation, blocking (with Go's wait
 * reason, e.g. {@code chan receive}), unblocking (with a flow arrow to the woken goroutine's
 * next slice), sysmon's preemption requests and P hand-offs. Timestamps are microseconds from
 * {@link #start}. Events are kept in fixed-size per-M rings drained by a tracer thread every
 * 100 ms; events that found a ring full are dropped and counted in {@code otherData.droppedEvents}.
 *
 * <pre>{@code
 * try (var out = new FileOutputStream("trace.json")) {
 *     Trace.start(out);
 *     ... the program ...
 *     Trace.stop();
 * }
 * }</pre>
 */
public final class Trace {
    private Trace() {}

    /**
     * trace.Start: starts tracing into {@code out}, which the tracer writes from its own thread
     * until {@link #stop} (it is flushed, never closed).
     *
     * @throws IllegalStateException "runtime error: tracing is already enabled" (Go's error's
     *     text: StartTrace's runtime errorString), also while
     *     another thread's {@link #stop} is still writing its trace (Go's trace.shutdown) or
     *     another thread's start its header
     * @throws java.io.UncheckedIOException when writing the trace's header fails (the header is
     *     written by this call: a stream that blocks holds up this start, and a stop waits for it;
     *     an unchecked exception the stream threw is its cause's cause)
     */
    public static void start(OutputStream out) {
        ExecTrace.start(out);
    }

    /**
     * trace.Stop: stops tracing and returns once the whole trace is written and flushed. A no-op
     * when no trace is running; while another thread's stop is writing the trace, returns once
     * that one has written it.
     *
     * @throws java.io.UncheckedIOException when writing to the stream failed during the trace
     *     (an unchecked exception the stream threw is its cause's cause)
     */
    public static void stop() {
        ExecTrace.stop();
    }

    /** trace.IsEnabled. */
    public static boolean isEnabled() {
        return ExecTrace.enabled();
    }
}
