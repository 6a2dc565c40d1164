package io.gmp4j.internal.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether a goroutine blocked in a rendezvous (a send, receive or select on unbuffered
 * channels) spins for its partner before it parks, and whether an M that found no work polls
 * for a readied G: on while the spins timed lately came back faster than a G switch.
 *
 * <p><b>Why spin.</b> Go parks at once: its G switch is ~100 ns, so a ping-pong pair runs
 * serially on one P, each readied G in its waker's runnext. On the JVM a switch is a
 * continuation freeze and a thaw (W2 costs ~375 ns a round trip at one P, Go ~205), while a
 * hand-off between two Ms that both run is a few cache-line transfers. So a waiter whose
 * partner runs on another P spins a little ({@link Park#canSpin}: more than one CPU, another P
 * busy, nothing queued on its own P), as the JDK's SynchronousQueue does; and a spinning M that
 * stole nothing polls the other Ps for a while and takes a readied G at once (Proc.pollWork),
 * so that a pair which fell back to one P is split over two Ms again. The pair then hands off
 * without parking.
 *
 * <p><b>Why adaptive.</b> A spun hand-off is worth it only while a cache-line transfer is
 * cheap, and that depends on where the two CPUs sit. On a virtual machine it changes while
 * the process runs: on the 2-vCPU machine of docs/BENCHMARKS.md two platform threads
 * ping-ponging a volatile flip between ~65 and ~340 ns a round trip every few seconds to
 * minutes. With the near placement W2 spinning costs ~200 ns a round trip, with the far one
 * ~800, against ~400 serially; the JDK's own W2, which spins in SynchronousQueue, goes from
 * ~210 to ~830 in the same minutes. So every {@code SAMPLE}-th spin is timed and a running
 * average kept. Above {@link #worth} (a G switch) both spinning and polling go off for
 * {@link #OFF_NANOS}; then the next spins measure again, after a {@link #GRACE_NANOS} whose
 * timings are not counted: the first spins after a pair is split wait for the partner's
 * migration (an M woken, a steal, a thaw on another core), 750 ns and more, where the hand-offs
 * that follow take 100-200 ns (W2, timed spins in a patched build, 2026-12-05). Counted, those
 * first spins turned spinning off again within microseconds of every re-enable, and W2 ran
 * serially at ~400 ns a round trip where spinning gave ~220. A spin that runs out counts as long
 * as it lasted, so partners that rarely answer soon turn it off as well. Polling needs more: a
 * timed spin that came back in time within the last {@link #FRESH_NANOS}, so that programs
 * without rendezvous (a buffered stream, a mutex) never poll.
 *
 * <p><b>What a G switch costs.</b> That too depends on the machine (~190 ns on one 2-vCPU
 * machine, ~450 on another of the same type, 2026-12-05: docs/BENCHMARKS.md (13)), and a
 * threshold below it turns off spins that would still save a switch. So the Ms time one mount
 * of a runnext G in 64 (Proc.execute: a thaw, a channel operation, a freeze), and the shortest
 * of each 256 mounts, and half again, raises the threshold above its floor ({@link #switched}).
 *
 * <p><b>State and races.</b> Words in {@code STATE}, each alone on a cache line but the switch
 * window's pair: the average (written by whoever finishes a timed spin, a racy
 * read-modify-write whose lost updates only drop a sample), the time until which spinning is
 * off (0: on), the coarse times of the last good timed spin and of the last refusal, the end
 * of the grace, the switch estimate and its window (written by the Ms as racily). The wake-up
 * protocol is the same with and without a spin (the spin only delays the park, and a poller
 * takes a G only as a thief does), so a stale read costs a spin or a park, never a wake-up.
 *
 * <p>Not in Go: docs/DIVERGENCES.md, "A rendezvous spins while its partner answers fast".
 */
public final class HandoffSpin {
    private HandoffSpin() {}

    /**
     * How many times a blocked rendezvous polls for its partner before it parks
     * ({@code -Dgmp4j.chan.spinBeforePark}; 0 turns spinning and polling off: Go's behaviour).
     */
    public static final int LIMIT = Math.max(0, Integer.getInteger("gmp4j.chan.spinBeforePark", 200));

    /**
     * A spin worth its CPU ends sooner than a G switch would: the least a switch is taken to
     * cost, ~190 ns each way on the first bench machine ({@code -Dgmp4j.chan.spinWorthNanos});
     * {@link #worth} is the threshold in force.
     */
    static final long WORTH_NANOS = Long.getLong("gmp4j.chan.spinWorthNanos", 250);

    /**
     * How long spinning and polling stay off once the timed spins say they cost more than they
     * save. Short, because a stall of the partner's thread (a GC, a JIT burst, the OS) turns it
     * off as surely as a far placement does, and a long period keeps W2 serial (~400 ns a round
     * trip against ~220 spinning) long after the stall (chosen 2026-12-05: docs/BENCHMARKS.md
     * (7)). In a far placement it costs a GRACE_NANOS of slow spins per period, 10 %.
     */
    static final long OFF_NANOS = 10_000_000;

    /** After spinning comes back on, how long its timed spins are not counted (see the class comment). */
    static final long GRACE_NANOS = 1_000_000;

    /** How recent a good timed spin must be for an idle M to poll. */
    static final long FRESH_NANOS = 10_000_000;

    /**
     * Without a fresh good spin an idle M still polls for the first PROBE_NANOS of every
     * OFF_NANOS while rendezvous are being refused their spin ({@link #refused}): a pair that
     * runs serially on one P never spins (its partner waits in its runnext), so only a poller
     * that splits it can show that spinning would pay.
     */
    static final long PROBE_NANOS = 2_000_000;

    /** One spin in SAMPLE is timed (two nanoTime calls, ~40 ns). A power of two. */
    private static final int SAMPLE = 16;

    /**
     * How many timed mounts of a runnext G make one estimate of a G switch
     * ({@link #switched}). A power of two.
     */
    static final int SWITCH_WINDOW = 256;

    /**
     * The most a G switch estimate may raise {@link #worth} to: a spin longer than this is
     * never worth its CPU, whatever the mounts measured (a program whose Gs all run long).
     */
    static final long MAX_WORTH_NANOS = 4 * WORTH_NANOS;

    private static final int AVG = 4, OFF_UNTIL = 12, LAST_GOOD = 20, LAST_REFUSED = 28, GRACE_UNTIL = 36,
            SWITCH = 44, WINDOW_MIN = 52, WINDOW_N = 53; // a cache line apart, but the window's pair
    private static final long[] STATE = new long[64];
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private static boolean alwaysOn;

    /** Whether a rendezvous about to block should spin first. Any thread. */
    public static boolean on() {
        if (LIMIT == 0) {
            return false;
        }
        long until = (long) SLOT.getOpaque(STATE, OFF_UNTIL);
        if (until == 0 || alwaysOn) {
            return true;
        }
        if (Sched.coarseNanos() - until < 0) {
            return false;
        }
        // Measure afresh, once the pair has split (GRACE_NANOS): the first spins wait for the
        // partner's migration, however cheap the hand-offs that follow.
        SLOT.setOpaque(STATE, AVG, 0L);
        SLOT.setOpaque(STATE, GRACE_UNTIL, (System.nanoTime() + GRACE_NANOS) | 1); // never 0; once per OFF_NANOS
        SLOT.setOpaque(STATE, OFF_UNTIL, 0L);
        return true;
    }

    /**
     * {@link #on} and Park.canSpin, for a rendezvous that decides before it queues whether it
     * will spin (Chan: its waker then knows whether to unpark it); a refusal is noted as
     * {@link #spun} notes it.
     */
    public static boolean shouldSpin() {
        if (!on()) {
            return false;
        }
        if (Park.canSpin()) {
            return true;
        }
        if (M.current() != null) { // a goroutine's rendezvous; a platform thread's says nothing of pairs
            refused();
        }
        return false;
    }

    /** Whether a spinning M that stole nothing should poll for a readied G (Proc.pollWork). */
    static boolean pollOn() {
        if (LIMIT == 0 || (long) SLOT.getOpaque(STATE, OFF_UNTIL) != 0) {
            return false;
        }
        long now = Sched.coarseNanos();
        return now - (long) SLOT.getOpaque(STATE, LAST_GOOD) < FRESH_NANOS
                || Math.floorMod(now, OFF_NANOS) < PROBE_NANOS && now - (long) SLOT.getOpaque(STATE, LAST_REFUSED) < FRESH_NANOS;
    }

    /**
     * A rendezvous about to block could not spin at all (Park.canSpin: its partner waits in
     * its own P's queue, or no other P runs): the sign of a pair running serially on one P,
     * which only a poller can split. Written at most once a millisecond.
     */
    static void refused() {
        long now = Sched.coarseNanos();
        if (now != (long) SLOT.getOpaque(STATE, LAST_REFUSED)) {
            SLOT.setOpaque(STATE, LAST_REFUSED, now);
        }
    }

    /** Before a spin: the time to pass to {@link #timed}, or 0 when this spin is not timed. */
    public static long start() {
        return (ThreadLocalRandom.current().nextInt() & (SAMPLE - 1)) == 0 ? System.nanoTime() : 0;
    }

    /**
     * After a spin that began with {@code t0} from {@link #start} and ended with {@code left} of
     * its {@link #LIMIT} rounds unused, the hand-off {@code done} or not. Not a round spun and
     * not done: Park.canSpin refused it ({@link #refused}). Done, or all rounds spun: a timing,
     * when this spin was timed. Cut short by Park.canSpin: nothing to learn about the partner.
     */
    public static void spun(long t0, int left, boolean done) {
        if (left == LIMIT && !done) {
            refused();
        } else if (t0 != 0 && (left == 0 || done)) {
            timed(t0);
        }
    }

    /** A timed spin that began at {@code t0} ended: done, or ran out. */
    static void timed(long t0) {
        long now = System.nanoTime();
        long took = now - t0;
        long worth = worth();
        if (took <= worth) {
            SLOT.setOpaque(STATE, LAST_GOOD, now);
        }
        long grace = (long) SLOT.getOpaque(STATE, GRACE_UNTIL);
        if (grace != 0 && now - grace < 0) {
            return; // the pair is still splitting: see GRACE_NANOS
        }
        long avg = (long) SLOT.getOpaque(STATE, AVG);
        avg += (Math.min(took, 2 * worth) - avg) / 8; // a rare outlier (a preempted partner) must not decide
        SLOT.setOpaque(STATE, AVG, avg);
        if (avg > worth && !alwaysOn && (long) SLOT.getOpaque(STATE, OFF_UNTIL) == 0) {
            SLOT.setOpaque(STATE, OFF_UNTIL, (now + OFF_NANOS) | 1); // never 0
        }
    }

    /**
     * What a spin may take and still be worth it: the G switch it saves, as this machine pays
     * it. {@link #WORTH_NANOS} is the floor; the switch estimate ({@link #switched}) raises it
     * on machines whose switches cost more, up to {@link #MAX_WORTH_NANOS}.
     */
    static long worth() {
        return Math.max(WORTH_NANOS, (long) SLOT.getOpaque(STATE, SWITCH));
    }

    /**
     * One timed mount of a G taken from runnext (Proc.execute): thaw, run until it parked or
     * yielded, freeze. In a pair that runs serially on one P that is a G switch plus a channel
     * operation, the cost a spun hand-off saves. The shortest of each {@link #SWITCH_WINDOW}
     * mounts, and half again (the typical switch is longer than the shortest), becomes the
     * estimate: Gs that run long after their wake-up make some mounts long, none short. Racy:
     * a lost update drops a sample or a window. Only on our Ms.
     */
    static void switched(long nanos) {
        long min = (long) SLOT.getOpaque(STATE, WINDOW_MIN);
        if (min == 0 || nanos < min) {
            min = nanos;
            SLOT.setOpaque(STATE, WINDOW_MIN, min);
        }
        long n = (long) SLOT.getOpaque(STATE, WINDOW_N) + 1;
        if (n < SWITCH_WINDOW) {
            SLOT.setOpaque(STATE, WINDOW_N, n);
            return;
        }
        SLOT.setOpaque(STATE, SWITCH, Math.min(min + min / 2, MAX_WORTH_NANOS));
        SLOT.setOpaque(STATE, WINDOW_MIN, 0L);
        SLOT.setOpaque(STATE, WINDOW_N, 0L);
    }

    /** Tests: back to the state at start-up (on, no timings, nothing recent). */
    static void reset() {
        SLOT.setOpaque(STATE, AVG, 0L);
        SLOT.setOpaque(STATE, OFF_UNTIL, 0L);
        SLOT.setOpaque(STATE, LAST_GOOD, 0L);
        SLOT.setOpaque(STATE, LAST_REFUSED, 0L);
        SLOT.setOpaque(STATE, GRACE_UNTIL, 0L);
        SLOT.setOpaque(STATE, SWITCH, 0L);
        SLOT.setOpaque(STATE, WINDOW_MIN, 0L);
        SLOT.setOpaque(STATE, WINDOW_N, 0L);
    }

    /** Tests: whether spinning is on now, without {@link #on}'s turning it back on. */
    static boolean isOn() {
        return LIMIT != 0 && (long) SLOT.getOpaque(STATE, OFF_UNTIL) == 0;
    }

    /** Tests: spin at every rendezvous, whatever the timings say. Set before the goroutines start. */
    public static void alwaysOnForTests(boolean on) {
        alwaysOn = on;
    }
}
