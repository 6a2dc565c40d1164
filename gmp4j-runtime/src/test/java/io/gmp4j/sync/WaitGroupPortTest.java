package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** sync/waitgroup_test.go: TestWaitGroup in Go's shape at more group sizes than {@link WaitGroupTest}. */
@ExtendWith(GoLeakCheck.class)
class WaitGroupPortTest {

    /**
     * waitgroup_test.go: TestWaitGroup (testWaitGroup, 8 rounds on the same two groups) with n
     * goroutines instead of Go's 16: each does wg1.Done then waits on wg2 and reports on a
     * buffered channel; no report may arrive (select with default) before the last wg2.Done,
     * and every waiter is released by it.
     */
    @ParameterizedTest
    @CsvSource({"1,1", "1,2", "1,100", "2,1", "2,16", "2,1000", "8,2", "8,100", "8,1000"})
    void waitGroup(int procs, int n) {
        runG(procs, () -> {
            WaitGroup wg1 = new WaitGroup(), wg2 = new WaitGroup();
            for (int round = 0; round != 8; round++) {
                wg1.add(n);
                wg2.add(n);
                Chan<Boolean> exited = Chan.make(n);
                for (int i = 0; i != n; i++) {
                    Go.go(() -> {
                        wg1.done();
                        wg2.await();
                        exited.send(true);
                    });
                }
                wg1.await();
                for (int i = 0; i != n; i++) {
                    int chosen = Select.select(exited.onRecv(v -> {}), Select.onDefault(() -> {}));
                    assertEquals(1, chosen, "WaitGroup released group too soon (round " + round + ", after " + i + " of " + n + " done)");
                    wg2.done();
                }
                for (int i = 0; i != n; i++) {
                    exited.recv(); // blocks if the barrier failed to release someone
                }
            }
        });
    }
}
