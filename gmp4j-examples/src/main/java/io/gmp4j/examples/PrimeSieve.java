package io.gmp4j.examples;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/*
 * Go's classic concurrent prime sieve (go.dev/doc/play/sieve.go, from the Go tour): a
 * generator goroutine sends 2, 3, 4, ... down an unbuffered channel; each prime found adds a
 * filter goroutine that drops its multiples. n primes means a chain of n goroutines and n + 1
 * unbuffered channels, every number passing hand to hand: a test of goroutine switch cost.
 *
 * Go's version leaks the whole chain when main returns (the program ends, so nobody cares).
 * Here every stage also selects on ctx.done(), so cancelling the context ends all of them and
 * Go.numGoroutine() is back where it started.
 */
final class PrimeSieve implements Example {
    @Override
    public String name() {
        return "primesieve";
    }

    @Override
    public String summary() {
        return "Go's concurrent prime sieve: a chain of filter goroutines over unbuffered channels [n=100]";
    }

    @Override
    public int run(String[] args, PrintStream out) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        long start = System.nanoTime();
        List<Integer> primes = primes(n);
        long nanos = System.nanoTime() - start;
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < primes.size(); i++) {
            line.append(primes.get(i)).append(i % 20 == 19 ? "\n" : " ");
        }
        out.println(line.toString().stripTrailing());
        out.printf("%d primes, %d filter goroutines, %.1f ms%n", primes.size(), primes.size(), nanos / 1e6);
        return 0;
    }

    /** The first n primes, computed by the goroutine sieve; all its goroutines have ended on return. */
    static List<Integer> primes(int n) {
        var wc = Context.withCancel(Context.background());
        Context ctx = wc.ctx();
        List<Integer> out = new ArrayList<>(n);
        try {
            Chan<Integer> first = Chan.make(0);
            Go.go(() -> generate(ctx, first));
            Chan<Integer> ch = first;
            for (int i = 0; i < n; i++) {
                int prime = ch.recv();
                out.add(prime);
                Chan<Integer> next = Chan.make(0);
                Chan<Integer> in = ch;
                Go.go(() -> filter(ctx, in, next, prime));
                ch = next;
            }
        } finally {
            wc.cancel().run(); // defer cancel(): every stage sees ctx.done() and returns
        }
        return out;
    }

    /** Sends 2, 3, 4, ... to ch until ctx is done. */
    private static void generate(Context ctx, Chan<Integer> ch) {
        boolean[] stop = {false};
        for (int i = 2; !stop[0]; i++) {
            Select.select(ch.onSend(i, null), ctx.done().onRecv(v -> stop[0] = true));
        }
    }

    /** Copies what arrives on in to out, dropping multiples of prime, until ctx is done. */
    private static void filter(Context ctx, Chan<Integer> in, Chan<Integer> out, int prime) {
        boolean[] stop = {false};
        int[] got = new int[1];
        while (!stop[0]) {
            Select.select(in.onRecv(v -> got[0] = v), ctx.done().onRecv(v -> stop[0] = true));
            if (!stop[0] && got[0] % prime != 0) {
                Select.select(out.onSend(got[0], null), ctx.done().onRecv(v -> stop[0] = true));
            }
        }
    }
}
