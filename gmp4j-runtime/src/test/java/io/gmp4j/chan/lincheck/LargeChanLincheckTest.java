package io.gmp4j.chan.lincheck;

import io.gmp4j.GoPanic;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/** Linearizability of send (which cannot block at this capacity), trySend, tryRecv, close and len. */
public class LargeChanLincheckTest extends ChanLincheckSuite {
    static final int CAP = 64;

    public LargeChanLincheckTest() {
        super(CAP);
    }

    @Override
    Class<?> spec() {
        return ChanSpec.Large.class;
    }

    /** Blocking send, safe here: the capacity exceeds the operations a scenario can perform. */
    @Operation
    public String send(@Param(name = "v") int v) {
        try {
            ch.send(v);
            return "ok";
        } catch (GoPanic p) {
            return "panic: " + p.getMessage();
        }
    }
}
