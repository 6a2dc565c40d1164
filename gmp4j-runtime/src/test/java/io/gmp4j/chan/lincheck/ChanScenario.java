package io.gmp4j.chan.lincheck;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A random small channel scenario for {@link GoroutineLinTest}: two channels a and b of
 * capacity 0, 1 or 2, and 3 or 4 goroutines of 3 to 5 operations each, mostly blocking sends
 * and receives made in pairs (so goroutines park and are woken by partners rather than all
 * blocking for good), with trySend/tryRecv, selects of two cases (two receives, or a send and
 * a receive, possibly on the same channel), selects with default, len and, rarely, close, all
 * shuffled among the goroutines. Every value sent is unique. A scenario is a function
 * of its seed, so a failing one can be run again by seed (its interleaving cannot).
 *
 * @param goroutines each goroutine's operations, in program order
 */
record ChanScenario(long seed, int[] caps, List<List<ChanOp>> goroutines) {
    static final int CHANNELS = 2;

    static ChanScenario random(long seed) {
        Random rnd = new Random(seed);
        int[] caps = new int[CHANNELS];
        for (int i = 0; i < CHANNELS; i++) {
            caps[i] = rnd.nextInt(3);
        }
        int ng = 3 + rnd.nextInt(2);
        int[] lengths = new int[ng];
        int total = 0;
        for (int g = 0; g < ng; g++) {
            lengths[g] = 3 + rnd.nextInt(3);
            total += lengths[g];
        }
        // Mostly a producer and a consumer on one channel together, so that sends and receives
        // roughly balance and goroutines meet rather than all blocking; then shuffled.
        Generator gen = new Generator(rnd);
        List<ChanOp> pool = new ArrayList<>();
        while (pool.size() < total) {
            int ch = rnd.nextInt(CHANNELS);
            int w = rnd.nextInt(20);
            if (w < 15) {
                pool.add(gen.producer(ch));
                pool.add(gen.consumer(ch));
            } else if (w < 17) {
                pool.add(gen.selectWithDefault(ch));
            } else if (w < 19) {
                pool.add(ChanOp.len(ch));
            } else {
                pool.add(ChanOp.close(ch));
            }
        }
        Collections.shuffle(pool, rnd);
        List<List<ChanOp>> gs = new ArrayList<>();
        int at = 0;
        for (int g = 0; g < ng; g++) {
            // A close goes last in its goroutine: the operations before it then still meet.
            List<ChanOp> ops = new ArrayList<>(pool.subList(at, at + lengths[g]));
            ops.sort(Comparator.comparing(op -> op.kind() == ChanOp.Kind.CLOSE));
            gs.add(List.copyOf(ops));
            at += lengths[g];
        }
        return new ChanScenario(seed, caps, List.copyOf(gs));
    }

    /** Makes operations with unique values. */
    private static final class Generator {
        private final Random rnd;
        private int nextValue = 1;

        Generator(Random rnd) {
            this.rnd = rnd;
        }

        /** A blocking send (mostly), a trySend, or a select of a send on {@code ch} and a receive. */
        ChanOp producer(int ch) {
            int w = rnd.nextInt(10);
            if (w < 7) {
                return ChanOp.send(ch, nextValue++);
            }
            if (w < 8) {
                return ChanOp.trySend(ch, nextValue++);
            }
            return ChanOp.select(false, new ChanOp.Case(true, ch, nextValue++), new ChanOp.Case(false, rnd.nextInt(CHANNELS), 0));
        }

        /** A blocking receive (mostly), a tryRecv, or a select of receives from both channels. */
        ChanOp consumer(int ch) {
            int w = rnd.nextInt(10);
            if (w < 7) {
                return ChanOp.recv(ch);
            }
            if (w < 8) {
                return ChanOp.tryRecv(ch);
            }
            return ChanOp.select(false, new ChanOp.Case(false, 0, 0), new ChanOp.Case(false, 1, 0));
        }

        /** A select with default: a send or a receive on {@code ch}, a receive on the other. */
        ChanOp selectWithDefault(int ch) {
            ChanOp.Case first = rnd.nextBoolean() ? new ChanOp.Case(true, ch, nextValue++) : new ChanOp.Case(false, ch, 0);
            return ChanOp.select(true, first, new ChanOp.Case(false, 1 - ch, 0));
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("seed " + seed + ", caps a=" + caps[0] + " b=" + caps[1]);
        for (int g = 0; g < goroutines.size(); g++) {
            sb.append("\n  g").append(g).append(": ").append(goroutines.get(g));
        }
        return sb.toString();
    }
}
