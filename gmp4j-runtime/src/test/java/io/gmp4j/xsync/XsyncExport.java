package io.gmp4j.xsync;

/** The door from tests outside this package to its internals (Go's export_test.go). */
public final class XsyncExport {
    private XsyncExport() {}

    /** The semaphore's held weight. */
    public static long cur(Semaphore s) {
        return s.held();
    }
}
