package io.gmp4j.context;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import io.gmp4j.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ports of the Go context tests that {@link ContextTest} does not cover: context_test.go (Go
 * 1.21+: the X tests, Cause, AfterFunc, WithoutCancel, custom contexts) and afterfunc_test.go.
 */
@ExtendWith(GoLeakCheck.class)
class ContextPortTest {
    /** context_test.go: shortDuration. */
    static final Duration SHORT = Duration.ofMillis(1);
    /** context_test.go: veryLongDuration. */
    static final Duration VERY_LONG = Duration.ofHours(1000);
    /** context_test.go: quiescent (5 s without a test deadline); 10 s for a loaded 2-core machine. */
    static final Duration QUIESCENT = Duration.ofSeconds(10);

    static boolean isDone(Context c) {
        return Select.select(c.done().onRecv(v -> {}), Select.onDefault(() -> {})) == 0;
    }

    /** Waits for c's done, failing with every goroutine's stack after {@link #QUIESCENT}. */
    static void awaitDone(Context c, String what) {
        awaitClosed(c.done(), what);
    }

    static void awaitClosed(Chan<Void> ch, String what) {
        Timer t = Time.newTimer(QUIESCENT);
        try {
            if (Select.select(ch.onRecv(v -> {}), t.c().onRecv(v -> {})) == 1) {
                fail("timed out after " + QUIESCENT + " waiting for " + what + "; stacks:\n" + Go.stack(true));
            }
        } finally {
            t.stop();
        }
    }

    /** True if ch is closed (or ready) within d; d is a bound for "did not happen", never a synchronisation. */
    static boolean readyWithin(Chan<Void> ch, Duration d) {
        Timer t = Time.newTimer(d);
        try {
            return Select.select(ch.onRecv(v -> {}), t.c().onRecv(v -> {})) == 0;
        } finally {
            t.stop();
        }
    }

    /** context_test.go: recoveredValue. The panic value of fn, or null. */
    static Object recoveredValue(Runnable fn) {
        try {
            fn.run();
            return null;
        } catch (GoPanic p) {
            return p.value();
        }
    }

    /**
     * context_test.go: TestSimultaneousCancels. A tree of about 100 contexts (fan-out 4) whose
     * cancel functions all run at once in their own goroutines, in no particular order; every
     * context ends up done and every cancel function returns (no lock-order deadlock between a
     * parent cancelling its children and a child removing itself from its parent).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void simultaneousCancels(int procs) {
        runG(procs, () -> {
            var root = Context.withCancel(Context.background());
            Map<Context, Runnable> m = new LinkedHashMap<>();
            m.put(root.ctx(), root.cancel());
            ArrayDeque<Context> q = new ArrayDeque<>(List.of(root.ctx()));
            while (!q.isEmpty() && m.size() < 100) {
                Context parent = q.poll();
                for (int i = 0; i < 4; i++) {
                    var c = Context.withCancel(parent);
                    m.put(c.ctx(), c.cancel());
                    q.add(c.ctx());
                }
            }
            List<Runnable> cancels = new ArrayList<>(m.values());
            Collections.shuffle(cancels);
            WaitGroup wg = new WaitGroup();
            wg.add(cancels.size());
            for (Runnable cancel : cancels) {
                Go.go(() -> {
                    cancel.run();
                    wg.done();
                });
            }
            List<Context> contexts = new ArrayList<>(m.keySet());
            Collections.shuffle(contexts);
            for (Context c : contexts) {
                awaitDone(c, "<-ctx.Done()");
                assertSame(Context.CANCELED, c.err());
            }
            Chan<Void> done = Chan.make(0);
            Go.go(() -> {
                wg.await();
                done.close();
            });
            awaitClosed(done, "the cancel functions");
            assertEquals(0, ((CancelCtx) root.ctx()).childrenForTest());
        });
    }

    /**
     * context_test.go: TestInterlockedCancels. A goroutine cancels the child as soon as the parent
     * is done, while the parent's cancel is cancelling that same child.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void interlockedCancels(int procs) {
        runG(procs, () -> {
            for (int i = 0; i < 100; i++) {
                var parent = Context.withCancel(Context.background());
                var child = Context.withCancel(parent.ctx());
                WaitGroup wg = new WaitGroup();
                wg.add(1);
                Go.go(() -> {
                    parent.ctx().done().recv();
                    child.cancel().run();
                    wg.done();
                });
                parent.cancel().run();
                awaitDone(child.ctx(), "child.Done()");
                wg.await();
            }
        });
    }

    /**
     * context_test.go: TestWithCancel and TestCanceledTimeout, the "should propagate
     * synchronously" checks: through a wrapper (otherContext) that returns the cancelCtx's own
     * done channel, every context is done when cancel returns (a select with default, no wait).
     */
    @Test
    void cancelPropagatesSynchronously() {
        runG(2, () -> {
            var c1 = Context.withCancel(Context.background());
            Context o = new ContextTest.OtherContext(c1.ctx());
            var c2 = Context.withCancel(o);
            var c3 = Context.withTimeout(o, VERY_LONG);
            Context v = Context.withValue(c2.ctx(), "k", "v");
            var c4 = Context.withCancel(new ContextTest.OtherContext(v));
            c1.cancel().run();
            for (Context c : List.of(c1.ctx(), o, c2.ctx(), c3.ctx(), v, c4.ctx())) {
                assertTrue(isDone(c), c + ": <-Done() blocked, but shouldn't have");
                assertSame(Context.CANCELED, c.err(), c.toString());
            }

            var t = Context.withTimeout(Context.background(), Duration.ofSeconds(1));
            var ct = Context.withTimeout(new ContextTest.OtherContext(t.ctx()), VERY_LONG);
            ct.cancel().run();
            assertTrue(isDone(ct.ctx()), "<-c.Done() blocked, but shouldn't have");
            assertSame(Context.CANCELED, ct.ctx().err());
            assertNull(t.ctx().err());
            t.cancel().run();
            c2.cancel().run();
            c3.cancel().run();
            c4.cancel().run();
        });
    }

