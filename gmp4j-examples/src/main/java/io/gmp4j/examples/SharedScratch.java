package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.sync.Pool;
import io.gmp4j.sync.WaitGroup;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Seed 002, Bug 12: "Two goroutines share a stack?" The seed's buggy pattern is a package-level
 * scratch buffer used by many goroutines:
 *
 *     var buf [4096]byte
 *     for i := 0; i < 10; i++ { go func() { fill(buf[:]); use(buf[:]) }() }
 *
 * Each goroutine here fills the 4 KiB scratch buffer with its own pattern, yields between
 * filling and using it (as a real program would at an I/O call: a scheduling point), then
 * checksums the buffer and compares with the checksum of what it wrote. With one shared
 * buffer other goroutines overwrite it in between: a data race that corrupts the output,
 * counted as checksum mismatches. --fixed takes the scratch buffer from a sync.Pool, so each
 * goroutine owns its buffer between get and put (per-goroutine buffers would do as well).
 */
final class SharedScratch implements Example {
    @Override
    public String name() {
        return "scratch";
    }

    @Override
    public String summary() {
        return "seed bug 12: goroutines sharing one scratch buffer corrupt each other's output (checksum mismatches); --fixed: sync.Pool [goroutines=16 rounds=200]";
    }

    /** What one run measured. */
    record Result(int goroutines, int rounds, long uses, long mismatches) {}

    @Override
    public int run(String[] args, PrintStream out) {
        Args a = new Args(args);
        boolean fixed = a.fixed();
        int goroutines = a.intNum(0, 16);
        int rounds = a.intNum(1, 200);
        Result r = measure(goroutines, rounds, fixed);
        out.printf("%s: %d goroutines x %d uses of a 4 KiB scratch buffer: %,d checksum mismatches of %,d uses%n",
                fixed ? "fixed (sync.Pool, one buffer per user)" : "buggy (one shared buffer)", r.goroutines(),
                r.rounds(), r.mismatches(), r.uses());
        out.printf("  %s%n", r.mismatches() > 0
                ? "another goroutine overwrote the buffer between fill and use: the output is corrupt"
                : "every goroutine read back what it wrote");
        return 0;
    }

    /** {@code goroutines} goroutines each fill, yield, and checksum a scratch buffer {@code rounds} times. */
    static Result measure(int goroutines, int rounds, boolean fixed) {
        byte[] shared = new byte[4096];
        Pool<byte[]> pool = new Pool<>(() -> new byte[4096]);
        AtomicLong mismatches = new AtomicLong();
        WaitGroup wg = new WaitGroup();
        for (int g = 0; g < goroutines; g++) {
            int id = g;
            wg.add(1);
            Go.go(() -> {
                try {
                    for (int round = 0; round < rounds; round++) {
                        byte[] buf = fixed ? pool.get() : shared;
                        long want = fill(buf, id * 1_000_003L + round);
                        Go.gosched(); // the scheduling point between filling and using (an I/O call in a real program)
                        if (checksum(buf) != want) {
                            mismatches.incrementAndGet();
                        }
                        if (fixed) {
                            pool.put(buf);
                        }
                    }
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
        return new Result(goroutines, rounds, (long) goroutines * rounds, mismatches.get());
    }

    /** Fills buf with a pattern derived from seed; returns the pattern's checksum. */
    private static long fill(byte[] buf, long seed) {
        long x = seed;
        for (int i = 0; i < buf.length; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            buf[i] = (byte) (x >>> 56);
        }
        return checksum(buf);
    }

    private static long checksum(byte[] buf) {
        long h = 1125899906842597L;
        for (byte b : buf) {
            h = 31 * h + b;
        }
        return h;
    }
}
