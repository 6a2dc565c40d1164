package io.gmp4j.context;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.sync.WaitGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of Go's context/context_test.go (x_test.go in Go 1.19+, plus the 1.20/1.21 additions). */
@ExtendWith(GoLeakCheck.class)
class ContextTest {

    static boolean isDone(Context c) {
        return Select.select(c.done().onRecv(v -> {}), Select.onDefault(() -> {})) == 0;
    }

    /** A Context implementation the package does not know (context_test.go: otherContext). */
    record OtherContext(Context inner) implements Context {
        @Override public Chan<Void> done() { return inner.done(); }
        @Override public Throwable err() { return inner.err(); }
        @Override public Optional<Instant> deadline() { return inner.deadline(); }
        @Override public Object value(Object key) { return inner.value(key); }
    }

    /** x_test.go: TestBackground, TestTODO. */
    @Test
    void backgroundAndTodo() {
        for (Context c : new Context[] {Context.background(), Context.todo()}) {
            assertNotNull(c);
            assertFalse(isDone(c));
            assertNull(c.err());
            assertTrue(c.deadline().isEmpty());
        }
        assertEquals("context.Background", Context.background().toString());
        assertEquals("context.TODO", Context.todo().toString());
    }

    /**
     * Go's Done() is a {@code <-chan struct{}}: close(ctx.Done()) and ctx.Done() <- v do not
     * compile. Java lets a caller try: each panics and leaves the context intact, so cancel still
     * closes done and reaches the children (a user's close made cancel panic "close of closed
     * channel" and left every child uncancelled for good).
     */
    @Test
    void doneIsReceiveOnly() {
        runG(2, () -> {
            var parent = Context.withCancel(Context.background());
            var child = Context.withCancel(parent.ctx());
            var timed = Context.withTimeout(parent.ctx(), Duration.ofHours(1));
            for (Context c : new Context[] {parent.ctx(), child.ctx(), timed.ctx()}) {
                Chan<Void> d = c.done();
                assertEquals("close of receive-only channel",
                        assertThrows(io.gmp4j.GoPanic.class, d::close).getMessage());
                assertEquals("send to receive-only channel",
                        assertThrows(io.gmp4j.GoPanic.class, () -> d.send(null)).getMessage());
                assertEquals("send to receive-only channel",
                        assertThrows(io.gmp4j.GoPanic.class, () -> d.trySend(null)).getMessage());
                assertEquals("send to receive-only channel",
                        assertThrows(io.gmp4j.GoPanic.class, () -> d.onSend(null, null)).getMessage());
                assertFalse(isDone(c));
                assertNull(c.err());
            }
            parent.cancel().run();
            for (Context c : new Context[] {parent.ctx(), child.ctx(), timed.ctx()}) {
                assertNull(c.done().recv()); // closed: returns at once
                assertSame(Context.CANCELED, c.err());
                assertEquals("close of receive-only channel",
                        assertThrows(io.gmp4j.GoPanic.class, c.done()::close).getMessage());
            }
            child.cancel().run();
            timed.cancel().run();
            // A context cancelled before anyone asked for done() shares context.go's closedchan.
            var early = Context.withCancel(Context.background());
            early.cancel().run();
            assertEquals("close of receive-only channel",
                    assertThrows(io.gmp4j.GoPanic.class, early.ctx().done()::close).getMessage());
            assertFalse(early.ctx().done().recvOk().ok());
        });
    }

    /** A null deadline is refused before the child is registered with its parent (no stale child). */
    @Test
    void nullDeadlineLeavesNoChild() {
        runG(1, () -> {
            var parent = Context.withCancel(Context.background());
            CancelCtx p = (CancelCtx) parent.ctx();
            assertThrows(NullPointerException.class, () -> Context.withDeadline(parent.ctx(), null));
            assertThrows(NullPointerException.class, () -> Context.withDeadlineCause(parent.ctx(), null, new Exception()));
            assertEquals(0, p.numChildren());
            parent.cancel().run();
        });
    }

