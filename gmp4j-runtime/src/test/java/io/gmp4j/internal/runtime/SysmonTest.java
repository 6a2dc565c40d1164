package io.gmp4j.internal.runtime;

import static io.gmp4j.testing.GoTesting.assertNoLeak;
import static io.gmp4j.testing.GoTesting.withProcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * sysmon's retake and the M lifecycle (proc.go: sysmon, retake, handoffp, LockOSThread).
 * Bounds are for a loaded 2-core machine: "ran within 1 s", where gmp4j's own figure is a few
 * ms (W9 in docs/BENCHMARKS.md).
 */
@ExtendWith(GoLeakCheck.class)
class SysmonTest {

    /** Starts {@code blocker} (which holds its M), then checks a new G still runs within 1 s at GOMAXPROCS=1. */
    private static void secondGoroutineRunsBehind(Runnable blocker, Runnable release) throws Exception {
        int before = Go.numGoroutine();
        withProcs(1, () -> {
            CountDownLatch started = new CountDownLatch(1);
            Go.go(() -> {
                started.countDown();
                blocker.run();
            });
            try {
                assertTrue(started.await(5, TimeUnit.SECONDS), "blocker did not start");
                // Let the blocker settle into its loop or call before the second G is made runnable.
                LockSupport.parkNanos(50_000_000);
                CountDownLatch ran = new CountDownLatch(1);
                Go.go(ran::countDown);
                assertTrue(ran.await(1, TimeUnit.SECONDS), "second goroutine did not run within 1 s");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                release.run();
            }
        });
        assertNoLeak(before);
    }

    // seed Bug 1 (002_*), Go 1.14+ behaviour
    /** A call-free spinning G does not keep a runnable G from running (hand-off after forcePreemptNS). */
    @Test
    void cpuHogDoesNotStarve() throws Exception {
        AtomicBoolean spin = new AtomicBoolean(true);
        secondGoroutineRunsBehind(() -> {
            long x = 0;
            while (spin.get()) { // a volatile read: still no call, but C2 cannot hoist it
                x++;
            }
            assertTrue(x >= 0);
        }, () -> spin.set(false));
    }

