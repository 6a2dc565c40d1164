package io.gmp4j.sync;

import java.util.HashMap;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;

/**
 * sync/map_reference_test.go: the interface the Map tests drive, and two reference
 * implementations of it that are obviously right: a HashMap under an RWMutex, and a
 * copy-on-write HashMap behind an atomic reference (writers serialised by a Mutex). Map's
 * results must match theirs, call for call.
 */
final class MapReference {
    private MapReference() {}

    /** map_reference_test.go: mapInterface. */
    interface MapInterface {
        Map.Loaded<Object> load(Object key);

        void store(Object key, Object value);

        Map.Loaded<Object> loadOrStore(Object key, Object value);

        Map.Loaded<Object> loadAndDelete(Object key);

        void delete(Object key);

        Map.Loaded<Object> swap(Object key, Object value);

        boolean compareAndSwap(Object key, Object oldValue, Object newValue);

        boolean compareAndDelete(Object key, Object oldValue);

        void range(BiPredicate<Object, Object> f);

        void clear();
    }

    /** The Map under test, as a MapInterface. */
    static MapInterface of(Map<Object, Object> m) {
        return new MapInterface() {
            public Map.Loaded<Object> load(Object key) {
                return m.load(key);
            }

            public void store(Object key, Object value) {
                m.store(key, value);
            }

            public Map.Loaded<Object> loadOrStore(Object key, Object value) {
                return m.loadOrStore(key, value);
            }

            public Map.Loaded<Object> loadAndDelete(Object key) {
                return m.loadAndDelete(key);
            }

            public void delete(Object key) {
                m.delete(key);
            }

            public Map.Loaded<Object> swap(Object key, Object value) {
                return m.swap(key, value);
            }

            public boolean compareAndSwap(Object key, Object oldValue, Object newValue) {
                return m.compareAndSwap(key, oldValue, newValue);
            }

            public boolean compareAndDelete(Object key, Object oldValue) {
                return m.compareAndDelete(key, oldValue);
            }

            public void range(BiPredicate<Object, Object> f) {
                m.range(f);
            }

            public void clear() {
                m.clear();
            }
        };
    }

    private static Map.Loaded<Object> present(Object v) {
        return new Map.Loaded<>(v, true);
    }

    private static final Map.Loaded<Object> ABSENT = new Map.Loaded<>(null, false);

    /** map_reference_test.go: RWMutexMap, an implementation of mapInterface using a sync.RWMutex. */
    static final class RWMutexMap implements MapInterface {
        private final RWMutex mu = new RWMutex();
        private HashMap<Object, Object> dirty;

        public Map.Loaded<Object> load(Object key) {
            mu.rLock();
            try {
                return dirty != null && dirty.containsKey(key) ? present(dirty.get(key)) : ABSENT;
            } finally {
                mu.rUnlock();
            }
        }

        public void store(Object key, Object value) {
            mu.lock();
            try {
                if (dirty == null) {
                    dirty = new HashMap<>();
                }
                dirty.put(key, value);
            } finally {
                mu.unlock();
            }
        }

        public Map.Loaded<Object> loadOrStore(Object key, Object value) {
            mu.lock();
            try {
                if (dirty != null && dirty.containsKey(key)) {
                    return present(dirty.get(key));
                }
                if (dirty == null) {
                    dirty = new HashMap<>();
                }
                dirty.put(key, value);
                return new Map.Loaded<>(value, false);
            } finally {
                mu.unlock();
            }
        }

        public Map.Loaded<Object> swap(Object key, Object value) {
            mu.lock();
            try {
                if (dirty == null) {
                    dirty = new HashMap<>();
                }
                boolean loaded = dirty.containsKey(key);
                Object previous = dirty.put(key, value);
                return loaded ? present(previous) : ABSENT;
            } finally {
                mu.unlock();
            }
        }

        public Map.Loaded<Object> loadAndDelete(Object key) {
            mu.lock();
            try {
                if (dirty == null || !dirty.containsKey(key)) {
                    return ABSENT;
                }
                return present(dirty.remove(key));
            } finally {
                mu.unlock();
            }
        }

        public void delete(Object key) {
            mu.lock();
            try {
                if (dirty != null) {
                    dirty.remove(key);
                }
            } finally {
                mu.unlock();
            }
        }

        public boolean compareAndSwap(Object key, Object oldValue, Object newValue) {
            mu.lock();
            try {
                if (dirty == null || !dirty.containsKey(key) || !Objects.equals(dirty.get(key), oldValue)) {
                    return false;
                }
                dirty.put(key, newValue);
                return true;
            } finally {
                mu.unlock();
            }
        }

