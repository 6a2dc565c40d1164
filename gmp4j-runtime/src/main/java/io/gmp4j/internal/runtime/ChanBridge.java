package io.gmp4j.internal.runtime;

/**
 * Chan's non-blocking send and receive for the runtime's own callers, without the preemption
 * check of the public {@code trySend} and {@code tryRecv}: timers send and drain holding their
 * sender lock (a {@link RuntimeMutex}; time.ChanTimer), and a goroutine must not yield holding a
 * runtime lock (docs/HACKING.md; Go: a held lock raises {@code m.locks}, and newstack does not
 * preempt then). Chan installs its operations when it is initialised, the JDK's SharedSecrets
 * pattern: {@code io.gmp4j.chan} is API, this package is not. The other way, a timer's channel
 * reaches its timer through a {@link Timer} (Go 1.23's hchan.timer).
 */
public final class ChanBridge {
    private ChanBridge() {}

    /** What Chan provides; the channel is passed as an Object to keep its type out of here. */
    public interface Ops {
        /** chan.go: selectnbsend. True if v was sent. */
        boolean trySend(Object c, Object v);

        /**
         * chan.go: timerchandrain (Go 1.23). True if a value was taken from the buffer. Unlike
         * selectnbrecv it does not run the timer: the caller holds the timer's lock.
         */
        boolean drain(Object c);

        /** chan.go: makechan of a timer channel (time.go 1.23: newTimer sets c.timer). */
        Object makeTimerChan(int cap, Timer t);

        /** makechan of a {@code <-chan T} for its owner (a context's done): users cannot send or close. */
        Object makeReceiveOnly(int cap);

        /** closechan of a channel from {@link #makeReceiveOnly}, by its owner. */
        void closeReceiveOnly(Object c);
    }

    /**
     * The timer a channel belongs to (Go 1.23: hchan.timer): a receive or select on the channel
     * calls it before looking at the buffer, so that a due timer has sent by then.
     */
    public interface Timer {
        /**
         * time.go: maybeRunChan. Runs the timer now if it is due and has not sent. Called with
         * {@code c}, the timer's channel, by a goroutine or a user's thread holding no lock
         * (the timer's lock nests outside the channel's), never by an M.
         */
        void maybeRunChan(Object c);
    }

    private static volatile Ops ops;

    /** Called once, by Chan's static initialiser. */
    public static void install(Ops chanOps) {
        ops = chanOps;
    }

    /** Chan's operations; any Chan instance the caller holds means Chan was initialised. */
    public static Ops ops() {
        return ops;
    }
}
