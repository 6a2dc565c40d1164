package io.gmp4j.time;

import io.gmp4j.chan.Chan;
import io.gmp4j.internal.runtime.ChanBridge;

/*
 * The two non-blocking channel operations timers need, in one place: a timer's send runs on a
 * scheduler thread (RuntimeTimer contract: must not block), and stop/reset drain the buffer.
 * Both run holding the timer's sender lock, so not through the public trySend and tryRecv,
 * which are preemption points: ChanBridge.
 */
final class ChanOps {
    private ChanOps() {}

    /** chan.go: selectnbsend. True if v was sent (buffer had room). */
    static <T> boolean trySend(Chan<T> c, T v) {
        return ChanBridge.ops().trySend(c, v);
    }

    /** chan.go: selectnbrecv, discarding the value. True if a value was received. */
    static boolean drain(Chan<?> c) {
        return ChanBridge.ops().drain(c);
    }
}
