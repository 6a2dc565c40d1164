package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Time;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/*
 * Seed 002, Bug 9: "Why doesn't runtime.Gosched() help here?"
 *
 *     work := false
 *     go func() { for !work { runtime.Gosched() }; fmt.Println("worker woke") }()
 *     go func() { work = true }() // race!
 *
 * Gosched is a scheduler operation, not a memory barrier; the Java memory model says the same
 * as Go's: without a happens-before edge (volatile, atomic, lock, channel) the loop may never
 * see the write, and the JIT (C2) may hoist the read out of the loop. Whether it does is up to
 * the JIT, so the program measures and says what happened in this run, for two loops:
 *   1. the seed's loop, Go.gosched() in the body;
 *   2. a loop with no call in it (only a time check every 64 Ki iterations), which C2 can hoist.
 * Each loop spins until it sees the flag or gives up after the watchdog's 2 s. The flag is set
 * 200 ms after the loop starts, so the loop has been compiled by then. --fixed polls an
 * AtomicBoolean (a channel or a volatile field would do as well).
 */
final class FlagPoll implements Example {
    @Override
    public String name() {
        return "gosched-flag";
    }

    @Override
    public String summary() {
        return "seed bug 9: a plain flag polled in a loop, with and without Go.gosched(): seen or not, as the JIT decides; --fixed: AtomicBoolean [watchdogMs=2000]";
    }

    static boolean plainWithGosched; // deliberately not volatile: the bug
    static boolean plainTight; // deliberately not volatile: the bug

    /** One loop's outcome: the milliseconds from the write to the loop's exit, or -1 when it gave up. */
    record Outcome(String loop, long sawAfterMs, long watchdogMs) {
        String describe() {
            return sawAfterMs >= 0 ? String.format("the loop saw the flag %d ms after it was set", sawAfterMs)
                    : String.format("the loop never saw the flag within %d ms (as if the JIT hoisted the read out of the loop)", watchdogMs);
        }
    }

    @Override
    public int run(String[] args, PrintStream out) {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        long watchdogMs = a.num(0, 2000);
        Outcome[] o = measure(fixed, watchdogMs);
        String kind = fixed ? "AtomicBoolean" : "plain boolean";
        out.printf("%s, Go.gosched() in the loop: %s%n", kind, o[0].describe());
        out.printf("%s, no call in the loop:      %s%n", kind, o[1].describe());
        if (!fixed) {
            out.printf("  (either outcome is allowed for the plain flag: no happens-before edge; --fixed is guaranteed to see it)%n");
        }
        return 0;
    }

    /** Runs both loops, one after the other, each with its own writer goroutine. */
    static Outcome[] measure(boolean fixed, long watchdogMs) {
        return new Outcome[] {once(fixed, true, watchdogMs), once(fixed, false, watchdogMs)};
    }

    private static Outcome once(boolean fixed, boolean gosched, long watchdogMs) {
        plainWithGosched = false;
        plainTight = false;
        AtomicBoolean atomic = new AtomicBoolean();
        long[] setAt = new long[1];
        long[] exitAt = new long[1];
        boolean[] saw = new boolean[1];
        WaitGroup wg = new WaitGroup();
        wg.add(2);
        Go.go(() -> { // the worker
            try {
                long deadline = System.nanoTime() + (200 + watchdogMs) * 1_000_000L;
                saw[0] = fixed ? (gosched ? pollAtomicGosched(atomic, deadline) : pollAtomicTight(atomic, deadline))
                        : (gosched ? pollPlainGosched(deadline) : pollPlainTight(deadline));
                exitAt[0] = System.nanoTime();
            } finally {
                wg.done();
            }
        });
        Go.go(() -> { // the writer
            try {
                Time.sleep(Duration.ofMillis(200)); // let the loop get hot (compiled) first
                setAt[0] = System.nanoTime();
                if (fixed) {
                    atomic.set(true);
                } else if (gosched) {
                    plainWithGosched = true; // race!
                } else {
                    plainTight = true; // race!
                }
            } finally {
                wg.done();
            }
        });
        wg.await(); // happens-before for setAt/exitAt/saw
        return new Outcome(gosched ? "gosched" : "tight", saw[0] ? Math.max(0, (exitAt[0] - setAt[0]) / 1_000_000) : -1,
                watchdogMs);
    }

    private static boolean pollPlainGosched(long deadline) {
        while (!plainWithGosched) {
            Go.gosched();
            if (System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    private static boolean pollPlainTight(long deadline) {
        long spins = 0;
        while (!plainTight) {
            if ((++spins & 0xFFFF) == 0 && System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    private static boolean pollAtomicGosched(AtomicBoolean flag, long deadline) {
        while (!flag.get()) {
            Go.gosched();
            if (System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    private static boolean pollAtomicTight(AtomicBoolean flag, long deadline) {
        long spins = 0;
        while (!flag.get()) {
            if ((++spins & 0xFFFF) == 0 && System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }
}
