package io.gmp4j.sync;

import io.gmp4j.GoPanic;
import io.gmp4j.internal.runtime.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's {@code sync.RWMutex}: a reader/writer mutual exclusion lock. Any number of readers or one
 * writer. A writer that is waiting blocks new readers (so that writers are not starved), as in Go:
 * a goroutine must not expect to take a second read lock while a writer may be waiting.
 */
public final class RWMutex implements Locker {
    /*
     * Go file and functions: sync/rwmutex.go: RLock, TryRLock, RUnlock, rUnlockSlow, Lock,
     * TryLock, Unlock, RLocker.
     *
     * Invariants:
     *   - readerCount = (readers holding or waiting for the read lock) - (MAX_READERS if a writer
     *     holds w and has announced itself). So readerCount < 0 <=> a writer is pending or active,
     *     and new readers then park on readerSem.
     *   - readerWait = the readers that were active when the writer announced itself and have not
     *     left yet; the last of them releases writerSem.
     *   - w serialises writers.
     *
     * Writer protocol (Lock):
     *   1. w.lock()                           one writer at a time
     *   2. r = readerCount.getAndAdd(-MAX)    announce: new readers now block
     *   3. if r != 0 and readerWait += r != 0: park on writerSem until the r active readers left
     * Reader leaving (RUnlock) with readerCount < 0: readerWait -= 1; the one reaching 0 releases
     * writerSem. readerWait may go negative transiently (a reader leaves between steps 2 and 3);
     * the writer's "+= r" then lands on 0 and it does not park.
     * Unlock: r = readerCount.getAndAdd(+MAX); release readerSem r times (the readers that queued
     * behind the writer); w.unlock().
     *
     * Misuse panics (fatal errors in Go, see docs/DIVERGENCES.md): "sync: RUnlock of unlocked
     * RWMutex", "sync: Unlock of unlocked RWMutex".
     */
    /** rwmutex.go: rwmutexMaxReaders. */
    static final int MAX_READERS = 1 << 30;

    private final Mutex w = new Mutex();
    private final Sema writerSem = new Sema();
    private final Sema readerSem = new Sema();
    private volatile int readerCount;
    private volatile int readerWait;

    /** An unlocked RWMutex (Go's zero value). */
    public RWMutex() {}

    /** rwmutex.go: RLock. Blocks (wait reason {@code sync.RWMutex.RLock}) while a writer holds or waits. */
    public void rLock() {
        if ((int) READER_COUNT.getAndAdd(this, 1) + 1 < 0) {
            // A writer is pending, wait for it.
            readerSem.acquire(false, WaitReason.SYNC_RWMUTEX_RLOCK);
        }
    }

    /** rwmutex.go: TryRLock. */
    public boolean tryRLock() {
        for (;;) {
            int c = readerCount;
            if (c < 0) {
                return false;
            }
            if (READER_COUNT.compareAndSet(this, c, c + 1)) {
                return true;
            }
        }
    }

    /** rwmutex.go: RUnlock. */
    public void rUnlock() {
        int r = (int) READER_COUNT.getAndAdd(this, -1) - 1;
        if (r < 0) {
            rUnlockSlow(r); // outlined slow path
        }
    }

    private void rUnlockSlow(int r) {
        if (r + 1 == 0 || r + 1 == -MAX_READERS) {
            READER_COUNT.getAndAdd(this, 1);
            throw new GoPanic("sync: RUnlock of unlocked RWMutex");
        }
        // A writer is pending.
        if ((int) READER_WAIT.getAndAdd(this, -1) - 1 == 0) {
            // The last reader unblocks the writer.
            writerSem.release(false);
        }
    }

    /** rwmutex.go: Lock. Blocks until no reader or writer holds the lock. */
    @Override
    public void lock() {
        // First, resolve competition with other writers.
        w.lock();
        // Announce to readers there is a pending writer.
        int r = (int) READER_COUNT.getAndAdd(this, -MAX_READERS);
        // Wait for active readers.
        if (r != 0 && (int) READER_WAIT.getAndAdd(this, r) + r != 0) {
            writerSem.acquire(false, WaitReason.SYNC_RWMUTEX_LOCK);
        }
    }

    /** rwmutex.go: TryLock. */
    public boolean tryLock() {
        if (!w.tryLock()) {
            return false;
        }
        if (!READER_COUNT.compareAndSet(this, 0, -MAX_READERS)) {
            w.unlock();
            return false;
        }
        return true;
    }

    /** rwmutex.go: Unlock. */
    @Override
    public void unlock() {
        // Announce to readers there is no active writer.
        int r = (int) READER_COUNT.getAndAdd(this, MAX_READERS) + MAX_READERS;
        if (r >= MAX_READERS) {
            READER_COUNT.getAndAdd(this, -MAX_READERS);
            throw new GoPanic("sync: Unlock of unlocked RWMutex");
        }
        // Unblock the readers that queued behind us.
        for (int i = 0; i < r; i++) {
            readerSem.release(false);
        }
        // Allow other writers to proceed.
        w.unlock();
    }

    /**
     * rwmutex.go: RLocker. A {@link Locker} whose lock/unlock are {@link #rLock}/{@link #rUnlock}.
     * Go's is a pointer conversion, so two calls give equal lockers: here they are
     * {@code equals} (and hash alike), without a field kept per RWMutex.
     */
    public Locker rLocker() {
        return new RLocker();
    }

    private final class RLocker implements Locker {
        @Override
        public void lock() {
            rLock();
        }

        @Override
        public void unlock() {
            rUnlock();
        }

        private RWMutex rw() {
            return RWMutex.this;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RWMutex.RLocker other && other.rw() == RWMutex.this;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(RWMutex.this);
        }

        @Override
        public String toString() {
            return "rlocker(" + RWMutex.this + ")";
        }
    }

    /** Test hook: readerCount (racy); negative while a writer is pending or active. */
    int readerCountForTest() {
        return readerCount;
    }

    private static final VarHandle READER_COUNT, READER_WAIT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            READER_COUNT = l.findVarHandle(RWMutex.class, "readerCount", int.class);
            READER_WAIT = l.findVarHandle(RWMutex.class, "readerWait", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
