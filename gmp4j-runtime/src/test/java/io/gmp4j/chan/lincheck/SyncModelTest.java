package io.gmp4j.chan.lincheck;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MutexModel} and {@link WaitGroupModel} with {@link HistoryChecker} accept hand-made
 * linearizable histories and reject non-linearizable ones (two goroutines holding the mutex at
 * once, a tryLock that succeeded on a held mutex, an await that returned while the counter
 * stayed positive).
 */
class SyncModelTest {
    private static final class Hand {
        private final List<History.Entry<SyncOp, Boolean>> ops = new ArrayList<>();

        Hand op(int g, long inv, long resp, SyncOp op, boolean result) {
            ops.add(new History.Entry<>(g, op, result, inv, resp));
            return this;
        }

        Hand op(int g, long inv, long resp, SyncOp op) {
            return op(g, inv, resp, op, true);
        }

        boolean mutexLinearizable() {
            return new MutexModel(ops).check().linearizable();
        }

        boolean waitGroupLinearizable() {
            return new WaitGroupModel(ops).check().linearizable();
        }
    }

    @Test
    void acceptsALockThatWaitedForAnUnlock() {
        assertTrue(new Hand().op(0, 1, 2, SyncOp.LOCK).op(1, 3, 8, SyncOp.LOCK).op(0, 4, 5, SyncOp.UNLOCK)
                .op(2, 6, 7, SyncOp.TRY_LOCK, false).op(1, 9, 10, SyncOp.UNLOCK).mutexLinearizable());
    }

    @Test
    void rejectsTwoHoldersAtOnce() {
        assertFalse(new Hand().op(0, 1, 2, SyncOp.LOCK).op(1, 3, 4, SyncOp.LOCK).op(0, 5, 6, SyncOp.UNLOCK)
                .op(1, 7, 8, SyncOp.UNLOCK).mutexLinearizable());
    }

    @Test
    void rejectsATryLockThatSucceededOnAHeldMutex() {
        assertFalse(new Hand().op(0, 1, 2, SyncOp.LOCK).op(1, 3, 4, SyncOp.TRY_LOCK, true).mutexLinearizable());
    }

    @Test
    void rejectsATryLockThatFailedOnAFreeMutex() {
        assertFalse(new Hand().op(0, 1, 2, SyncOp.TRY_LOCK, false).mutexLinearizable());
    }

    @Test
    void acceptsAnAwaitWokenByTheLastDone() {
        assertTrue(new Hand().op(0, 1, 2, SyncOp.add(2)).op(1, 3, 12, SyncOp.AWAIT).op(2, 4, 5, SyncOp.DONE)
                .op(3, 6, 7, SyncOp.add(1)).op(3, 8, 9, SyncOp.DONE).op(2, 10, 11, SyncOp.DONE).waitGroupLinearizable());
    }

    @Test
    void rejectsAnAwaitThatReturnedWhileTheCounterStayedPositive() {
        assertFalse(new Hand().op(0, 1, 2, SyncOp.add(2)).op(1, 3, 6, SyncOp.AWAIT).op(2, 4, 5, SyncOp.DONE)
                .op(3, 7, 8, SyncOp.DONE).waitGroupLinearizable());
    }
}