    /** context_test.go: TestLayersCancel. */
    @Test
    void layersCancel() {
        runG(2, () -> testLayers(System.nanoTime(), false));
    }

    /** context_test.go: TestLayersTimeout. */
    @Test
    void layersTimeout() {
        runG(2, () -> testLayers(System.nanoTime(), true));
    }

    /**
     * context_test.go: testLayers. At least 30 random layers of value, cancel and timeout
     * contexts; the values stay visible through all of them, before and after the innermost
     * context is done, whether by a random layer's cancel or by the timeouts.
     */
    private static void testLayers(long seed, boolean testTimeout) {
        Random r = new Random(seed);
        String s = "seed=" + seed + ": ";
        List<Object> vals = new ArrayList<>();
        List<Runnable> cancels = new ArrayList<>();
        int numTimers = 0;
        Context ctx = Context.background();
        for (int i = 0; i < 30 || numTimers == 0 || cancels.isEmpty() || vals.isEmpty(); i++) {
            switch (r.nextInt(3)) {
                case 0 -> {
                    Object v = new Object();
                    ctx = Context.withValue(ctx, v, v);
                    vals.add(v);
                }
                case 1 -> {
                    var c = Context.withCancel(ctx);
                    ctx = c.ctx();
                    cancels.add(c.cancel());
                }
                default -> {
                    var c = Context.withTimeout(ctx, testTimeout ? SHORT : VERY_LONG);
                    ctx = c.ctx();
                    cancels.add(c.cancel());
                    numTimers++;
                }
            }
        }
        Context top = ctx;
        Runnable checkValues = () -> {
            for (Object key : vals) {
                assertSame(key, top.value(key), s + "ctx.Value(key)");
            }
        };
        if (!testTimeout) {
            assertFalse(isDone(top), s + "ctx should not be canceled yet");
        }
        assertTrue(top.toString().startsWith("context.Background."), s + "ctx.String() = " + top);
        checkValues.run();
        if (testTimeout) {
            awaitDone(top, s + "ctx to time out");
            assertSame(Context.DEADLINE_EXCEEDED, top.err(), s);
        } else {
            cancels.get(r.nextInt(cancels.size())).run();
            assertTrue(isDone(top), s + "ctx should be canceled"); // propagation is synchronous
            assertSame(Context.CANCELED, top.err(), s);
        }
        checkValues.run();
        cancels.forEach(Runnable::run);
    }

    /**
     * context_test.go: TestCancelRemoves. Cancelling a WithCancel or WithTimeout child removes it
     * from its parent's children.
     */
    @Test
    void cancelRemoves() {
        runG(1, () -> {
            var ctx = Context.withCancel(Context.background());
            CancelCtx p = (CancelCtx) ctx.ctx();
            assertEquals(0, p.childrenForTest(), "after creation");
            var c = Context.withCancel(p);
            assertEquals(1, p.childrenForTest(), "with WithCancel child");
            c.cancel().run();
            assertEquals(0, p.childrenForTest(), "after canceling WithCancel child");

            var t = Context.withTimeout(p, Duration.ofMinutes(60));
            assertEquals(1, p.childrenForTest(), "with WithTimeout child");
            t.cancel().run();
            assertEquals(0, p.childrenForTest(), "after canceling WithTimeout child");

            var stop = Context.afterFunc(p, () -> fail("stopped AfterFunc ran"));
            assertEquals(1, p.childrenForTest(), "with AfterFunc");
            assertTrue(stop.stop());
            assertEquals(0, p.childrenForTest(), "after stopping AfterFunc");
            ctx.cancel().run();
        });
    }

