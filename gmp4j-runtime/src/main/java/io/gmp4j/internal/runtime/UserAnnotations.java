package io.gmp4j.internal.runtime;

/**
 * The recording side of runtime/trace's user annotations (trace.go: trace_userTaskCreate,
 * trace_userTaskEnd, trace_userRegion, trace_userLog), for io.gmp4j.trace's Task, Region and
 * Trace.log. Each call records one event into the caller's ring, as ExecTrace's own events
 * ({@link ExecTrace#emitUser}); the writer formats them. Callers check {@link #on} first: off,
 * an annotation costs that read. User calls, not scheduler paths: the strings a record names
 * are the caller's own, and a log's pair is one small array.
 *
 * <p>Records (kind: a, b, c, ref); {@code key} is the caller's goroutine id, or minus its thread
 * id on a thread that is not a goroutine:
 * <pre>
 *   TASK_BEGIN     task id, parent task id, key, taskType
 *   TASK_END       task id, the begin's trace generation (0: none), key, taskType
 *   REGION_BEGIN   region id, task id, key, regionType
 *   REGION_END     region id, the begin's trace generation, key, {regionType, task id}
 *   USER_LOG       task id, 0, key, {category, message}
 *   REGION_MISUSE  0, 0, key, the message
 * </pre>
 */
public final class UserAnnotations {
    private UserAnnotations() {}

    /** Whether a trace is on (ExecTrace.on): the annotations' one check. */
    public static boolean on() {
        return ExecTrace.on;
    }

    /** The caller's goroutine id, or minus its thread id on a thread that is not a goroutine. */
    public static long key() {
        G gp = G.current();
        return gp != null ? gp.goid : -Thread.currentThread().threadId();
    }

    /** "goroutine 7", or "thread 21" for a thread that is not one: a misuse message's subject. */
    public static String describe(long key) {
        return key > 0 ? "goroutine " + key : "thread " + -key;
    }

    /** trace_userTaskCreate: returns the trace generation the begin went into, 0 when none. */
    public static int taskCreate(long id, long parent, String type) {
        return ExecTrace.emitUser(ExecTrace.TASK_BEGIN, System.nanoTime(), id, parent, key(), type);
    }

    /** trace_userTaskEnd, for a task whose begin went into trace {@code gen} (0: none). */
    public static void taskEnd(long id, int gen, String type) {
        ExecTrace.emitUser(ExecTrace.TASK_END, System.nanoTime(), id, gen, key(), type);
    }

    /** trace_userRegion's start: returns the trace generation the begin went into, 0 when none. */
    public static int regionBegin(long id, long task, String type) {
        return ExecTrace.emitUser(ExecTrace.REGION_BEGIN, System.nanoTime(), id, task, key(), type);
    }

    /** trace_userRegion's end, on the goroutine that began it, of a region begun in trace {@code gen}. */
    public static void regionEnd(long id, int gen, String type, long task) {
        ExecTrace.emitUser(ExecTrace.REGION_END, System.nanoTime(), id, gen, key(), new Object[] {type, task});
    }

    /** trace_userLog. */
    public static void log(long task, String category, String message) {
        ExecTrace.emitUser(ExecTrace.USER_LOG, System.nanoTime(), task, 0, key(), new String[] {category, message});
    }

    /**
     * A region's end that does not end it (on another goroutine, not the innermost one, or a
     * second end): Go's trace parser rejects such a trace with its "misuse of region" error;
     * gmp4j records the message as an instant on the caller's track.
     */
    public static void regionMisuse(String message) {
        ExecTrace.emitUser(ExecTrace.REGION_MISUSE, System.nanoTime(), 0, 0, key(), message);
    }
}
