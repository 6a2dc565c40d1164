package io.gmp4j.context;

import io.gmp4j.chan.Chan;
import java.time.Instant;
import java.util.Optional;

/* context.go: emptyCtx, backgroundCtx, todoCtx. Never cancelled; done() never becomes ready. */
final class EmptyCtx implements Context {
    static final EmptyCtx BACKGROUND = new EmptyCtx("context.Background");
    static final EmptyCtx TODO = new EmptyCtx("context.TODO");

    private final String name;

    private EmptyCtx(String name) {
        this.name = name;
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
        return null;
    }

    @Override
    public String toString() {
        return name;
    }
}
