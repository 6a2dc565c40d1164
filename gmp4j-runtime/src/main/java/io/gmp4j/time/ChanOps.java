package io.gmp4j.time;

import io.gmp4j.chan.Chan;
import io.gmp4j.internal.runtime.ChanBridge;

/*
 * The channel operations timers need, in one place: a timer's channel is made with its timer
 * (hchan.timer), a timer's send runs on a scheduler thread (RuntimeTimer contract: must not
 * block), and stop/reset drain the buffer. Send and drain run holding the timer's sender lock,
 * so not through the public trySend and tryRecv, which are preemption points and run the
 * timer: ChanBridge.
 */
final class ChanOps {
    private ChanOps() {}

    /** chan.go: selectnbsend. True if v was sent (buffer had room). */
    static <T> boolean trySend(Chan<T> c, T v) {
        return ChanBridge.ops().trySend(c, v);
    }

    /** chan.go: timerchandrain (Go 1.23). True if a value was taken from the buffer. */
    static boolean drain(Chan<?> c) {
        return ChanBridge.ops().drain(c);
    }

    /** A 1-slot channel whose receives and selects first run {@code t} if due (hchan.timer). */
    @SuppressWarnings("unchecked")
    static <T> Chan<T> makeTimerChan(ChanBridge.Timer t) {
        Chan.nil(); // initialises Chan, which installs the bridge
        return (Chan<T>) ChanBridge.ops().makeTimerChan(1, t);
    }
}
