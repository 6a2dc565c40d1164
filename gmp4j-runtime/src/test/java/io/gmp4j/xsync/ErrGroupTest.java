package io.gmp4j.xsync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.GoPanic;
import io.gmp4j.context.Context;
import io.gmp4j.sync.WaitGroup;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ports of golang.org/x/sync/errgroup/errgroup_test.go. */
@ExtendWith(GoLeakCheck.class)
class ErrGroupTest {

    /** errgroup_test.go: TestZeroGroup. await returns the first error; null when none failed. */
    @Test
    void zeroGroup() {
        runG(2, () -> {
            Exception err1 = new Exception("errgroup_test: 1");
            Exception err2 = new Exception("errgroup_test: 2");
            Exception[][] cases = {{}, {null}, {err1}, {err1, null}, {err1, null, err2}};
            for (Exception[] errs : cases) {
                ErrGroup g = new ErrGroup();
                Exception firstErr = null;
                for (int i = 0; i < errs.length; i++) {
                    Exception err = errs[i];
                    g.go(() -> {
                        if (err != null) {
                            throw err;
                        }
                    });
                    if (firstErr == null && err != null) {
                        firstErr = err;
                    }
                    Throwable gErr = g.await();
                    assertSame(firstErr, gErr, "after " + (i + 1) + " calls");
                }
            }
        });
    }

    /** errgroup_test.go: TestWithContext. The first error cancels the context with that cause. */
    @Test
    void withContext() {
        runG(2, () -> {
            Exception errDoom = new Exception("group_test: doomed");
            ErrGroup.WithContext wc = ErrGroup.withContext(Context.background());
            for (int i = 0; i < 3; i++) {
                wc.group().go(() -> {});
            }
            wc.group().go(() -> {
                throw errDoom;
            });
            assertSame(errDoom, wc.group().await());
            assertSame(Context.CANCELED, wc.ctx().err());
            assertSame(errDoom, Context.cause(wc.ctx()));

            ErrGroup.WithContext ok = ErrGroup.withContext(Context.background());
            ok.group().go(() -> {});
            assertNull(ok.group().await());
            assertSame(Context.CANCELED, ok.ctx().err(), "await cancels the context");
        });
    }

    /** errgroup_test.go: TestTryGo, TestGoLimit. The limit bounds active goroutines; tryGo fails at it. */
    @Test
    void limit() {
        runG(2, () -> {
            ErrGroup g = new ErrGroup();
            int limit = 3;
            g.setLimit(limit);
            AtomicInteger active = new AtomicInteger();
            AtomicInteger maxActive = new AtomicInteger();
            WaitGroup release = new WaitGroup();
            release.add(1);
            for (int i = 0; i < limit; i++) {
                assertTrue(g.tryGo(() -> {
                    active.incrementAndGet();
                    release.await();
                    active.decrementAndGet();
                }));
            }
            assertFalse(g.tryGo(() -> {}), "tryGo beyond the limit");
            assertThrows(GoPanic.class, () -> g.setLimit(5), "setLimit while active");
            release.done();
            assertNull(g.await());
            g.setLimit(2);
            for (int i = 0; i < 20; i++) {
                g.go(() -> {
                    int n = active.incrementAndGet();
                    maxActive.accumulateAndGet(n, Math::max);
                    io.gmp4j.Go.gosched();
                    active.decrementAndGet();
                });
            }
            assertNull(g.await());
            assertTrue(maxActive.get() <= 2, "active " + maxActive.get() + " > limit 2");
        });
    }

    /**
     * A null function is the caller's bug (Go's g.Go(nil) crashes the program with a nil
     * dereference in the new goroutine), not an error of the group: go and tryGo throw
     * NullPointerException at once, before they take a slot of the limit or count a goroutine,
     * so the group, its context and its limit are as before. It used to start a goroutine whose
     * NullPointerException await returned as the group's first error (and a withContext group
     * was cancelled with it as the cause).
     */
    @Test
    void nilFuncIsRejectedBeforeTheGroupChanges() {
        runG(2, () -> {
            ErrGroup.WithContext wc = ErrGroup.withContext(Context.background());
            ErrGroup g = wc.group();
            g.setLimit(1);
            assertThrows(NullPointerException.class, () -> g.go(null));
            assertThrows(NullPointerException.class, () -> g.tryGo(null));
            assertNull(wc.ctx().err(), "context cancelled by a rejected call");
            assertTrue(g.tryGo(() -> {}), "the limit's one slot was taken by a rejected call");
            assertNull(g.await(), "a rejected call became the group's error");
        });
    }

    /**
     * Go's limit is a channel of zero-size tokens, so any limit costs nothing:
     * g.SetLimit(math.MaxInt) is the usual "no real limit". setLimit(Integer.MAX_VALUE) used to
     * panic "makechan: size out of range" (a Chan of that many slots), and setLimit(50,000,000)
     * allocated a 200 MB buffer. The limit is a count now; it still bounds, blocks and reports as
     * before (limit()).
     */
    @Test
    void hugeLimitCostsNothing() {
        runG(2, () -> {
            ErrGroup g = new ErrGroup();
            g.setLimit(Integer.MAX_VALUE);
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < 100; i++) {
                g.go(ran::incrementAndGet);
            }
            assertTrue(g.tryGo(ran::incrementAndGet));
            assertNull(g.await());
            assertEquals(101, ran.get());
            Runtime rt = Runtime.getRuntime();
            long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            int n = (int) Math.min(Integer.MAX_VALUE - 8, free / 2); // a reference per slot would not fit
            g.setLimit(n);
            g.go(ran::incrementAndGet);
            assertNull(g.await());
            assertEquals(102, ran.get());
        });
    }
}
