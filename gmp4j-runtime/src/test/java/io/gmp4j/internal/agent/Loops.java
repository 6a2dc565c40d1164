package io.gmp4j.internal.agent;

import java.util.function.LongSupplier;

/** Loops of every shape for {@link BackEdgeTransformerTest}; each method is deterministic. */
public class Loops {
    static final long CLINIT;

    static {
        long s = 0;
        for (int i = 0; i < 100; i++) {
            s += i;
        }
        CLINIT = s;
    }

    long field;
    public final long ctorSum;

    public Loops(int n) {
        long s = 0;
        int i = 0;
        while (i < n) {
            s += i++;
        }
        ctorSum = s;
    }

    public static long forSum(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            s += i;
        }
        return s;
    }

    public static long whileSum(int n) {
        long s = 0;
        int i = n;
        while (i > 0) {
            s += i--;
        }
        return s;
    }

    public static long doWhile(int n) {
        long s = 0;
        int i = 0;
        do {
            s += i * 3L;
            i++;
        } while (i < n);
        return s;
    }

    public static long nested(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                s += (long) i * j;
            }
        }
        return s;
    }

    public static long labelledContinue(int n) {
        long s = 0;
        outer:
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if ((i + j) % 3 == 0) {
                    continue outer;
                }
                s += j;
            }
        }
        return s;
    }

    public long fieldStore(int n) {
        for (int i = 0; i < n; i++) {
            field += i;
        }
        return field;
    }

    public static long lambda(int n) {
        LongSupplier f = () -> {
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += i % 7;
            }
            return s;
        };
        return f.getAsLong();
    }

    public static long tryCatch(int n) {
        long s = 0;
        try {
            for (int i = 0; i < n; i++) {
                try {
                    if (i % 7 == 0) {
                        throw new IllegalStateException("seven");
                    }
                    s += i;
                } catch (IllegalStateException e) {
                    s -= e.getMessage().length();
                }
                if (i == n - 1) {
                    throw new ArithmeticException();
                }
            }
        } catch (ArithmeticException e) {
            s *= 2;
        }
        return s;
    }

    public static long switchLoop(int n) {
        long s = 0;
        int i = 0;
        while (i < n) {
            switch (i % 4) {
                case 0 -> s += 1;
                case 1 -> s += 10;
                case 2 -> s += 100;
                default -> s += 1000;
            }
            i++;
        }
        return s;
    }

    /** A loop whose locals merge two types (the stack maps need the class hierarchy). */
    public static long merge(int n) {
        long s = 0;
        CharSequence cs = "";
        for (int i = 0; i < n; i++) {
            cs = i % 2 == 0 ? new StringBuilder("ab") : "abc";
            s += cs.length();
        }
        return s + cs.length();
    }

    public static long clinit() {
        return CLINIT;
    }
}
