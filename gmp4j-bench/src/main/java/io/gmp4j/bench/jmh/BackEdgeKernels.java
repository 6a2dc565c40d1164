package io.gmp4j.bench.jmh;

/**
 * The loops {@link BackEdgeBench} runs twice: as compiled, and with the agent's back-edge
 * checks (io.gmp4j.internal.agent.BackEdgeTransformer). Loaded into their own class loaders.
 */
public class BackEdgeKernels implements BackEdgeBench.Kernel {
    long total;

    @Override
    public long sum(int[] a) {
        long s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i];
        }
        return s;
    }

    @Override
    public long fieldStore(int[] a) {
        for (int i = 0; i < a.length; i++) {
            total += a[i];
        }
        return total;
    }

    @Override
    public long nested(int[] a, int[] b) {
        long s = 0;
        for (int i = 0; i < a.length; i++) {
            int x = a[i];
            for (int j = 0; j < b.length; j++) {
                s += x ^ b[j];
            }
        }
        return s;
    }

    @Override
    public long walk(int[] next) {
        long s = 0;
        int i = 0;
        while (i >= 0) { // the body moves the index: not a counted loop, checked by default
            s += i;
            i = next[i];
        }
        return s;
    }
}