    /**
     * context_test.go: TestWithCancelCanceledParent. A child of a cancelled parent is done at
     * construction, with the parent's err and cause.
     */
    @Test
    void withCancelCanceledParent() {
        runG(1, () -> {
            var parent = Context.withCancelCause(Context.background());
            RuntimeException cause = new RuntimeException("Because!");
            parent.cancel().accept(cause);
            var c = Context.withCancel(parent.ctx());
            assertTrue(isDone(c.ctx()), "child not done immediately upon construction");
            assertSame(Context.CANCELED, c.ctx().err());
            assertSame(cause, Context.cause(c.ctx()), "child has wrong cause");
            var t = Context.withTimeout(parent.ctx(), VERY_LONG);
            assertTrue(isDone(t.ctx()));
            assertSame(cause, Context.cause(t.ctx()));
            Context v = Context.withValue(parent.ctx(), "key", "value"); // context_test.go: precanceledChild
            assertTrue(isDone(v));
            assertSame(Context.CANCELED, v.err());
        });
    }

    /**
     * context_test.go: TestWithCancelSimultaneouslyCanceledParent. The parent is cancelled by
     * another goroutine while the child is being created; the child always ends up done with the
     * parent's cause.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void withCancelSimultaneouslyCanceledParent(int procs) {
        runG(procs, () -> {
            for (int i = 0; i < 100; i++) {
                var parent = Context.withCancelCause(Context.background());
                RuntimeException cause = new RuntimeException("Because!");
                WaitGroup wg = new WaitGroup();
                wg.add(1);
                Go.go(() -> {
                    parent.cancel().accept(cause);
                    wg.done();
                });
                var c = Context.withCancel(parent.ctx());
                awaitDone(c.ctx(), "child of a cancelled parent");
                assertSame(Context.CANCELED, c.ctx().err(), "child not canceled");
                assertSame(cause, Context.cause(c.ctx()), "child has wrong cause");
                wg.await();
            }
        });
    }

    /**
     * context_test.go: TestWithValueChecksKey. A nil key panics with "nil key". (Go also panics
     * for a key that is not comparable, such as a []byte; every Java object has equals, so there
     * is no such key here.)
     */
    @Test
    void withValueChecksKey() {
        assertEquals("nil key", String.valueOf(recoveredValue(() -> Context.withValue(Context.background(), null, "bar"))));
        assertNotNull(Context.withValue(Context.background(), new byte[] {1}, "bar"), "an array key is a key like any other");
    }

    /** context_test.go: TestInvalidDerivedFail. A nil parent panics, for every constructor. */
    @Test
    void invalidDerivedFail() {
        String want = "cannot create context from nil parent";
        assertEquals(want, recoveredValue(() -> Context.withCancel(null)));
        assertEquals(want, recoveredValue(() -> Context.withCancelCause(null)));
        assertEquals(want, recoveredValue(() -> Context.withDeadline(null, Instant.now().plus(SHORT))));
        assertEquals(want, recoveredValue(() -> Context.withTimeout(null, SHORT)));
        assertEquals(want, recoveredValue(() -> Context.withValue(null, "foo", "bar")));
        assertEquals(want, recoveredValue(() -> Context.withoutCancel(null)));
    }

    /** context_test.go: key1, a key type without its own String (Go: type key1 int). */
    static final class Key1 {
        final int v;

        Key1(int v) {
            this.v = v;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key1 k && k.v == v;
        }

        @Override
        public int hashCode() {
            return v;
        }
    }

    /** context_test.go: key2, a key type with a String method ("%[1]T(%[1]d)"). */
    record Key2(int v) {
        @Override
        public String toString() {
            return getClass().getName() + "(" + v + ")";
        }
    }

