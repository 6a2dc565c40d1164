package io.gmp4j.chan.lincheck;

import java.util.List;

/**
 * The sequential specification of sync.Mutex over a history of {@link SyncOp}s (Go's
 * sync.Mutex doc): lock takes an unlocked mutex, unlock releases a locked one, tryLock returns
 * true and takes it when unlocked, false when locked. The state is only "locked". A lock that
 * waited takes effect when the mutex was free within its interval (in starvation mode Go's
 * unlock hands the mutex to the waiter, which counts as locked from that moment: a tryLock in
 * between fails, as the model says).
 */
final class MutexModel implements HistoryChecker.Model<Boolean> {
    private final List<History.Entry<SyncOp, Boolean>> ops;

    MutexModel(List<History.Entry<SyncOp, Boolean>> ops) {
        this.ops = List.copyOf(ops);
    }

    HistoryChecker.Result check() {
        return HistoryChecker.linearize(SyncHistories.inv(ops), SyncHistories.resp(ops), this);
    }

    @Override
    public Boolean initial() {
        return false;
    }

    @Override
    public Boolean step(Boolean locked, int event) {
        History.Entry<SyncOp, Boolean> e = ops.get(event);
        return switch (e.op().kind()) {
            case LOCK -> locked ? null : true;
            case UNLOCK -> locked ? false : null;
            case TRY_LOCK -> e.result() ? (locked ? null : true) : (locked ? true : null);
            default -> throw new IllegalArgumentException("MutexModel: " + e.op());
        };
    }
}