    /** x_test.go: TestWithCancel. Cancelling c1 reaches c2 through an unknown context type. */
    @Test
    void withCancel() {
        runG(2, () -> {
            int goroutinesBefore = CancelCtx.GOROUTINES.get();
            var c1 = Context.withCancel(Context.background());
            assertEquals("context.Background.WithCancel", c1.ctx().toString());
            Context o = new OtherContext(c1.ctx());
            var c2 = Context.withCancel(o);
            Context[] contexts = {c1.ctx(), o, c2.ctx()};
            for (Context c : contexts) {
                assertFalse(isDone(c), "done too early");
                assertNull(c.err());
            }
            c1.cancel().run();
            for (int i = 0; i < contexts.length; i++) {
                Context c = contexts[i];
                c.done().recv(); // blocks until closed (the foreign link goes through a goroutine)
                assertSame(Context.CANCELED, c.err(), "context " + i);
            }
            assertEquals(0, CancelCtx.GOROUTINES.get() - goroutinesBefore, "a wrapper exposing our done channel needs no goroutine");
            c2.cancel().run();
        });
    }

    /**
     * x_test.go: TestCustomContextGoroutines. A parent whose done() is its own channel is watched
     * by one goroutine, which exits when either side is cancelled.
     */
    @Test
    void customContextGoroutines() {
        runG(2, () -> {
            int before = CancelCtx.GOROUTINES.get();
            Chan<Void> myDone = Chan.make(0);
            java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
            Context custom = new Context() {
                @Override public Chan<Void> done() { return myDone; }
                @Override public Throwable err() { return closed.get() ? Context.CANCELED : null; }
                @Override public Optional<Instant> deadline() { return Optional.empty(); }
                @Override public Object value(Object key) { return null; }
            };
            var c1 = Context.withCancel(custom);
            assertEquals(1, CancelCtx.GOROUTINES.get() - before, "a foreign done channel needs a goroutine");
            var c2 = Context.withCancel(custom);
            assertEquals(2, CancelCtx.GOROUTINES.get() - before);
            c1.cancel().run(); // its watcher exits through the child's done
            closed.set(true);
            myDone.close(); // c2's watcher cancels c2
            c2.ctx().done().recv();
            assertSame(Context.CANCELED, c2.ctx().err());
        });
    }

    /** x_test.go: TestParentFinishesChild. Cancelling the parent cancels and unregisters every child. */
    @Test
    void parentFinishesChild() {
        runG(2, () -> {
            int goroutinesBefore = CancelCtx.GOROUTINES.get();
            var parent = Context.withCancel(Context.background());
            var cancelChild = Context.withCancel(parent.ctx());
            var valueChild = Context.withValue(parent.ctx(), "key", "value");
            var timerChild = Context.withTimeout(valueChild, Duration.ofHours(1));
            var afterChild = Context.afterFunc(parent.ctx(), () -> {});
            assertEquals(0, CancelCtx.GOROUTINES.get() - goroutinesBefore, "no goroutine for known types");
            CancelCtx p = (CancelCtx) parent.ctx();
            assertEquals(3, p.childrenForTest(), "cancelChild, timerChild (through the value), afterFunc");
            parent.cancel().run();
            for (Context c : new Context[] {parent.ctx(), cancelChild.ctx(), valueChild, timerChild.ctx()}) {
                assertTrue(isDone(c), c + " not done");
                assertSame(Context.CANCELED, c.err());
            }
            assertEquals(0, p.childrenForTest(), "children not removed");
            assertFalse(afterChild.stop(), "afterFunc ran, so stop is false");
            // Cancelling a cancelled context again changes nothing.
            parent.cancel().run();
            cancelChild.cancel().run();
            timerChild.cancel().run();
        });
    }

    /** x_test.go: TestChildFinishesFirst. A child cancelled first leaves its parent and the parent is unaffected. */
    @Test
    void childFinishesFirst() {
        runG(2, () -> {
            var parent = Context.withCancel(Context.background());
            var child = Context.withCancel(parent.ctx());
            CancelCtx p = (CancelCtx) parent.ctx();
            assertEquals(1, p.childrenForTest());
            child.cancel().run();
            assertEquals(0, p.childrenForTest(), "child not removed from its parent");
            assertTrue(isDone(child.ctx()));
            assertFalse(isDone(parent.ctx()), "parent cancelled by its child");
            parent.cancel().run();
        });
    }

