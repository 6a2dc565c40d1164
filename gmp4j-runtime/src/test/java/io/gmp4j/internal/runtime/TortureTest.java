package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A short run of the randomized torture program (io.gmp4j.testprog.TortureProg) in fresh JVMs
 * with the launcher's back-edge class loader: twelve workers mix GOMAXPROCS changes, channels,
 * select with nil and timer channels, closes racing sends, sync, x/sync, contexts,
 * lockOSThread, Goexit, recovered panics, call-free loops, JDK blocking calls and goroutine
 * dumps for 5 s. Each scenario checks its own accounting; a watchdog goroutine fails
 * the run when a worker makes no progress for 10 s, and the program checks that the goroutine
 * count returns to its start and that no deadlock is reported. Longer runs (other seeds,
 * masks, taskset -c 0) are run by hand: {@code TortureProg SEED SECONDS [WORKERS [MASK]]}.
 */
class TortureTest {
    /**
     * Every scenario, "interrupts" (bit 26) included: twelve goroutines interrupting their
     * partners every millisecond once stalled hand-offs for more than 10 s (an interrupted wait
     * spun on its M: InterruptedWaitTest).
     */
    private static final String ALL = "7ffffff";

    @ParameterizedTest
    @CsvSource({"1, 20261206", "8, 424242"})
    void shortRunEndsWithEveryOperationAccountedFor(int procs, long seed) {
        Child c = GoTesting.runChild("io.gmp4j.testprog.TortureProg",
                List.of("-Djava.system.class.loader=io.gmp4j.internal.agent.PreemptLoader", "-Xlog:cds=off",
                        "-Dgmp4j.GOMAXPROCS=" + procs),
                List.of(), 60, String.valueOf(seed), "5", "12", ALL);
        assertEquals(0, c.exitCode(), "seed " + seed + " at GOMAXPROCS=" + procs + ":\n" + c.stdout() + c.stderr());
        assertTrue(c.stdout().contains("OK seed " + seed), c.stdout());
    }

    /**
     * The same torture with every observer on at once (io.gmp4j.testprog.Observers): execution
     * traces started and stopped from platform threads and goroutines into good, slow and
     * failing streams (and stopped by a third thread), goroutine dumps, MemStats and
     * runtime/metrics reads (cumulative figures never fall), the debug server's pages fetched by
     * several clients (some leaving mid-answer), the mutex, block and heap profiles toggled,
     * SetMaxThreads moved. Every trace and profile must be well-formed, no observer call may hang,
     * no exception may escape a runtime thread, and afterwards a trace, a CPU profile and a served
     * trace must each start. Longer runs by hand: {@code -Dtorture.observe=true
     * [-Dtorture.rogue=true] [-Dtorture.obs=N]}, with {@code GODEBUG=schedtrace=10,scheddetail=1}.
     */
    @ParameterizedTest
    @CsvSource({"2, 20261208"})
    void shortRunWithEveryObserverOn(int procs, long seed) {
        Child c = GoTesting.runChild("io.gmp4j.testprog.TortureProg",
                List.of("-Djava.system.class.loader=io.gmp4j.internal.agent.PreemptLoader", "-Xlog:cds=off",
                        "-Dgmp4j.GOMAXPROCS=" + procs, "-Dtorture.observe=true", "-Dtorture.rogue=true"),
                List.of(), 60, String.valueOf(seed), "4", "12", ALL);
        String all = "seed " + seed + " at GOMAXPROCS=" + procs + ":\n" + c.stdout() + c.stderr();
        assertEquals(0, c.exitCode(), all);
        assertTrue(c.stdout().contains("OK seed " + seed) && c.stdout().contains("\nobservers: "), all);
        assertFalse(c.stderr().contains("Exception in thread") || c.stderr().contains("fatal error"), all);
    }

    /**
     * Rounds in which every goroutine but one waits on gmp4j primitives (some locked to their
     * threads, GOMAXPROCS changed before each round) while the only waker sits 150-300 ms where
     * the deadlock check must count it alive: a JDK sleep or park (pinned or not), a monitor or
     * j.u.c. lock a platform thread holds, Object.wait, a platform thread, a JDK virtual thread,
     * the common pool, a CompletableFuture, a child process, a call-free loop, a timer. No
     * "all goroutines are asleep" verdict, and no goroutine left after each round (io.gmp4j.testprog.QuietProg).
     */
    @ParameterizedTest
    @CsvSource({"7", "8"})
    void quietRoundsAreNotDeadlocks(long seed) {
        Child c = GoTesting.runChild("io.gmp4j.testprog.QuietProg",
                List.of("-Djava.system.class.loader=io.gmp4j.internal.agent.PreemptLoader", "-Xlog:cds=off"),
                List.of(), 60, String.valueOf(seed), "17");
        assertEquals(0, c.exitCode(), "seed " + seed + ":\n" + c.stdout() + c.stderr());
        assertTrue(c.stdout().endsWith("OK\n"), c.stdout());
    }
}