        public boolean compareAndDelete(Object key, Object oldValue) {
            mu.lock();
            try {
                if (dirty == null || !dirty.containsKey(key) || !Objects.equals(dirty.get(key), oldValue)) {
                    return false;
                }
                dirty.remove(key);
                return true;
            } finally {
                mu.unlock();
            }
        }

        public void range(BiPredicate<Object, Object> f) {
            mu.rLock();
            HashMap<Object, Object> copy = dirty == null ? new HashMap<>() : new HashMap<>(dirty);
            mu.rUnlock();
            for (var e : copy.entrySet()) {
                if (!f.test(e.getKey(), e.getValue())) {
                    break;
                }
            }
        }

        public void clear() {
            mu.lock();
            dirty = null;
            mu.unlock();
        }
    }

    /**
     * map_reference_test.go: DeepCopyMap, an implementation of mapInterface using a Mutex and
     * atomic.Value. It makes deep copies of the map on every write to avoid acquiring the
     * Mutex in Load.
     */
    static final class DeepCopyMap implements MapInterface {
        private final Mutex mu = new Mutex();
        private final AtomicReference<HashMap<Object, Object>> clean = new AtomicReference<>();

        public Map.Loaded<Object> load(Object key) {
            HashMap<Object, Object> c = clean.get();
            return c != null && c.containsKey(key) ? present(c.get(key)) : ABSENT;
        }

        /** Called with mu held. */
        private HashMap<Object, Object> dirty() {
            HashMap<Object, Object> c = clean.get();
            return c == null ? new HashMap<>() : new HashMap<>(c);
        }

        public void store(Object key, Object value) {
            mu.lock();
            HashMap<Object, Object> d = dirty();
            d.put(key, value);
            clean.set(d);
            mu.unlock();
        }

        public Map.Loaded<Object> loadOrStore(Object key, Object value) {
            Map.Loaded<Object> l = load(key);
            if (l.loaded()) {
                return l;
            }
            mu.lock();
            try {
                // Reload clean in case it changed while we were waiting on mu.
                l = load(key);
                if (l.loaded()) {
                    return l;
                }
                HashMap<Object, Object> d = dirty();
                d.put(key, value);
                clean.set(d);
                return new Map.Loaded<>(value, false);
            } finally {
                mu.unlock();
            }
        }

        public Map.Loaded<Object> swap(Object key, Object value) {
            mu.lock();
            try {
                HashMap<Object, Object> d = dirty();
                boolean loaded = d.containsKey(key);
                Object previous = d.put(key, value);
                clean.set(d);
                return loaded ? present(previous) : ABSENT;
            } finally {
                mu.unlock();
            }
        }

        public Map.Loaded<Object> loadAndDelete(Object key) {
            mu.lock();
            try {
                HashMap<Object, Object> d = dirty();
                if (!d.containsKey(key)) {
                    return ABSENT;
                }
                Object value = d.remove(key);
                clean.set(d);
                return present(value);
            } finally {
                mu.unlock();
            }
        }

        public void delete(Object key) {
            mu.lock();
            HashMap<Object, Object> d = dirty();
            d.remove(key);
            clean.set(d);
            mu.unlock();
        }

        public boolean compareAndSwap(Object key, Object oldValue, Object newValue) {
            HashMap<Object, Object> c = clean.get();
            if (c == null || !c.containsKey(key) || !Objects.equals(c.get(key), oldValue)) {
                return false;
            }
            mu.lock();
            try {
                HashMap<Object, Object> d = dirty();
                if (!d.containsKey(key) || !Objects.equals(d.get(key), oldValue)) {
                    return false;
                }
                d.put(key, newValue);
                clean.set(d);
                return true;
            } finally {
                mu.unlock();
            }
        }

        public boolean compareAndDelete(Object key, Object oldValue) {
            HashMap<Object, Object> c = clean.get();
            if (c == null || !c.containsKey(key) || !Objects.equals(c.get(key), oldValue)) {
                return false;
            }
            mu.lock();
            try {
                HashMap<Object, Object> d = dirty();
                if (!d.containsKey(key) || !Objects.equals(d.get(key), oldValue)) {
                    return false;
                }
                d.remove(key);
                clean.set(d);
                return true;
            } finally {
                mu.unlock();
            }
        }

        public void range(BiPredicate<Object, Object> f) {
            HashMap<Object, Object> c = clean.get();
            if (c == null) {
                return;
            }
            for (var e : c.entrySet()) {
                if (!f.test(e.getKey(), e.getValue())) {
                    break;
                }
            }
        }

        public void clear() {
            mu.lock();
            clean.set(null);
            mu.unlock();
        }
    }
}
