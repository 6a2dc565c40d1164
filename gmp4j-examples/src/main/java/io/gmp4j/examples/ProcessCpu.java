package io.gmp4j.examples;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;

/**
 * The process's CPU time in nanoseconds, every thread included. The JDK's
 * {@code OperatingSystemMXBean.getProcessCpuTime} counts in clock ticks on Linux (10 ms here):
 * a 200 ms run of the bursty example read 0 (2026-12-04). So on Linux this asks
 * {@code clock_gettime(CLOCK_PROCESS_CPUTIME_ID)} directly (FFM; the launcher passes
 * --enable-native-access), and elsewhere falls back to the bean.
 */
final class ProcessCpu {
    private ProcessCpu() {}

    private static final int CLOCK_PROCESS_CPUTIME_ID = 2; // <time.h> on Linux
    private static final MethodHandle CLOCK_GETTIME = clockGettime();

    private static MethodHandle clockGettime() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("clock_gettime")
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null; // no native access: the bean's coarser clock
        }
    }

    static long nanos() {
        if (CLOCK_GETTIME != null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ts = arena.allocate(16, 8); // struct timespec { time_t tv_sec; long tv_nsec; }
                if ((int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, ts) == 0) {
                    return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
                }
            } catch (Throwable e) {
                // fall through to the bean
            }
        }
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
