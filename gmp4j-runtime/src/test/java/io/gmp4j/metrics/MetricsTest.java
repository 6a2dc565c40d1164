package io.gmp4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** runtime/metrics names and the JMX view agree with the runtime. */
class MetricsTest {
    @Test
    void readAndJmx() throws Exception {
        var m = Metrics.read();
        assertEquals((long) Go.gomaxprocs(0), m.get("/sched/gomaxprocs:threads"));
        assertTrue(m.get("/sched/goroutines:goroutines") >= 0);
        Metrics.registerMBean();
        Metrics.registerMBean();
        Object procs = ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName(Metrics.OBJECT_NAME), "Gomaxprocs");
        assertEquals(Go.gomaxprocs(0), procs);
    }
}