    /**
     * context_test.go: TestValues (Go 1.21+), every check, including String: a key or value is
     * printed by Go's stringify (its String method, a string as itself, nil as {@code <nil>},
     * anything else as its type's name). Java's analogue of a String method is an overridden
     * toString; Go's type name is the class's name.
     */
    @Test
    void values() {
        Key1 k1 = new Key1(1);
        Key2 k2 = new Key2(1); // same int as k1, different type
        Key2 k3 = new Key2(3); // same type as k2, different int
        record Check(Context c, String nm, String v1, String v2, String v3) {
            void run(Key1 k1, Key2 k2, Key2 k3) {
                assertEquals(v1, c.value(k1), nm + ".value(k1)");
                assertEquals(v2, c.value(k2), nm + ".value(k2)");
                assertEquals(v3, c.value(k3), nm + ".value(k3)");
            }
        }
        String key1 = Key1.class.getName();
        String key2 = Key2.class.getName();

        Context c0 = Context.background();
        new Check(c0, "c0", null, null, null).run(k1, k2, k3);

        Context c1 = Context.withValue(Context.background(), k1, "c1k1");
        new Check(c1, "c1", "c1k1", null, null).run(k1, k2, k3);
        assertEquals("context.Background.WithValue(" + key1 + ", c1k1)", c1.toString());

        Context c2 = Context.withValue(c1, k2, "c2k2");
        new Check(c2, "c2", "c1k1", "c2k2", null).run(k1, k2, k3);
        assertEquals("context.Background.WithValue(" + key1 + ", c1k1).WithValue(" + key2 + "(1), c2k2)", c2.toString());

        Context c3 = Context.withValue(c2, k3, "c3k3");
        new Check(c3, "c2", "c1k1", "c2k2", "c3k3").run(k1, k2, k3);

        Context c4 = Context.withValue(c3, k1, null);
        new Check(c4, "c4", null, "c2k2", "c3k3").run(k1, k2, k3);
        assertEquals("context.Background.WithValue(" + key1 + ", c1k1).WithValue(" + key2 + "(1), c2k2).WithValue(" + key2
                + "(3), c3k3).WithValue(" + key1 + ", <nil>)", c4.toString());

        Context o0 = new ContextTest.OtherContext(Context.background());
        new Check(o0, "o0", null, null, null).run(k1, k2, k3);

        Context o1 = new ContextTest.OtherContext(Context.withValue(Context.background(), k1, "c1k1"));
        new Check(o1, "o1", "c1k1", null, null).run(k1, k2, k3);

        Context o2 = Context.withValue(o1, k2, "o2k2");
        new Check(o2, "o2", "c1k1", "o2k2", null).run(k1, k2, k3);

        Context o3 = new ContextTest.OtherContext(c4);
        new Check(o3, "o3", null, "c2k2", "c3k3").run(k1, k2, k3);

        Context o4 = Context.withValue(o3, k3, null);
        new Check(o4, "o4", null, "c2k2", null).run(k1, k2, k3);
    }

    /** context_test.go: TestDeadlineExceededSupportsTimeout (and Canceled does not). */
    @Test
    void deadlineExceededSupportsTimeout() {
        assertTrue(Context.DEADLINE_EXCEEDED.timeout(), "wrong value for timeout");
        assertFalse(Context.CANCELED.timeout());
        assertEquals("context deadline exceeded", Context.DEADLINE_EXCEEDED.getMessage());
        assertEquals("context canceled", Context.CANCELED.getMessage());
    }

    /** context_test.go: TestDeadline's "WithDeadline+now" and "WithDeadline+otherContext+WithDeadline". */
    @Test
    void deadlineNowAndThroughOtherContext() {
        runG(2, () -> {
            var now = Context.withDeadline(Context.background(), Instant.now());
            awaitDone(now.ctx(), "WithDeadline+now");
            assertSame(Context.DEADLINE_EXCEEDED, now.ctx().err());
            now.cancel().run();

            var c = Context.withDeadline(Context.background(), Instant.now().plus(SHORT));
            Context o = new ContextTest.OtherContext(c.ctx());
            var c2 = Context.withDeadline(o, Instant.now().plus(VERY_LONG));
            awaitDone(c2.ctx(), "WithDeadline+otherContext+WithDeadline");
            assertSame(Context.DEADLINE_EXCEEDED, c2.ctx().err());
            c2.cancel().run();
            c.cancel().run();
        });
    }

    private record CauseCase(String name, Supplier<Context> ctx, Throwable err, Throwable cause) {}

