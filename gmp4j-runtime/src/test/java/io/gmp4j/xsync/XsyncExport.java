package io.gmp4j.xsync;

/** The door from tests outside this package to its internals (Go's export_test.go). */
public final class XsyncExport {
    private XsyncExport() {}

    /** The semaphore's held weight. */
    public static long cur(Semaphore s) {
        return s.held();
    }

    /** The callers of the group's call for key in flight that wait for it (Go's call.dups); -1 if none is in flight. */
    public static <K> int dups(SingleFlight<K, ?> g, K key) {
        return g.dups(key);
    }
}
