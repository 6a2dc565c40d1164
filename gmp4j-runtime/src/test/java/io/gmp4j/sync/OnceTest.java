package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's sync/once_test.go. */
@ExtendWith(GoLeakCheck.class)
class OnceTest {

    /**
     * once_test.go: TestOnce. 10 goroutines race on run(); f runs once, and every caller returns
     * only after f finished (each sees the effect).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void onceUnderARace(int procs) {
        runG(procs, () -> {
            for (int round = 0; round < 50; round++) {
                Once once = new Once();
                int[] o = {0};
                AtomicInteger calls = new AtomicInteger();
                AtomicInteger bad = new AtomicInteger();
                int n = 10;
                WaitGroup wg = new WaitGroup();
                wg.add(n);
                for (int i = 0; i < n; i++) {
                    Go.go(() -> {
                        once.run(() -> {
                            calls.incrementAndGet();
                            Go.gosched(); // widen the window for the others to arrive
                            o[0]++;
                        });
                        if (o[0] != 1) {
                            bad.incrementAndGet();
                        }
                        wg.done();
                    });
                }
                wg.await();
                assertEquals(1, calls.get(), "once called f more than once");
                assertEquals(0, bad.get(), "a caller returned before f finished");
            }
        });
    }

    /** once_test.go: TestOncePanic. A panicking f still counts as done. */
    @Test
    void panicCountsAsDone() {
        Once once = new Once();
        GoPanic p = assertThrows(GoPanic.class, () -> once.run(() -> {
            throw new GoPanic("failed");
        }));
        assertEquals("failed", p.getMessage());
        once.run(() -> fail("Once.run called twice"));
    }
}