    /** context_test.go: TestCause (Go 1.21's table, every row). */
    @Test
    void causeTable() {
        runG(2, () -> {
            Duration forever = Duration.ofSeconds(1_000_000);
            RuntimeException parentCause = new RuntimeException("parentCause");
            RuntimeException childCause = new RuntimeException("childCause");
            RuntimeException tooSlow = new RuntimeException("tooSlow");
            RuntimeException finishedEarly = new RuntimeException("finishedEarly");
            Throwable canceled = Context.CANCELED, exceeded = Context.DEADLINE_EXCEEDED;
            List<CauseCase> cases = List.of(
                    new CauseCase("Background", Context::background, null, null),
                    new CauseCase("TODO", Context::todo, null, null),
                    new CauseCase("WithCancel", () -> {
                        var c = Context.withCancel(Context.background());
                        c.cancel().run();
                        return c.ctx();
                    }, canceled, canceled),
                    new CauseCase("WithCancelCause", () -> {
                        var c = Context.withCancelCause(Context.background());
                        c.cancel().accept(parentCause);
                        return c.ctx();
                    }, canceled, parentCause),
                    new CauseCase("WithCancelCause nil", () -> {
                        var c = Context.withCancelCause(Context.background());
                        c.cancel().accept(null);
                        return c.ctx();
                    }, canceled, canceled),
                    new CauseCase("WithCancelCause: parent cause before child", () -> {
                        var p = Context.withCancelCause(Context.background());
                        var c = Context.withCancelCause(p.ctx());
                        p.cancel().accept(parentCause);
                        c.cancel().accept(childCause);
                        return c.ctx();
                    }, canceled, parentCause),
                    new CauseCase("WithCancelCause: parent cause after child", () -> {
                        var p = Context.withCancelCause(Context.background());
                        var c = Context.withCancelCause(p.ctx());
                        c.cancel().accept(childCause);
                        p.cancel().accept(parentCause);
                        return c.ctx();
                    }, canceled, childCause),
                    new CauseCase("WithCancelCause: parent cause before nil", () -> {
                        var p = Context.withCancelCause(Context.background());
                        var c = Context.withCancel(p.ctx());
                        p.cancel().accept(parentCause);
                        c.cancel().run();
                        return c.ctx();
                    }, canceled, parentCause),
                    new CauseCase("WithCancelCause: parent cause after nil", () -> {
                        var p = Context.withCancelCause(Context.background());
                        var c = Context.withCancel(p.ctx());
                        c.cancel().run();
                        p.cancel().accept(parentCause);
                        return c.ctx();
                    }, canceled, canceled),
                    new CauseCase("WithCancelCause: child cause after nil", () -> {
                        var p = Context.withCancel(Context.background());
                        var c = Context.withCancelCause(p.ctx());
                        p.cancel().run();
                        c.cancel().accept(childCause);
                        return c.ctx();
                    }, canceled, canceled),
                    new CauseCase("WithCancelCause: child cause before nil", () -> {
                        var p = Context.withCancel(Context.background());
                        var c = Context.withCancelCause(p.ctx());
                        c.cancel().accept(childCause);
                        p.cancel().run();
                        return c.ctx();
                    }, canceled, childCause),
                    new CauseCase("WithTimeout", () -> {
                        var c = Context.withTimeout(Context.background(), Duration.ZERO);
                        c.cancel().run();
                        return c.ctx();
                    }, exceeded, exceeded),
                    new CauseCase("WithTimeout canceled", () -> {
                        var c = Context.withTimeout(Context.background(), forever);
                        c.cancel().run();
                        return c.ctx();
                    }, canceled, canceled),
                    new CauseCase("WithTimeoutCause", () -> {
                        var c = Context.withTimeoutCause(Context.background(), Duration.ZERO, tooSlow);
                        c.cancel().run();
                        return c.ctx();
                    }, exceeded, tooSlow),
                    new CauseCase("WithTimeoutCause canceled", () -> {
                        var c = Context.withTimeoutCause(Context.background(), forever, tooSlow);
                        c.cancel().run();
                        return c.ctx();
                    }, canceled, canceled),
                    new CauseCase("WithTimeoutCause stacked", () -> {
                        var p = Context.withCancelCause(Context.background());
                        var c = Context.withTimeoutCause(p.ctx(), Duration.ZERO, tooSlow);
                        p.cancel().accept(finishedEarly);
                        c.cancel().run();
                        return c.ctx();
                    }, exceeded, tooSlow),
                    new CauseCase("WithTimeoutCause stacked canceled", () -> {
                        var p = Context.withCancelCause(Context.background());
                        var c = Context.withTimeoutCause(p.ctx(), forever, tooSlow);
                        p.cancel().accept(finishedEarly);
                        c.cancel().run();
                        return c.ctx();
                    }, canceled, finishedEarly),
                    new CauseCase("WithoutCancel", () -> Context.withoutCancel(Context.background()), null, null),
                    new CauseCase("WithoutCancel canceled", () -> {
                        var p = Context.withCancelCause(Context.background());
                        Context c = Context.withoutCancel(p.ctx());
                        p.cancel().accept(finishedEarly);
                        return c;
                    }, null, null),
                    new CauseCase("WithoutCancel timeout", () -> {
                        var p = Context.withTimeoutCause(Context.background(), Duration.ZERO, tooSlow);
                        Context c = Context.withoutCancel(p.ctx());
                        p.cancel().run();
                        return c;
                    }, null, null));
            for (CauseCase tc : cases) {
                Context ctx = tc.ctx().get();
                assertSame(tc.err(), ctx.err(), tc.name() + ": ctx.Err()");
                assertSame(tc.cause(), Context.cause(ctx), tc.name() + ": Cause(ctx)");
            }
        });
    }

