package io.gmp4j.internal.runtime;

/**
 * Why a goroutine is parked, with Go's own text (runtime2.go: waitReasonStrings), as goroutine
 * dumps show it: {@code goroutine 7 [chan receive]:}.
 */
public enum WaitReason {
    ZERO(""),
    CHAN_SEND("chan send"),
    CHAN_RECEIVE("chan receive"),
    CHAN_SEND_NIL_CHAN("chan send (nil chan)"),
    CHAN_RECEIVE_NIL_CHAN("chan receive (nil chan)"),
    SELECT("select"),
    SELECT_NO_CASES("select (no cases)"),
    SLEEP("sleep"),
    SYNC_MUTEX_LOCK("sync.Mutex.Lock"),
    SYNC_RWMUTEX_RLOCK("sync.RWMutex.RLock"),
    SYNC_RWMUTEX_LOCK("sync.RWMutex.Lock"),
    SYNC_WAITGROUP_WAIT("sync.WaitGroup.Wait"),
    SYNC_COND_WAIT("sync.Cond.Wait"),
    SEMACQUIRE("semacquire"),
    IO_WAIT("IO wait"),
    /** A goroutine in a nested Go.run, waiting for that run's main goroutine (no Go equivalent). */
    GO_RUN("Go.run"),
    /** Parked outside gmp4j (java.util.concurrent, a monitor, a socket): an outside thread may wake it. */
    JAVA_PARK("java park"),
    PREEMPTED("preempted"),
    RUNNABLE("runnable"),
    RUNNING("running"),
    SYSCALL("syscall");

    private static final WaitReason[] VALUES = values();

    private final String text;

    WaitReason(String text) {
        this.text = text;
    }

    /** The reason with this ordinal (G keeps its wait reason as a byte). */
    static WaitReason ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** Go's text for this reason. */
    public String text() {
        return text;
    }

    /**
     * True when only another goroutine calling into gmp4j can end this wait, so that
     * a program whose goroutines all wait like this is deadlocked (proc.go: checkdead).
     * Sleep is false: a timer ends it.
     */
    public boolean onlyGoroutinesCanWake() {
        return switch (this) {
            case CHAN_SEND, CHAN_RECEIVE, CHAN_SEND_NIL_CHAN, CHAN_RECEIVE_NIL_CHAN, SELECT, SELECT_NO_CASES,
                 SYNC_MUTEX_LOCK, SYNC_RWMUTEX_RLOCK, SYNC_RWMUTEX_LOCK, SYNC_WAITGROUP_WAIT, SYNC_COND_WAIT,
                 SEMACQUIRE, GO_RUN -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return text;
    }
}
