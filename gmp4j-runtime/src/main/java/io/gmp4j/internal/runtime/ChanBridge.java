package io.gmp4j.internal.runtime;

/**
 * Chan's non-blocking send and receive for the runtime's own callers, without the preemption
 * check of the public {@code trySend} and {@code tryRecv}: timers send and drain holding their
 * sender lock (a {@link RuntimeMutex}; time.ChanTimer), and a goroutine must not yield holding a
 * runtime lock (docs/HACKING.md; Go: a held lock raises {@code m.locks}, and newstack does not
 * preempt then). Chan installs its operations when it is initialised, the JDK's SharedSecrets
 * pattern: {@code io.gmp4j.chan} is API, this package is not.
 */
public final class ChanBridge {
    private ChanBridge() {}

    /** What Chan provides; the channel is passed as an Object to keep its type out of here. */
    public interface Ops {
        /** chan.go: selectnbsend. True if v was sent. */
        boolean trySend(Object c, Object v);

        /** chan.go: selectnbrecv, the value discarded. True if a value was received. */
        boolean drain(Object c);
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