    /** Each hand-off is a JFR event (io.gmp4j.Handoff) with the P, the goroutine and how long it held the P. */
    @Test
    void handoffIsRecordedInJfr() throws Exception {
        Path file = Files.createTempFile("gmp4j", ".jfr");
        try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
            r.enable("io.gmp4j.Handoff");
            r.start();
            // sysmon registers gmp4j's events within a second of JFR starting (Sysmon.registerJfrEvents).
            Go.gomaxprocs(0); // the runtime (and sysmon) is up
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!jdk.jfr.FlightRecorder.getFlightRecorder().getEventTypes().stream()
                    .anyMatch(t -> t.getName().equals("io.gmp4j.Handoff"))) {
                assertTrue(System.nanoTime() < deadline, "io.gmp4j.Handoff never registered");
                LockSupport.parkNanos(10_000_000);
            }
            AtomicBoolean spin = new AtomicBoolean(true);
            secondGoroutineRunsBehind(() -> {
                while (spin.get()) {
                    Thread.onSpinWait();
                }
            }, () -> spin.set(false));
            r.stop();
            r.dump(file);
        }
        List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(file);
        Files.delete(file);
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("io.gmp4j.Handoff")
                && e.getLong("goid") > 0 && e.getDuration("heldNanos").toNanos() >= Export.forcePreemptNanos()), events.toString());
    }

    /** A G pinned in file I/O (opening a FIFO that has no writer) gives up its P. */
    @Test
    void fifoOpenDoesNotStarve() throws Exception {
        Path dir = Files.createTempDirectory("gmp4j-fifo");
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        CountDownLatch readerDone = new CountDownLatch(1);
        secondGoroutineRunsBehind(() -> {
            try (FileInputStream in = new FileInputStream(fifo.toFile())) {
                in.read();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            } finally {
                readerDone.countDown();
            }
        }, () -> {
            try (FileOutputStream out = new FileOutputStream(fifo.toFile())) {
                out.write(1);
                assertTrue(readerDone.await(10, TimeUnit.SECONDS));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Files.delete(fifo);
        Files.delete(dir);
    }

    /** A G in a blocking native call (FFM downcall to poll(2) for 1.5 s) gives up its P. */
    @Test
    void nativeCallDoesNotStarve() throws Exception {
        Linker linker = Linker.nativeLinker();
        MethodHandle poll = linker.downcallHandle(linker.defaultLookup().find("poll").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        CountDownLatch done = new CountDownLatch(1);
        secondGoroutineRunsBehind(() -> {
            try {
                int r = (int) poll.invokeExact(java.lang.foreign.MemorySegment.NULL, 0L, 1500);
                assertEquals(0, r);
            } catch (Throwable e) {
                throw new AssertionError(e);
            } finally {
                done.countDown();
            }
        }, () -> {
            try {
                assertTrue(done.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    // proc_test.go: TestAsyncPreempt (testprog/preempt.go: AsyncPreempt)
    /**
     * Three goroutines that never reach a safe point, at GOMAXPROCS=1: main still runs, prints
     * OK and the program exits. By sysmon's hand-offs alone, and with the launcher's class
     * loader (back-edge checks).
     */
    @Test
    void asyncPreempt() {
        for (List<String> jvm : List.of(List.<String>of(),
                List.of("-Djava.system.class.loader=io.gmp4j.internal.agent.PreemptLoader", "-Xlog:cds=off"))) {
            Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", jvm, List.of(), 60, "asyncPreempt");
            assertEquals(0, c.exitCode(), jvm + ": " + c.stdout() + c.stderr());
            assertEquals("OK\n", c.stdout(), jvm + ": " + c.stderr());
        }
    }

    /**
     * A class-path program in a runtime without jdk.jfr (a jlink image of java.base, or
     * --limit-modules): sysmon's once-a-second check for a started JFR touched
     * jdk.jfr.FlightRecorder and died, so every program that ran past its first tick ended in
     * "fatal error: sysmon: unexpected java.lang.NoClassDefFoundError: jdk/jfr/FlightRecorder",
     * exit 2. Without JFR there is nothing to register the hand-off event with: no error.
     * Also checked: main's preemption by sysmon's hand-offs (asyncPreempt) there.
     */
    @Test
    void runsWithoutJfr() {
        Child c = GoTesting.runChild("io.gmp4j.testprog.DebugProg", List.of("--limit-modules", "java.base"), List.of(), 60);
        assertEquals(0, c.exitCode(), c.stdout() + c.stderr());
        assertEquals("", c.stderr());
        Child p = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of("--limit-modules", "java.base"), List.of(), 60,
                "asyncPreempt");
        assertEquals(0, p.exitCode(), p.stdout() + p.stderr());
        assertEquals("OK\n", p.stdout(), p.stderr());
    }

    /** With GODEBUG=asyncpreemptoff=1 the call-free loop hangs the program, as Go 1.13 did. */
    @Test
    void asyncPreemptOffReproducesTheHang() {
        Child on = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of(), List.of(), 60, "cpuHog");
        assertEquals(0, on.exitCode(), on.stderr());
        assertTrue(on.stdout().startsWith("second goroutine ran after"), on.stdout());
        Child off = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of(), List.of("GODEBUG=asyncpreemptoff=1"), 60,
                "cpuHog");
        assertEquals(3, off.exitCode(), off.stdout() + off.stderr());
        assertEquals("hung: the second goroutine did not run\n", off.stdout());
        // Go tests debug.asyncpreemptoff == 0: any other value turns preemption off too
        Child two = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of(), List.of("GODEBUG=asyncpreemptoff=2"), 60,
                "cpuHog");
        assertEquals(3, two.exitCode(), two.stdout() + two.stderr());
        String key = "gmp4j.GODEBUG";
        String saved = System.getProperty(key);
        try {
            System.setProperty(key, "asyncpreemptoff=2");
            assertTrue(Preempt.asyncPreemptOff(), "the agent's check: asyncpreemptoff=2");
            System.setProperty(key, "asyncpreemptoff=0");
            assertFalse(Preempt.asyncPreemptOff());
        } finally {
            if (saved == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, saved);
            }
        }
    }

    // proc_test.go: TestLockOSThread...
    /** A locked G only ever runs on its own M, however often it blocks and is woken. */
    @Test
    void lockedGoroutineNeverChangesM() {
        int before = Go.numGoroutine();
        withProcs(2, () -> GoTesting.inGoroutine(() -> {
            Set<Long> ms = ConcurrentHashMap.newKeySet();
            CountDownLatch done = new CountDownLatch(1);
            Thread[] locked = new Thread[1];
            AtomicBoolean stop = new AtomicBoolean();
            Go.go(() -> {
                Go.lockOSThread();
                Go.lockOSThread(); // nests
                Go.unlockOSThread();
                locked[0] = Thread.currentThread();
                for (int i = 0; i < 2000; i++) {
                    ms.add(Export.currentMid());
                    if ((i & 1) == 0) {
                        Go.gosched();
                    } else {
                        LockSupport.parkNanos(10_000);
                    }
                }
                ms.add(Export.currentMid());
                Go.unlockOSThread();
                done.countDown();
            });
            // Other goroutines churn the Ps meanwhile.
            for (int i = 0; i < 200; i++) {
                Go.go(() -> {
                    for (int k = 0; k < 50 && !stop.get(); k++) {
                        Go.gosched();
                    }
                });
            }
            try {
                assertTrue(done.await(30, TimeUnit.SECONDS), "locked goroutine did not finish");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            stop.set(true);
            assertEquals(1, ms.size(), "Ms seen by the locked goroutine: " + ms);
        }));
        assertNoLeak(before);
    }

    /** A goroutine that ends while locked takes its M down with it (the M is not reused). */
    @Test
    void lockedGoroutineExitTakesItsM() throws Exception {
        int before = Go.numGoroutine();
        long[] mid = new long[1];
        CountDownLatch done = new CountDownLatch(1);
        Thread[] carrier = new Thread[1];
        Go.go(() -> {
            Go.lockOSThread();
            mid[0] = Export.currentMid();
            carrier[0] = currentCarrier();
            done.countDown();
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        carrier[0].join(10_000);
        assertTrue(!carrier[0].isAlive(), "the locked goroutine's M is still alive");
        assertNoLeak(before);
    }

    private static Thread currentCarrier() {
        long id = Export.currentMid();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("gmp4j-M" + id)) {
                return t;
            }
        }
        throw new AssertionError("no carrier named gmp4j-M" + id);
    }

    /** GOMAXPROCS follows a (faked) cgroup CPU limit, re-read about once a second (Go 1.25). */
    @Test
    void cgroupLimitIsReadAndUpdated() throws Exception {
        Path root = Files.createTempDirectory("gmp4j-cgroup");
        Files.createDirectories(root.resolve("proc/self"));
        Files.writeString(root.resolve("proc/self/status"), "Name:\tjava\nCpus_allowed_list:\t0-7\n");
        Files.writeString(root.resolve("proc/self/cgroup"), "0::/test.slice\n");
        Path dir = Files.createDirectories(root.resolve("sys/fs/cgroup/test.slice"));
        Path cpuMax = dir.resolve("cpu.max");
        Files.writeString(cpuMax, "350000 100000\n");
        List<String> jvm = List.of("-Dgmp4j.cgroupRoot=" + root);
        Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", jvm, List.of(), 60, "cgroupUpdate", cpuMax.toString(),
                "50000 100000\n");
        assertEquals(0, c.exitCode(), c.stderr());
        // 3.5 CPUs -> 4; then 0.5 CPUs -> 2 (never below 2 for a cgroup limit).
        assertEquals("gomaxprocs=4\ngomaxprocs=2\n", c.stdout());

        Files.writeString(cpuMax, "max 100000\n");
        assertEquals("gomaxprocs=8\n", GoTesting.runChild("io.gmp4j.testprog.TestProg", jvm, List.of(), 60, "gomaxprocs").stdout());
        assertEquals("gomaxprocs=8\n", GoTesting.runChild("io.gmp4j.testprog.TestProg",
                List.of("-Dgmp4j.cgroupRoot=" + root, "-Dgmp4j.GODEBUG=containermaxprocs=0"), List.of(), 60, "gomaxprocs").stdout());
        Files.writeString(cpuMax, "150000 100000\n");
        assertEquals("gomaxprocs=2\n", GoTesting.runChild("io.gmp4j.testprog.TestProg", jvm, List.of(), 60, "gomaxprocs").stdout());
        assertEquals("gomaxprocs=8\n", GoTesting.runChild("io.gmp4j.testprog.TestProg",
                List.of("-Dgmp4j.cgroupRoot=" + root, "-Dgmp4j.GODEBUG=containermaxprocs=0"), List.of(), 60, "gomaxprocs").stdout());
    }

    /** GOMAXPROCS from the environment; the property wins; an invalid value is ignored (Go's rule). */
    @Test
    void gomaxprocsFromEnvironment() {
        String prog = "io.gmp4j.testprog.TestProg";
        assertEquals("gomaxprocs=3\n", GoTesting.runChild(prog, List.of(), List.of("GOMAXPROCS=3"), 60, "gomaxprocs").stdout());
        assertEquals("gomaxprocs=5\n",
                GoTesting.runChild(prog, List.of("-Dgmp4j.GOMAXPROCS=5"), List.of("GOMAXPROCS=3"), 60, "gomaxprocs").stdout());
        String dflt = GoTesting.runChild(prog, List.of(), List.of(), 60, "gomaxprocs").stdout();
        assertEquals(dflt, GoTesting.runChild(prog, List.of(), List.of("GOMAXPROCS=abc"), 60, "gomaxprocs").stdout());
        assertEquals(dflt, GoTesting.runChild(prog, List.of(), List.of("GOMAXPROCS=-2"), 60, "gomaxprocs").stdout());
        // Go's atoi32: no sign but '-', no spaces, ASCII digits only (Integer.parseInt takes all three).
        for (String bad : List.of(" 3", "+4", "3 ", "\u0663")) {
            assertEquals(dflt, GoTesting.runChild(prog, List.of(), List.of("GOMAXPROCS=" + bad), 60, "gomaxprocs").stdout(), bad);
        }
        // No cap since Go 1.10 (_MaxGomaxprocs).
        assertEquals("gomaxprocs=2000\n", GoTesting.runChild(prog, List.of(), List.of("GOMAXPROCS=2000"), 60, "gomaxprocs").stdout());
    }

    /** GODEBUG=schedtrace=100 prints modern Go's SCHED lines (the seed 004 regex parses them). */
    @Test
    void schedtraceFormat() {
        Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of("-Dgmp4j.GOMAXPROCS=2"),
                List.of("GODEBUG=schedtrace=100"), 60, "schedtrace");
        assertEquals(0, c.exitCode(), c.stderr());
        java.util.regex.Pattern re = java.util.regex.Pattern.compile(
                "SCHED\\s+(\\d+)ms:\\s+gomaxprocs=(\\d+)\\s+idleprocs=(\\d+)\\s+threads=(\\d+)\\s+spinningthreads=(\\d+)"
                        + "\\s+needspinning=(\\d+)\\s+idlethreads=(\\d+)\\s+runqueue=(\\d+) \\[\\d+ \\d+\\]");
        long lines = c.stderr().lines().filter(l -> re.matcher(l).matches()).count();
        assertTrue(lines >= 2, c.stderr());
        assertTrue(c.stderr().startsWith("SCHED 0ms: "), "Go prints a line as sysmon starts: " + c.stderr());
    }

    /**
     * GODEBUG=scheddetail=1 prints Go 1.22's schedtrace(true): header, P, M and G lines; M lines
     * with their curg, G lines with the m running them and a JDK-parked goroutine as waiting.
     */
    @Test
    void scheddetailFormat() {
        Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of("-Dgmp4j.GOMAXPROCS=2"),
                List.of("GODEBUG=schedtrace=100,scheddetail=1"), 60, "scheddetail");
        assertEquals(0, c.exitCode(), c.stderr());
        java.util.regex.Pattern header = java.util.regex.Pattern.compile(
                "SCHED \\d+ms: gomaxprocs=2 idleprocs=\\d+ threads=\\d+ spinningthreads=\\d+ needspinning=\\d+"
                        + " idlethreads=\\d+ runqueue=\\d+ gcwaiting=false nmidlelocked=\\d+ stopwait=0 sysmonwait=false");
        java.util.regex.Pattern pl = java.util.regex.Pattern.compile(
                "  P(\\d+): status=\\d schedtick=\\d+ syscalltick=\\d+ m=(\\d+|nil) runqsize=\\d+ gfreecnt=0 timerslen=\\d+");
        java.util.regex.Pattern ml = java.util.regex.Pattern.compile(
                "  M(\\d+): p=(\\d+|nil) curg=(\\d+|nil) mallocing=0 throwing=0 preemptoff= locks=0 dying=0"
                        + " spinning=(true|false) blocked=(true|false) lockedg=(\\d+|nil)");
        java.util.regex.Pattern gl = java.util.regex.Pattern.compile(
                "  G(\\d+): status=(\\d)\\(([^)]*)\\) m=(\\d+|nil) lockedm=(\\d+|nil)");
        int blocks = 0, mlines = 0;
        long lastGoid = 0; // Go's forEachG walks allgs in creation order: goids rise within a block
        boolean chanRecv = false, sleep = false, semacquire = false, runningWithM = false;
        java.util.Map<String, String> curg = new java.util.HashMap<>(); // M id -> goid, this block
        for (String line : c.stderr().lines().toList()) {
            java.util.regex.Matcher m;
            if (line.startsWith("SCHED")) {
                assertTrue(header.matcher(line).matches(), line);
                blocks++;
                lastGoid = 0;
                curg.clear();
            } else if (line.startsWith("  P")) {
                assertTrue(pl.matcher(line).matches(), line);
            } else if ((m = ml.matcher(line)).matches()) {
                mlines++;
                curg.put(m.group(1), m.group(3));
            } else if ((m = gl.matcher(line)).matches()) {
                long goid = Long.parseLong(m.group(1));
                assertTrue(goid > lastGoid, "G lines out of allgs order: G" + lastGoid + " then " + line + "\n" + c.stderr());
                lastGoid = goid;
                int status = Integer.parseInt(m.group(2));
                String reason = m.group(3);
                assertTrue(status == 1 || status == 2 || status == 4 || status == 6, line);
                assertEquals(status == 4, !reason.isEmpty(), line); // a waiting G always has a reason
                if (!m.group(4).equals("nil")) {
                    assertEquals(2, status, line);
                    // m= agrees with that M's curg (a racy snapshot: the M line came first)
                    if (m.group(1).equals(curg.get(m.group(4)))) {
                        runningWithM = true;
                    }
                }
                chanRecv |= status == 4 && reason.equals("chan receive");
                sleep |= status == 4 && reason.equals("sleep");
                semacquire |= status == 4 && reason.equals("semacquire");
            } else if (line.startsWith("  ")) {
                throw new AssertionError("unparsed schedtrace line: " + line);
            }
        }
        assertTrue(blocks >= 2, c.stderr());
        assertTrue(mlines >= blocks, c.stderr());
        assertTrue(chanRecv, "no G in chan receive:\n" + c.stderr());
        assertTrue(sleep, "no JDK-sleeping G shown as waiting (sleep):\n" + c.stderr());
        assertTrue(semacquire, "no j.u.c.-parked G shown as waiting (semacquire):\n" + c.stderr());
        assertTrue(runningWithM, "no running G with m= matching its M's curg:\n" + c.stderr());
    }

    /**
     * scheddetail=1's nmidlelocked counts the Ms asleep in stoplockedm (proc.go: incidlelocked):
     * main, locked to its thread and sleeping, leaves its M waiting for it; the header says 1
     * while that M's line says blocked with lockedg=1. It was always printed as 0.
     */
    @Test
    void scheddetailCountsIdleLockedMs() {
        Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of("-Dgmp4j.GOMAXPROCS=2"),
                List.of("GODEBUG=schedtrace=100,scheddetail=1"), 60, "scheddetailLocked");
        assertEquals(0, c.exitCode(), c.stderr());
        java.util.regex.Pattern header = java.util.regex.Pattern.compile("SCHED \\d+ms: .* nmidlelocked=(\\d+) stopwait=0 sysmonwait=false");
        java.util.regex.Pattern lockedIdle = java.util.regex.Pattern.compile("  M\\d+: p=nil curg=nil .* blocked=true lockedg=1");
        int agreeing = 0;
        int nmidlelocked = -1;
        boolean lockedMIdle = false;
        for (String line : c.stderr().lines().toList()) {
            java.util.regex.Matcher m = header.matcher(line);
            if (m.matches()) {
                if (nmidlelocked == 1 && lockedMIdle) {
                    agreeing++;
                }
                nmidlelocked = Integer.parseInt(m.group(1));
                lockedMIdle = false;
            } else if (lockedIdle.matcher(line).matches()) {
                lockedMIdle = true;
            }
        }
        if (nmidlelocked == 1 && lockedMIdle) {
            agreeing++;
        }
        assertTrue(agreeing >= 1, "no block with nmidlelocked=1 and main's M asleep:\n" + c.stderr());
    }

    /**
     * scheddetail=1: an M shows p=N only while P N's m is that M. Sysmon hands off the P of a
     * call-free hog (proc.go: retake, Go's M in a syscall), whose M runs on without one and
     * notices only when the hog stops; meanwhile its M line says p=nil, as Go's (entersyscall
     * clears m.p). GOMAXPROCS=1.
     */
    @Test
    void scheddetailRetakenP() {
        Child c = GoTesting.runChild("io.gmp4j.testprog.TestProg", List.of("-Dgmp4j.GOMAXPROCS=1"),
                List.of("GODEBUG=schedtrace=100,scheddetail=1"), 60, "scheddetailRetake");
        assertEquals(0, c.exitCode(), c.stderr());
        String hog = c.stdout().strip().replace("hog=", "");
        java.util.regex.Pattern pl = java.util.regex.Pattern.compile("  P(\\d+): status=\\d .* m=(\\d+|nil) runqsize=.*");
        java.util.regex.Pattern ml = java.util.regex.Pattern.compile("  M(\\d+): p=(\\d+|nil) curg=(\\d+|nil) .*");
        int blocks = 0, hogWithoutP = 0;
        List<String> mismatches = new java.util.ArrayList<>();
        java.util.Map<String, String> pOwner = new java.util.HashMap<>(); // P id -> M id, this block
        for (String line : c.stderr().lines().toList()) {
            java.util.regex.Matcher m;
            if (line.startsWith("SCHED")) {
                blocks++;
                pOwner.clear();
            } else if ((m = pl.matcher(line)).matches()) {
                pOwner.put(m.group(1), m.group(2));
            } else if ((m = ml.matcher(line)).matches()) {
                if (!m.group(2).equals("nil") && !m.group(1).equals(pOwner.get(m.group(2)))) {
                    mismatches.add("block " + blocks + ": " + line.strip() + " but P" + m.group(2) + " m=" + pOwner.get(m.group(2)));
                }
                if (m.group(2).equals("nil") && m.group(3).equals(hog)) {
                    hogWithoutP++;
                }
            }
        }
        assertTrue(blocks >= 5, c.stderr());
        // The report is a racy snapshot (P lines, then M lines): a P changing hands in between
        // may show once; the bug showed at every tick.
        assertTrue(mismatches.size() <= 1, () -> mismatches + "\n" + c.stderr());
        assertTrue(hogWithoutP >= 2, () -> "the hog G" + hog + " never shown on an M without a P:\n" + c.stderr());
    }

    /** GODEBUG parsing skips malformed entries. */
    @Test
    void godebugParsing() {
        assertEquals("1", Export.godebugParsed("schedtrace=1000,junk,asyncpreemptoff=1", "asyncpreemptoff"));
        assertEquals(null, Export.godebugParsed("=3,x", "x"));
        assertEquals(3, Export.cgroupAdjust(3, -1));
        assertEquals(2, Export.cgroupAdjust(8, 0.2));
        assertEquals(3, Export.cgroupAdjust(8, 2.5));
        assertEquals(2, Export.cgroupAdjust(2, 7));
        assertEquals(7, Export.countCpuList("0-3,8,10-11"));
        assertEquals(-1.0, Export.parseCpuMax("max 100000"));
        assertEquals(1.5, Export.parseCpuMax("150000 100000"));
    }
}