    /**
     * context_test.go: TestCauseRace. Cause is polled (not done) while another goroutine
     * cancels: it is null or the cause, never anything in between.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void causeRace(int procs) {
        runG(procs, () -> {
            RuntimeException cause = new RuntimeException("TestCauseRace");
            var c = Context.withCancelCause(Context.background());
            Go.go(() -> c.cancel().accept(cause));
            long deadline = System.nanoTime() + QUIESCENT.toNanos();
            for (;;) {
                Throwable err = Context.cause(c.ctx());
                if (err != null) {
                    assertSame(cause, err);
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "cancel never happened");
                Go.gosched();
            }
        });
    }

    /** context_test.go: TestWithoutCancel. done() is never ready (Go: nil), no deadline, no err, the values. */
    @Test
    void withoutCancelOfValue() {
        Context ctx = Context.withoutCancel(Context.withValue(Context.background(), "key", "value"));
        assertTrue(ctx.deadline().isEmpty());
        assertSame(CancelCtx.NEVER, ctx.done(), "done() is the never-ready channel (Go: nil)");
        assertNull(ctx.err());
        assertEquals("value", ctx.value("key"));
        assertEquals("context.Background.WithValue(key, value).WithoutCancel", ctx.toString());
    }

    /** context_test.go: myDoneCtx. done() makes a new channel on every call. */
    record MyDoneCtx(Context inner) implements Context {
        @Override public Chan<Void> done() { return Chan.make(0); }
        @Override public Throwable err() { return inner.err(); }
        @Override public Optional<Instant> deadline() { return inner.deadline(); }
        @Override public Object value(Object key) { return inner.value(key); }
    }

    /**
     * context_test.go: TestCustomContextGoroutines, the full sequence: a propagation goroutine
     * exactly for parents whose done() is not the channel of the cancelCtx behind them (myDoneCtx,
     * also over a myCtx over a cancelCtx), none for wrappers (myCtx) of ours, none under a
     * cancelled parent.
     */
    @Test
    void customContextGoroutinesFull() {
        runG(2, () -> {
            int[] g = {CancelCtx.GOROUTINES.get()};
            Runnable checkNoGoroutine = () -> assertEquals(g[0], CancelCtx.GOROUTINES.get(), "goroutines created");
            Runnable checkCreatedGoroutine = () -> {
                assertEquals(g[0] + 1, CancelCtx.GOROUTINES.get(), "goroutines created, want 1");
                g[0]++;
            };
            Context.withCancel(new MyDoneCtx(Context.background())).cancel().run();
            checkCreatedGoroutine.run();
            Context.withTimeout(new MyDoneCtx(Context.background()), VERY_LONG).cancel().run();
            checkCreatedGoroutine.run();
            checkNoGoroutine.run();

            var ctx1 = Context.withCancel(Context.background());
            checkNoGoroutine.run();
            Context ctx2 = new ContextTest.OtherContext(ctx1.ctx()); // myCtx
            var ctx3 = Context.withCancel(ctx2);
            checkNoGoroutine.run();
            var c3b = Context.withCancel(new MyDoneCtx(ctx2));
            checkCreatedGoroutine.run(); // ctx1 is not providing Done, must not be used
            var ctx4 = Context.withTimeout(ctx3.ctx(), VERY_LONG);
            checkNoGoroutine.run();
            var ctx5 = Context.withCancel(ctx4.ctx());
            checkNoGoroutine.run();
            ctx5.cancel().run();
            checkNoGoroutine.run();
            var c6 = Context.withTimeout(ctx5.ctx(), VERY_LONG);
            checkNoGoroutine.run();
            c6.cancel().run();
            ctx1.cancel().run();
            var c7 = Context.withCancel(ctx5.ctx());
            checkNoGoroutine.run();
            for (Runnable cancel : List.of(c7.cancel(), c3b.cancel(), ctx4.cancel(), ctx3.cancel())) {
                cancel.run();
            }
            checkNoGoroutine.run();
        });
    }

