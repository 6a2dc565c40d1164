package io.gmp4j.bench;

import java.util.List;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./gmp4j bench --jmh [REGEX]}: the JMH micro-benchmarks in {@code io.gmp4j.bench.jmh},
 * with short settings (one fork, 2 x 1 s warm-up, 3 x 1 s measurement: about 5 s per
 * benchmark). For publishable figures run JMH's own runner with longer settings.
 */
final class Jmh {
    private Jmh() {}

    static int run(String include, List<String> jvmFlags) {
        String pattern = include != null ? include : "io\\.gmp4j\\.bench\\.jmh\\..*";
        Options opts = new OptionsBuilder()
                .include(pattern)
                .forks(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(3)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgs(jvmFlags.toArray(new String[0]))
                .build();
        try {
            new Runner(opts).run();
            return 0;
        } catch (RunnerException e) {
            System.err.println("bench --jmh: " + e.getMessage());
            return 1;
        }
    }
}
