package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static io.gmp4j.testing.GoTesting.scaled;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.MapReference.MapInterface;
import io.gmp4j.testing.GoLeakCheck;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ports of Go's sync/map_test.go (Go 1.23). TestMapRangeNoAllocations is not ported: Java's
 * iteration allocates an iterator and an entry per key unless the JIT removes them, which no
 * test can promise.
 */
@ExtendWith(GoLeakCheck.class)
class MapPortTest {

    /** map_test.go: mapOps. */
    private static final String[] MAP_OPS = {"Load", "Store", "LoadOrStore", "LoadAndDelete", "Delete", "Swap",
        "CompareAndSwap", "CompareAndDelete", "Clear"};

    /** map_test.go: mapCall, a generated call on a mapInterface. */
    record MapCall(String op, Object k, Object v, int swapIn) {
        /** map_test.go: mapCall.apply. */
        Map.Loaded<Object> apply(MapInterface m) {
            switch (op) {
                case "Load":
                    return m.load(k);
                case "Store":
                    m.store(k, v);
                    return new Map.Loaded<>(null, false);
                case "LoadOrStore":
                    return m.loadOrStore(k, v);
                case "LoadAndDelete":
                    return m.loadAndDelete(k);
                case "Delete":
                    m.delete(k);
                    return new Map.Loaded<>(null, false);
                case "Swap":
                    return m.swap(k, v);
                case "CompareAndSwap":
                    if (m.compareAndSwap(k, v, swapIn)) {
                        m.delete(k);
                        return new Map.Loaded<>(v, true);
                    }
                    return new Map.Loaded<>(null, false);
                case "CompareAndDelete":
                    if (m.compareAndDelete(k, v)) {
                        if (!m.load(k).loaded()) {
                            return new Map.Loaded<>(null, true);
                        }
                    }
                    return new Map.Loaded<>(null, false);
                case "Clear":
                    m.clear();
                    return new Map.Loaded<>(null, false);
                default:
                    throw new IllegalStateException("invalid mapOp");
            }
        }
    }

    /** map_test.go: randValue: a string of up to 3 lower-case letters (so keys collide often). */
    private static Object randValue(SplittableRandom r) {
        char[] b = new char[r.nextInt(4)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (char) ('a' + r.nextInt(26));
        }
        return new String(b);
    }

    /**
     * map_test.go: mapCall.Generate. Go sets a value only for Store and LoadOrStore, so its Swap
     * stores nil and its CompareAndSwap and CompareAndDelete look for nil; with {@code allValues}
     * every call gets one, so that they also meet values they can match.
     */
    private static MapCall generate(SplittableRandom r, boolean allValues) {
        String op = MAP_OPS[r.nextInt(MAP_OPS.length)];
        Object v = null;
        if (allValues || op.equals("Store") || op.equals("LoadOrStore")) {
            v = randValue(r);
        }
        return new MapCall(op, randValue(r), v, r.nextInt());
    }

    record Applied(List<Map.Loaded<Object>> results, HashMap<Object, Object> fin) {}

    /** map_test.go: applyCalls. */
    private static Applied applyCalls(MapInterface m, List<MapCall> calls) {
        List<Map.Loaded<Object>> results = new ArrayList<>();
        for (MapCall c : calls) {
            results.add(c.apply(m));
        }
        HashMap<Object, Object> fin = new HashMap<>();
        m.range((k, v) -> {
            fin.put(k, v);
            return true;
        });
        return new Applied(results, fin);
    }

    /**
     * testing/quick.CheckEqual with its defaults: 100 random call lists of up to 50 calls each,
     * the Map's results and final contents against the reference's.
     */
    private static void checkEqual(Supplier<MapInterface> reference) {
        long seed = new Random().nextLong();
        SplittableRandom r = new SplittableRandom(seed);
        for (int run = 0; run < scaled(100); run++) {
            boolean allValues = run % 2 == 1;
            List<MapCall> calls = new ArrayList<>();
            for (int n = r.nextInt(50); n > 0; n--) {
                calls.add(generate(r, allValues));
            }
            Applied want = applyCalls(reference.get(), calls);
            Applied got = applyCalls(MapReference.of(new Map<>()), calls);
            assertEquals(want, got, "seed " + seed + ", run " + run + ", calls " + calls);
        }
    }