    /** A Context whose done() is its own channel, not its embedded context's (context_test.go: customDoneContext). */
    record CustomDoneContext(Context inner, Chan<Void> donec) implements Context {
        @Override public Chan<Void> done() { return donec; }
        @Override public Throwable err() { return inner.err(); }
        @Override public Optional<Instant> deadline() { return inner.deadline(); }
        @Override public Object value(Object key) { return inner.value(key); }
    }

    /**
     * context_test.go: TestCustomContextPropagation. A child of a custom context (own done
     * channel) over a WithCancelCause context gets the inner context's cause.
     */
    @Test
    void customContextPropagation() {
        runG(2, () -> {
            RuntimeException cause = new RuntimeException("TestCustomContextPropagation");
            Chan<Void> donec = Chan.make(0);
            var ctx1 = Context.withCancelCause(Context.background());
            Context ctx2 = new CustomDoneContext(ctx1.ctx(), donec);
            var ctx3 = Context.withCancel(ctx2);
            ctx1.cancel().accept(cause);
            donec.close();
            awaitDone(ctx3.ctx(), "ctx3.Done()");
            assertSame(Context.CANCELED, ctx3.ctx().err(), "child not canceled");
            assertSame(cause, Context.cause(ctx3.ctx()), "child has wrong cause");
            ctx3.cancel().run();
        });
    }

    /** context_test.go: customCauseContext. A foreign Context that cancels one registered child itself. */
    static final class CustomCauseContext implements Context {
        private final Mutex mu = new Mutex();
        private final Chan<Void> done = Chan.make(0);
        private Throwable err;
        private Runnable cancelChild;

        @Override
        public Optional<Instant> deadline() {
            return Optional.empty();
        }

        @Override
        public Chan<Void> done() {
            return done;
        }

        @Override
        public Throwable err() {
            mu.lock();
            try {
                return err;
            } finally {
                mu.unlock();
            }
        }

        @Override
        public Object value(Object key) {
            return null;
        }

        void cancel() {
            Runnable child;
            mu.lock();
            try {
                err = Context.CANCELED;
                done.close();
                child = cancelChild;
            } finally {
                mu.unlock();
            }
            if (child != null) {
                child.run();
            }
        }
    }

    /**
     * context_test.go: TestCustomContextCause. Cause of a custom context is its err(); a
     * WithCancelCause child keeps its own cause when the custom parent is cancelled later; a child
     * the custom context cancels itself has cause CANCELED.
     */
    @Test
    void customContextCause() {
        runG(2, () -> {
            CustomCauseContext ccc = new CustomCauseContext();
            ccc.cancel();
            assertSame(Context.CANCELED, ccc.err());
            assertSame(Context.CANCELED, Context.cause(ccc));

            ccc = new CustomCauseContext();
            var ctx = Context.withCancelCause(ccc);
            RuntimeException cause = new RuntimeException("TestCustomContextCause");
            ctx.cancel().accept(cause);
            assertSame(Context.CANCELED, ctx.ctx().err());
            assertSame(cause, Context.cause(ctx.ctx()));
            assertNull(ccc.err(), "the custom parent was cancelled by its child");
            assertNull(Context.cause(ccc));
            ccc.cancel();
            assertSame(Context.CANCELED, ctx.ctx().err());
            assertSame(cause, Context.cause(ctx.ctx()));
            assertSame(Context.CANCELED, ccc.err());
            assertSame(Context.CANCELED, Context.cause(ccc));

            ccc = new CustomCauseContext();
            var ctx2 = Context.withCancel(ccc);
            ccc.cancelChild = ctx2.cancel();
            ccc.cancel();
            assertSame(Context.CANCELED, ctx2.ctx().err());
            assertSame(Context.CANCELED, Context.cause(ctx2.ctx()));
            assertSame(Context.CANCELED, ccc.err());
            assertSame(Context.CANCELED, Context.cause(ccc));
        });
    }

    /**
     * context_test.go: TestAfterFuncCalledAfterCancel. f does not run before cancel (checked for
     * 50 ms: a bound on "not yet", not a synchronisation), runs after it, and stop then returns
     * false.
     */
    @Test
    void afterFuncCalledAfterCancel() {
        runG(2, () -> {
            var c = Context.withCancel(Context.background());
            Chan<Void> donec = Chan.make(0);
            var stop = Context.afterFunc(c.ctx(), donec::close);
            assertFalse(readyWithin(donec, Duration.ofMillis(50)), "AfterFunc called before context is done");
            c.cancel().run();
            awaitClosed(donec, "AfterFunc after cancel");
            assertFalse(stop.stop(), "stop() = true, want false");
        });
    }

