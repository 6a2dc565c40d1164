package io.gmp4j.context;

import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import java.time.Instant;
import java.util.Optional;

/* context.go: withoutCancelCtx, WithoutCancel. */
final class WithoutCancelCtx implements Context {
    final Context parent;

    private WithoutCancelCtx(Context parent) {
        this.parent = parent;
    }

    static Context of(Context parent) {
        if (parent == null) {
            throw new GoPanic("cannot create context from nil parent");
        }
        return new WithoutCancelCtx(parent);
    }

    @Override
    public Chan<Void> done() {
        return CancelCtx.NEVER;
    }

    @Override
    public Throwable err() {
        return null;
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.empty();
    }

    @Override
    public Object value(Object key) {
        return ValueCtx.lookup(this, key);
    }

    @Override
    public String toString() {
        return ValueCtx.contextName(this); // parent's name + ".WithoutCancel", without recursion
    }
}
