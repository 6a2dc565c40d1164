package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.time.Time;
import java.time.Duration;

/** A program for DebugServerTest's start-up checks: runs main for a moment, then exits. */
public final class DebugProg {
    private DebugProg() {}

    public static void main(String[] args) {
        Go.run(() -> Time.sleep(Duration.ofMillis(1500)));
    }
}
