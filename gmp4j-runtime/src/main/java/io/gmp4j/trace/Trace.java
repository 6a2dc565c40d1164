package io.gmp4j.trace;

import io.gmp4j.context.Context;
import io.gmp4j.internal.fmt.GoFmt;
import io.gmp4j.internal.runtime.ExecTrace;
import io.gmp4j.internal.runtime.UserAnnotations;
import java.io.OutputStream;
import java.util.Objects;

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
 *
 * <p>User annotations (annotation.go): {@link #newTask} begins a task, a logical operation
 * that its context carries across goroutines (an async slice on the "tasks" process, named by
 * its type, until {@link Task#end}); {@link #startRegion} and {@link #withRegion} mark a span
 * of one goroutine's work (a slice on that goroutine's track of the "goroutines" process);
 * {@link #log} and {@link #logf} record a message (an instant there). Each names its task
 * (args.task; 0: none). While tracing is off they cost a read of one volatile boolean, except
 * newTask, which still gives the task an id and a context (as Go's).
 *
 * <pre>{@code
 * var nt = Trace.newTask(ctx, "makeCappuccino");
 * try (var r = Trace.startRegion(nt.ctx(), "steamMilk")) {
 *     steamMilk();
 * }
 * Trace.log(nt.ctx(), "orderID", id);
 * nt.task().end();
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

    /** What {@link #newTask} returns (Go: {@code ctx, task := trace.NewTask(pctx, taskType)}). */
    public record NewTask(Context ctx, Task task) {}

    /** annotation.go: traceContextKey. Private: only this package reads a context's task. */
    private static final Object TASK_KEY = new Object() {
        @Override
        public String toString() {
            return "trace.traceContextKey";
        }
    };

    /** annotation.go: fromContext's id: the task ctx carries, 0 (the background task) when none. */
    private static long taskOf(Context ctx) {
        return ctx.value(TASK_KEY) instanceof Task t ? t.id : 0;
    }

    /**
     * trace.NewTask: begins a task of type {@code taskType}, a subtask of the one {@code ctx}
     * carries if any, and returns it with a child of {@code ctx} that carries it. While tracing
     * is off the task still gets its id and its context (it may end, or carry regions, under a
     * trace started later). Types classify tasks: keep them few.
     */
    public static NewTask newTask(Context ctx, String taskType) {
        Objects.requireNonNull(taskType, "taskType");
        Task t = new Task(taskOf(ctx), taskType);
        return new NewTask(Context.withValue(ctx, TASK_KEY, t), t);
    }

    /**
     * trace.StartRegion: begins a region of type {@code regionType} on the calling goroutine, of
     * the task {@code ctx} carries. End it on this goroutine, inner regions first ({@link Region}).
     * While tracing is off returns a region whose end does nothing. Types classify regions: keep
     * them few.
     */
    public static Region startRegion(Context ctx, String regionType) {
        Objects.requireNonNull(ctx, "ctx"); // off too, as documented (DIVERGENCES: Nulls)
        Objects.requireNonNull(regionType, "regionType");
        if (!UserAnnotations.on()) {
            return Region.NOOP;
        }
        return Region.begin(taskOf(ctx), regionType);
    }

    /**
     * trace.WithRegion: runs {@code fn} in a region of type {@code regionType} on the calling
     * goroutine, of the task {@code ctx} carries; the region ends however fn returns (Go's defer).
     */
    public static void withRegion(Context ctx, String regionType, Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        try (Region r = startRegion(ctx, regionType)) {
            fn.run();
        }
    }

    /**
     * trace.Log: records {@code message} under {@code category} (may be empty; keep categories
     * few) for the calling goroutine and the task {@code ctx} carries. Shown as
     * {@code category=message} (Go's trace tool's name; just one of them where the other is empty).
     */
    public static void log(Context ctx, String category, String message) {
        Objects.requireNonNull(ctx, "ctx"); // off too, as documented (DIVERGENCES: Nulls)
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(message, "message");
        if (UserAnnotations.on()) {
            UserAnnotations.log(taskOf(ctx), category, message);
        }
    }

    /**
     * trace.Logf: {@link #log} with the message {@code fmt.Sprintf(format, args...)} by Go's fmt
     * rules (every verb, flag, {@code *} and {@code [n]}; Go's {@code %!d(string=x)} for a
     * mismatch; the Java types as Go's: Integer is int32, a List or array a slice, a Throwable an
     * error; see docs/DIVERGENCES.md). Formats only while tracing is on.
     */
    public static void logf(Context ctx, String category, String format, Object... args) {
        Objects.requireNonNull(ctx, "ctx"); // off too, as documented (DIVERGENCES: Nulls)
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(format, "format");
        if (UserAnnotations.on()) {
            UserAnnotations.log(taskOf(ctx), category, GoFmt.sprintf(format, args));
        }
    }
}
