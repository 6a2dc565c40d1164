package io.gmp4j.time;

import io.gmp4j.chan.Chan;

/*
 * The two non-blocking channel operations timers need, in one place: a timer's send runs on a
 * scheduler thread (RuntimeTimer contract: must not block), and stop/reset drain the buffer.
 */
final class ChanOps {
    private ChanOps() {}

    /** chan.go: selectnbsend. True if v was sent (buffer had room). */
    static <T> boolean trySend(Chan<T> c, T v) {
        return c.trySend(v);
    }

    /** chan.go: selectnbrecv, discarding the value. True if a value was received. */
    static boolean drain(Chan<?> c) {
        Chan.Recv<?> r = c.tryRecv();
        return r != null && r.ok();
    }
}
