package io.gmp4j.internal.runtime;

/**
 * proc.go: randomOrder, randomEnum. The order in which a spinning M visits the Ps to steal:
 * from a random P, by a random increment coprime to their number, so that each P is visited
 * once and Ms that start at once do not all walk the Ps in the same order.
 *
 * <p>One instance per P count, immutable; stealWork rebuilds it when GOMAXPROCS changes (a
 * racy, idempotent cache: two Ms may both build one).
 */
final class StealOrder {
    final int count;
    /** Every increment in [1, count] coprime to count (Go's ord.coprimes). */
    private final int[] coprimes;

    private static volatile StealOrder current = new StealOrder(1);

    private StealOrder(int count) {
        this.count = count;
        int[] c = new int[count];
        int k = 0;
        for (int i = 1; i <= count; i++) {
            if (gcd(i, count) == 1) {
                c[k++] = i;
            }
        }
        this.coprimes = java.util.Arrays.copyOf(c, k);
    }

    /** The order for {@code n} Ps. Any thread. */
    static StealOrder of(int n) {
        StealOrder ord = current;
        if (ord.count != n) {
            current = ord = new StealOrder(n);
        }
        return ord;
    }

    /** proc.go: randomOrder.start. The first P for random {@code i} (non-negative). */
    int start(int i) {
        return i % count;
    }

    /** The increment for random {@code i}: independent of {@link #start}'s choice. */
    int inc(int i) {
        return coprimes[i / count % coprimes.length];
    }

    /** The increments this order draws from (tests). */
    int[] coprimes() {
        return coprimes.clone();
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
