package io.gmp4j.bench.jmh;

import io.gmp4j.internal.agent.BackEdgeTransformer;
import io.gmp4j.internal.runtime.Preempt;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of the back-edge preemption check (issue 14) when no preemption is pending: the
 * same four loops as compiled ({@code plain*}), as the agent instruments them by default
 * ({@code checked*}: innermost counted loops left unchecked) and with every loop checked
 * ({@code all*}: -Dgmp4j.preempt.countedLoops=true), each class in its own loader so all
 * three run in one JVM. The fork keeps the agent (if any) off
 * {@link BackEdgeKernels}, so that plain stays plain.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = "-Dgmp4j.preempt.exclude=io.gmp4j.bench.jmh.BackEdgeKernels")
public class BackEdgeBench {
    /** What both copies implement (loaded once, by the parent loader). */
    public interface Kernel {
        long sum(int[] a);

        long fieldStore(int[] a);

        long nested(int[] a, int[] b);

        long walk(int[] next);
    }

    private static final String KERNELS = "io.gmp4j.bench.jmh.BackEdgeKernels";

    Kernel plain;
    Kernel checked;
    Kernel all;
    int[] big = new int[4096];
    int[] next = new int[4096];
    int[] row = new int[64];

    @Setup
    public void setup() throws Exception {
        if (Preempt.isAgentInstalled() && BackEdgeTransformer.Filter.fromProperties().instrument(KERNELS.replace('.', '/'))) {
            throw new IllegalStateException("the agent would instrument the plain copy too");
        }
        byte[] bytes;
        try (InputStream in = BackEdgeBench.class.getClassLoader().getResourceAsStream(KERNELS.replace('.', '/') + ".class")) {
            bytes = in.readAllBytes();
        }
        byte[] instrumented = BackEdgeTransformer.instrument(bytes, BackEdgeBench.class.getClassLoader());
        plain = (Kernel) new OneClass(bytes).loadClass(KERNELS).getConstructor().newInstance();
        checked = (Kernel) new OneClass(instrumented).loadClass(KERNELS).getConstructor().newInstance();
        byte[] every = BackEdgeTransformer.instrument(bytes, BackEdgeBench.class.getClassLoader(), true);
        all = (Kernel) new OneClass(every).loadClass(KERNELS).getConstructor().newInstance();
        // walk: a scattered path through every index from 0, ending at -1 (a random permutation)
        int[] perm = new int[next.length];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        java.util.Random r = new java.util.Random(42);
        for (int i = perm.length - 1; i > 1; i--) {
            int j = 1 + r.nextInt(i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int k = 0; k < perm.length - 1; k++) {
            next[perm[k]] = perm[k + 1];
        }
        next[perm[perm.length - 1]] = -1;
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 31;
        }
        for (int i = 0; i < row.length; i++) {
            row[i] = i * 7;
        }
    }

    static final class OneClass extends ClassLoader {
        private final byte[] bytes;

        OneClass(byte[] bytes) {
            super(BackEdgeBench.class.getClassLoader());
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            if (n.equals(KERNELS)) {
                synchronized (getClassLoadingLock(n)) {
                    Class<?> c = findLoadedClass(n);
                    return c != null ? c : defineClass(n, bytes, 0, bytes.length);
                }
            }
            return super.loadClass(n, resolve);
        }
    }

    @Benchmark
    public long plainSum() {
        return plain.sum(big);
    }

    @Benchmark
    public long checkedSum() {
        return checked.sum(big);
    }

    @Benchmark
    public long plainFieldStore() {
        return plain.fieldStore(big);
    }

    @Benchmark
    public long checkedFieldStore() {
        return checked.fieldStore(big);
    }

    @Benchmark
    public long plainNested() {
        return plain.nested(row, row);
    }

    @Benchmark
    public long checkedNested() {
        return checked.nested(row, row);
    }

    @Benchmark
    public long allSum() {
        return all.sum(big);
    }

    @Benchmark
    public long allFieldStore() {
        return all.fieldStore(big);
    }

    @Benchmark
    public long allNested() {
        return all.nested(row, row);
    }

    @Benchmark
    public long plainWalk() {
        return plain.walk(next);
    }

    @Benchmark
    public long checkedWalk() {
        return checked.walk(next);
    }
}
