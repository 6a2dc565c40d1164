package io.gmp4j.chan.lincheck;

/** Linearizability of an unbuffered channel's non-blocking operations racing with close (the lock-free fast paths of chansend/chanrecv). */
public class UnbufferedChanLincheckTest extends ChanLincheckSuite {
    static final int CAP = 0;

    public UnbufferedChanLincheckTest() {
        super(CAP);
    }

    @Override
    Class<?> spec() {
        return ChanSpec.Cap0.class;
    }
}
