package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.testing.GoLeakCheck;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ports of the sync/pool_test.go tests that {@link PoolTest} does not cover. */
@ExtendWith(GoLeakCheck.class)
class PoolPortTest {

    /** pool_test.go: TestPoolGC. Objects taken out of a pool and dropped are collected. */
    @Test
    void poolGC() {
        runG(2, () -> testPool(true));
    }

    /**
     * pool_test.go: TestPoolRelease. Objects left in a pool are collected after GC cycles: the
     * first moves them to the victim cache, the second drops it (poolCleanup runs from the JVM's
     * GC notification), and a later collection reclaims them.
     */
    @Test
    void poolRelease() {
        runG(2, () -> testPool(false));
    }

    /**
     * pool_test.go: testPool. Go's finalizers are weak references here. Two tries (Go's -short
     * skips its second of three); per try up to 10 forced GCs, each followed by a wait (at most
     * 1 s) for the JVM's GC notification to have run poolCleanup. Go allows one object to stay
     * reachable (a stack slot); so do we.
     */
    private static void testPool(boolean drain) {
        Pool<Object> p = new Pool<>();
        final int n = 100;
        for (int attempt = 0; attempt < 2; attempt++) {
            List<WeakReference<Object>> refs = fill(p, n);
            if (drain) {
                for (int i = 0; i < n; i++) {
                    p.get();
                }
            }
            int cleared = 0;
            for (int i = 0; i < 10; i++) {
                long before = Pool.cleanupsForTest();
                Go.gc();
                long deadline = System.nanoTime() + 1_000_000_000L;
                while (Pool.cleanupsForTest() == before && System.nanoTime() < deadline) {
                    Go.gosched();
                }
                cleared = (int) refs.stream().filter(r -> r.refersTo(null)).count();
                if (cleared >= n - 1) {
                    break;
                }
            }
            assertTrue(cleared >= n - 1, "only " + cleared + " out of " + n + " resources are collected on try " + attempt);
        }
    }

    /**
     * pool_test.go: TestPoolChain (testPoolDequeue) on a shard's shared queue (gmp4j's
     * PoolLocal ring stands for poolChain): one producer pushes 0..N-1 at the head and pops the
     * head every tenth push, 9 consumers pop the tail; every value comes out exactly once.
     * N = 20000 (Go: 2e6, 1e3 in -short).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void poolChain(int procs) {
        runG(procs, () -> {
            PoolLocal d = new PoolLocal();
            final int p = 10, n = 20_000;
            AtomicIntegerArray have = new AtomicIntegerArray(n);
            AtomicInteger stop = new AtomicInteger();
            AtomicInteger nPopHead = new AtomicInteger();
            WaitGroup wg = new WaitGroup();
            java.util.function.IntConsumer record = val -> {
                have.incrementAndGet(val);
                if (val == n - 1) {
                    stop.set(1);
                }
            };
            for (int i = 1; i < p; i++) {
                wg.add(1);
                Go.go(() -> {
                    int fail = 0;
                    while (stop.get() == 0) {
                        Object val = d.popTail();
                        if (val != null) {
                            fail = 0;
                            record.accept((Integer) val);
                        } else if (++fail % 100 == 0) {
                            Go.gosched(); // let the pusher run
                        }
                    }
                    wg.done();
                });
            }
            wg.add(1);
            Go.go(() -> {
                for (int j = 0; j < n; j++) {
                    d.pushHead(j); // never full: the ring grows
                    if (j % 10 == 0) {
                        Object val = d.popHead();
                        if (val != null) {
                            nPopHead.incrementAndGet();
                            record.accept((Integer) val);
                        }
                    }
                }
                wg.done();
            });
            wg.await();
            // The last value may have been taken by popHead after the consumers stopped: drain.
            for (Object val; (val = d.popTail()) != null; ) {
                record.accept((Integer) val);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(1, have.get(i), "have[" + i + "]");
            }
        });
    }

    private static List<WeakReference<Object>> fill(Pool<Object> p, int n) {
        List<WeakReference<Object>> refs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object v = new Object();
            refs.add(new WeakReference<>(v));
            p.put(v);
        }
        return refs;
    }
}
