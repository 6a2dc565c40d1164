package io.gmp4j.context;

import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import java.time.Instant;
import java.util.Optional;

/* context.go: valueCtx, WithValue, value (the iterative lookup through the known context types). */
final class ValueCtx implements Context {
    final Context parent;
    final Object key;
    final Object val;

    private ValueCtx(Context parent, Object key, Object val) {
        this.parent = parent;
        this.key = key;
        this.val = val;
    }

    static Context of(Context parent, Object key, Object val) {
        if (parent == null) {
            throw new GoPanic("cannot create context from nil parent");
        }
        if (key == null) {
            throw new GoPanic("nil key");
        }
        return new ValueCtx(parent, key, val);
    }

    @Override
    public Chan<Void> done() {
        return skipValues(parent).done();
    }

    @Override
    public Throwable err() {
        return skipValues(parent).err();
    }

    @Override
    public Optional<Instant> deadline() {
        return CancelCtx.deadline(parent);
    }

    /**
     * The first context up from c that is not a ValueCtx, whose done and err a ValueCtx's are
     * (Go's embedding), found without recursion: a chain of values may be deeper than the JVM's
     * stack.
     */
    private static Context skipValues(Context c) {
        while (c instanceof ValueCtx v) {
            c = v.parent;
        }
        return c;
    }

    @Override
    public Object value(Object k) {
        if (key.equals(k)) {
            return val;
        }
        return lookup(parent, k);
    }

    /** context.go: value. Walks up without recursion through the types defined here. */
    static Object lookup(Context c, Object key) {
        for (;;) {
            if (c instanceof ValueCtx v) {
                if (v.key.equals(key)) {
                    return v.val;
                }
                c = v.parent;
            } else if (c instanceof CancelCtx cc) {
                if (key == CancelCtx.CANCEL_CTX_KEY) {
                    return cc;
                }
                c = cc.parent;
            } else if (c instanceof WithoutCancelCtx w) {
                if (key == CancelCtx.CANCEL_CTX_KEY) {
                    return null; // cause(ctx) of a withoutCancel context is null
                }
                c = w.parent;
            } else if (c instanceof EmptyCtx) {
                return null;
            } else {
                return c.value(key);
            }
        }
    }

    /** context.go: valueCtx.String. */
    @Override
    public String toString() {
        return contextName(this);
    }

    /**
     * context.go: contextName. A context's String, else its type's name (as {@link #stringify}):
     * a Context of another type without a toString of its own is named by its class.
     *
     * <p>The String methods of the contexts defined here (valueCtx, cancelCtx, timerCtx,
     * withoutCancelCtx: the parent's name and a suffix) are built here in one loop up the chain,
     * not by each calling its parent's: Go's recursion works for any depth as its stack grows,
     * while the JVM's overflowed at a few thousand levels (a chain of 10,000 values threw
     * StackOverflowError from toString).
     */
    static String contextName(Context c) {
        java.util.ArrayDeque<String> suffixes = new java.util.ArrayDeque<>();
        String base;
        for (;;) {
            if (c instanceof ValueCtx v) {
                suffixes.push(".WithValue(" + stringify(v.key) + ", " + stringify(v.val) + ")");
                c = v.parent;
            } else if (c instanceof CancelCtx cc) {
                suffixes.push("." + cc.kind());
                c = cc.parent;
            } else if (c instanceof WithoutCancelCtx w) {
                suffixes.push(".WithoutCancel");
                c = w.parent;
            } else {
                base = stringify(c);
                break;
            }
        }
        StringBuilder sb = new StringBuilder(base);
        while (!suffixes.isEmpty()) {
            sb.append(suffixes.pop());
        }
        return sb.toString();
    }

    /**
     * context.go: stringify. Go prints a value through its String method, a string as itself,
     * nil as {@code <nil>}, and anything else by its type's name only, so that a context's String
     * never shows a key's or value's address or contents. Java's String method is an overridden
     * toString; Object's own would print the class name and an identity hash, so such a value
     * prints as its class's name, Go's type name.
     */
    static String stringify(Object v) {
        if (v == null) {
            return "<nil>";
        }
        if (v instanceof String s) {
            return s;
        }
        try {
            if (v.getClass().getMethod("toString").getDeclaringClass() != Object.class) {
                return v.toString();
            }
        } catch (NoSuchMethodException impossible) {
            // every class has a public toString
        }
        return v.getClass().getName();
    }
}
