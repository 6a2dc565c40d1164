package io.gmp4j.trace;

import io.gmp4j.internal.runtime.UserAnnotations;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * annotation.go: Task, a user-defined logical operation that {@link Trace#newTask} began: its
 * goroutines, regions and logs carry its id through the context. In a trace a task is an async
 * slice on the "tasks" process, named by its type, from its creation to its first
 * {@link #end}.
 */
public final class Task {
    /** annotation.go: lastTaskID. The background task is 0. */
    private static final AtomicLong LAST_ID = new AtomicLong();

    final long id;
    private final String type;
    /** The trace generation its begin went into (0: none, tracing was off). */
    private final int gen;
    private volatile int ended; // ENDED: 0 -> 1 by the first end

    Task(long parent, String type) {
        this.id = LAST_ID.incrementAndGet(); // annotation.go: newID
        this.type = type;
        this.gen = UserAnnotations.on() ? UserAnnotations.taskCreate(id, parent, type) : 0;
    }

    /**
     * annotation.go: Task.End. Marks the end of the operation. Only the first call counts (Go's
     * trace tool measures the latency to the first); later calls record nothing.
     */
    public void end() {
        if (ended == 0 && ENDED.compareAndSet(this, 0, 1) && UserAnnotations.on()) {
            UserAnnotations.taskEnd(id, gen, type);
        }
    }

    @Override
    public String toString() {
        return "Task[" + id + " " + type + "]";
    }

    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(Task.class, "ended", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
