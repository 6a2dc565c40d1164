package io.gmp4j.context;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.Cond;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Go's context/example_test.go (Go 1.21+) as tests: each example's "// Output:" becomes the
 * assertion (ExampleAfterFunc_connection needs net.Conn deadlines and is not ported).
 */
@ExtendWith(GoLeakCheck.class)
class ContextExampleTest {

    /**
     * example_test.go: ExampleWithCancel. gen's goroutine sends 1, 2, ...; the consumer stops at
     * 5 and cancels, and gen's goroutine returns (runG checks that no goroutine is left).
     */
    @Test
    void exampleWithCancel() {
        runG(2, () -> {
            var c = Context.withCancel(Context.background());
            try {
                Chan<Integer> dst = Chan.make(0);
                Go.go(() -> {
                    int[] n = {1};
                    boolean[] done = {false};
                    while (!done[0]) {
                        Select.select(c.ctx().done().onRecv(v -> done[0] = true), dst.onSend(n[0], () -> n[0]++));
                    }
                });
                List<Integer> out = new ArrayList<>();
                for (int n : dst) {
                    out.add(n);
                    if (n == 5) {
                        break;
                    }
                }
                assertEquals(List.of(1, 2, 3, 4, 5), out);
            } finally {
                c.cancel().run();
            }
        });
    }

    /** example_test.go: ExampleWithDeadline and ExampleWithTimeout (50 ms against a 1 s time.After). */
    @Test
    void exampleWithDeadlineAndTimeout() {
        runG(2, () -> {
            var d = Context.withDeadline(Context.background(), Instant.now().plusMillis(50));
            var t = Context.withTimeout(Context.background(), Duration.ofMillis(50));
            for (var c : List.of(d, t)) {
                try {
                    String[] out = {null};
                    Select.select(
                            Time.after(Duration.ofSeconds(1)).onRecv(v -> out[0] = "overslept"),
                            c.ctx().done().onRecv(v -> out[0] = c.ctx().err().getMessage()));
                    assertEquals("context deadline exceeded", out[0]);
                } finally {
                    c.cancel().run();
                }
            }
        });
    }

    /** example_test.go: ExampleWithValue. Keys of a distinct type (Go: favContextKey) do not collide with plain strings. */
    @Test
    void exampleWithValue() {
        record FavContextKey(String name) {}
        FavContextKey k = new FavContextKey("language");
        Context ctx = Context.withValue(Context.background(), k, "Go");
        assertEquals("Go", ctx.value(k));
        assertNull(ctx.value(new FavContextKey("color")));
        assertNull(ctx.value("language"), "a String key is not a FavContextKey");
    }

    /** example_test.go: ExampleAfterFunc_cond's waitOnCond. Called with cond's lock held. */
    private static Throwable waitOnCond(Context ctx, Cond cond, BooleanSupplier conditionMet) {
        var stopf = Context.afterFunc(ctx, () -> {
            // Take the lock so that the broadcast cannot come before the await below.
            cond.locker().lock();
            try {
                cond.broadcast();
            } finally {
                cond.locker().unlock();
            }
        });
        try {
            while (!conditionMet.getAsBoolean()) {
                cond.await();
                if (ctx.err() != null) {
                    return ctx.err();
                }
            }
            return null;
        } finally {
            stopf.stop();
        }
    }

    /**
     * example_test.go: ExampleAfterFunc_cond. Four goroutines wait on one Cond under 1 ms
     * timeouts; each AfterFunc's broadcast wakes them all, and each returns once its own context
     * is done: four "context deadline exceeded".
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void exampleAfterFuncCond(int procs) {
        runG(procs, () -> {
            Cond cond = new Cond(new Mutex());
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            WaitGroup wg = new WaitGroup();
            for (int i = 0; i < 4; i++) {
                wg.add(1);
                Go.go(() -> {
                    try {
                        var c = Context.withTimeout(Context.background(), Duration.ofMillis(1));
                        try {
                            cond.locker().lock();
                            try {
                                out.add(String.valueOf(waitOnCond(c.ctx(), cond, () -> false).getMessage()));
                            } finally {
                                cond.locker().unlock();
                            }
                        } finally {
                            c.cancel().run();
                        }
                    } finally {
                        wg.done();
                    }
                });
            }
            wg.await();
            assertEquals(Collections.nCopies(4, "context deadline exceeded"), out);
        });
    }

    /**
     * example_test.go: ExampleAfterFunc_merge. mergeCancel: a context with ctx's values,
     * cancelled (with the cause) when either ctx or cancelCtx is.
     */
    @Test
    void exampleAfterFuncMerge() {
        runG(2, () -> {
            var ctx1 = Context.withCancelCause(Context.background());
            var ctx2 = Context.withCancelCause(Context.background());
            // mergeCancel(ctx1, ctx2)
            var merged = Context.withCancelCause(ctx1.ctx());
            var stop = Context.afterFunc(ctx2.ctx(), () -> merged.cancel().accept(Context.cause(ctx2.ctx())));
            Runnable mergedCancel = () -> {
                stop.stop();
                merged.cancel().accept(Context.CANCELED);
            };
            try {
                ctx2.cancel().accept(new RuntimeException("ctx2 canceled"));
                merged.ctx().done().recv();
                assertEquals("ctx2 canceled", Context.cause(merged.ctx()).getMessage());
            } finally {
                mergedCancel.run();
                ctx1.cancel().accept(new RuntimeException("ctx1 canceled"));
            }
        });
    }
}
