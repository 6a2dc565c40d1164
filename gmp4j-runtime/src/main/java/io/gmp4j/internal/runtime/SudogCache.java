package io.gmp4j.internal.runtime;

/**
 * proc.go: acquireSudog/releaseSudog's cache, kept per M instead of per P (a goroutine cannot
 * lose its M between two park points, where Go's acquirem pins it to its P), without Go's
 * central cache: a full cache drops to the garbage collector, an empty one allocates.
 *
 * <p>Only the goroutine mounted on the M touches its cache, between two park points, so
 * nothing here is synchronised. The cached objects are the channel package's sudogs of plain
 * sends and receives, the sync package's sudogs (Sema), each kind in its own stack, and one
 * select order array and one select case array (the select's snapshot of its cases, put back
 * cleared); this class only stores them. What may be put is the caller's rule
 * (runtime2.go's sudog comment, releaseSudog's checks): an object nobody else can reach any
 * more, with every link cleared.
 */
public final class SudogCache {
    private static final int SIZE = 32; // runtime2.go: sudogcache [128]*sudog, half of it moved at a time

    private final Object[] sudogs = new Object[SIZE];
    private int nsudog;
    private int[] order;
    private Object[] cases;
    private final Object[] syncSudogs = new Object[SIZE];
    private int nsync;

    SudogCache() {}

    /**
     * The cache of the M the calling goroutine is mounted on, or null (a platform thread, a JDK
     * virtual thread started inside a goroutine). Valid until the caller parks or yields.
     */
    public static SudogCache current() {
        M mp = M.current();
        return mp == null ? null : mp.sudogcache;
    }

    /** A cached sudog, or null. */
    public Object get() {
        int n = nsudog;
        if (n == 0) {
            return null;
        }
        nsudog = --n;
        Object s = sudogs[n];
        sudogs[n] = null;
        return s;
    }

    /** Keeps {@code s} for reuse, or drops it when the cache is full. */
    public void put(Object s) {
        int n = nsudog;
        if (n < SIZE) {
            sudogs[n] = s;
            nsudog = n + 1;
        }
    }

    /** A cached sync sudog (io.gmp4j.sync's own class), or null. */
    public Object getSync() {
        int n = nsync;
        if (n == 0) {
            return null;
        }
        nsync = --n;
        Object s = syncSudogs[n];
        syncSudogs[n] = null;
        return s;
    }

    /** Keeps sync sudog {@code s} for reuse, or drops it when the cache is full. */
    public void putSync(Object s) {
        int n = nsync;
        if (n < SIZE) {
            syncSudogs[n] = s;
            nsync = n + 1;
        }
    }

    /** The cached select order array (select.go keeps it on the stack) if it has {@code n} slots, or null. */
    public int[] getOrder(int n) {
        int[] o = order;
        if (o == null || o.length < n) {
            return null;
        }
        order = null;
        return o;
    }

    /** Keeps {@code o} for the next select, unless it is larger than a select of 16 cases needs. */
    public void putOrder(int[] o) {
        if (o.length <= 32) {
            order = o;
        }
    }

    /** The cached select case array (io.gmp4j.chan's Case[]) if it has {@code n} slots, or null. */
    public Object[] getCases(int n) {
        Object[] c = cases;
        if (c == null || c.length < n) {
            return null;
        }
        cases = null;
        return c;
    }

    /** Keeps {@code c}, every slot null, for the next select, unless it has more than 16 slots. */
    public void putCases(Object[] c) {
        if (c.length <= 16) {
            cases = c;
        }
    }
}
