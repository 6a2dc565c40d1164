package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's sync/pool_test.go. */
@ExtendWith(GoLeakCheck.class)
class PoolTest {

    /**
     * pool_test.go: TestPool. Put then Get returns the objects (private slot first, then the
     * shared head: LIFO); after one cleanup they are still in the victim cache; after two, gone.
     * GOMAXPROCS 1 so that every call sees the same shard.
     */
    @Test
    void pool() {
        runG(1, () -> {
            Pool<String> p = new Pool<>();
            assertNull(p.get(), "expected empty");
            p.put("a");
            p.put("b");
            assertEquals("a", p.get());
            assertEquals("b", p.get());
            assertNull(p.get());
            // Put in a large number of objects so they spill into the shared queue.
            for (int i = 0; i < 100; i++) {
                p.put("c");
            }
            Pool.poolCleanup(); // one GC cycle: objects move to the victim cache
            assertEquals("c", p.get(), "expected an object from the victim cache");
            Pool.poolCleanup();
            Pool.poolCleanup(); // two cycles: the victim cache is dropped
            assertNull(p.get(), "got an object after two GC cycles");
        });
    }

    /** pool_test.go: TestPoolNew. */
    @Test
    void poolNew() {
        runG(1, () -> {
            AtomicInteger i = new AtomicInteger();
            Pool<Integer> p = new Pool<>(i::incrementAndGet);
            assertEquals(1, p.get());
            assertEquals(2, p.get());
            p.put(42);
            assertEquals(42, p.get());
            assertEquals(3, p.get());
        });
    }

    /** A real JVM GC cycle runs poolCleanup (the GarbageCollectorMXBean hook). */
    @Test
    void jvmGcRunsCleanup() {
        new Pool<String>().put("x");
        long before = Pool.cleanupsForTest();
        long deadline = System.nanoTime() + GoTesting.LONG.toNanos();
        while (Pool.cleanupsForTest() == before && System.nanoTime() < deadline) {
            System.gc();
            Thread.onSpinWait();
        }
        assertTrue(Pool.cleanupsForTest() > before, "no poolCleanup after System.gc()");
    }

    /**
     * pool_test.go: TestPoolStress. Goroutines put and get concurrently across shards; every object
     * that comes back is one that was put (no duplicates handed out twice at once).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void stress(int procs) {
        runG(procs, () -> {
            Pool<int[]> p = new Pool<>();
            int gs = 8, iters = 5000;
            AtomicInteger bad = new AtomicInteger();
            WaitGroup wg = new WaitGroup();
            wg.add(gs);
            for (int g = 0; g < gs; g++) {
                Go.go(() -> {
                    int[] mine = new int[1];
                    for (int i = 0; i < iters; i++) {
                        p.put(mine);
                        int[] x = p.get();
                        if (x != null) {
                            // Claim it: a second concurrent holder of the same array would see 1.
                            synchronized (x) {
                                if (x[0] != 0) {
                                    bad.incrementAndGet();
                                }
                                x[0] = 1;
                            }
                            x[0] = 0;
                            mine = x;
                        } else {
                            mine = new int[1];
                        }
                        if (i % 500 == 0) {
                            Go.gosched();
                        }
                    }
                    wg.done();
                });
            }
            wg.await();
            assertEquals(0, bad.get(), "an object was handed to two holders");
        });
    }
}
