package io.gmp4j.xsync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ports of the golang.org/x/sync/errgroup/errgroup_test.go tests that {@link ErrGroupTest} does
 * not cover in Go's shape. ExampleGroup_justErrors is not ported: it fetches URLs over the
 * network and has no Output to check (Go compiles it without running it).
 */
@ExtendWith(GoLeakCheck.class)
class ErrGroupPortTest {

    /** errgroup_test.go: TestWithContext, Go's table: the context is done after Wait in every row. */
    @Test
    void withContextTable() {
        runG(2, () -> {
            Exception errDoom = new Exception("group_test: doomed");
            Exception[][] errs = {{}, {null}, {errDoom}, {errDoom, null}};
            Exception[] want = {null, null, errDoom, errDoom};
            for (int i = 0; i < errs.length; i++) {
                ErrGroup.WithContext wc = ErrGroup.withContext(Context.background());
                for (Exception err : errs[i]) {
                    wc.group().go(() -> {
                        if (err != null) {
                            throw err;
                        }
                    });
                }
                assertSame(want[i], wc.group().await(), "row " + i);
                boolean[] canceled = {false};
                Select.select(wc.ctx().done().onRecv(v -> canceled[0] = true), Select.onDefault(() -> {}));
                assertTrue(canceled[0], "row " + i + ": ctx.Done() was not closed");
            }
        });
    }

    /** errgroup_test.go: TestTryGo. */
    @Test
    void tryGo() {
        runG(2, () -> {
            ErrGroup g = new ErrGroup();
            int n = 42;
            g.setLimit(42);
            Chan<Object> ch = Chan.make(0);
            ErrGroup.Func fn = () -> ch.send(new Object());
            for (int i = 0; i < n; i++) {
                assertTrue(g.tryGo(fn), "TryGo should succeed but got fail at " + i + "-th call.");
            }
            assertFalse(g.tryGo(fn), "TryGo is expected to fail but succeeded.");
            Go.go(() -> {
                for (int i = 0; i < n; i++) {
                    ch.recv();
                }
            });
            g.await();

            assertTrue(g.tryGo(fn), "TryGo should success but got fail after all goroutines.");
            Go.go(ch::recv);
            g.await();

            // Switch limit.
            g.setLimit(1);
            assertTrue(g.tryGo(fn), "TryGo should success but got failed.");
            assertFalse(g.tryGo(fn), "TryGo should fail but succeeded.");
            Go.go(ch::recv);
            g.await();

            // Block all calls.
            g.setLimit(0);
            for (int i = 0; i < 1 << 10; i++) {
                assertFalse(g.tryGo(fn), "TryGo should fail but got succeeded.");
            }
            g.await();
        });
    }

    /** errgroup_test.go: TestGoLimit. No more than limit functions run at once. */
    @Test
    void goLimit() {
        runG(2, () -> {
            int limit = 10;
            ErrGroup g = new ErrGroup();
            g.setLimit(limit);
            AtomicInteger active = new AtomicInteger();
            for (int i = 0; i <= 1 << 10; i++) {
                g.go(() -> {
                    int n = active.incrementAndGet();
                    if (n > limit) {
                        throw new Exception("saw " + n + " active goroutines; want ≤ " + limit);
                    }
                    Time.sleep(Duration.ofNanos(1000)); // Give other goroutines a chance to increment active.
                    active.decrementAndGet();
                });
            }
            assertNull(g.await());
        });
    }

    /** errgroup_test.go: TestCancelCause. Cause(ctx) is the first error, or Canceled after Wait. */
    @Test
    void cancelCause() {
        runG(2, () -> {
            Exception errDoom = new Exception("group_test: doomed");
            Exception[][] errs = {{}, {null}, {errDoom}, {errDoom, null}};
            Throwable[] want = {null, null, errDoom, errDoom};
            for (int i = 0; i < errs.length; i++) {
                ErrGroup.WithContext wc = ErrGroup.withContext(Context.background());
                for (Exception err : errs[i]) {
                    wc.group().tryGo(() -> {
                        if (err != null) {
                            throw err;
                        }
                    });
                }
                assertSame(want[i], wc.group().await(), "row " + i + ": g.Wait()");
                Throwable wantCause = want[i] == null ? Context.CANCELED : want[i];
                assertSame(wantCause, Context.cause(wc.ctx()), "row " + i + ": context.Cause(ctx)");
            }
        });
    }

    /** errgroup_test.go: fakeSearch's Search: a function of a context and a query. */
    @FunctionalInterface
    interface Search {
        String search(Context ctx, String query) throws Exception;
    }

    static Search fakeSearch(String kind) {
        return (ctx, query) -> kind + " result for \"" + query + "\"";
    }

    /** errgroup_test.go: ExampleGroup_parallel ("Google Search 2.0" with a Context). */
    @Test
    void exampleGroupParallel() {
        runG(2, () -> {
            Search[] searches = {fakeSearch("web"), fakeSearch("image"), fakeSearch("video")};
            String[] results = new String[searches.length];
            ErrGroup.WithContext wc = ErrGroup.withContext(Context.background());
            for (int i = 0; i < searches.length; i++) {
                int idx = i;
                wc.group().go(() -> results[idx] = searches[idx].search(wc.ctx(), "golang"));
            }
            assertNull(wc.group().await());
            List<String> out = new ArrayList<>(List.of(results));
            assertEquals(List.of(
                    "web result for \"golang\"",
                    "image result for \"golang\"",
                    "video result for \"golang\""), out);
        });
    }
}
