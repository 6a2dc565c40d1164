package io.gmp4j.chan;

import io.gmp4j.Go;

import java.util.Arrays;

/**
 * A quick look at channel speed (ANCHORS.md W2, W3, W4, W4s, W7), not the benchmark of record
 * (that is gmp4j-bench, with JMH and the same-run JDK/jox baselines). Prints median (min .. max)
 * of the measured runs after warm-up; asserts nothing.
 *
 * <pre>
 * java --add-opens java.base/java.lang=ALL-UNNAMED -Djdk.trackAllThreads=false \
 *      -cp target/classes:target/test-classes io.gmp4j.chan.ChanPerfMain [runs [W2 W3 W4 W4s W7 ...]]
 * </pre>
 */
public final class ChanPerfMain {
    private ChanPerfMain() {}

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        java.util.Set<String> only = new java.util.HashSet<>(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
        Go.run(() -> {
            if (only.isEmpty() || only.contains("W2")) {
                report("W2 ping-pong, 2 unbuffered chans", "ns/round trip", runs, 1_000_000, ChanPerfMain::w2);
            }
            if (only.isEmpty() || only.contains("W3")) {
                report("W3 1 -> 1, cap 1024", "ns/msg", runs, 10_000_000, ChanPerfMain::w3);
            }
            if (only.isEmpty() || only.contains("W4")) {
                report("W4 1000 producers x 100 -> 1, cap 100", "ns/msg", runs, 100_000, n -> w4(1000, n / 1000));
            }
            if (only.isEmpty() || only.contains("W4s")) {
                report("W4s 1000 producers x 100 -> 8, cap 100", "ns/msg", runs, 100_000, n -> w4s(1000, n / 1000, 8));
            }
            if (only.isEmpty() || only.contains("W7")) {
                report("W7 2 producers, select over 2 unbuffered", "ns/msg", runs, 1_000_000, ChanPerfMain::w7);
            }
        });
        System.exit(0);
    }

    interface Workload {
        /** Runs the workload of size n and returns elapsed nanoseconds. */
        long run(int n);
    }

    private static void report(String name, String unit, int runs, int n, Workload w) {
        w.run(n / 4); // warm-up
        w.run(n / 4);
        double[] per = new double[runs];
        for (int i = 0; i < runs; i++) {
            per[i] = (double) w.run(n) / n;
        }
        double[] sorted = per.clone();
        Arrays.sort(sorted);
        System.out.printf("%-45s %8.1f %s (%.1f .. %.1f), GOMAXPROCS=%d%n",
                name, sorted[runs / 2], unit, sorted[0], sorted[runs - 1], Go.gomaxprocs(0));
    }

    /** W2: two goroutines, two unbuffered channels, n round trips. */
    static long w2(int n) {
        Chan<Integer> ping = Chan.make(), pong = Chan.make();
        Go.go(() -> {
            for (Integer v : ping) {
                pong.send(v);
            }
        });
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ping.send(i);
            pong.recv();
        }
        long t = System.nanoTime() - t0;
        ping.close();
        return t;
    }

    /** W3: one producer, one consumer (range), cap 1024, n ints, close at the end. */
    static long w3(int n) {
        Chan<Integer> c = Chan.make(1024);
        long t0 = System.nanoTime();
        Go.go(() -> {
            for (int i = 0; i < n; i++) {
                c.send(i);
            }
            c.close();
        });
        long sum = 0;
        for (Integer v : c) {
            sum += v;
        }
        long t = System.nanoTime() - t0;
        blackhole(sum);
        return t;
    }

    /** W4: producers x each messages into one cap-100 channel, one consumer. */
    static long w4(int producers, int each) {
        Chan<Integer> c = Chan.make(100);
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            Go.go(() -> {
                for (int i = 0; i < each; i++) {
                    c.send(i);
                }
            });
        }
        long sum = 0;
        for (int i = 0; i < producers * each; i++) {
            sum += c.recv();
        }
        long t = System.nanoTime() - t0;
        blackhole(sum);
        return t;
    }

    /** W4s: as W4 with {@code shards} channels (producer p sends on p % shards), one consumer each. */
    static long w4s(int producers, int each, int shards) {
        @SuppressWarnings("unchecked")
        Chan<Integer>[] cs = new Chan[shards];
        for (int s = 0; s < shards; s++) {
            cs[s] = Chan.make(100);
        }
        Chan<Long> sums = Chan.make(shards);
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            Chan<Integer> c = cs[p % shards];
            Go.go(() -> {
                for (int i = 0; i < each; i++) {
                    c.send(i);
                }
            });
        }
        for (int s = 0; s < shards; s++) {
            Chan<Integer> c = cs[s];
            int expect = ((producers - s + shards - 1) / shards) * each;
            Go.go(() -> {
                long sum = 0;
                for (int i = 0; i < expect; i++) {
                    sum += c.recv();
                }
                sums.send(sum);
            });
        }
        long sum = 0;
        for (int s = 0; s < shards; s++) {
            sum += sums.recv();
        }
        long t = System.nanoTime() - t0;
        blackhole(sum);
        return t;
    }

    /** W7: two producers on two unbuffered channels, one consumer selecting over both; n in total. */
    static long w7(int n) {
        Chan<Integer> a = Chan.make(), b = Chan.make();
        long t0 = System.nanoTime();
        Go.go(() -> { for (int i = 0; i < n / 2; i++) a.send(i); });
        Go.go(() -> { for (int i = 0; i < n / 2; i++) b.send(i); });
        long[] sum = new long[1];
        Select.Case ca = a.onRecv(v -> sum[0] += v), cb = b.onRecv(v -> sum[0] += v);
        for (int i = 0; i < n; i++) {
            Select.select(ca, cb);
        }
        long t = System.nanoTime() - t0;
        blackhole(sum[0]);
        return t;
    }

    private static volatile long sink;

    private static void blackhole(long v) {
        sink = v;
    }
}
