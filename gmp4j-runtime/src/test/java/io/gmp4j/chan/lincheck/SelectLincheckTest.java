package io.gmp4j.chan.lincheck;

import io.gmp4j.GoPanic;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of a non-blocking select over two buffered channels (select.go: selectgo's
 * pass 1 and its default case), racing with trySend, tryRecv and close on either channel.
 * The channels have capacities 1 and 2 so that full, empty and closed states are all reached
 * within a scenario. A select with several ready cases may fire any of them, so results are
 * {@link Outcome}s checked against every choice the sequential state allows (SelectSpec).
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public class SelectLincheckTest {
    static final int CAP_A = 1, CAP_B = 2;

    private final Chan<Integer> a = Chan.make(CAP_A);
    private final Chan<Integer> b = Chan.make(CAP_B);

    public SelectLincheckTest() {}

    @Operation
    public Outcome trySendA(@Param(name = "v") int v) {
        return trySend(a, v);
    }

    @Operation
    public Outcome trySendB(@Param(name = "v") int v) {
        return trySend(b, v);
    }

    @Operation
    public Outcome tryRecvA() {
        return tryRecv(a);
    }

    @Operation
    public Outcome tryRecvB() {
        return tryRecv(b);
    }

    @Operation
    public Outcome closeA() {
        return close(a);
    }

    @Operation
    public Outcome closeB() {
        return close(b);
    }

    /** select { case v, ok := <-a: ...; case v, ok := <-b: ...; default: ... } */
    @Operation
    public Outcome selectRecv() {
        String[] r = new String[1];
        int k = Select.select(
                a.onRecvOk((v, ok) -> r[0] = "a:" + v + "/" + ok),
                b.onRecvOk((v, ok) -> r[0] = "b:" + v + "/" + ok),
                Select.onDefault(() -> r[0] = "default"));
        return Outcome.of(k + "=" + r[0]);
    }

    /** select { case a <- v: ...; case b <- v: ...; default: ... } */
    @Operation
    public Outcome selectSend(@Param(name = "v") int v) {
        String[] r = new String[1];
        try {
            int k = Select.select(
                    a.onSend(v, () -> r[0] = "a"),
                    b.onSend(v, () -> r[0] = "b"),
                    Select.onDefault(() -> r[0] = "default"));
            return Outcome.of(k + "=" + r[0]);
        } catch (GoPanic p) {
            return Outcome.of("panic: " + p.getMessage());
        }
    }

    private static Outcome trySend(Chan<Integer> c, int v) {
        try {
            return Outcome.of(String.valueOf(c.trySend(v)));
        } catch (GoPanic p) {
            return Outcome.of("panic: " + p.getMessage());
        }
    }

    private static Outcome tryRecv(Chan<Integer> c) {
        Chan.Recv<Integer> r = c.tryRecv();
        return Outcome.of(r == null ? "not ready" : r.value() + "/" + r.ok());
    }

    private static Outcome close(Chan<Integer> c) {
        try {
            c.close();
            return Outcome.of("ok");
        } catch (GoPanic p) {
            return Outcome.of("panic: " + p.getMessage());
        }
    }

    // Contract: every concurrent history of these operations matches some sequential order
    // of SelectSpec, some ready case chosen at each select (stress: real threads).
    @Test
    void stress() {
        LincheckRunner.check(getClass(), new StressOptions()
                .sequentialSpecification(SelectSpec.class)
                .iterations(30).invocationsPerIteration(500)
                .threads(3).actorsPerThread(3).actorsBefore(2).actorsAfter(2));
    }

    // Contract: as stress(), exploring thread interleavings systematically (model checking).
    // Deterministic (seeds fixed by lincheck); 50-80 s on a loaded 2-core machine, the largest
    // share of the lincheck classes' 3-4 min (2026-12-06).
    @Test
    void modelChecking() {
        LincheckRunner.check(getClass(), new ModelCheckingOptions()
                .sequentialSpecification(SelectSpec.class)
                .iterations(20).invocationsPerIteration(500)
                .threads(3).actorsPerThread(3).actorsBefore(2).actorsAfter(2));
    }
}
