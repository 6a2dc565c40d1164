package io.gmp4j;

import io.gmp4j.internal.runtime.Goexit;
import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.WaitReason;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link java.util.concurrent.ExecutorService} that starts each task in its own goroutine:
 * gmp4j's counterpart of {@code Executors.newVirtualThreadPerTaskExecutor()}, for code that
 * takes an executor (HTTP servers, CompletableFuture, structured frameworks).
 *
 * <p>{@link #execute} is {@code go task()}: an exception escaping a task is a goroutine panic
 * and crashes the program as Go's does, unless a {@linkplain Go#setPanicHandler panic handler}
 * is installed. Tasks given to {@code submit}/{@code invokeAll} run inside a {@code FutureTask},
 * so their exceptions go to the returned future, as with any ExecutorService. Such a task that
 * calls {@link Go#goexit} still ends its goroutine through Goexit, after failing its future with
 * an {@link IllegalStateException}, so that no {@code get()} waits for good.
 * {@link #shutdownNow} interrupts every accepted task's goroutine, a task whose goroutine has
 * not started yet as it starts, as the JDK's thread-per-task executor does (gmp4j's own blocking
 * operations are not interruptible, like Go's; JDK ones are).
 */
public final class GoExecutorService extends AbstractExecutorService {
    /** Accepted and not finished: from execute (before its goroutine exists) to its end. */
    private final Set<Task> tasks = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminated = lock.newCondition();
    private volatile boolean shutdown;
    private int active; // guarded by lock
    /** Threads waiting in {@link #close}, woken on termination (guarded by lock). */
    private final List<Thread> closers = new ArrayList<>();

    private GoExecutorService() {}

    /** An executor that runs every task in a new goroutine. */
    public static GoExecutorService newGoroutinePerTaskExecutor() {
        return new GoExecutorService();
    }

    @Override
    public void execute(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        Task t = new Task(task);
        lock.lock();
        try {
            if (shutdown) {
                throw new RejectedExecutionException("GoExecutorService is shut down");
            }
            active++;
            // Recorded under the lock that shutdown takes: shutdownNow, which looks at tasks
            // after shutdown, sees every task accepted before it (else it would not interrupt
            // it, and awaitTermination would wait for that task for good).
            tasks.add(t);
        } finally {
            lock.unlock();
        }
        try {
            Go.go(t);
        } catch (Throwable e) { // no goroutine (the JVM out of memory): the task was not accepted
            t.finish();
            throw e;
        }
    }

    /**
     * A task and its goroutine. An interrupt asked for before the goroutine runs is delivered as
     * it starts: {@code interruptRequested} and {@code thread} are each written before the other
     * is read (volatile), so at least one side delivers it.
     */
    private final class Task implements Runnable {
        private final Runnable task;
        private volatile Thread thread;
        private volatile boolean interruptRequested;

        Task(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            Thread self = Thread.currentThread();
            thread = self;
            if (interruptRequested) {
                self.interrupt();
            }
            try {
                task.run();
                // A FutureTask not ours caught its task's Goexit (invokeAny's
                // ExecutorCompletionService wraps our GoFutureTask in one, which catches the
                // Goexit that ours rethrows): the goroutine still ends through Goexit.
                if (task instanceof FutureTask<?> ft && ft.state() == Future.State.FAILED
                        && Goexit.isGoexit(ft.exceptionNow())) {
                    Go.goexit();
                }
            } finally {
                finish();
            }
        }

        void interrupt() {
            interruptRequested = true;
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }

        void finish() {
            tasks.remove(this);
            taskDone();
        }
    }

    /**
     * A submitted task's future. FutureTask catches what its task throws, runtime.Goexit's signal
     * too, and would report that internal type to get() while the goroutine ran on: the future
     * fails with a public exception instead, and the Goexit goes on once the future is complete,
     * so the goroutine ends as Go's does (panic.go: Goexit).
     */
    private static final class GoFutureTask<V> extends FutureTask<V> {
        static final String GOEXIT_MESSAGE = "runtime.Goexit: the task's goroutine exited before the task returned";

        private boolean goexited; // written and read by the goroutine running run()

        GoFutureTask(Callable<V> callable) {
            super(callable);
        }

        GoFutureTask(Runnable runnable, V result) {
            super(runnable, result);
        }

        @Override
        protected void setException(Throwable t) {
            if (Goexit.isGoexit(t)) {
                goexited = true;
                t = new IllegalStateException(GOEXIT_MESSAGE);
            }
            super.setException(t);
        }

        @Override
        public void run() {
            super.run();
            if (goexited) {
                Go.goexit(); // the future is complete: its waiters are woken
            }
        }
    }

    /** The future of submit, invokeAll and invokeAny (AbstractExecutorService's hook). */
    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new GoFutureTask<>(callable);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return new GoFutureTask<>(runnable, value);
    }

    /**
     * ExecutorService.invokeAny, checked before any task starts as the JDK's thread-per-task
     * executor checks it: a null element is a NullPointerException, and the caller's interrupt an
     * InterruptedException (the interrupt cleared). AbstractExecutorService starts the tasks one
     * at a time and looks at the interrupt only when it blocks, so it returned the first task's
     * result when that task completed before the null element was reached or before it blocked.
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return super.invokeAny(checkInvokeAny(tasks));
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        return super.invokeAny(checkInvokeAny(tasks), timeout, unit);
    }

    private <C extends Collection<?>> C checkInvokeAny(C tasks) throws InterruptedException {
        if (tasks.isEmpty()) { // tasks null: NullPointerException
            throw new IllegalArgumentException("tasks is empty");
        }
        for (Object t : tasks) {
            Objects.requireNonNull(t, "task");
        }
        if (shutdown) { // rejected before interrupted, as the JDK's executor: it starts the tasks first
            throw new RejectedExecutionException("GoExecutorService is shut down");
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return tasks;
    }

    private void taskDone() {
        lock.lock();
        try {
            if (--active == 0 && shutdown) {
                terminate();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            shutdown = true;
            if (active == 0) {
                terminate();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shuts down and interrupts every accepted task (one whose goroutine has not started yet, as
     * it starts); returns no tasks: none waits in a queue, each has its goroutine.
     */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        for (Task t : tasks) {
            t.interrupt();
        }
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        lock.lock();
        try {
            return shutdown && active == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter: the executor is shut down with no task left (lock held). */
    private void terminate() {
        terminated.signalAll();
        for (Thread t : closers) {
            Park.ready(t);
        }
        closers.clear();
    }

    /**
     * Shuts down and waits for every task to finish; if interrupted while waiting, calls
     * {@link #shutdownNow} and waits on, then sets the interrupt again (ExecutorService.close).
     * The wait is a gmp4j wait, a WaitGroup's, not the JDK's {@code awaitTermination(1 day)}: a
     * goroutine closing the executor while its tasks are asleep for good is then asleep too, and
     * the deadlock is reported (Go: wg.Wait), where a day's timed JDK park vetoed the verdict.
     */
    @Override
    public void close() {
        Thread me = Thread.currentThread();
        shutdown();
        boolean interrupted = false;
        for (;;) {
            lock.lock();
            try {
                if (active == 0) {
                    closers.remove(me);
                    break;
                }
                if (!closers.contains(me)) {
                    closers.add(me); // woken by terminate; a wake-up before the park is its permit
                }
            } finally {
                lock.unlock();
            }
            // An interrupt that lands between this check and the park is cleared by the park,
            // which reports it: both mean "interrupted", as ExecutorService.close wants.
            if (Thread.interrupted() || Park.park(this, WaitReason.SYNC_WAITGROUP_WAIT)) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            me.interrupt();
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (!(shutdown && active == 0)) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminated.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
