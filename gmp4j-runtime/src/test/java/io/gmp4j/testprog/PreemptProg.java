package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.internal.runtime.Preempt;
import io.gmp4j.time.Time;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Back-edge preemption programs (issue 14), run in a child JVM with the agent. A platform
 * thread measures for one second after a warm-up, prints one line of figures and halts the
 * JVM, so a run whose goroutines never yield still ends.
 * <ul>
 *   <li>{@code spinners}: four call-free spinning goroutines and a 1 ms sleeper; {@code stepped}:
 *       the same with spinners whose loop steps its counter only while a flag is up; {@code strip}:
 *       the same with spinners in a strip-mined counted loop;
 *       {@code afterInit}: three spinners, one of which first spends 100 ms in a class
 *       initialiser.</li>
 *   <li>{@code pinned}: one spinner inside {@code synchronized}, one inside a class
 *       initialiser (pinned), and the sleeper; {@code sync} and {@code clinit}: one of them
 *       (spinners not counted).</li>
 * </ul>
 * Output: {@code agent=B cpu/wall=X progressed=N/M sleeps=K p99ms=Y handoffs=H sysmon=S stuck=U}
 * (S: sysmon's CPU time / wall; U: spinners handed off that have not reached a check since, at the end).
 */
public final class PreemptProg {
    private PreemptProg() {}

    static volatile boolean stop;
    static final AtomicLongArray progress = new AtomicLongArray(4);
    static final long[] lateness = new long[100_000];
    static volatile int nLate;
    static final Object lock = new Object();

    public static void main(String[] args) {
        String mode = args[0];
        Thread controller = new Thread(() -> measure(mode.equals("spinners") || mode.equals("stepped") || mode.equals("strip") ? 4
                : mode.equals("afterInit") ? 3 : mode.equals("pinned") ? 2 : 0));
        controller.setDaemon(true);
        controller.start();
        Go.run(() -> {
            Go.go(PreemptProg::sleeper);
            if (mode.equals("spinners") || mode.equals("stepped") || mode.equals("strip")) {
                for (int i = 0; i < 4; i++) {
                    int id = i;
                    Go.go(() -> {
                        if (mode.equals("stepped")) {
                            spinStepped(id);
                        } else if (mode.equals("strip")) {
                            spinStrip(id);
                        } else {
                            spin(id);
                        }
                    });
                }
            } else if (mode.equals("afterInit")) {
                Go.go(() -> {
                    if (SlowInit.DONE) { // 100 ms in <clinit> (pinned), then a spinner like the others
                        spin(0);
                    }
                });
                Go.go(() -> spin(1));
                Go.go(() -> spin(2));
            } else {
                if (!mode.equals("clinit")) {
                    Go.go(PreemptProg::spinLocked);
                }
                if (!mode.equals("sync")) {
                    Go.go(() -> {
                        if (InitSpinner.DONE) { // spins in <clinit>
                            progress.lazySet(1, progress.get(1) + 1);
                        }
                    });
                }
            }
            for (;;) {
                Time.sleep(Duration.ofSeconds(60));
            }
        });
    }

    /** A call-free loop on a local counter. */
    static void spin(int id) {
        long n = 0;
        while (!stop) {
            n++;
            if ((n & 0xFFFF) == 0) {
                progress.lazySet(id, n);
            }
        }
    }

    /**
     * A call-free loop that looks counted (an int stepped by one, compared with a constant) but
     * steps only while a flag is up, which it is not until the end: a spin-wait.
     */
    static void spinStepped(int id) {
        long n = 0;
        for (int i = 0; i < 1_000_000;) {
            if ((n & 0xFFFF) == 0) {
                progress.lazySet(id, n);
            }
            if (stop) {
                i++;
            }
            n++; // (a branch to the header here would be a second back-edge: not counted either way)
        }
    }

    /**
     * javac's {@code for (...; i < n; i++)} over 2^31 iterations, which the agent strip-mines:
     * its only check runs once per STRIDE iterations, outside the inner loop.
     */
    static void spinStrip(int id) {
        long s = 0;
        int n = Integer.MAX_VALUE;
        for (;;) {
            for (int i = 0; i < n; i++) {
                s += i;
                if ((i & 0xFFFF) == 0) {
                    progress.lazySet(id, s);
                }
            }
        }
    }

    static void spinLocked() {
        synchronized (lock) {
            spin(0);
        }
    }

    static final class InitSpinner {
        static final boolean DONE;

        static {
            spin(1);
            DONE = true;
        }
    }

    /** A class initialiser that spins for 100 ms: a check in it finds its G pinned. */
    static final class SlowInit {
        static final boolean DONE;

        static {
            long t = System.nanoTime();
            long n = 0;
            while (System.nanoTime() - t < 100_000_000L) {
                n++;
            }
            DONE = n >= 0;
        }
    }

    static void sleeper() {
        for (;;) {
            long t = System.nanoTime();
            Time.sleep(Duration.ofMillis(1));
            long late = System.nanoTime() - t - 1_000_000;
            int i = nLate;
            if (i < lateness.length) {
                lateness[i] = late;
                nLate = i + 1;
            }
        }
    }

    private static void measure(int spinners) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        sleep(500);
        long[] before = new long[spinners];
        for (int i = 0; i < spinners; i++) {
            before[i] = progress.get(i);
        }
        int late0 = nLate;
        long cpu0 = os.getProcessCpuTime();
        long sys0 = sysmonCpu();
        long t0 = System.nanoTime();
        sleep(1000);
        long cpu1 = os.getProcessCpuTime();
        long sys1 = sysmonCpu();
        long t1 = System.nanoTime();
        int late1 = nLate;
        int stuck = Preempt.handedOffNow(); // handed off and still running without a P (no check reached since)
        int progressed = 0;
        for (int i = 0; i < spinners; i++) {
            if (progress.get(i) > before[i]) {
                progressed++;
            }
        }
        long[] l = Arrays.copyOfRange(lateness, late0, late1);
        Arrays.sort(l);
        double p99 = l.length == 0 ? -1 : l[Math.min(l.length - 1, (int) (l.length * 0.99))] / 1e6;
        System.out.printf("agent=%b cpu/wall=%.2f progressed=%d/%d sleeps=%d p99ms=%.2f handoffs=%d sysmon=%.2f stuck=%d%n",
                Preempt.isAgentInstalled(), (double) (cpu1 - cpu0) / (t1 - t0), progressed, spinners, l.length, p99, Preempt.handoffs(), (double) (sys1 - sys0) / (t1 - t0), stuck);
        if (System.getProperty("preemptprog.quantiles") != null && l.length > 0) {
            System.out.printf("p10=%.2f p50=%.2f p90=%.2f max=%.2f%n", l[l.length / 10] / 1e6, l[l.length / 2] / 1e6,
                    l[l.length * 9 / 10] / 1e6, l[l.length - 1] / 1e6);
        }
        System.out.flush();
        stop = true;
        Runtime.getRuntime().halt(0);
    }

    /** CPU time of the sysmon thread so far (ns), or 0. */
    private static long sysmonCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("gmp4j-sysmon")) {
                return threads.getThreadCpuTime(t.threadId());
            }
        }
        return 0;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }
}