    /**
     * A context tree cancelled from the middle: cancelling a node cancels its whole subtree and
     * nothing above or beside it. Three levels, fan-out 3, including value and timeout nodes.
     */
    @Test
    void treeCancelledFromTheMiddle() {
        runG(2, () -> {
            var root = Context.withCancel(Context.background());
            List<Context> mid = new ArrayList<>();
            List<Runnable> midCancel = new ArrayList<>();
            List<List<Context>> leaves = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                var m = Context.withTimeout(Context.withValue(root.ctx(), "level", i), Duration.ofHours(1));
                mid.add(m.ctx());
                midCancel.add(m.cancel());
                List<Context> ls = new ArrayList<>();
                for (int j = 0; j < 3; j++) {
                    ls.add(Context.withCancel(m.ctx()).ctx());
                    ls.add(Context.withValue(Context.withCancel(m.ctx()).ctx(), "leaf", j));
                }
                leaves.add(ls);
            }
            // Goroutines waiting in select on the leaves of the middle subtree.
            WaitGroup wg = new WaitGroup();
            AtomicInteger woke = new AtomicInteger();
            for (Context leaf : leaves.get(1)) {
                wg.add(1);
                Go.go(() -> {
                    leaf.done().recv();
                    woke.incrementAndGet();
                    wg.done();
                });
            }
            midCancel.get(1).run();
            wg.await();
            assertEquals(leaves.get(1).size(), woke.get());
            assertSame(Context.CANCELED, mid.get(1).err());
            assertEquals(1, mid.get(1).value("level"));
            for (int i : new int[] {0, 2}) {
                assertFalse(isDone(mid.get(i)), "sibling subtree cancelled");
                for (Context leaf : leaves.get(i)) {
                    assertFalse(isDone(leaf));
                }
            }
            assertFalse(isDone(root.ctx()), "ancestor cancelled by a descendant");
            root.cancel().run();
            for (List<Context> ls : leaves) {
                for (Context leaf : ls) {
                    assertTrue(isDone(leaf));
                }
            }
        });
    }

    /**
     * A chain of 50,000 nested contexts (a loop that derives each context from the last): Go's
     * stack grows to 1 GB, so creating, querying and cancelling it works there. Cancelling the
     * root overflowed the JVM's stack in the recursion from parent to child, leaving a context's
     * lock held, so that the next done() hung; a ValueCtx's done, err and deadline recursed too.
     */
    @Test
    void deepChain() {
        runG(2, () -> {
            int depth = 50_000;
            int timersBefore = io.gmp4j.internal.runtime.Export.timersPending();
            var root = Context.withCancelCause(Context.background());
            Instant far = Instant.now().plus(Duration.ofDays(1));
            List<Context> chain = new ArrayList<>(depth);
            Context c = root.ctx();
            for (int i = 0; i < depth; i++) {
                c = switch (i % 4) {
                    case 0 -> Context.withCancel(c).ctx();
                    case 1 -> Context.withValue(c, "k", i);
                    case 2 -> Context.withDeadline(c, far.minusMillis(i)).ctx(); // sooner each time: a timer each
                    default -> Context.withCancelCause(c).ctx();
                };
                chain.add(c);
            }
            Context leaf = Context.withValue(Context.withValue(c, "a", 1), "b", 2); // value over value over cancel
            assertEquals(Optional.of(far.minusMillis(depth - 2)), leaf.deadline());
            assertEquals(depth - 3, leaf.value("k"));
            assertNull(leaf.err());
            assertFalse(isDone(leaf));
            WaitGroup ran = new WaitGroup();
            ran.add(1);
            Context.afterFunc(leaf, ran::done);
            var leafChild = Context.withCancel(leaf);
            RuntimeException why = new RuntimeException("why");
            root.cancel().accept(why);
            ran.await();
            for (Context x : chain) {
                assertSame(Context.CANCELED, x.err());
                assertSame(why, Context.cause(x));
            }
            assertTrue(isDone(leaf));
            assertTrue(isDone(leafChild.ctx()));
            assertSame(why, Context.cause(leafChild.ctx()));
            assertEquals(timersBefore, io.gmp4j.internal.runtime.Export.timersPending(), "the deadlines' timers were not stopped");
            leafChild.cancel().run();
        });
    }

    /** x_test.go: TestDeadline, TestTimeout. The context is done with DEADLINE_EXCEEDED within a bound. */
    @Test
    void deadlineAndTimeout() {
        runG(2, () -> {
            long t0 = System.nanoTime();
            var c = Context.withDeadline(Context.background(), Instant.now().plusMillis(50));
            assertTrue(c.ctx().toString().startsWith("context.Background.WithDeadline("));
            // Go's Time.String and Duration.String: "...WithDeadline(2026-12-06 11:25:02.1234 +0000 UTC [49.91ms])"
            assertTrue(c.ctx().toString().matches(
                    "context\\.Background\\.WithDeadline\\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)? [+-]\\d{4} \\S+ \\[-?[0-9.]+(ms|µs|ns|s)\\]\\)"),
                    c.ctx().toString());
            c.ctx().done().recv();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 45 && ms < 5000, "deadline fired after " + ms + " ms");
            assertSame(Context.DEADLINE_EXCEEDED, c.ctx().err());
            assertTrue(((ContextException) c.ctx().err()).timeout());
            c.cancel().run();

            var t = Context.withTimeout(Context.background(), Duration.ofMillis(20));
            var inner = Context.withTimeout(t.ctx(), Duration.ofHours(1)); // parent's deadline is sooner
            assertEquals(t.ctx().deadline(), inner.ctx().deadline());
            inner.ctx().done().recv();
            assertSame(Context.DEADLINE_EXCEEDED, inner.ctx().err());
            inner.cancel().run();
            t.cancel().run();

            var past = Context.withDeadline(Context.background(), Instant.now().minusSeconds(1));
            assertTrue(isDone(past.ctx()));
            assertSame(Context.DEADLINE_EXCEEDED, past.ctx().err());
            past.cancel().run();
        });
    }

    /** x_test.go: TestCanceledTimeout. Cancelling before the timeout gives CANCELED. */
    @Test
    void canceledTimeout() {
        runG(2, () -> {
            var c = Context.withTimeout(Context.background(), Duration.ofSeconds(1));
            var o = new OtherContext(c.ctx());
            var c2 = Context.withTimeout(o, Duration.ofSeconds(2));
            c2.cancel().run();
            c2.ctx().done().recv();
            assertSame(Context.CANCELED, c2.ctx().err());
            assertNull(c.ctx().err());
            c.cancel().run();
        });
    }

    /** x_test.go: TestValues. */
    @Test
    void values() {
        Context c0 = Context.background();
        Context c1 = Context.withValue(c0, "k1", "c1k1");
        Context c2 = Context.withValue(c1, "k2", "c2k2");
        Context c3 = Context.withValue(c2, "k3", "c3k3");
        Context c4 = Context.withValue(c3, "k1", null);
        Context o0 = new OtherContext(Context.background());
        Context o1 = new OtherContext(Context.withValue(Context.background(), "k1", "c1k1"));
        assertNull(c0.value("k1"));
        assertEquals("c1k1", c1.value("k1"));
        assertEquals("c1k1", c3.value("k1"));
        assertEquals("c2k2", c3.value("k2"));
        assertEquals("c3k3", c3.value("k3"));
        assertNull(c4.value("k1"), "a nil value shadows the ancestor's");
        assertEquals("c2k2", c4.value("k2"));
        assertNull(o0.value("k1"));
        assertEquals("c1k1", o1.value("k1"));
        var cc = Context.withCancel(c3);
        assertEquals("c2k2", cc.ctx().value("k2"));
        cc.cancel().run();
        assertThrows(io.gmp4j.GoPanic.class, () -> Context.withValue(c0, null, "x"));
    }

    /** x_test.go: TestCause (Go 1.20). */
    @Test
    void cause() {
        runG(2, () -> {
            RuntimeException cause = new RuntimeException("custom cause");
            var c = Context.withCancelCause(Context.background());
            var child = Context.withCancel(c.ctx());
            assertNull(Context.cause(c.ctx()));
            c.cancel().accept(cause);
            assertSame(Context.CANCELED, c.ctx().err());
            assertSame(cause, Context.cause(c.ctx()));
            assertSame(cause, Context.cause(child.ctx()), "the cause reaches descendants");
            c.cancel().accept(new RuntimeException("second")); // the first cancel wins
            assertSame(cause, Context.cause(c.ctx()));
            var plain = Context.withCancel(Context.background());
            plain.cancel().run();
            assertSame(Context.CANCELED, Context.cause(plain.ctx()));
            var d = Context.withTimeoutCause(Context.background(), Duration.ofMillis(1), cause);
            d.ctx().done().recv();
            assertSame(Context.DEADLINE_EXCEEDED, d.ctx().err());
            assertSame(cause, Context.cause(d.ctx()));
            d.cancel().run();
            child.cancel().run();
        });
    }

    /** x_test.go: TestAfterFuncCalledAfterCancel, TestAfterFuncNotCalledAfterStop, TestAfterFuncCalledImmediately. */
    @Test
    void afterFunc() {
        runG(2, () -> {
            var c = Context.withCancel(Context.background());
            WaitGroup called = new WaitGroup();
            called.add(1);
            var stop = Context.afterFunc(c.ctx(), called::done);
            c.cancel().run();
            called.await();
            assertFalse(stop.stop(), "stop after f ran");

            var c2 = Context.withCancel(Context.background());
            AtomicInteger runs = new AtomicInteger();
            var stop2 = Context.afterFunc(c2.ctx(), runs::incrementAndGet);
            assertTrue(stop2.stop(), "stop before cancel");
            assertFalse(stop2.stop(), "second stop");
            c2.cancel().run();
            assertEquals(0, ((CancelCtx) c2.ctx()).childrenForTest());

            WaitGroup now = new WaitGroup();
            now.add(1);
            Context.afterFunc(c.ctx(), now::done); // already cancelled: runs at once
            now.await();
            // f never ran for c2: check after every goroutine started by this test has exited.
            assertEquals(0, runs.get());
        });
    }

    /** x_test.go: TestWithoutCancel (Go 1.21). */
    @Test
    void withoutCancel() {
        runG(2, () -> {
            var parent = Context.withCancelCause(Context.withValue(Context.background(), "key", "value"));
            Context c = Context.withoutCancel(parent.ctx());
            parent.cancel().accept(new RuntimeException("why"));
            assertFalse(isDone(c));
            assertNull(c.err());
            assertNull(Context.cause(c));
            assertEquals("value", c.value("key"));
            assertTrue(c.deadline().isEmpty());
            var child = Context.withCancel(c);
            assertFalse(isDone(child.ctx()), "a child of withoutCancel is not cancelled by the old parent");
            child.cancel().run();
        });
    }

    /**
     * context.go: contextName. A derived context names a parent of another type by the parent's
     * String (an overridden toString), or else by its type's name: never Object's toString with
     * its identity hash, which Go has no counterpart of.
     */
    @Test
    void foreignParentName() {
        runG(2, () -> {
            Context plain = new Context() { // no toString of its own
                @Override public Chan<Void> done() { return Chan.nil(); }
                @Override public Throwable err() { return null; }
                @Override public Optional<Instant> deadline() { return Optional.empty(); }
                @Override public Object value(Object key) { return null; }
            };
            String type = plain.getClass().getName();
            var c = Context.withCancel(plain);
            assertEquals(type + ".WithCancel", c.ctx().toString());
            assertEquals(type + ".WithValue(k, v)", Context.withValue(plain, "k", "v").toString());
            assertEquals(type + ".WithoutCancel", Context.withoutCancel(plain).toString());
            var d = Context.withTimeout(plain, Duration.ofHours(1));
            assertTrue(d.ctx().toString().startsWith(type + ".WithDeadline("), d.ctx().toString());
            Context named = new OtherContext(Context.background()); // a record: its toString is its String
            assertEquals(named + ".WithoutCancel", Context.withoutCancel(named).toString());
            c.cancel().run();
            d.cancel().run();
        });
    }

    /**
     * context.go: the String methods. Go's chain of String calls works at any depth (its stack
     * grows); each context's toString called its parent's, so a chain of 10,000 derived
     * contexts threw StackOverflowError. The name is the same as level by level.
     */
    @Test
    void deepChainName() {
        runG(2, () -> {
            int depth = 10_000;
            Context c = Context.background();
            StringBuilder want = new StringBuilder("context.Background");
            List<Runnable> cancels = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                switch (i % 3) {
                    case 0 -> {
                        c = Context.withValue(c, "k", i);
                        want.append(".WithValue(k, ").append(i).append(')');
                    }
                    case 1 -> {
                        var w = Context.withCancel(c);
                        cancels.add(w.cancel());
                        c = w.ctx();
                        want.append(".WithCancel");
                    }
                    default -> {
                        c = Context.withoutCancel(c);
                        want.append(".WithoutCancel");
                    }
                }
            }
            assertEquals(want.toString(), c.toString());
            var t = Context.withTimeout(c, Duration.ofHours(1));
            String s = t.ctx().toString();
            assertTrue(s.startsWith(want + ".WithDeadline("), s.substring(Math.max(0, s.length() - 200)));
            t.cancel().run();
            cancels.forEach(Runnable::run);
        });
    }

    /** done() is usable in select alongside other channels. */
    @Test
    void doneInSelect() {
        runG(2, () -> {
            var c = Context.withCancel(Context.background());
            Chan<Integer> work = Chan.make(0);
            Go.go(c.cancel());
            int chosen = Select.select(work.onRecv(v -> fail("no work was sent")), c.ctx().done().onRecv(v -> {}));
            assertEquals(1, chosen);
        });
    }
}
