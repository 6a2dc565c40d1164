package io.gmp4j.sync;

import java.util.HashMap;
import java.util.Objects;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Lincheck suite for {@link Map}, apart from {@link SyncLincheckTest} (whose stress and model
 * checking settings it uses): every method but range, on three keys and values 0..2 where 0
 * stands for null (Go's nil value), against a HashMap run sequentially. Range is left out: Go
 * does not make it a snapshot, so it is not linearizable (MapTest checks what it promises).
 */
class MapLincheckTest {

    private static Integer val(int v) {
        return v == 0 ? null : v;
    }

    /** The Map under test. */
    public static class MapOps {
        private final Map<Integer, Integer> m = new Map<>();

        @Operation
        public Map.Loaded<Integer> load(@Param(gen = IntGen.class, conf = "1:3") int k) {
            return m.load(k);
        }

        @Operation
        public void store(@Param(gen = IntGen.class, conf = "1:3") int k, @Param(gen = IntGen.class, conf = "0:2") int v) {
            m.store(k, val(v));
        }

        @Operation
        public Map.Loaded<Integer> loadOrStore(@Param(gen = IntGen.class, conf = "1:3") int k, @Param(gen = IntGen.class, conf = "0:2") int v) {
            return m.loadOrStore(k, val(v));
        }

        @Operation
        public Map.Loaded<Integer> loadAndDelete(@Param(gen = IntGen.class, conf = "1:3") int k) {
            return m.loadAndDelete(k);
        }

        @Operation
        public void delete(@Param(gen = IntGen.class, conf = "1:3") int k) {
            m.delete(k);
        }

        @Operation
        public Map.Loaded<Integer> swap(@Param(gen = IntGen.class, conf = "1:3") int k, @Param(gen = IntGen.class, conf = "0:2") int v) {
            return m.swap(k, val(v));
        }

        @Operation
        public boolean compareAndSwap(@Param(gen = IntGen.class, conf = "1:3") int k, @Param(gen = IntGen.class, conf = "0:2") int old,
                @Param(gen = IntGen.class, conf = "0:2") int v) {
            return m.compareAndSwap(k, val(old), val(v));
        }

        @Operation
        public boolean compareAndDelete(@Param(gen = IntGen.class, conf = "1:3") int k, @Param(gen = IntGen.class, conf = "0:2") int old) {
            return m.compareAndDelete(k, val(old));
        }

        @Operation
        public void clear() {
            m.clear();
        }
    }

    /** The sequential specification: a HashMap that holds null values. */
    public static final class MapSpec {
        private final HashMap<Integer, Integer> m = new HashMap<>();

        private Map.Loaded<Integer> loaded(int k) {
            return m.containsKey(k) ? new Map.Loaded<>(m.get(k), true) : new Map.Loaded<>(null, false);
        }

        public Map.Loaded<Integer> load(int k) {
            return loaded(k);
        }

        public void store(int k, int v) {
            m.put(k, val(v));
        }

        public Map.Loaded<Integer> loadOrStore(int k, int v) {
            if (m.containsKey(k)) {
                return loaded(k);
            }
            m.put(k, val(v));
            return new Map.Loaded<>(val(v), false);
        }

        public Map.Loaded<Integer> loadAndDelete(int k) {
            Map.Loaded<Integer> l = loaded(k);
            m.remove(k);
            return l;
        }

        public void delete(int k) {
            m.remove(k);
        }

        public Map.Loaded<Integer> swap(int k, int v) {
            Map.Loaded<Integer> l = loaded(k);
            m.put(k, val(v));
            return l;
        }

        public boolean compareAndSwap(int k, int old, int v) {
            if (!m.containsKey(k) || !Objects.equals(m.get(k), val(old))) {
                return false;
            }
            m.put(k, val(v));
            return true;
        }

        public boolean compareAndDelete(int k, int old) {
            if (!m.containsKey(k) || !Objects.equals(m.get(k), val(old))) {
                return false;
            }
            m.remove(k);
            return true;
        }

        public void clear() {
            m.clear();
        }
    }

    @Test
    void mapStress() {
        SyncLincheckTest.stress(MapOps.class, MapSpec.class);
    }

    @Test
    void mapModelChecking() {
        SyncLincheckTest.modelCheck(MapOps.class, MapSpec.class);
    }
}
