package io.gmp4j.metrics;

import io.gmp4j.Go;
import io.gmp4j.internal.runtime.Procs;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Go's runtime/metrics, by Go's names, and the same figures over JMX
 * ({@code io.gmp4j:type=Scheduler}) for JConsole, VisualVM and JMX exporters.
 */
public final class Metrics {
    private Metrics() {}

    /** The JMX name of the scheduler MBean. */
    public static final String OBJECT_NAME = "io.gmp4j:type=Scheduler";

    /** runtime/metrics.Read for the scheduler metrics gmp4j keeps, by Go's metric names. */
    public static Map<String, Long> read() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("/sched/goroutines:goroutines", (long) Procs.numGoroutine());
        m.put("/sched/gomaxprocs:threads", (long) Procs.maxProcs());
        m.put("/sched/threads:threads", (long) Procs.threads());
        m.put("/sched/threads/idle:threads", (long) Procs.idleThreads());
        long steals = 0;
        for (long s : Procs.steals()) {
            steals += s;
        }
        m.put("/gmp4j/sched/steals:goroutines", steals);
        return m;
    }

    /** The scheduler's figures as a JMX MXBean. */
    public interface SchedulerMXBean {
        int getGomaxprocs();

        int getGoroutines();

        int getThreads();

        int getIdleThreads();

        long getSteals();

        /**
         * Every goroutine's stack in Go's traceback format ({@code goroutine 1 [chan receive]:}),
         * as {@code runtime.Stack(buf, true)} gives it: the goroutine dump of a live process,
         * which {@code jstack} cannot show (goroutines are not in the JDK's thread containers).
         */
        String goroutineDump();
    }

    private static final class Scheduler implements SchedulerMXBean {
        @Override
        public int getGomaxprocs() {
            return Procs.maxProcs();
        }

        @Override
        public int getGoroutines() {
            return Procs.numGoroutine();
        }

        @Override
        public int getThreads() {
            return Procs.threads();
        }

        @Override
        public int getIdleThreads() {
            return Procs.idleThreads();
        }

        @Override
        public String goroutineDump() {
            return Go.stack(true);
        }

        @Override
        public long getSteals() {
            long steals = 0;
            for (long s : Procs.steals()) {
                steals += s;
            }
            return steals;
        }
    }

    /**
     * Registers {@code io.gmp4j:type=Scheduler} with the platform MBean server (idempotent).
     * Not done at start-up: loading JMX costs tens of milliseconds that most programs do not want.
     */
    public static synchronized void registerMBean() {
        try {
            ObjectName name = new ObjectName(OBJECT_NAME);
            var server = ManagementFactory.getPlatformMBeanServer();
            if (!server.isRegistered(name)) {
                server.registerMBean(new Scheduler(), name);
            }
        } catch (JMException e) {
            throw new IllegalStateException("registerMBean: " + e, e);
        }
    }
}
