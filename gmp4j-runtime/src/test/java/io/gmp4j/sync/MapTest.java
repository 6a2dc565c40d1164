package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static io.gmp4j.testing.GoTesting.scaled;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.testing.GoLeakCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** gmp4j's own Map tests: Go's guarantees where a ConcurrentHashMap alone would break them, nil keys and values, equality. */
@ExtendWith(GoLeakCheck.class)
class MapTest {

    /** Strings with one hashCode (2031744): "Aa" and "BB" collide, so do their concatenations. */
    private static final String[] SAME_BIN = {"AaAa", "AaBB", "BBAa", "BBBB"};

    /**
     * Range visits no key twice although f deletes each key and stores it again (Go's "no key
     * will be visited more than once"). In one bin of a ConcurrentHashMap the key stored again
     * is appended after the node being visited, so its iterator alone visits every key twice
     * (and a Range whose f did so at every visit would never end).
     */
    @Test
    void rangeVisitsKeyOnceWhenReStoredInCallback() {
        Map<String, Integer> m = new Map<>();
        for (String k : SAME_BIN) {
            m.store(k, 1);
        }
        HashMap<String, Integer> visits = new HashMap<>();
        m.range((k, v) -> {
            if (visits.merge(k, 1, Integer::sum) == 1) { // once: a Range that comes round again would loop for ever
                m.delete(k);
                m.store(k, 2);
            }
            return true;
        });
        assertEquals(java.util.Map.of("AaAa", 1, "AaBB", 1, "BBAa", 1, "BBBB", 1), visits);
        // Each is present again, with the value stored in f.
        for (String k : SAME_BIN) {
            assertEquals(new Map.Loaded<>(2, true), m.load(k));
        }
    }

    /** As above with Swap, LoadAndDelete and LoadOrStore doing the delete and store. */
    @Test
    void rangeVisitsKeyOnceWhenReStoredByOtherMethods() {
        Map<String, Integer> m = new Map<>();
        for (String k : SAME_BIN) {
            m.store(k, 1);
        }
        HashMap<String, Integer> visits = new HashMap<>();
        m.range((k, v) -> {
            if (visits.merge(k, 1, Integer::sum) > 1) {
                return true;
            }
            assertTrue(m.loadAndDelete(k).loaded());
            assertFalse(m.swap(k, 3).loaded());
            assertTrue(m.compareAndDelete(k, 3));
            assertFalse(m.loadOrStore(k, 4).loaded());
            return true;
        });
        assertEquals(java.util.Map.of("AaAa", 1, "AaBB", 1, "BBAa", 1, "BBBB", 1), visits);
    }

    /**
     * While other goroutines delete keys and store them again (and grow the map, so that it
     * resizes under the range), no Range visits a key twice, and each sees every key that
     * nobody deletes. The keys come in groups of six with one hashCode, so that a bin holds a
     * list (a ConcurrentHashMap turns a bin of eight into a tree, whose new nodes go first and
     * would not come round again): three keys of each group are deleted and stored again, three
     * stay.
     */
    @Test
    void concurrentReStoreNeverShowsKeyTwice() {
        runG(2, () -> {
            Map<String, Integer> m = new Map<>();
            List<String> churn = new ArrayList<>();
            List<String> stable = new ArrayList<>();
            for (int group = 0; group < 128; group++) {
                for (int i = 0; i < 6; i++) { // "Aa" and "BB" have one hashCode: so do these six
                    String k = "g" + group + (i % 2 == 0 ? "Aa" : "BB") + (i / 2 % 2 == 0 ? "Aa" : "BB") + (i / 4 == 0 ? "Aa" : "BB");
                    m.store(k, 0);
                    (i < 3 ? churn : stable).add(k);
                }
            }
            AtomicBoolean stop = new AtomicBoolean();
            WaitGroup wg = new WaitGroup();
            for (int g = 0; g < 2; g++) {
                int gg = g;
                wg.add(1);
                Go.go(() -> {
                    try {
                        for (int i = 0; !stop.get(); i++) {
                            String k = churn.get((i * 7 + gg) % churn.size());
                            m.delete(k);
                            m.store(k, i);
                            if (i % 4 == 0 && i < 8192) {
                                m.store("grow" + gg + "-" + i, i); // 2 x 2048 keys: the table resizes under the first ranges
                            }
                            if (i % 16 == 0) {
                                Go.gosched();
                            }
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            try {
                for (int n = scaled(300); n > 0; n--) {
                    HashMap<String, Boolean> seen = new HashMap<>();
                    m.range((k, v) -> {
                        assertNull(seen.put(k, true), "Range visited key " + k + " twice");
                        return true;
                    });
                    for (String k : stable) {
                        assertTrue(seen.containsKey(k), "Range missed " + k + ", never deleted");
                    }
                }
            } finally {
                stop.set(true);
                wg.await();
            }
        });
    }

    /** Go's nil keys and values: null is stored as a value, and told apart from an absent key. */
    @Test
    void nullKeysAndValues() {
        Map<String, String> m = new Map<>();
        assertEquals(new Map.Loaded<String>(null, false), m.load(null));
        m.store(null, null);
        assertEquals(new Map.Loaded<String>(null, true), m.load(null));
        assertEquals(new Map.Loaded<String>(null, true), m.loadOrStore(null, "x"));
        assertTrue(m.compareAndSwap(null, null, "v"));
        assertEquals(new Map.Loaded<>("v", true), m.swap(null, null));
        assertFalse(m.compareAndDelete(null, "v"));
        assertTrue(m.compareAndDelete(null, null));
        assertEquals(new Map.Loaded<String>(null, false), m.loadAndDelete(null));
        assertEquals(new Map.Loaded<String>(null, false), m.swap("k", null));
        assertEquals(new Map.Loaded<String>(null, true), m.loadAndDelete("k"));
        assertEquals(new Map.Loaded<String>(null, false), m.loadOrStore("k", null));
        List<String> seen = new ArrayList<>();
        m.range((k, v) -> seen.add(k + "=" + v));
        assertEquals(List.of("k=null"), seen);
    }

    /** compareAndSwap and compareAndDelete match by equals, as Go's == matches equal strings and numbers. */
    @Test
    void compareByEquals() {
        Map<String, Object> m = new Map<>();
        m.store("s", new String("go"));
        assertTrue(m.compareAndSwap("s", new String("go"), 1000));
        assertTrue(m.compareAndSwap("s", Integer.valueOf(1000), "next")); // not the same Integer object
        assertFalse(m.compareAndDelete("s", "other"));
        assertTrue(m.compareAndDelete("s", new String("next")));
        assertFalse(m.load("s").loaded());
    }

    /** Range stops at the first false, and loadOrStore returns the value it stored. */
    @Test
    void rangeStopsAndLoadOrStoreReturnsStored() {
        Map<Integer, Integer> m = new Map<>();
        for (int i = 0; i < 100; i++) {
            assertEquals(new Map.Loaded<>(i, false), m.loadOrStore(i, i));
        }
        int[] calls = {0};
        m.range((k, v) -> ++calls[0] < 10);
        assertEquals(10, calls[0]);
    }
}
