package io.gmp4j.chan.lincheck;

import io.gmp4j.chan.lincheck.ChanOp.Result;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.gmp4j.chan.lincheck.ChanOp.Case;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker's own test: {@link ChanModel} with {@link HistoryChecker} accepts hand-made
 * linearizable histories (blocked operations taking effect late, rendezvous, close waking a
 * receiver) and rejects hand-made non-linearizable ones (a value received twice, FIFO
 * violated, a receive that returned before its send began, a lost unbuffered send, ...). A
 * checker that accepts everything would pass {@link GoroutineLinTest} and prove nothing.
 */
class ChanModelTest {
    /** A hand-made history on channels with the given capacities; tickets are given explicitly. */
    private static final class Hand {
        private final int[] caps;
        private final List<History.Entry<ChanOp, Result>> ops = new ArrayList<>();

        Hand(int... caps) {
            this.caps = caps;
        }

        Hand op(long inv, long resp, ChanOp op, Result r) {
            ops.add(new History.Entry<>(ops.size(), op, r, inv, resp));
            return this;
        }

        Hand send(long inv, long resp, int ch, int v) {
            return op(inv, resp, ChanOp.send(ch, v), Result.sent(0));
        }

        Hand recv(long inv, long resp, int ch, Integer v) {
            return op(inv, resp, ChanOp.recv(ch), Result.received(0, v, v != null));
        }

        Hand close(long inv, long resp, int ch) {
            return op(inv, resp, ChanOp.close(ch), Result.sent(0));
        }

        boolean linearizable() {
            ChanModel m = new ChanModel(caps, ops);
            HistoryChecker.Result r = m.check();
            System.out.print(m.explain(r));
            return r.linearizable();
        }
    }

    private static final int A = 0, B = 1;
    private static final Result DEFAULT = Result.DEFAULT;

    @Test
    void acceptsARendezvousInsideBothIntervals() {
        assertTrue(new Hand(0).send(1, 4, A, 1).recv(2, 3, A, 1).linearizable());
    }

    @Test
    void acceptsASendBlockedOnAFullBufferTakingEffectAfterTheReceive() {
        assertTrue(new Hand(1).send(1, 2, A, 1).send(3, 10, A, 2).recv(4, 5, A, 1).recv(6, 9, A, 2).linearizable());
    }

    @Test
    void acceptsCloseWakingABlockedReceiver() {
        assertTrue(new Hand(0).recv(1, 6, A, null).close(2, 3, A).linearizable());
    }

    @Test
    void acceptsBufferedValuesDrainedAfterClose() {
        assertTrue(new Hand(2).send(1, 2, A, 1).close(3, 4, A).recv(5, 6, A, 1).recv(7, 8, A, null)
                .op(9, 10, ChanOp.send(A, 2), Result.panicked("send on closed channel")).linearizable());
    }

    @Test
    void acceptsSelectsThatTookAReadyCaseAndADefault() {
        assertTrue(new Hand(1, 0)
                .send(1, 2, A, 1)
                .op(3, 4, ChanOp.select(false, new Case(false, A, 0), new Case(false, B, 0)), Result.received(0, 1, true))
                .op(5, 6, ChanOp.select(true, new Case(false, A, 0), new Case(true, B, 2)), DEFAULT)
                .op(7, 10, ChanOp.select(false, new Case(true, A, 3), new Case(false, B, 0)), Result.sent(0))
                .recv(8, 9, A, 3).linearizable());
    }

    @Test
    void acceptsManyOverlappingOperationsQuickly() {
        Hand h = new Hand(2);
        for (int i = 0; i < 12; i++) {
            h.send(i + 1, 100 + i, A, i + 1);
            h.recv(20 + i, 200 + i, A, i + 1);
        }
        assertTrue(h.linearizable());
    }

    @Test
    void rejectsAValueReceivedTwice() {
        assertFalse(new Hand(1).send(1, 2, A, 1).recv(3, 4, A, 1).recv(5, 6, A, 1).linearizable());
    }

    @Test
    void rejectsAValueReceivedTwiceFromAnUnbufferedChannel() {
        assertFalse(new Hand(0).send(1, 10, A, 1).recv(2, 8, A, 1).recv(3, 9, A, 1).linearizable());
    }

    @Test
    void rejectsFifoViolatedOnABufferedChannel() {
        assertFalse(new Hand(2).send(1, 2, A, 1).send(3, 4, A, 2).recv(5, 6, A, 2).recv(7, 8, A, 1).linearizable());
    }

    @Test
    void rejectsAReceiveThatReturnedBeforeItsSendBegan() {
        assertFalse(new Hand(1).recv(1, 2, A, 1).send(3, 4, A, 1).linearizable());
        assertFalse(new Hand(0).recv(1, 2, A, 1).send(3, 4, A, 1).linearizable());
    }

    @Test
    void rejectsAnUnbufferedSendThatNobodyReceived() {
        assertFalse(new Hand(0).send(1, 2, A, 1).linearizable());
    }

    @Test
    void rejectsARendezvousAfterCloseReturned() {
        // Both began before close returned, but their intervals meet only after it.
        assertFalse(new Hand(0).close(1, 3, A).send(2, 6, A, 1).recv(4, 7, A, 1).linearizable());
        assertTrue(new Hand(0).send(1, 6, A, 1).recv(2, 7, A, 1).close(3, 4, A).linearizable());
    }

    @Test
    void rejectsAClosedReceiveBeforeCloseBegan() {
        assertFalse(new Hand(0).recv(1, 2, A, null).close(3, 4, A).linearizable());
    }

    @Test
    void rejectsAClosedReceiveWhileValuesWereBuffered() {
        assertFalse(new Hand(1).send(1, 2, A, 1).close(3, 4, A).recv(5, 6, A, null).linearizable());
    }

    @Test
    void rejectsDefaultWhileACaseWasReady() {
        assertFalse(new Hand(1).send(1, 2, A, 1).op(3, 4, ChanOp.tryRecv(A), DEFAULT).linearizable());
        assertFalse(new Hand(1).close(1, 2, A).op(3, 4, ChanOp.trySend(A, 5), DEFAULT).linearizable());
        assertFalse(new Hand(0, 0).close(1, 2, B)
                .op(3, 4, ChanOp.select(true, new Case(false, A, 0), new Case(false, B, 0)), DEFAULT).linearizable());
    }

    @Test
    void rejectsATrySendIntoAFullBuffer() {
        assertFalse(new Hand(1).send(1, 2, A, 1).op(3, 4, ChanOp.trySend(A, 2), Result.sent(0))
                .recv(5, 6, A, 1).recv(7, 8, A, 2).linearizable());
    }

    @Test
    void rejectsASendThatSucceededAfterClose() {
        assertFalse(new Hand(1).close(1, 2, A).send(3, 4, A, 1).linearizable());
    }

    @Test
    void rejectsASendPanicBeforeClose() {
        assertFalse(new Hand(1).op(1, 2, ChanOp.send(A, 1), Result.panicked("send on closed channel")).close(3, 4, A).linearizable());
    }

    @Test
    void rejectsASelectThatMetItself() {
        assertFalse(new Hand(0).op(1, 2, ChanOp.select(false, new Case(true, A, 1), new Case(false, A, 0)), Result.received(1, 1, true))
                .linearizable());
    }

    @Test
    void rejectsAWrongLen() {
        assertFalse(new Hand(2).send(1, 2, A, 1).op(3, 4, ChanOp.len(A), new Result(0, 0, true, null)).linearizable());
    }
}
