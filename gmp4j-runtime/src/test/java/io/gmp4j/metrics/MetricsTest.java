package io.gmp4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** runtime/metrics names and the JMX view agree with the runtime. */
@ExtendWith(GoLeakCheck.class)
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

    /** The JMX goroutine dump shows a goroutine parked in a channel receive, in Go's format. */
    @Test
    void goroutineDumpOverJmx() throws Exception {
        int before = Go.numGoroutine();
        Metrics.registerMBean();
        io.gmp4j.chan.Chan<Integer> c = io.gmp4j.chan.Chan.make(0);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Go.go(() -> {
            c.recv();
            done.countDown();
        });
        String dump = "";
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!dump.contains("[chan receive")) {
            assertTrue(System.nanoTime() < deadline, "no goroutine in chan receive in the dump:\n" + dump);
            Thread.sleep(1);
            dump = (String) ManagementFactory.getPlatformMBeanServer()
                    .invoke(new ObjectName(Metrics.OBJECT_NAME), "goroutineDump", null, null);
        }
        assertTrue(dump.matches("(?s).*goroutine \\d+ \\[chan receive.*"), dump);
        c.send(1);
        assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS));
        io.gmp4j.testing.GoTesting.assertNoLeak(before);
    }
}
