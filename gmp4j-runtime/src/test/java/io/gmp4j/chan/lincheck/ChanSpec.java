package io.gmp4j.chan.lincheck;

import java.util.ArrayDeque;

/**
 * The sequential specification of a channel's non-blocking face (Go spec, "Channel types",
 * "Close", "Select statements" with default): what trySend, tryRecv, send-that-cannot-block,
 * close and len return when run one at a time. A sequential channel has no waiting
 * goroutines, so an unbuffered one is never ready.
 */
public abstract class ChanSpec {
    private final int cap;
    private final ArrayDeque<Integer> buf = new ArrayDeque<>();
    private boolean closed;

    ChanSpec(int cap) {
        this.cap = cap;
    }

    public String trySend(int v) {
        if (closed) {
            return "panic: send on closed channel";
        }
        if (buf.size() < cap) {
            buf.add(v);
            return "true";
        }
        return "false";
    }

    /** Only used where the scenario cannot fill the buffer, so it never blocks. */
    public String send(int v) {
        if (closed) {
            return "panic: send on closed channel";
        }
        if (buf.size() >= cap) {
            throw new IllegalStateException("spec: send would block; the test's capacity is too small");
        }
        buf.add(v);
        return "ok";
    }

    public String tryRecv() {
        if (!buf.isEmpty()) {
            return buf.poll() + "/true";
        }
        return closed ? "null/false" : "not ready";
    }

    public String close() {
        if (closed) {
            return "panic: close of closed channel";
        }
        closed = true;
        return "ok";
    }

    public int len() {
        return buf.size();
    }

    /** Sequential spec for {@link BufferedChanLincheckTest}. */
    public static final class Cap2 extends ChanSpec {
        public Cap2() {
            super(BufferedChanLincheckTest.CAP);
        }
    }

    /** Sequential spec for {@link UnbufferedChanLincheckTest}. */
    public static final class Cap0 extends ChanSpec {
        public Cap0() {
            super(0);
        }
    }

    /** Sequential spec for {@link LargeChanLincheckTest}. */
    public static final class Large extends ChanSpec {
        public Large() {
            super(LargeChanLincheckTest.CAP);
        }
    }
}
