package io.gmp4j;

/**
 * runtime.PanicNilError (Go 1.21): what {@code new GoPanic(null)}, Go's {@code panic(nil)},
 * carries as its value, so that a recovered panic is never null. {@code GODEBUG=panicnil=1}
 * restores the old behaviour: the value stays null and a crash prints {@code panic: nil}.
 */
public final class PanicNilError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PanicNilError() {
        super("panic called with nil argument", null, false, false);
    }

    /** Go's Error(): the crash report prints {@code panic: panic called with nil argument}. */
    @Override
    public String toString() {
        return getMessage();
    }
}