    /** context_test.go: TestAfterFuncCalledAfterTimeout. */
    @Test
    void afterFuncCalledAfterTimeout() {
        runG(2, () -> {
            var c = Context.withTimeout(Context.background(), SHORT);
            Chan<Void> donec = Chan.make(0);
            Context.afterFunc(c.ctx(), donec::close);
            awaitClosed(donec, "AfterFunc after the timeout");
            c.cancel().run();
        });
    }

    /**
     * context_test.go: TestAfterFuncNotCalledAfterStop. stop before cancel returns true, f never
     * runs (checked for 50 ms after the cancel, then again once every goroutine has exited), and a
     * second stop returns false.
     */
    @Test
    void afterFuncNotCalledAfterStop() {
        AtomicBoolean ran = new AtomicBoolean();
        runG(2, () -> {
            var c = Context.withCancel(Context.background());
            Chan<Void> donec = Chan.make(0);
            var stop = Context.afterFunc(c.ctx(), () -> {
                ran.set(true);
                donec.close();
            });
            assertTrue(stop.stop(), "stop() = false, want true");
            c.cancel().run();
            assertFalse(readyWithin(donec, Duration.ofMillis(50)), "AfterFunc called after stop");
            assertFalse(stop.stop(), "stop() = true, want false");
        });
        assertFalse(ran.get(), "AfterFunc called after stop");
    }

    /**
     * context_test.go: TestAfterFuncCalledAsynchronously. cancel does not wait for f: f blocks on
     * an unbuffered send that only the canceller receives, after cancel returned.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void afterFuncCalledAsynchronously(int procs) {
        runG(procs, () -> {
            var c = Context.withCancel(Context.background());
            Chan<Integer> donec = Chan.make(0);
            var stop = Context.afterFunc(c.ctx(), () -> donec.send(1));
            try {
                c.cancel().run(); // f blocks in send until we receive: cancel returning proves it did not wait
                Timer t = Time.newTimer(QUIESCENT);
                int chosen = Select.select(donec.onRecv(v -> {}), t.c().onRecv(v -> {}));
                t.stop();
                assertEquals(0, chosen, "AfterFunc not called after context is canceled");
            } finally {
                stop.stop();
            }
        });
    }

    /**
     * afterfunc_test.go: TestCustomContextAfterFuncCancel, ...Timeout, ...AfterFunc. Children and
     * AfterFuncs of a foreign context (gmp4j has no afterFuncer fast path: a watcher goroutine)
     * follow its cancellation.
     */
    @Test
    void customContextAfterFuncCancel() {
        runG(2, () -> {
            CustomCauseContext ctx0 = new CustomCauseContext();
            var ctx1 = Context.withCancel(ctx0);
            var ctx2 = Context.withTimeout(ctx0, VERY_LONG);
            Chan<Void> donec = Chan.make(0);
            var stop = Context.afterFunc(ctx0, donec::close);
            ctx0.cancel();
            awaitDone(ctx1.ctx(), "WithCancel child of a custom context");
            awaitDone(ctx2.ctx(), "WithTimeout child of a custom context");
            awaitClosed(donec, "AfterFunc of a custom context");
            assertSame(Context.CANCELED, ctx2.ctx().err());
            assertFalse(stop.stop());
            ctx1.cancel().run();
            ctx2.cancel().run();
        });
    }

    /**
     * afterfunc_test.go: TestCustomContextAfterFuncUnregisterCancel, ...UnregisterTimeout,
     * ...UnregisterAfterFunc, observable part: cancelling the children and stopping the
     * AfterFunc of a live foreign context ends every watcher goroutine (runG checks that the
     * goroutine count is back to its start), and f never runs.
     */
    @Test
    void customContextAfterFuncUnregister() {
        AtomicBoolean ran = new AtomicBoolean();
        runG(2, () -> {
            CustomCauseContext ctx0 = new CustomCauseContext();
            int before = CancelCtx.GOROUTINES.get();
            var c1 = Context.withCancel(ctx0);
            var c2 = Context.withCancel(ctx0);
            var t = Context.withTimeout(ctx0, VERY_LONG);
            var stop = Context.afterFunc(ctx0, () -> ran.set(true));
            assertEquals(4, CancelCtx.GOROUTINES.get() - before, "one watcher per child of a foreign context");
            c1.cancel().run();
            c2.cancel().run();
            t.cancel().run();
            assertTrue(stop.stop());
            assertNull(ctx0.err());
        });
        assertFalse(ran.get(), "a stopped AfterFunc ran");
    }
}
