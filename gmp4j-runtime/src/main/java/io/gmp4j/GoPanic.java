package io.gmp4j;

/**
 * A Go panic: thrown by gmp4j where Go's runtime panics ({@code send on closed channel},
 * {@code sync: negative WaitGroup counter}, ...), and by user code through {@link #GoPanic(Object)}
 * as Go's {@code panic(v)}. An uncaught one ends the program as Go does: {@code panic: <message>}
 * plus the goroutine's traceback on stderr, exit status 2 (see {@link Go#setPanicHandler}).
 */
public class GoPanic extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Object value;
    /**
     * The value's text, from its toString when first asked: as Go's preprintpanics calls
     * Error() or String() once, when the panic is printed, not when it is raised.
     */
    private transient volatile String text;

    /** Go's {@code panic(v)}. */
    public GoPanic(Object value) {
        // panic.go: gopanic: panic(nil) panics with a *PanicNilError unless GODEBUG=panicnil=1
        // (Go tests debug.panicnil.Load() != 1: panicnil=2 is a PanicNilError too).
        Object v = value == null && io.gmp4j.internal.runtime.Env.godebug("panicnil", 0) != 1 ? new PanicNilError() : value;
        super((String) null);
        this.value = v;
    }

    /** A panic whose value is {@code message}, with {@code cause} as its Java cause. */
    public GoPanic(String message, Throwable cause) {
        super(message, cause);
        this.value = message;
    }

    /** The value's text ({@code String.valueOf}), computed once. */
    @Override
    public String getMessage() {
        String s = text;
        if (s == null) {
            text = s = value == null ? "nil" : String.valueOf(value); // panic(nil) under GODEBUG=panicnil=1
        }
        return s;
    }

    /** The value passed to panic (Go's {@code recover()} result). */
    public Object value() {
        return value;
    }
}