    /** map_test.go: TestMapMatchesRWMutex. */
    @Test
    void mapMatchesRWMutex() {
        checkEqual(MapReference.RWMutexMap::new);
    }

    /** map_test.go: TestMapMatchesDeepCopy. */
    @Test
    void mapMatchesDeepCopy() {
        checkEqual(MapReference.DeepCopyMap::new);
    }

    /**
     * map_test.go: TestConcurrentRange. While GOMAXPROCS goroutines store multiples of each key
     * into it, every Range sees every key of the map exactly once with a multiple of it.
     */
    @Test
    void concurrentRange() {
        runG(2, () -> {
            final long mapSize = 1 << 10;
            Map<Long, Long> m = new Map<>();
            for (long n = 1; n <= mapSize; n++) {
                m.store(n, n);
            }
            Chan<Void> done = Chan.make(0);
            WaitGroup wg = new WaitGroup();
            try {
                for (long g = Go.gomaxprocs(0); g > 0; g--) {
                    SplittableRandom r = new SplittableRandom(g);
                    long gg = g;
                    wg.add(1);
                    Go.go(() -> {
                        try {
                            for (long i = 0; ; i++) {
                                boolean[] stop = {false};
                                Select.select(done.onRecv(v -> stop[0] = true), Select.onDefault(() -> {}));
                                if (stop[0]) {
                                    return;
                                }
                                for (long n = 1; n < mapSize; n++) {
                                    if (r.nextLong(mapSize) == 0) {
                                        m.store(n, n * i * gg);
                                    } else {
                                        m.load(n);
                                    }
                                }
                            }
                        } finally {
                            wg.done();
                        }
                    });
                }
                for (int n = scaled(1 << 10); n > 0; n--) {
                    HashMap<Long, Boolean> seen = new HashMap<>();
                    m.range((k, v) -> {
                        assertEquals(0, v % k, "while Storing multiples of " + k + ", Range saw value " + v);
                        assertNull(seen.put(k, true), "Range visited key " + k + " twice");
                        return true;
                    });
                    assertEquals(mapSize, seen.size(), "Range visited " + seen.size() + " elements of " + mapSize + "-element Map");
                }
            } finally {
                done.close();
                wg.await();
            }
        });
    }

