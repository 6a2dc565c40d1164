package io.gmp4j.chan.lincheck;

/**
 * One operation of a goroutine history on a sync.Mutex or a sync.WaitGroup, for
 * {@link SyncGoroutineLinTest}: lock, unlock, tryLock (its result is true or false; the others
 * record true), add(delta), done, await.
 */
record SyncOp(Kind kind, int delta) {
    enum Kind { LOCK, UNLOCK, TRY_LOCK, ADD, DONE, AWAIT }

    static final SyncOp LOCK = new SyncOp(Kind.LOCK, 0);
    static final SyncOp UNLOCK = new SyncOp(Kind.UNLOCK, 0);
    static final SyncOp TRY_LOCK = new SyncOp(Kind.TRY_LOCK, 0);
    static final SyncOp DONE = new SyncOp(Kind.DONE, 0);
    static final SyncOp AWAIT = new SyncOp(Kind.AWAIT, 0);

    static SyncOp add(int delta) {
        return new SyncOp(Kind.ADD, delta);
    }

    @Override
    public String toString() {
        return kind == Kind.ADD ? "add(" + delta + ")" : kind.name().toLowerCase();
    }
}
