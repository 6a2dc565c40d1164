package io.gmp4j.chan.lincheck;

import java.util.List;

/**
 * The sequential specification of sync.WaitGroup over a history of {@link SyncOp}s (Go's
 * sync.WaitGroup doc): add(delta) and done (add(-1)) move a counter that never goes below
 * zero; await returns at a moment the counter is zero. So an await that blocked takes effect
 * within its interval at a point where every add before it was matched by a done: it may not
 * return while the counter stayed positive throughout.
 */
final class WaitGroupModel implements HistoryChecker.Model<Integer> {
    private final List<History.Entry<SyncOp, Boolean>> ops;

    WaitGroupModel(List<History.Entry<SyncOp, Boolean>> ops) {
        this.ops = List.copyOf(ops);
    }

    HistoryChecker.Result check() {
        return HistoryChecker.linearize(SyncHistories.inv(ops), SyncHistories.resp(ops), this);
    }

    @Override
    public Integer initial() {
        return 0;
    }

    @Override
    public Integer step(Integer counter, int event) {
        SyncOp op = ops.get(event).op();
        return switch (op.kind()) {
            case ADD -> counter + op.delta() >= 0 ? counter + op.delta() : null;
            case DONE -> counter > 0 ? counter - 1 : null;
            case AWAIT -> counter == 0 ? counter : null;
            default -> throw new IllegalArgumentException("WaitGroupModel: " + op);
        };
    }
}
