package io.gmp4j.bench.jmh;

import io.gmp4j.internal.runtime.BenchHooks;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-P run queue (proc.go: runqput, runqget, runqsteal) on detached Ps that no M runs,
 * through {@link BenchHooks}; one JMH thread plays owner (and, for the steal, thief), so
 * these are the uncontended costs: ring store + release, CAS on head, runnext exchange/CAS.
 *
 * <ul>
 *   <li>{@code putGet}: owner puts one G at the tail and takes it back (queue empty between
 *       ops, so the ring index advances and every op touches a new slot).</li>
 *   <li>{@code runnextPutGet}: the same through runnext ({@code runqput(.., next=true)}): an
 *       exchange, then runqget's CAS of runnext to null.</li>
 *   <li>{@code putBatchThenStealHalf}: owner puts {@link #BATCH} Gs, a thief P steals half
 *       (one runqsteal: runqgrab's copy + head CAS + the thief's tail release), then both
 *       owners drain, so every invocation starts from two empty queues. Per invocation, not
 *       per G: 128 puts, 1 steal of 64, 128 gets (+ 2 empty gets).</li>
 * </ul>
 *
 * <p>The dummy Gs are made once per trial: each holds an unstarted virtual thread, far costlier
 * than any op here. Overflow (runqputslow) never happens: at most {@link #BATCH} of the 256
 * slots are in use. The Gs go to a Blackhole so the gets cannot be dropped.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RunQueueBench {
    /** Gs per steal round: half of the 256-slot ring, so a steal moves 64. */
    static final int BATCH = 128;

    private Object owner;
    private Object thief;
    private Object[] gs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        owner = BenchHooks.detachedP(0);
        thief = BenchHooks.detachedP(1);
        gs = new Object[BATCH];
        for (int i = 0; i < BATCH; i++) {
            gs[i] = BenchHooks.dummyG(1_000 + i);
        }
    }

    /** Every benchmark leaves both queues empty; a non-empty one means a lost or extra G. */
    @TearDown(Level.Iteration)
    public void checkEmpty() {
        if (BenchHooks.runqget(owner) != null || BenchHooks.runqget(thief) != null) {
            throw new IllegalStateException("checkEmpty: a run queue is not empty after the iteration");
        }
    }

    private Object nextG() {
        Object g = gs[next];
        next = (next + 1) & (BATCH - 1);
        return g;
    }

    @Benchmark
    public Object putGet() {
        BenchHooks.runqput(owner, nextG(), false);
        return BenchHooks.runqget(owner);
    }

    @Benchmark
    public Object runnextPutGet() {
        BenchHooks.runqput(owner, nextG(), true);
        return BenchHooks.runqget(owner);
    }

    @Benchmark
    public Object putBatchThenStealHalf(Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            BenchHooks.runqput(owner, gs[i], false);
        }
        Object stolen = BenchHooks.runqsteal(thief, owner);
        for (Object g; (g = BenchHooks.runqget(thief)) != null; ) {
            bh.consume(g);
        }
        for (Object g; (g = BenchHooks.runqget(owner)) != null; ) {
            bh.consume(g);
        }
        return stolen;
    }
}
