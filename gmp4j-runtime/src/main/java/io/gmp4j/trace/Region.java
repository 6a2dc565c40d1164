package io.gmp4j.trace;

import io.gmp4j.internal.runtime.UserAnnotations;
import java.util.concurrent.atomic.AtomicLong;

/**
 * annotation.go: Region, a span of code on one goroutine that {@link Trace#startRegion} began.
 * In a trace a region is a slice on its goroutine's track of the "goroutines" process (one bar
 * across the goroutine's parks and moves between Ms), named by its type, args goid and task.
 *
 * <p>Go's rules: a region ends on the goroutine that began it, and a goroutine's regions nest
 * (the last begun ends first). An end that breaks them does not end the region (Go's trace
 * parser rejects such a trace with "misuse of region"): it records a "region misuse" instant
 * with the message on the ending goroutine's track, and the region stays open, to end
 * "unended" at the trace's end. Nothing throws.
 *
 * <p>{@link #close} is {@link #end}, for try-with-resources (Go's {@code defer r.End()}).
 */
public final class Region implements AutoCloseable {
    /** annotation.go: noopRegion, what startRegion returns while tracing is off. */
    static final Region NOOP = new Region();
    private static final AtomicLong LAST_ID = new AtomicLong();
    /** The innermost open region of each goroutine (or thread), linked outwards by {@link #outer}. */
    private static final ThreadLocal<Region> INNERMOST = new ThreadLocal<>();

    private final long id, task, key;
    private final String type;
    private final Thread owner;
    private final Region outer;
    /** The trace generation its begin went into (0: none: its end records nothing). */
    private final int gen;
    /** Owner only (another goroutine's end is a misuse, decided without it). */
    private boolean ended;

    private Region() {
        id = task = key = 0;
        type = "";
        owner = null;
        outer = null;
        gen = 0;
    }

    private Region(long task, String type, Region outer) {
        this.id = LAST_ID.incrementAndGet();
        this.task = task;
        this.type = type;
        this.owner = Thread.currentThread();
        this.key = UserAnnotations.key();
        this.outer = outer;
        this.gen = UserAnnotations.regionBegin(id, task, type);
    }

    /** StartRegion while tracing is on: begins a region of task {@code task} on the caller. */
    static Region begin(long task, String type) {
        Region r = new Region(task, type, INNERMOST.get());
        INNERMOST.set(r);
        return r;
    }

    /**
     * annotation.go: Region.End. Ends the region; on another goroutine than the one that began
     * it, or while a region begun inside it is open, or a second time, records a "region misuse"
     * instead (while tracing is on).
     */
    public void end() {
        if (this == NOOP) {
            return;
        }
        Region innermost = INNERMOST.get();
        if (Thread.currentThread() != owner || ended || innermost != this) {
            if (UserAnnotations.on()) { // the message only for the trace
                String why = Thread.currentThread() != owner ? "of a region begun in " + UserAnnotations.describe(key)
                        : ended ? "of a region already ended"
                        : "when the inner-most active region is \"" + innermost.type + "\"";
                UserAnnotations.regionMisuse("misuse of region in " + UserAnnotations.describe(UserAnnotations.key())
                        + ": region end \"" + type + "\" " + why);
            }
            return;
        }
        ended = true;
        if (outer == null) {
            INNERMOST.remove();
        } else {
            INNERMOST.set(outer);
        }
        if (gen != 0 && UserAnnotations.on()) {
            UserAnnotations.regionEnd(id, gen, type, task);
        }
    }

    /** {@link #end}. */
    @Override
    public void close() {
        end();
    }

    @Override
    public String toString() {
        return this == NOOP ? "Region[noop]" : "Region[" + type + " task " + task + "]";
    }
}
