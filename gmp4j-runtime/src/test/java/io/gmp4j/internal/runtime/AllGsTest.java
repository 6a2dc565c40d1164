package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import java.lang.ref.WeakReference;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * allgs: exited goroutines leave every view at once (count, dumps, checkdead) even while their
 * M still holds them for a batched unlink, and nothing keeps them reachable once the Ms idle.
 */
@ExtendWith(GoLeakCheck.class)
class AllGsTest {
    private static final int N = 2_000;

    @Test
    void exitedGoroutinesLeaveCountAndSnapshotAtOnce() throws Exception {
        AtomicReference<String> failure = new AtomicReference<>();
        WaitGroup outer = new WaitGroup();
        outer.add(1);
        Go.go(() -> {
            try {
                int before = Go.numGoroutine();
                Set<Long> children = ConcurrentHashMap.newKeySet();
                WaitGroup wg = new WaitGroup();
                wg.add(N);
                for (int i = 0; i < N; i++) {
                    Go.go(() -> {
                        children.add(G.current().goid);
                        wg.done();
                    });
                }
                wg.await();
                // wg.done is each child's last call; its exit follows. Wait for the count
                // (exits are counted before goexit0 returns), then look at the lists.
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (Go.numGoroutine() != before && System.nanoTime() < deadline) {
                    Go.gosched();
                }
                if (Go.numGoroutine() != before) {
                    failure.set("numGoroutine " + Go.numGoroutine() + ", want " + before);
                    return;
                }
                List<G> all = AllGs.snapshot();
                Set<Long> seen = new HashSet<>();
                for (G gp : all) {
                    seen.add(gp.goid);
                    if (children.contains(gp.goid)) {
                        failure.set("snapshot has exited child " + gp);
                        return;
                    }
                    if (gp.status == G._Gdead) {
                        failure.set("snapshot has dead " + gp);
                        return;
                    }
                }
                if (!seen.contains(G.current().goid)) {
                    failure.set("snapshot misses the calling goroutine");
                }
                if (AllGs.anyMatch(gp -> gp.status == G._Gdead)) {
                    failure.set("anyMatch saw a dead G");
                }
            } finally {
                outer.done();
            }
        });
        outer.await();
        assertNull(failure.get());
    }

    @Test
    void exitedGoroutinesAreNotKeptReachable() throws Exception {
        @SuppressWarnings("unchecked")
        WeakReference<G>[] refs = new WeakReference[N];
        WaitGroup wg = new WaitGroup();
        wg.add(N);
        for (int i = 0; i < N; i++) {
            int k = i;
            Go.go(() -> {
                refs[k] = new WeakReference<>(G.current());
                wg.done();
            });
        }
        wg.await();
        // The Ms go idle once the children are gone, and flush what they buffered before they
        // sleep; the G objects then have no strong path left.
        long deadline = System.nanoTime() + 20_000_000_000L;
        int live;
        do {
            System.gc();
            live = 0;
            for (WeakReference<G> r : refs) {
                if (r.get() != null) {
                    live++;
                }
            }
            if (live == 0) {
                break;
            }
            Thread.sleep(20); // polling the collector: nothing to wait on
        } while (System.nanoTime() < deadline);
        assertEquals(0, live, "exited goroutines still reachable");
    }

    @ParameterizedTest(name = "GOMAXPROCS={0}")
    @ValueSource(ints = {1, 2, 8})
    void countMatchesTheLiveGoroutinesUnderChurn(int procs) throws Exception {
        int prev = Go.gomaxprocs(procs);
        try {
            churn();
        } finally {
            Go.gomaxprocs(prev);
        }
    }

    private static void churn() throws Exception {
        int before = Go.numGoroutine();
        WaitGroup started = new WaitGroup();
        WaitGroup release = new WaitGroup();
        WaitGroup done = new WaitGroup();
        int parked = 300;
        started.add(parked);
        release.add(1);
        done.add(parked);
        for (int i = 0; i < parked; i++) {
            Go.go(() -> {
                // Churn: short-lived children exit on whatever M runs them.
                for (int j = 0; j < 20; j++) {
                    Go.go(() -> {});
                }
                started.done();
                release.await();
                done.done();
            });
        }
        // A reader walking the lists while Gs join and leave them, as dumps and checkdead do.
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicReference<String> readerFailure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger snapshots = new java.util.concurrent.atomic.AtomicInteger();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                snapshots.incrementAndGet();
                // Unlinks run under the same locks: a torn list would show a G twice (or
                // never end, which the test's timeout catches).
                Set<Long> seen = new HashSet<>();
                for (G gp : AllGs.snapshot()) {
                    if (!seen.add(gp.goid)) {
                        readerFailure.set("snapshot lists " + gp + " twice");
                    }
                }
            }
        });
        WaitGroup churned = new WaitGroup();
        churned.add(1);
        Go.go(() -> {
            // More short-lived Gs until the reader has walked the lists a hundred times.
            long until = System.nanoTime() + 5_000_000_000L;
            while (snapshots.get() < 100 && System.nanoTime() < until) {
                for (int j = 0; j < 100; j++) {
                    Go.go(() -> {});
                }
                Go.gosched();
            }
            churned.done();
        });
        try {
            started.await();
            churned.await();
            stop.set(true);
            reader.join();
            assertNull(readerFailure.get());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Go.numGoroutine() != before + parked && System.nanoTime() < deadline) {
                Thread.sleep(5); // the short-lived children finishing: polled, they signal nothing
            }
            assertEquals(before + parked, Go.numGoroutine());
            assertTrue(AllGs.snapshot().size() >= parked);
        } finally {
            stop.set(true);
            release.done();
        }
        done.await();
    }
}
