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
 * same three loops, as compiled ({@code plain*}) and instrumented ({@code checked*}), each
 * class in its own loader so both run in one JVM. The fork keeps the agent (if any) off
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
    }

    private static final String KERNELS = "io.gmp4j.bench.jmh.BackEdgeKernels";

    Kernel plain;
    Kernel checked;
    int[] big = new int[4096];
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
}
