package io.gmp4j.internal.agent;

import java.util.List;

/** Loops the transformer must tell apart: innermost counted int loops (no check) and the rest. */
public class CountedLoops {
    static int bound = 10;
    static volatile boolean stop = true;

    public static long forLocal(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            s += i;
        }
        return s;
    }

    public static long forConstant(int n) {
        long s = n;
        for (int i = 0; i < 1000; i += 3) {
            s ^= i;
        }
        return s;
    }

    public static long forArrayLength(int[] a) {
        long s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i];
        }
        return s;
    }

    public static long countDown(int n) {
        long s = 0;
        for (int i = n; i > 0; i--) {
            s += i;
        }
        return s;
    }

    public static long doWhile(int n) {
        long s = 0;
        int i = 0;
        do {
            s += i;
            i++;
        } while (i < n);
        return s;
    }

    public static long nested(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s += (long) i * j;
            }
        }
        return s;
    }

    /** The body moves the index: not counted. */
    public static long indexStored(int n) {
        long s = 0;
        for (int i = 1; i < n; i++) {
            s += i;
            i = i * 2;
        }
        return s;
    }

    /** The body moves the bound: not counted. */
    public static long boundStored(int n) {
        long s = 0;
        int m = n;
        for (int i = 0; i < m; i++) {
            if (i % 10 == 0 && m < 1000) {
                m = m + 1;
            }
            s += i;
        }
        return s;
    }

    public static long boundIsField(int n) {
        long s = n;
        for (int i = 0; i < bound; i++) {
            s += i;
        }
        return s;
    }

    public static long boundIsCall(List<Integer> l) {
        long s = 0;
        for (int i = 0; i < l.size(); i++) {
            s += l.get(i);
        }
        return s;
    }

    public static long flag(int n) {
        long s = 0;
        while (!stop) {
            s++;
        }
        return s + n;
    }

    public static long forever(int n) {
        long s = 0;
        for (;;) {
            if (++s > n) {
                return s;
            }
        }
    }

    /** continue to the header from the middle: a second back-edge. */
    public static long twoBackEdges(int n) {
        long s = 0;
        int i = 0;
        while (i < n) {
            i++;
            if (i % 3 == 0) {
                continue;
            }
            s += i;
        }
        return s;
    }

    /** i <= n: the strip's exit is if_icmpgt. */
    public static long forLocalInclusive(int n) {
        long s = 0;
        for (int i = n - 10_000; i <= n; i++) {
            s += i;
        }
        return s;
    }

    /** Near Integer.MAX_VALUE: i + STRIDE must not overflow the strip's limit. */
    public static long nearMax(int n) {
        long s = n;
        for (int i = Integer.MAX_VALUE - 5000; i < Integer.MAX_VALUE; i++) {
            s += i & 3;
        }
        return s;
    }

    /** The body starts with a label (a try block's start): still javac's shape, strip-mined. */
    public static long bodyStartsWithLabel(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            try {
                s += 100 / (i % 5);
            } catch (ArithmeticException e) {
                s--;
            }
        }
        return s;
    }

    /** A spin-wait: i steps only while stop is up, so the loop need not end. Not counted. */
    public static long conditionalStep(int n) {
        long spins = 0;
        for (int i = 0; i < n;) {
            if (stop) {
                i++;
            }
            spins++;
        }
        return spins;
    }

    /** The same as a do-while. Not counted. */
    public static long conditionalStepDoWhile(int n) {
        long spins = 0;
        int i = 0;
        do {
            if (stop) {
                i++;
            }
            spins++;
        } while (i < n);
        return spins;
    }

    /** The exit test on i is skipped while stop is down: spins at least n times, then until stop. Not counted. */
    public static long skippedExit(int n) {
        long s = 0;
        for (int i = 0; !stop || i < n; i++) {
            s += i;
        }
        return s;
    }

    /** i != n stepped by 2 never ends when n is odd. Not counted. */
    public static long stepTwoNotEqual(int n) {
        long s = 0;
        for (int i = 0; i != n; i += 2) {
            s += i;
        }
        return s;
    }

    /** Stepped on every path (both arms), the exit compared with != by a step of one: counted. */
    public static long bothArmsStep(int n) {
        long s = 0;
        int i = 0;
        while (i != n) {
            if ((s & 1) == 0) {
                s += 3;
            } else {
                s += 1;
            }
            i++;
        }
        return s;
    }

    /**
     * javac's for loop as the first statement of a try block: the try range starts at the
     * loop's header, and a null array's NullPointerException at the exit test is caught.
     */
    public static int forAtTryStart(int[] a) {
        int i = 0;
        int s = 0;
        try {
            for (; i < a.length; i++) {
                s += a[i];
            }
        } catch (NullPointerException e) {
            return -1;
        }
        return s;
    }

    /** The same with a local bound, which cannot throw (Jackson's serializers' shape): still strip-mined. */
    public static int forAtTryStartLocalBound(int n) {
        int i = 0;
        int s = 0;
        try {
            for (; i < n; i++) {
                s += i;
            }
        } catch (RuntimeException e) {
            return -1;
        }
        return s;
    }
}
