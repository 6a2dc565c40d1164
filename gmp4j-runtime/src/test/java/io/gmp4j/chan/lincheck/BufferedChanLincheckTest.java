package io.gmp4j.chan.lincheck;

/** Linearizability of a cap-2 channel's trySend, tryRecv, close and len (full, empty and closed states all reachable). */
public class BufferedChanLincheckTest extends ChanLincheckSuite {
    static final int CAP = 2;

    public BufferedChanLincheckTest() {
        super(CAP);
    }

    @Override
    Class<?> spec() {
        return ChanSpec.Cap2.class;
    }
}