    /**
     * map_test.go: TestIssue40999. A stored and deleted key is not kept alive by the map (Go's
     * miss counting once kept it in the dirty map). A weak reference stands for the finalizer.
     */
    @Test
    void issue40999() {
        Map<Object, Object> m = new Map<>();
        // Since the miss-counting in missLocked (via Delete) compares the miss count with
        // len(m.dirty), add an initial entry to bias len(m.dirty) above the miss count.
        m.store(null, new Object());
        List<WeakReference<Object>> keys = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Object p = new Object();
            keys.add(new WeakReference<>(p));
            m.store(p, new Object());
            m.delete(p);
            p = null;
            Go.gc();
            if (keys.stream().anyMatch(k -> k.get() == null)) {
                return;
            }
        }
        fail("no stored and deleted key was collected after 1000 collections");
    }

    /** map_test.go: TestMapRangeNestedCall (Go issue 46399). */
    @Test
    void mapRangeNestedCall() {
        Map<Object, Object> m = new Map<>();
        String[] vs = {"hello", "world", "Go"};
        for (int i = 0; i < vs.length; i++) {
            m.store(i, vs[i]);
        }
        m.range((key, value) -> {
            m.range((key2, value2) -> {
                // We should be able to load the key offered in the Range callback, because
                // there are no concurrent Delete involved in this tested map.
                Map.Loaded<Object> l = m.load(key2);
                assertTrue(l.loaded() && l.value().equals(value2),
                        "Nested Range loads unexpected value, got " + l + " want " + value2);
                // We didn't keep 42 and a value into the map before, if somehow we loaded a value
                // from such a key, meaning there must be an internal bug regarding nested range
                // in the Map.
                assertFalse(m.loadOrStore(42, "dummy").loaded(), "Nested Range loads unexpected value, want store a new value");
                // Try to Store then LoadAndDelete the corresponding value with the key 42 to the
                // Map. In this case, the key 42 and associated value should be removed from the
                // Map. Therefore any future range won't observe key 42 as we checked in above.
                String val = "sync.Map";
                m.store(42, val);
                Map.Loaded<Object> d = m.loadAndDelete(42);
                assertTrue(d.loaded() && d.value().equals(val), "Nested Range loads unexpected value, got " + d + ", want " + val);
                return true;
            });
            // Remove key from Map on-the-fly.
            m.delete(key);
            return true;
        });
        // After a Range of Delete, all keys should be removed and any further Range won't
        // invoke the callback. Hence length remains 0.
        int[] length = {0};
        m.range((k, v) -> {
            length[0]++;
            return true;
        });
        assertEquals(0, length[0], "Unexpected sync.Map size");
    }

    /** map_test.go: TestCompareAndSwap_NonExistingKey (go.dev/issue/51972). */
    @Test
    void compareAndSwapNonExistingKey() {
        Map<Object, Object> m = new Map<>();
        assertFalse(m.compareAndSwap(m, null, 42), "CompareAndSwap on an non-existing key succeeded");
    }

    /** map_test.go: TestMapDelete. */
    @Test
    void mapDelete() {
        Map<String, Double> m = new Map<>();
        String k = "go";
        double val = 1.22;
        m.store(k, val);
        Map.Loaded<Double> l = m.load(k);
        assertTrue(l.loaded(), "Store failed to store- " + k + ":" + val);
        assertEquals(val, l.value(), "Load: invalid value");
        m.delete(k);
        l = m.load(k);
        assertNull(l.value(), "Delete: failed");
        assertFalse(l.loaded(), "Delete: failed found");
    }

    /** map_test.go: TestMapClear. */
    @Test
    void mapClear() {
        Map<String, Double> m = new Map<>();
        String key = "go";
        double val = 1.21;
        m.store(key, val);
        Map.Loaded<Double> l = m.load(key);
        assertTrue(l.loaded(), "Store failed to store");
        assertEquals(val, l.value(), "Load: invalid value");
        m.clear();
        l = m.load(key);
        assertTrue(l.value() == null && !l.loaded(), "Clear: failed " + l);
        m.store(key, val);
        l = m.load(key);
        assertTrue(l.loaded() && l.value() == val, "Store: failed after clear " + l);
    }

    /**
     * map_test.go: TestConcurrentClear. 10 goroutines store, 10 load and 10 clear at once;
     * after a last Clear, Range yields nothing.
     */
    @Test
    void concurrentClear() {
        runG(2, () -> {
            Map<Integer, Integer> m = new Map<>();
            java.util.Queue<String> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
            WaitGroup wg = new WaitGroup();
            wg.add(30);
            for (int i = 0; i < 10; i++) {
                int k = i;
                Go.go(() -> {
                    try {
                        m.store(k, k * 10);
                    } finally {
                        wg.done();
                    }
                });
            }
            for (int i = 0; i < 10; i++) {
                int k = i;
                Go.go(() -> {
                    try {
                        Map.Loaded<Integer> l = m.load(k);
                        if (l.loaded() && l.value() != k * 10) {
                            wrong.add("Key: " + k + ", Value: " + l.value());
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            for (int i = 0; i < 10; i++) {
                Go.go(() -> {
                    try {
                        m.clear();
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await();
            assertTrue(wrong.isEmpty(), wrong.toString());
            m.clear();
            m.range((k, v) -> fail("after Clear, Range yielded (" + k + ", " + v + "); want no calls"));
        });
    }
}
