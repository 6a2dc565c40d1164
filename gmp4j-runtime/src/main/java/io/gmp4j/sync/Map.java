package io.gmp4j.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * Go's {@code sync.Map} (Go 1.23's API): a map that goroutines may use concurrently without
 * more locking. Its methods are Go's in lowerCamelCase; Go's two results ({@code value, ok}) are
 * a {@link Loaded} record. Keys and values may be null (Go's nil); a null value is stored as
 * such and {@link #load} tells it apart from an absent key by {@link Loaded#loaded}.
 *
 * <p>Keys are compared with {@code equals} and {@code hashCode}, and the {@code old} values of
 * {@link #compareAndSwap} and {@link #compareAndDelete} with {@link Objects#equals}, where Go
 * uses {@code ==} (which panics on a value that is not comparable): see docs/DIVERGENCES.md.
 *
 * <p>{@link #range} calls {@code f} once per key, never twice for a key, as Go's does. It does
 * not see a consistent snapshot: a key stored, stored again or deleted while it runs (by
 * {@code f} too) may show any of its values from any moment of the call, or none; a key
 * stored for the first time while it runs may or may not be visited. {@code f} may call any
 * method of the map.
 */
public final class Map<K, V> {
    /*
     * Go file and functions: sync/map.go (Go 1.23: Load, Store, LoadOrStore, LoadAndDelete,
     * Delete, Swap, CompareAndSwap, CompareAndDelete, Range, Clear). Go 1.23's read/dirty
     * maps (and Go 1.24's HashTrieMap) exist because Go's builtin map is not concurrent; a
     * ConcurrentHashMap is, so it holds the entries: entries maps each key (NIL for null) to a Cell.
     *
     * Cell: an immutable (birth, value) pair, value NIL for null. Every change of a key's value
     * installs a new Cell through one atomic CHM operation (compute, replace, remove), so each
     * method is linearizable at that operation, or at its get() where it changes nothing. The
     * CAS loops (compareAndSwap, compareAndDelete) retry only when another call changed the key
     * in between, and call the caller's equals outside CHM's bin lock.
     *
     * birth: why Range needs more than CHM's iterator. CHM's weakly consistent iterator visits
     * each entry that exists when it starts once, but a key deleted and stored again while it
     * runs is a new node, appended to its bin's list after the node already visited: the key
     * comes round twice (MapTest.rangeVisitsKeyOnceWhenReStoredInCallback: every key of a
     * colliding bin twice without this). Go promises no key twice. So a key's Cell carries the
     * value of the map's counter `born`, taken when the key goes from absent to present, and
     * copied to the Cells that replace it while it stays present. range reads born first and
     * skips Cells born later: those keys were absent at some moment during the range (Go allows
     * showing them absent). Why no key is then visited twice: two Cells of one key born by the
     * time range read born are two presences; the later birth was taken (inside the CHM
     * operation, after the key was seen absent) after the earlier presence's node was unlinked,
     * and range read born after that birth (born's volatile getAndAdd/read order it), so the
     * iterator, starting later, cannot reach the unlinked node. Within one presence the key is
     * one node, and CHM's traverser visits each bin once even across a resize.
     *
     * born: getAndAdd by the call that makes a key present (inside CHM's compute or
     * computeIfAbsent, with the bin locked), getVolatile by range. Seq-cst both, as the
     * argument above needs. 2^63 births do not wrap in practice.
     */

    /** Go's two results of load, loadOrStore, loadAndDelete and swap: the value, and whether the key was present. */
    public record Loaded<V>(V value, boolean loaded) {}

    /** Stands for a null key or value (ConcurrentHashMap holds neither). */
    private static final Object NIL = new Object();

    /** A key's value and its presence's birth (see the class comment). Immutable. */
    private static final class Cell {
        final long birth;
        final Object value;

        Cell(long birth, Object value) {
            this.birth = birth;
            this.value = value;
        }
    }

    /**
     * The entries. Clear installs a new map (one volatile write) rather than emptying this one
     * bin by bin, which another call could watch half done: a loadOrStore that found a key clear
     * had not reached yet after a load that found another key already gone (MapLincheckTest,
     * once in a clean-clone CI run). Each method reads the field once and works on that map, so
     * a call that began before the swap takes effect before the clear.
     */
    private volatile ConcurrentHashMap<Object, Cell> entries = new ConcurrentHashMap<>();
    private volatile long born;

    /** An empty map (Go's zero value). */
    public Map() {}

    /** map.go: Load. The key's value, and whether it was present ({@code ok}). */
    public Loaded<V> load(K key) {
        ConcurrentHashMap<Object, Cell> m = entries;
        return loaded(m.get(mask(key)));
    }

    /** map.go: Store. Sets the value for the key. */
    public void store(K key, V value) {
        put(mask(key), mask(value));
    }

    /**
     * map.go: LoadOrStore. The key's value if present ({@code loaded} true); otherwise stores
     * {@code value} and returns it ({@code loaded} false).
     */
    public Loaded<V> loadOrStore(K key, V value) {
        ConcurrentHashMap<Object, Cell> m = entries;
        Object k = mask(key);
        Cell c = m.get(k);
        if (c != null) {
            return loaded(c);
        }
        Cell[] made = {null};
        Object v = mask(value);
        c = m.computeIfAbsent(k, absent -> made[0] = new Cell(nextBirth(), v));
        return c == made[0] ? new Loaded<>(value, false) : loaded(c);
    }

    /** map.go: LoadAndDelete. Deletes the key; returns its previous value, and whether it was present. */
    public Loaded<V> loadAndDelete(K key) {
        ConcurrentHashMap<Object, Cell> m = entries;
        return loaded(m.remove(mask(key)));
    }

    /** map.go: Delete. */
    public void delete(K key) {
        ConcurrentHashMap<Object, Cell> m = entries;
        m.remove(mask(key));
    }

    /** map.go: Swap. Stores {@code value}; returns the previous value, and whether the key was present. */
    public Loaded<V> swap(K key, V value) {
        return loaded(put(mask(key), mask(value)));
    }

    /**
     * map.go: CompareAndSwap. Stores {@code newValue} if the key is present with a value equal
     * ({@link Objects#equals}) to {@code oldValue}; returns whether it did. An absent key never
     * matches, not even a null {@code oldValue}.
     */
    public boolean compareAndSwap(K key, V oldValue, V newValue) {
        ConcurrentHashMap<Object, Cell> m = entries;
        Object k = mask(key);
        Object v = mask(newValue);
        for (;;) {
            Cell c = m.get(k);
            if (c == null || !Objects.equals(unmask(c.value), oldValue)) {
                return false; // linearized at the get
            }
            if (m.replace(k, c, new Cell(c.birth, v))) { // Cell has identity equals
                return true;
            }
            // T1: get c; T2: replaced or deleted the key; T1: replace fails -> look again
        }
    }

    /**
     * map.go: CompareAndDelete. Deletes the key if it is present with a value equal
     * ({@link Objects#equals}) to {@code oldValue}; returns whether it did.
     */
    public boolean compareAndDelete(K key, V oldValue) {
        ConcurrentHashMap<Object, Cell> m = entries;
        Object k = mask(key);
        for (;;) {
            Cell c = m.get(k);
            if (c == null || !Objects.equals(unmask(c.value), oldValue)) {
                return false;
            }
            if (m.remove(k, c)) {
                return true;
            }
        }
    }

    /**
     * map.go: Range. Calls {@code f} for each key and value until it returns false; see the
     * class comment for what a concurrent change shows.
     */
    public void range(BiPredicate<? super K, ? super V> f) {
        ConcurrentHashMap<Object, Cell> m = entries;
        long before = (long) BORN.getVolatile(this); // after every birth it returns: see the class comment
        for (java.util.Map.Entry<Object, Cell> e : m.entrySet()) {
            Cell c = e.getValue();
            if (c.birth > before) {
                continue; // present only since this range began (a delete and store in f included)
            }
            if (!f.test(unmask(e.getKey()), unmask(c.value))) {
                return;
            }
        }
    }

    /** map.go: Clear (Go 1.23). Deletes every entry. */
    public void clear() {
        entries = new ConcurrentHashMap<>();
    }

    /** Sets k's value to v; returns the Cell it replaced (null if k was absent). */
    private Cell put(Object k, Object v) {
        ConcurrentHashMap<Object, Cell> m = entries;
        Cell[] replaced = {null};
        m.compute(k, (key, old) -> {
            replaced[0] = old;
            return new Cell(old == null ? nextBirth() : old.birth, v);
        });
        return replaced[0];
    }

    /** The birth of a key becoming present. Called inside a CHM operation that saw it absent. */
    private long nextBirth() {
        return (long) BORN.getAndAdd(this, 1L) + 1;
    }

    private Loaded<V> loaded(Cell c) {
        return c == null ? new Loaded<>(null, false) : new Loaded<>(unmask(c.value), true);
    }

    private static Object mask(Object o) {
        return o == null ? NIL : o;
    }

    @SuppressWarnings("unchecked")
    private static <T> T unmask(Object o) {
        return o == NIL ? null : (T) o;
    }

    private static final VarHandle BORN;

    static {
        try {
            BORN = MethodHandles.lookup().findVarHandle(Map.class, "born", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
