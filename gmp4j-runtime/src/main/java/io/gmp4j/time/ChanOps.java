package io.gmp4j.time;

import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;

/*
 * The two non-blocking channel operations timers need, in one place: a timer's send runs on a
 * scheduler thread (RuntimeTimer contract: must not block), and stop/reset drain the buffer.
 * Written with select + default (the fixed Chan/Select API); switch to Chan.trySend/tryRecv when
 * they are on main (same semantics, no Case allocation).
 */
final class ChanOps {
    private ChanOps() {}

    private static final Runnable NOTHING = () -> {};

    /** chan.go: selectnbsend. True if v was sent (buffer had room). */
    static <T> boolean trySend(Chan<T> c, T v) {
        return Select.select(c.onSend(v, NOTHING), Select.onDefault(NOTHING)) == 0;
    }

    /** chan.go: selectnbrecv, discarding the value. True if a value was received. */
    static boolean drain(Chan<?> c) {
        return Select.select(c.onRecv(v -> {}), Select.onDefault(NOTHING)) == 0;
    }
}
