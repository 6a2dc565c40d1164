package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.testing.GoLeakCheck;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
