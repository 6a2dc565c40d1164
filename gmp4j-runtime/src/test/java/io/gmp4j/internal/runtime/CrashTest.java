package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import org.junit.jupiter.api.extension.ExtendWith;

/** Fatal paths, each in a child JVM with Go's message and exit status (crash_test.go). */
@ExtendWith(GoLeakCheck.class)
class CrashTest {

    private static Child run(String prog, List<String> jvm, List<String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = prog;
        System.arraycopy(args, 0, all, 1, args.length);
        return GoTesting.runChild("io.gmp4j.testprog.TestProg", jvm, env, 60, all);
    }

    // crash_test.go: TestPanicTraceback-style
    /** An escaped panic prints "panic: boom", the goroutine's traceback, and exits 2. */
    @Test
    void panicCrashesWithTraceback() {
        Child c = run("panic", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: boom\n\ngoroutine "), c.stderr());
        assertTrue(c.stderr().matches("(?s)panic: boom\n\ngoroutine \\d+ \\[running\\]:\nio\\.gmp4j\\.testprog\\.TestProg\\.lambda.*"),
                c.stderr());
    }

    /**
     * -Dgmp4j.crashFile: the fatal report also lands in that file (%p: the pid), for harnesses
     * that lose a halting JVM's stderr (Surefire). Same text as stderr.
     */
    @Test
    void crashFileGetsTheReport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Child c = run("panic", List.of("-Dgmp4j.crashFile=" + dir.resolve("crash-%p.log")), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        List<java.nio.file.Path> files;
        try (var s = java.nio.file.Files.list(dir)) {
            files = s.toList();
        }
        assertEquals(1, files.size(), files.toString());
        String name = files.get(0).getFileName().toString();
        assertTrue(name.matches("crash-\\d+\\.log"), name);
        String report = java.nio.file.Files.readString(files.get(0));
        assertTrue(report.startsWith("panic: boom\n\ngoroutine "), report);
        assertEquals(c.stderr().strip(), report.strip());
    }

    // crash_test.go: TestTracebackSystem / runtime1.go: setTraceback
    /**
     * GOTRACEBACK: single (the default) prints the panicking goroutine only; all adds the
     * others (here main, parked); system adds the runtime's frames; none, and a value Go does
     * not know, print no goroutine. Exit status 2 throughout.
     */
    @Test
    void gotraceback() {
        Child single = run("panic", List.of(), List.of());
        assertFalse(single.stderr().contains("goroutine 1 ["), single.stderr());
        assertFalse(single.stderr().contains("java.lang.VirtualThread"), single.stderr());

        Child all = run("panic", List.of(), List.of("GOTRACEBACK=all"));
        assertEquals(2, all.exitCode(), all.stderr());
        assertTrue(all.stderr().startsWith("panic: boom\n\ngoroutine "), all.stderr());
        assertTrue(all.stderr().contains("\n\ngoroutine 1 ["), all.stderr());
        assertFalse(all.stderr().contains("java.lang.VirtualThread"), all.stderr());

        Child system = run("panic", List.of("-Dgmp4j.GOTRACEBACK=system"), List.of());
        assertEquals(2, system.exitCode(), system.stderr());
        assertTrue(system.stderr().contains("goroutine 1 ["), system.stderr());
        assertTrue(system.stderr().contains("java.lang.VirtualThread.run(...)"), system.stderr());

        for (String none : List.of("none", "bogus")) {
            Child c = run("panic", List.of(), List.of("GOTRACEBACK=" + none));
            assertEquals(2, c.exitCode(), c.stderr());
            assertEquals("panic: boom\n", c.stderr(), "GOTRACEBACK=" + none);
        }
        Child deadlock = run("deadlock", List.of(), List.of("GOTRACEBACK=none"));
        assertEquals(2, deadlock.exitCode(), deadlock.stderr());
        assertEquals("fatal error: all goroutines are asleep - deadlock!\n", deadlock.stderr());
    }

    /** GODEBUG=gctrace=1: a Go-shaped line per JVM collection on stderr; Go.gc() ones are "(forced)". */
    @Test
    void gctrace() {
        Child c = run("gctrace", List.of(), List.of("GODEBUG=gctrace=1"));
        assertEquals(0, c.exitCode(), c.stderr());
        String ms = "(?:0|[1-9]\\.0|[1-9]\\d+)"; // mgc.go: fmtNSAsMS of whole milliseconds
        String line = "gc \\d+ @\\d+\\.\\d{3}s \\d+%: " + ms + "\\+" + ms + "\\+" + ms + " ms clock, (\\d+\\+0/\\d+/0\\+0|-\\+-/-/-\\+-) ms cpu, \\d+->\\d+->\\d+ MB, \\d+ MB goal, \\d+ P( \\(forced\\))?";
        long forced = c.stderr().lines().filter(l -> l.matches(line) && l.endsWith("(forced)")).count();
        assertTrue(forced >= 2, c.stderr());
        assertTrue(c.stderr().lines().allMatch(l -> l.matches(line)), c.stderr());
        if (new java.io.File("/proc/self/task").isDirectory()) { // Linux: the GC threads' CPU is attributed
            assertTrue(c.stderr().lines().noneMatch(l -> l.contains("-+-/-/-+- ms cpu")), c.stderr());
        }
        Child off = run("gctrace", List.of(), List.of());
        assertEquals("", off.stderr());
    }

    /**
     * gctrace on ZGC and Shenandoah, whose collectors report each cycle on a "Cycles" bean and
     * each of its pauses on a "Pauses" bean: one line per cycle, numbered 1, 2, ... as NumGC and
     * /gc/cycles/total count, the concurrent time in the second clock slot.
     */
    @Test
    void gctraceConcurrentCollectors() {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "gc (\\d+) @(\\d+\\.\\d{3})s \\d+%: (0|[1-9]\\.0|[1-9]\\d+)\\+(0|[1-9]\\.0|[1-9]\\d+)\\+(0|[1-9]\\.0|[1-9]\\d+) ms clock, .* ms cpu, \\d+->\\d+->\\d+ MB, \\d+ MB goal, \\d+ P( \\(forced\\))?");
        for (String gc : List.of("-XX:+UseZGC", "-XX:+UseShenandoahGC")) {
            Child c = run("gctraceCycles", List.of(gc, "-Xmx256m"), List.of("GODEBUG=gctrace=1"));
            assertEquals(0, c.exitCode(), gc + "\n" + c.stderr());
            var counts = java.util.regex.Pattern.compile("numgc=(\\d+) cycles=(\\d+)").matcher(c.stdout());
            assertTrue(counts.find(), c.stdout());
            int numGC = Integer.parseInt(counts.group(1));
            int cycles = Integer.parseInt(counts.group(2)); // read just after NumGC: a cycle may end between
            assertTrue(cycles >= numGC && cycles <= numGC + 1, gc + ": NumGC " + numGC + ", /gc/cycles/total " + cycles);
            List<String> lines = c.stderr().lines().toList();
            int concurrentMs = 0, forcedAt = -1;
            double lastAt = 0;
            for (int i = 0; i < lines.size(); i++) {
                var m = line.matcher(lines.get(i));
                assertTrue(m.matches(), gc + ": " + lines.get(i) + "\n" + c.stderr());
                assertEquals(i + 1, Integer.parseInt(m.group(1)), gc + "\n" + c.stderr());
                concurrentMs += (int) Double.parseDouble(m.group(4));
                if (m.group(6) != null) {
                    forcedAt = i + 1;
                }
                double at = Double.parseDouble(m.group(2));
                // ZGC's major cycles run alongside its minor ones: a major's line may start earlier.
                if (gc.contains("Shenandoah")) {
                    assertTrue(at >= lastAt, gc + ": @ went back\n" + c.stderr());
                }
                lastAt = at;
            }
            // Go.gc()'s cycle is the last NumGC counted (a minor one may end during it); a few may follow before exit.
            assertTrue(forcedAt == numGC || forcedAt == numGC - 1, gc + ": forced line " + forcedAt + ", NumGC " + numGC + "\n" + c.stderr());
            assertTrue(lines.size() >= numGC && lines.size() <= numGC + 3, gc + ": " + lines.size() + " lines, NumGC " + numGC + "\n" + c.stderr());
            assertTrue(concurrentMs > 0, gc + ": no concurrent time\n" + c.stderr());
        }
    }

    /**
     * gctrace under G1 with concurrent mark cycles: G1's remark and cleanup pauses (its
     * "Concurrent GC" bean), which NumGC does not count, print no line of their own, so the lines
     * stay numbered as NumGC and /gc/cycles/total.
     */
    @Test
    void gctraceG1ConcurrentMark() {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "gc (\\d+) @(\\d+\\.\\d{3})s \\d+%: (0|[1-9]\\.0|[1-9]\\d+)\\+(0|[1-9]\\.0|[1-9]\\d+)\\+(0|[1-9]\\.0|[1-9]\\d+) ms clock, .* ms cpu, \\d+->\\d+->\\d+ MB, \\d+ MB goal, \\d+ P( \\(forced\\))?");
        // IHOP 5%, not adaptive: the ~40 MiB live set starts a mark cycle at each humongous allocation's
        // concurrent start; Go.gc() (System.gc()) starts one more instead of a full collection.
        Child c = run("gctraceCycles", List.of("-XX:+UseG1GC", "-Xmx256m", "-XX:-G1UseAdaptiveIHOP",
                "-XX:InitiatingHeapOccupancyPercent=5", "-XX:+ExplicitGCInvokesConcurrent"), List.of("GODEBUG=gctrace=1"));
        assertEquals(0, c.exitCode(), c.stderr());
        var counts = java.util.regex.Pattern.compile("numgc=(\\d+) cycles=(\\d+) markpauses=(\\d+)").matcher(c.stdout());
        assertTrue(counts.find(), c.stdout());
        int numGC = Integer.parseInt(counts.group(1));
        int cycles = Integer.parseInt(counts.group(2)); // read just after NumGC: a young pause may end between
        int markPauses = Integer.parseInt(counts.group(3));
        assertTrue(cycles >= numGC && cycles <= numGC + 1, "NumGC " + numGC + ", /gc/cycles/total " + cycles);
        // Go.gc()'s cycle gives at most 2 (remark, cleanup): more means a mark cycle ended before it.
        assertTrue(markPauses >= 3, "no concurrent mark cycle before Go.gc(): " + markPauses + " remark/cleanup pauses\n" + c.stderr());
        List<String> lines = c.stderr().lines().toList();
        int forcedAt = -1;
        double lastAt = 0;
        for (int i = 0; i < lines.size(); i++) {
            var m = line.matcher(lines.get(i));
            assertTrue(m.matches(), lines.get(i) + "\n" + c.stderr());
            assertEquals(i + 1, Integer.parseInt(m.group(1)), c.stderr());
            if (m.group(6) != null) {
                forcedAt = i + 1;
            }
            double at = Double.parseDouble(m.group(2));
            assertTrue(at >= lastAt, "@ went back\n" + c.stderr());
            lastAt = at;
        }
        // Go.gc()'s concurrent start pause is the last NumGC counted (a young pause may end during its mark).
        assertTrue(forcedAt == numGC || forcedAt == numGC - 1, "forced line " + forcedAt + ", NumGC " + numGC + "\n" + c.stderr());
        assertTrue(lines.size() >= numGC && lines.size() <= numGC + 2, lines.size() + " lines, NumGC " + numGC + "\n" + c.stderr());
    }

    // crash_test.go: TestGoexitDeadlock, TestGoexitCrash
    /** main's Goexit lets the others finish, then Go's "no goroutines" fatal error, exit 2. */
    @Test
    void mainGoexitWaitsForOthersThenDies() {
        Child c = run("mainGoexit", List.of(), List.of());
        assertEquals("other goroutine done\n", c.stdout());
        assertEquals(2, c.exitCode(), c.stderr());
        // Go throws it on g0: the message alone, no goroutine (the last one has just exited).
        assertEquals("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", c.stderr());
    }

    /**
     * main's Goexit with no goroutine left but an AfterFunc pending: Go's last M waits in netpoll
     * for the timer, which runs (and arms another), and only then "no goroutines" kills the
     * program. The same for a platform thread that starts a goroutine after main's Goexit (a
     * live thread vetoes checkdead). The last goroutine's exit used to die at once, the
     * pending work lost.
     */
    @Test
    void mainGoexitRunsPendingWorkFirst() {
        Child c = run("goexitPendingAfterFunc", List.of(), List.of());
        assertEquals("first\nsecond\n", c.stdout(), c.stderr());
        assertEquals(2, c.exitCode(), c.stderr());
        assertEquals("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", c.stderr());
        Child t = run("goexitThreadStartsGoroutine", List.of(), List.of());
        assertEquals("from a thread's goroutine\n", t.stdout(), t.stderr());
        assertEquals(2, t.exitCode(), t.stderr());
        assertEquals("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", t.stderr());
    }

    /**
     * main's Goexit, and the last goroutine exits while an M holds an afterFunc's timer taken
     * from its heap but has not started its goroutine yet (descheduled there): Go's M running
     * the timer is not idle, so checkdead waits, the goroutine runs, and "no goroutines" comes
     * after. goexit0 looked only at the heaps and died with the goroutine never started.
     */
    @Test
    void mainGoexitWaitsForAnAfterFuncBeingStarted() {
        Child c = run("goexitWhileAfterFuncStarts", List.of(), List.of());
        assertEquals("last goroutine exits\nstarted by the timer\n", c.stdout(), c.stderr());
        assertEquals(2, c.exitCode(), c.stderr());
        assertEquals("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", c.stderr());
    }

    /**
     * A Goexit that main swallowed (catch Throwable) did not happen: main returns, Go.run
     * returns, and neither main's end nor goroutines ending later are a "main called
     * runtime.Goexit" deadlock: only a main that ends through Goexit counts.
     */
    @Test
    void swallowedMainGoexitIsNoGoexit() {
        Child c = run("mainGoexitSwallowed", List.of(), List.of());
        assertEquals(0, c.exitCode(), c.stdout() + c.stderr());
        assertEquals("swallowed\nrun returned\nsecond run returned\n", c.stdout(), c.stderr());
        assertEquals("", c.stderr());
    }

    /**
     * A goroutine that starts its report after Go.run returned, as the JVM exits: the exit
     * waits for the report and the status is 2 (proc.go: main parks while panicking, never
     * exit(0) under a report).
     */
    @Test
    void jvmExitWaitsForAReportUnderWay() {
        Child c = run("panicAfterMainReturned", List.of(), List.of());
        assertEquals("main returned\n", c.stdout());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: late boom\n"), c.stderr());
    }

    /**
     * The verdicts after 10,000 goroutines have come and gone (AllGs unlinks exited Gs in
     * batches): the deadlock dump lists main alone, and main's Goexit still ends in Go's
     * "no goroutines" error once the count reaches 0.
     */
    @Test
    void verdictsAfterChurn() {
        Child c = run("deadlockAfterChurn", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\n"), c.stderr());
        assertEquals(1, c.stderr().lines().filter(l -> l.matches("goroutine \\d+ \\[.*")).count(), c.stderr());
        Child g = run("mainGoexitAfterChurn", List.of(), List.of());
        assertEquals(2, g.exitCode(), g.stderr());
        assertEquals("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", g.stderr());
    }

    // crash_test.go: TestSimpleDeadlock
    /** All goroutines asleep on gmp4j primitives: Go's deadlock report with the dump, exit 2. */
    @Test
    void simpleDeadlock() {
        Child c = run("deadlock", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\n"), c.stderr());
        assertTrue(c.stderr().contains("goroutine 1 [chan receive]:"), c.stderr());
    }

    /**
     * Channel timers that fired, were received or were stopped leave nothing that can wake a
     * goroutine: the verdict comes as in Go. The timers' collector thread is a runtime helper,
     * whichever thread group created the first timer (inside Go.run or before it).
     */
    @Test
    void deadlockAfterChannelTimers() {
        for (String where : List.of("inside", "outside")) {
            Child c = run("deadlockAfterChanTimers", List.of(), List.of(), where);
            assertEquals(2, c.exitCode(), where + ": " + c.stderr());
            assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\n"
                    + "goroutine 1 [chan receive]:\n"), where + ": " + c.stderr());
        }
    }

    /** Go reports a deadlock while tracing too: the trace reader is a goroutine asleep like the rest. */
    @Test
    void deadlockWhileTracing() {
        Child c = run("deadlockWhileTracing", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\n"
                + "goroutine 1 [chan receive]:\n"), c.stderr());
    }

    /**
     * A goroutine that waits in a class initialiser stays mounted (pinned) and keeps its M, as
     * a Go syscall keeps its M: when every goroutine waits so, Go's checkdead still sees them
     * all asleep. Pinned Gs that wake each other must not be taken for asleep.
     */
    @Test
    void deadlockWhilePinnedInAClassInitialiser() {
        Child c = run("deadlockInClassInit", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\n"
                + "goroutine 1 [chan receive]:\n"), c.stderr());
        for (String procs : List.of("1", "2")) {
            Child busy = run("pinnedPingPong", List.of(), List.of("GOMAXPROCS=" + procs));
            assertEquals(0, busy.exitCode(), "GOMAXPROCS=" + procs + ": " + busy.stderr());
            assertEquals("done 20000 20000\n", busy.stdout(), busy.stderr());
        }
    }

    /**
     * A JFR recording starts the JDK's "JFR Periodic Tasks" thread in the group of whoever
     * started JFR, here "main": it wakes no goroutine and must not veto the verdict.
     */
    @Test
    void deadlockUnderAFlightRecording() throws java.io.IOException {
        java.nio.file.Path jfr = java.nio.file.Files.createTempFile("gmp4j-deadlock", ".jfr");
        try {
            Child c = run("chanDeadlock", List.of("-XX:StartFlightRecording=filename=" + jfr, "-Xlog:jfr=off"), List.of());
            assertEquals(2, c.exitCode(), c.stderr());
            assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\n"), c.stderr());
        } finally {
            java.nio.file.Files.deleteIfExists(jfr);
        }
    }

    /**
     * Go's dump shows the caller's line, not runtime.chanrecv1 and gopark above it: here the
     * API frame the program called, then the program; GOTRACEBACK=system shows the rest.
     */
    @Test
    void deadlockDumpLeadsWithTheApiCall() {
        Child c = run("chanDeadlock", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().matches("(?s)fatal error: all goroutines are asleep - deadlock!\n\n"
                + "goroutine 1 \\[chan receive\\]:\n"
                + "io\\.gmp4j\\.chan\\.Chan\\.recv\\(\\.\\.\\.\\)\n\tChan\\.java:\\d+\n"
                + "io\\.gmp4j\\.testprog\\.TestProg\\.lambda\\$.*"), c.stderr());
        Child system = run("chanDeadlock", List.of(), List.of("GOTRACEBACK=system"));
        assertEquals(2, system.exitCode(), system.stderr());
        assertTrue(system.stderr().contains("io.gmp4j.chan.Chan.parkRecv(...)"), system.stderr());
        assertTrue(system.stderr().contains("java.lang.VirtualThread.park(...)"), system.stderr());
    }

    /**
     * A goroutine closing a GoExecutorService whose task is asleep for good is asleep too (Go:
     * wg.Wait for such a goroutine): the deadlock is reported, not a hang in a timed JDK park.
     */
    @Test
    void executorCloseDeadlock() {
        Child c = run("executorCloseDeadlock", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\n"), c.stderr());
        assertTrue(c.stderr().contains("[sync.WaitGroup.Wait]:\nio.gmp4j.GoExecutorService.close("), c.stderr());
        assertTrue(c.stderr().contains("[chan receive]:"), c.stderr());
    }

    // crash_test.go: TestLockedDeadlock, TestLockedDeadlock2
    /**
     * A goroutine locked to its M and blocked forever is asleep like any other: main locked
     * (1), or another goroutine locked while main blocks too (2). Go's report, exit 2.
     */
    @Test
    void lockedDeadlock() {
        for (String prog : List.of("lockedDeadlock", "lockedDeadlock2")) {
            Child c = run(prog, List.of(), List.of());
            assertEquals(2, c.exitCode(), prog + ": " + c.stderr());
            assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\n"), prog + ": " + c.stderr());
            String locked = prog.equals("lockedDeadlock") ? "goroutine 1 " : "goroutine 2 ";
            assertTrue(c.stderr().contains(locked + "[select (no cases), locked to thread]:"), prog + ": " + c.stderr());
        }
    }

    // crash_test.go: TestPanicDeadlockGosched, TestPanicDeadlockSyscall (issue 14432), TestPanicLoop
    /**
     * A panic value's text is taken once, when the panic is printed (Go's preprintpanics): a
     * toString that yields or prints does not hang the report or run twice, and one that
     * panics is Go's "panic while printing panic value".
     */
    @Test
    void panicValueTextTakenOnceWhenPrinted() {
        Child g = run("goschedInPanic", List.of(), List.of());
        assertEquals(2, g.exitCode(), g.stderr());
        assertTrue(g.stderr().startsWith("panic: errorThatGosched\n\n"), g.stderr());
        Child s = run("syscallInPanic", List.of(), List.of());
        assertEquals(2, s.exitCode(), s.stderr());
        assertEquals("1\n2\n", s.stdout());
        assertTrue(s.stderr().startsWith("panic: 3\n\n"), s.stderr());
        Child l = run("panicLoop", List.of(), List.of());
        assertEquals(2, l.exitCode(), l.stderr());
        assertTrue(l.stderr().contains("panic while printing panic value"), l.stderr());
    }

    /**
     * A goroutine that panics while another's report is under way waits for the halt, parked:
     * an interrupted one spun (LockSupport.park returns at once while the interrupt is set), a
     * CPU busy for as long as the report took.
     */
    @Test
    void interruptedPanickerWaitsParkedWhileDying() {
        Child c = run("interruptedWhileDying", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: first"), c.stderr());
        String line = c.stdout().lines().filter(l -> l.startsWith("cpu ms ")).findFirst().orElseThrow();
        long ms = Long.parseLong(line.substring("cpu ms ".length()).trim());
        assertTrue(ms < 500, "the process used " + ms + " ms of CPU in a 1 s wait of the report: a waiter spun");
    }

    // crash_test.go: TestPanicWhilePanicking (issue 52257)
    /** A value whose text panics: Go's message names the nested panic's string, or only its type. */
    @Test
    void panicWhilePanicking() {
        for (String[] x : new String[][] {
                {"errorPanic", "panic while printing panic value: important error message"},
                {"doubleErrorPanic", "panic while printing panic value: type io.gmp4j.testprog.TestProg$ExampleError"},
                {"circularPanic", "panic while printing panic value: type io.gmp4j.testprog.TestProg$CircleEnd"},
                {"stringPanic", "panic: important string message"}}) {
            Child c = run(x[0], List.of(), List.of());
            assertEquals(2, c.exitCode(), x[0] + ": " + c.stderr());
            assertTrue(c.stderr().contains(x[1]), x[0] + ": " + c.stderr());
        }
    }

    /**
     * The causes after the value: each once, though the chain loops back (it ran until the
     * heap was full: "fatal error: runtime: out of memory"), and a cause whose text panics is
     * a panic while printing the value, as the value's own is (it was a printpanics throw).
     */
    @Test
    void panicCauses() {
        Child cycle = run("causeCycle", List.of("-Xmx64m"), List.of());
        assertEquals(2, cycle.exitCode(), cycle.stderr());
        assertTrue(cycle.stderr().startsWith("panic: java.lang.RuntimeException: x [caused by java.lang.RuntimeException: y]\n\n"
                + "goroutine 1 [running]:\nio.gmp4j.testprog.TestProg.lambda"), cycle.stderr());
        Child text = run("causeTextPanics", List.of(), List.of());
        assertEquals(2, text.exitCode(), text.stderr());
        assertTrue(text.stderr().startsWith("fatal error: panic while printing panic value: cause text\n"), text.stderr());
        // Go prints the panicking goroutine with its frames (it has not unwound): here they come
        // from the panic, since the goroutine has (the dump had a bare "goroutine 1 [running]:").
        assertTrue(text.stderr().contains("\n\ngoroutine 1 [running]:\nio.gmp4j.testprog.TestProg.lambda"), text.stderr());
        // new GoPanic(exception), Go's panic(err), prints as the exception thrown itself would, causes included
        Child wrapped = run("wrappedCausePanic", List.of(), List.of());
        assertEquals(2, wrapped.exitCode(), wrapped.stderr());
        assertTrue(wrapped.stderr().startsWith("panic: java.lang.RuntimeException: outer [caused by java.lang.IllegalStateException: inner]\n\n"
                + "goroutine 1 [running]:\n"), wrapped.stderr());
    }

    // crash_test.go: TestNoHelperGoroutines
    /** Runtime helpers (a pending AfterFunc, a cleaner) are not goroutines in a dump, even with GOTRACEBACK=all. */
    @Test
    void noHelperGoroutines() {
        for (String tb : List.of("GOTRACEBACK=single", "GOTRACEBACK=all")) {
            Child c = run("noHelperGoroutines", List.of(), List.of(tb));
            assertEquals(2, c.exitCode(), c.stderr());
            List<String> gs = java.util.regex.Pattern.compile("goroutine [0-9]+ \\[").matcher(c.stderr()).results()
                    .map(java.util.regex.MatchResult::group).toList();
            assertEquals(List.of("goroutine 1 ["), gs, tb + ": " + c.stderr());
        }
    }

    // crash_test.go: TestGoexitInPanic (issue 8774: this used to recurse forever)
    /** A goroutine's deferred Goexit during its panic, while main has Goexited: Go's Goexit deadlock. */
    @Test
    void goexitInPanic() {
        Child c = run("goexitInPanic", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: no goroutines (main called runtime.Goexit) - deadlock!"), c.stderr());
    }

    /** A goroutine blocked in ServerSocket.accept is waiting for the outside world, not deadlocked. */
    @Test
    void acceptIsNotDeadlock() {
        Child c = run("acceptIsNotDeadlock", List.of(), List.of());
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("accept timed out\n", c.stdout());
    }

    /** A non-daemon platform thread that will wake the main goroutine vetoes the deadlock verdict. */
    @Test
    void outsidePlatformThreadIsNotDeadlock() {
        Child c = run("outsideWaker", List.of(), List.of());
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("from a platform thread\n", c.stdout());
    }

    /**
     * Go.run's caller waits for its main goroutine only once that goroutine exists: while it is
     * still making it (here an InheritableThreadLocal's childValue takes 400 ms; on a cold, loaded
     * JVM, class loading took over 100 ms), the runtime is idle and the caller is not asleep.
     * Counted as waiting from the start of Go.run, a cold first run with no goroutine yet, and a
     * second caller whose main another Go.run's main waits for, both got "all goroutines are
     * asleep" (W9's child died so at its first run, 2026-12-06).
     */
    @Test
    void goRunCallerMakingMainIsNotDeadlock() {
        Child c = run("goRunCallerNotYetWaiting", List.of(), List.of());
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("first main\nfrom the second caller's main\n", c.stdout(), c.stderr());
    }

    /**
     * A goroutine waiting for a child process's exit, delivered by Process.onExit: the JDK's
     * reaper thread can still wake it, as Go's goroutine in cmd.Wait is in a system call.
     */
    @Test
    void childProcessExitIsNotDeadlock() {
        Child c = run("processExitWaker", List.of(), List.of());
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("exit 0\n", c.stdout());
    }

    // proc.go: schedinit, procresize
    /**
     * GOMAXPROCS=2147483647: allp cannot be allocated. Go 1.19 throws at start-up ("fatal error:
     * slice bounds out of range", exit 2); gmp4j throws out of memory, not a Java stack trace.
     */
    @Test
    void gomaxprocsTooLargeForMemory() {
        Child c = run("asyncPreempt", List.of(), List.of("GOMAXPROCS=2147483647"));
        assertEquals(2, c.exitCode(), c.stdout() + c.stderr());
        assertEquals("", c.stdout());
        assertTrue(c.stderr().startsWith("fatal error: runtime: out of memory\n"), c.stderr());
    }

    // proc.go: checkmcount
    /** More Ms than debug.SetMaxThreads allows: Go's thread-exhaustion crash, exit 2. */
    @Test
    void threadLimit() {
        Child c = run("threadLimit", List.of("-Dgmp4j.GOMAXPROCS=1"), List.of(), "4");
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("runtime: program exceeds 4-thread limit\nfatal error: thread exhaustion"),
                c.stderr());
    }

    /** debug.SetMaxThreads below the threads already made crashes in the call, as Go's checkmcount. */
    @Test
    void threadLimitBelowCountCrashesAtOnce() {
        for (String limit : List.of("0", "-1")) {
            Child c = run("threadLimitBelowCount", List.of(), List.of(), limit);
            assertEquals(2, c.exitCode(), c.stderr());
            assertEquals("", c.stdout(), "setMaxThreads returned");
            assertTrue(c.stderr().startsWith("runtime: program exceeds " + limit + "-thread limit\nfatal error: thread exhaustion"),
                    c.stderr());
        }
    }

    /**
     * Sysmon's thread counts against debug.SetMaxThreads, as Go's sysmon M does (proc.go: newm
     * reserves its M id through checkmcount) and as schedtrace's threads= counts it: with main's
     * M alone, a limit of 1 is exceeded at once (Go: "program exceeds 1-thread limit"), and 2 is not.
     */
    @Test
    void threadLimitCountsSysmon() {
        Child c = run("threadLimitBelowCount", List.of("-Dgmp4j.GOMAXPROCS=1"), List.of(), "1");
        assertEquals(2, c.exitCode(), c.stdout() + c.stderr());
        assertEquals("", c.stdout(), "setMaxThreads returned");
        assertTrue(c.stderr().startsWith("runtime: program exceeds 1-thread limit\nfatal error: thread exhaustion"),
                c.stderr());
        Child two = run("threadLimitBelowCount", List.of("-Dgmp4j.GOMAXPROCS=1"), List.of(), "2");
        assertEquals(0, two.exitCode(), two.stderr());
        assertEquals("prev=10000\n", two.stdout());
    }

    /**
     * The template thread that LockOSThread starts is an M in Go (startTemplateThread: newm), so
     * it counts against debug.SetMaxThreads too: go1.19 at GOMAXPROCS=1 needs a limit one higher
     * after a LockOSThread/UnlockOSThread pair than without it (4 against 3 there; gmp4j starts no
     * M at start-up beyond main's, so 3 against 2 here).
     */
    @Test
    void threadLimitCountsTheTemplateThread() {
        Child c = run("threadLimitAfterLock", List.of("-Dgmp4j.GOMAXPROCS=1"), List.of(), "2");
        assertEquals(2, c.exitCode(), c.stdout() + c.stderr());
        assertEquals("", c.stdout(), "setMaxThreads returned");
        assertTrue(c.stderr().startsWith("runtime: program exceeds 2-thread limit\nfatal error: thread exhaustion"),
                c.stderr());
        Child three = run("threadLimitAfterLock", List.of("-Dgmp4j.GOMAXPROCS=1"), List.of(), "3");
        assertEquals(0, three.exitCode(), three.stderr());
        assertEquals("prev=10000\n", three.stdout());
    }

    // crash_test.go: TestMainGoroutineID
    /**
     * A panic in the main goroutine: Go's report for goroutine 1 and status 2, every time (Go.run's
     * caller used to be released first, racing the JVM's own uncaught-exception exit 1).
     */
    @Test
    void panicInMain() {
        Child c = run("panicMain", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: boom\n\ngoroutine 1 [running]:\nio.gmp4j.testprog.TestProg.lambda"),
                c.stderr());
        assertFalse(c.stderr().contains("Exception in thread"), c.stderr());
    }

    /**
     * A select with one case on a nil channel is Go's compiled channel operation on it: the
     * deadlock report shows main in [chan receive (nil chan)], not [select].
     */
    @Test
    void singleCaseSelectOnNilChannelDeadlocks() {
        Child c = run("singleCaseNilSelect", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive (nil chan)]:\n"),
                c.stderr());
    }

    /**
     * Go 1.23+ (panic.go: printindented): every newline of a panic value is followed by a tab, so
     * that no value can pass for a goroutine header; a chain's second panic and the causes' text
     * too. The lines went out as they were.
     */
    @Test
    void multilinePanicValueIsIndented() {
        Child c = run("multilinePanic", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: a problem\n\tgoroutine 99 [running]:\n\tforged\n\ngoroutine 1 [running]:\n"),
                c.stderr());
        Child chain = run("multilineCausePanic", List.of(), List.of());
        assertEquals(2, chain.exitCode(), chain.stderr());
        assertTrue(chain.stderr().startsWith("panic: java.lang.RuntimeException: outer\n\tline [caused by java.lang.IllegalStateException: inner\n\tline]\n"
                + "\tpanic: java.lang.IllegalStateException: handler\n\tfailed\n\ngoroutine 1 [running]:\n"), chain.stderr());
    }

    // crash_test.go: TestPanicAfterGoexit
    /** A panic in a finally block run by main's Goexit is an ordinary crash. */
    @Test
    void panicAfterGoexit() {
        Child c = run("panicAfterGoexit", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: hello\n\ngoroutine 1 [running]:\n"), c.stderr());
    }

    // crash_test.go: TestRecoveredPanicAfterGoexit
    /** A panic recovered in that finally block: Goexit goes on, and main's Goexit ends in Go's deadlock. */
    @Test
    void recoveredPanicAfterGoexit() {
        Child c = run("recoveredPanicAfterGoexit", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: no goroutines (main called runtime.Goexit) - deadlock!"),
                c.stderr());
    }

    // crash_test.go: TestRecoverBeforePanicAfterGoexit
    /**
     * Main's Goexit runs a finally that panics, and an outer catch (Go's recovering defer) takes
     * the panic. Go resumes the Goexit and ends in "no goroutines (main called runtime.Goexit) -
     * deadlock!"; here the catch ends the Goexit and main goes on (docs/DIVERGENCES.md,
     * "Goroutines and threads": a panic caught while a Goexit unwinds does not resume it), so
     * Go.run returns and the program exits 0, with no hang and no report.
     */
    @Test
    void recoverBeforePanicAfterGoexit() {
        assertMainWentOn(run("recoverBeforePanicAfterGoexit", List.of(), List.of()));
    }

    // crash_test.go: TestRecoverBeforePanicAfterGoexit2
    /** The same below two empty deferred calls (finally blocks). */
    @Test
    void recoverBeforePanicAfterGoexit2() {
        assertMainWentOn(run("recoverBeforePanicAfterGoexit2", List.of(), List.of()));
    }

    private static void assertMainWentOn(Child c) {
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("main went on\n", c.stdout());
        assertEquals("", c.stderr());
    }

    // crash_test.go: TestDoublePanic (issue 30150: the first panic's message not clobbered)
    /**
     * Go prints "panic: XXX" then "\tpanic: YYY". A finally that throws replaces the exception
     * in flight, so here only YYY, the one that escapes, is printed (docs/DIVERGENCES.md, "A Java
     * exception is not a deferred call's panic"); its message intact, exit 2. The chain Go
     * prints is the one a PanicHandler that panics gets (panicHandlerThatThrows).
     */
    @Test
    void doublePanic() {
        Child c = run("doublePanic", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: YYY\n\ngoroutine 1 [running]:\n"), c.stderr());
        assertFalse(c.stderr().contains("XXX"), c.stderr());
    }

    // crash_test.go: TestThreadExhaustion (testprog ThreadExhaustion: debug.SetMaxThreads(10),
    // then goroutines that lock their OS thread and block, one after another)
    /** The 11th M is Go's "program exceeds 10-thread limit" and "fatal error: thread exhaustion", exit 2. */
    @Test
    void threadExhaustion() {
        Child c = run("threadExhaustion", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stdout() + c.stderr());
        assertTrue(c.stderr().startsWith("runtime: program exceeds 10-thread limit\nfatal error: thread exhaustion"),
                c.stderr());
        assertEquals("", c.stdout());
    }

    /** A pending time.AfterFunc is no goroutine: main's panic shows goroutine 1 alone. */
    @Test
    void panicWithPendingTimer() {
        Child c = run("panicWithPendingTimer", List.of(), List.of("GOTRACEBACK=all"));
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: boom\n\ngoroutine 1 [running]:\n"), c.stderr());
        assertEquals(1, c.stderr().lines().filter(l -> l.startsWith("goroutine ")).count(), c.stderr());
        assertEquals("", c.stdout());
    }

    // panic.go: PanicNilError (Go 1.21), GODEBUG=panicnil=1
    /** panic(nil): Go's PanicNilError text; with panicnil=1 the old "panic: nil". */
    @Test
    void panicNil() {
        Child c = run("panicNil", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("panic: panic called with nil argument\n\ngoroutine "), c.stderr());
        Child old = run("panicNil", List.of(), List.of("GODEBUG=panicnil=1"));
        assertEquals(2, old.exitCode(), old.stderr());
        assertTrue(old.stderr().startsWith("panic: nil\n\ngoroutine "), old.stderr());
        // Go: if debug.panicnil.Load() != 1 { e = new(PanicNilError) }: only 1 restores the old value
        Child two = run("panicNil", List.of(), List.of("GODEBUG=panicnil=2"));
        assertEquals(2, two.exitCode(), two.stderr());
        assertTrue(two.stderr().startsWith("panic: panic called with nil argument\n\ngoroutine "), two.stderr());
    }

    // panic.go: printpanics (a panic while panicking)
    /** A PanicHandler that throws: both panics printed, Go's nesting, exit 2 (was: exit 0, a JDK trace). */
    @Test
    void panicHandlerThatThrows() {
        Child c = run("handlerThrows", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith(
                "panic: boom\n\tpanic: java.lang.IllegalStateException: handler failed\n\ngoroutine "), c.stderr());
        assertFalse(c.stderr().contains("Exception in thread"), c.stderr());
    }

    // panic.go: startpanic_m, fatalpanic
    /** Four goroutines panicking at once: one report, the first; the others wait for the halt. */
    /**
     * A handler that calls Goexit ends the goroutine, panic dropped, as a deferred Goexit does
     * in Go (it was printed as a second panic, Goexit's internal signal); in main it is main's
     * Goexit: Go.run does not return, and the program ends in the "no goroutines" error.
     */
    @Test
    void panicHandlerThatGoexits() {
        Child c = run("handlerGoexits", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stdout() + c.stderr());
        assertTrue(c.stdout().matches("handler [2-9]\\d* boom\nnumg 1\nhandler 1 main boom\n"), c.stdout() + c.stderr());
        assertEquals("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", c.stderr());
    }

    @Test
    void simultaneousPanicsPrintOneReport() {
        Child c = run("simultaneousPanics", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().matches("(?s)panic: boom [0-3]\n\ngoroutine \\d+ \\[running\\]:\n.*"), c.stderr());
        assertEquals(1, c.stderr().lines().filter(l -> l.contains("panic: ")).count(), c.stderr());
        assertEquals(1, c.stderr().lines().filter(l -> l.startsWith("goroutine ")).count(), c.stderr());
    }

    // crash_test.go: TestStackOverflow; stack.go: newstack; traceback.go: tracebackInnerFrames/OuterFrames
    /**
     * A StackOverflowError is Go's fatal "stack overflow" with a bounded trace (the middle elided
     * as Go elides deep stacks), and no PanicHandler receives it.
     */
    @Test
    void stackOverflow() {
        for (boolean handler : new boolean[] {false, true}) {
            Child c = handler ? run("stackOverflow", List.of(), List.of(), "handler") : run("stackOverflow", List.of(), List.of());
            assertEquals(2, c.exitCode(), c.stderr());
            assertTrue(c.stderr().matches("(?s)runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow\n\n"
                    + "goroutine \\d+ \\[running\\]:\nio\\.gmp4j\\.testprog\\.TestProg\\.recurse\\(\\.\\.\\.\\)\n.*"), c.stderr());
            assertTrue(c.stderr().contains("\n...") && c.stderr().contains(" frames elided...\n"), c.stderr());
            long frames = c.stderr().lines().filter(l -> l.endsWith("(...)")).count();
            assertTrue(frames <= Traceback.INNER_FRAMES + Traceback.OUTER_FRAMES + 5, frames + " frames\n" + c.stderr());
            assertEquals("", c.stdout(), "no handler sees a stack overflow");
        }
        // Go's program overflows in main: the report names goroutine 1
        Child c = run("stackOverflowMain", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow\n\n"
                + "goroutine 1 [running]:\nio.gmp4j.testprog.TestProg.recurse(...)\n"), c.stderr());
    }

    // crash_test.go: TestRecursivePanic, TestRecursivePanic2, TestRecursivePanic3, TestRecursivePanic5
    // (TestRecursivePanic4's "[recovered]" chain: DIVERGENCES.md, a Java exception is not a deferred call's panic)
    /** Panics recovered and raised again in deferred calls: only the last unrecovered one is printed. */
    @Test
    void recursivePanic() {
        for (String[] x : new String[][] {
                {"recursivePanic", "wrap: bad\n", "panic: again\n\n"},
                {"recursivePanic2", "first panic\nsecond panic\n", "panic: third panic\n\n"},
                {"recursivePanic3", "", "panic: first panic\n\n"},
                {"recursivePanic5", "first panic\nsecond panic\n", "panic: third panic\n"}}) {
            Child c = run(x[0], List.of(), List.of());
            assertEquals(2, c.exitCode(), x[0] + ": " + c.stderr());
            assertEquals(x[1], c.stdout(), x[0] + ": " + c.stderr());
            assertTrue(c.stderr().startsWith(x[2]), x[0] + ": " + c.stderr());
        }
    }

    // crash_test.go: TestPanicRace (issues 3934, 20018)
    /**
     * main returns while a goroutine that panicked runs its deferred calls (a finally that
     * wakes main, then yields): the panic is printed and the status is 2. The program races, in
     * Go as here: Go's runtime.main waits for a panic's deferred calls only once gopanic has
     * counted them (runningPanicDefers), and a Java finally runs before anything can tell that an
     * exception is on its way out, so main may exit first (status 0; seen once in a loaded CI
     * run). As Go's test: ten tries, and one with the right outcome passes.
     */
    @Test
    void panicRace() {
        StringBuilder tries = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            Child c = run("panicRace", List.of(), List.of());
            if (c.exitCode() == 2 && c.stderr().startsWith("panic: crash\n\ngoroutine ")
                    && c.stderr().contains("TestProg.lambda")) {
                return;
            }
            tries.append("try ").append(i).append(": exit ").append(c.exitCode()).append('\n')
                    .append(c.stdout()).append(c.stderr()).append('\n');
        }
        org.junit.jupiter.api.Assertions.fail("10 tries without the panic's report and status 2:\n" + tries);
    }

    /**
     * runtime/debug.SetTraceback raises what a crash prints, never below GOTRACEBACK (runtime1.go:
     * {@code t |= traceback_env}): "all" adds the other goroutines, "none" under GOTRACEBACK=all
     * keeps them, "single" under GOTRACEBACK=none prints the panicking goroutine, and "crash"
     * shows the runtime's frames.
     */
    @Test
    void setTracebackRaisesTheLevelNeverLowersIt() {
        Child all = run("panicAfterSetTraceback", List.of(), List.of(), "all");
        assertEquals(2, all.exitCode(), all.stderr());
        assertTrue(all.stderr().startsWith("panic: boom\n\ngoroutine "), all.stderr());
        assertTrue(all.stderr().contains("\n\ngoroutine 1 ["), all.stderr());

        Child none = run("panicAfterSetTraceback", List.of(), List.of("GOTRACEBACK=all"), "none");
        assertEquals(2, none.exitCode(), none.stderr());
        assertTrue(none.stderr().contains("\n\ngoroutine 1 ["), none.stderr());

        Child single = run("panicAfterSetTraceback", List.of(), List.of("GOTRACEBACK=none"), "single");
        assertEquals(2, single.exitCode(), single.stderr());
        assertTrue(single.stderr().startsWith("panic: boom\n\ngoroutine "), single.stderr());
        assertFalse(single.stderr().contains("goroutine 1 ["), single.stderr());

        Child crash = run("panicAfterSetTraceback", List.of(), List.of(), "crash");
        assertEquals(2, crash.exitCode(), crash.stderr());
        assertTrue(crash.stderr().contains("java.lang.VirtualThread.run(...)"), crash.stderr());
    }

    // stack_test.go: TestTracebackAncestors
    /**
     * GODEBUG=tracebackancestors=N: a goroutine's traceback ends with the stacks of up to N of
     * its creators at their go statements, "[originating from goroutine N]:" each; the
     * goroutine's own created-by line names its creator's goid. Go counts "recurseThenCallGo(0x"
     * once for the live frame, whose arguments it prints; Java frames print none, so the live
     * frame is one more "recurseThenCallGo(...)" here.
     */
    @Test
    void tracebackAncestors() {
        java.util.regex.Pattern goroutine = java.util.regex.Pattern.compile("goroutine [0-9]+ \\[");
        for (int depth : new int[] {0, 1, 5, 50}) {
            Child c = run("tracebackAncestors", List.of(), List.of("GODEBUG=tracebackancestors=" + depth));
            String out = c.stdout();
            assertEquals(0, c.exitCode(), out + c.stderr());
            int ancestors = Math.min(3, depth);
            assertEquals(2, goroutine.matcher(out).results().count(), "want 2 goroutines, got:\n" + out);
            for (String fn : List.of("recurseThenCallGo", "printStack", "tracebackAncestors")) {
                assertTrue(out.contains("\nio.gmp4j.testprog.TestProg." + fn + "(...)"), fn + " missing:\n" + out);
            }
            assertEquals(ancestors, count(out, "[originating from goroutine "), out);
            assertEquals(ancestors * 3 + 1, count(out, "TestProg.recurseThenCallGo(...)"), out);
            // The live goroutine's creator, by goid only where ancestors are kept (Go 1.21's form).
            assertTrue(out.contains("\ncreated by io.gmp4j.testprog.TestProg.recurseThenCallGo" + (depth > 0 ? " in goroutine " : "\n")), out);
        }
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    // crash_test.go: TestNetpollDeadlock
    /** A refused dial in a class initialiser (Go: in init) is no deadlock: main runs on and exits 0. */
    @Test
    void netpollDeadlock() {
        Child c = run("netpollDeadlock", List.of(), List.of());
        assertEquals(0, c.exitCode(), c.stderr());
        assertTrue(c.stdout().startsWith("dialing\nerror: "), c.stdout());
        assertTrue(c.stdout().endsWith("done\n"), c.stdout());
        assertEquals("", c.stderr());
    }

    // crash_test.go: TestGoexitDeadlock
    /** main Goexits after starting two short goroutines: Go's "no goroutines" fatal error, exit 2. */
    @Test
    void goexitDeadlock() {
        Child c = run("goexitDeadlock", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertEquals("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", c.stderr());
        assertEquals("", c.stdout());
    }

    // crash_test.go: TestCrashHandler
    /** A nil dereference recovered on locked threads (main's, then two new goroutines'): Go's exact output. */
    @Test
    void crashHandler() {
        Child c = run("crash", List.of(), List.of());
        assertEquals(0, c.exitCode(), c.stderr());
        assertEquals("main: recovered done\nnew-thread: recovered done\nsecond-new-thread: recovered done\nmain-again: recovered done\n",
                c.stdout(), c.stderr());
        assertEquals("", c.stderr());
    }

    // crash_test.go: TestInitDeadlock
    /** select {} in an initialiser (Go: init) on the main goroutine: Go's deadlock report, exit 2. */
    @Test
    void initDeadlock() {
        Child c = run("initDeadlock", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n\n"), c.stderr());
        assertTrue(c.stderr().contains("goroutine 1 [select (no cases)]:"), c.stderr());
    }

    // crash_test.go: TestGoexitCrash (testprog GoexitExit)
    /** main Goexits after a finalizer (a Cleaner) was registered and a GC ran: Go's "no goroutines" error. */
    @Test
    void goexitExit() {
        Child c = run("goexitExit", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertEquals("t1\nt2\nt3\nt4\nfatal error: no goroutines (main called runtime.Goexit) - deadlock!\n", c.stderr());
    }

    // crash_test.go: TestGoNil; proc.go: newproc1
    /** go of a nil func: Go's fatal error, which no catch recovers. */
    @Test
    void goNil() {
        Child c = run("goNil", List.of(), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: go of nil func value\n\ngoroutine 1 [running]:\n"), c.stderr());
        assertEquals("", c.stdout());
    }

    // malloc.go: throw("out of memory")
    /** A goroutine that fills the heap: Go's out-of-memory fatal error, not the handler, exit 2. */
    @Test
    void outOfMemory() {
        Child c = run("oom", List.of("-Xmx48m"), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: runtime: out of memory\n"), c.stderr());
        assertEquals("", c.stdout());
    }

    /**
     * Issue 12 item 5: with the heap full and a handler keeping the program alive, no runtime
     * thread dies silently: the program either crashes with Go's out-of-memory error or its later
     * deadlock is found (sysmon used to die of the OutOfMemoryError, and the deadlock hung).
     */
    @Test
    void outOfMemoryLeavesNoDeadRuntimeThread() {
        Child c = run("oomThenDeadlock", List.of("-Xmx48m"), List.of());
        assertEquals(2, c.exitCode(), c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: runtime: out of memory\n")
                || c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n"), c.stderr());
        assertFalse(c.stderr().contains("Exception in thread"), c.stderr());
    }

    /** docs/DESIGN.md, sharp edge 6: without --add-opens, one line that says what to do, exit 1, no trace. */
    @Test
    void missingAddOpensGivesOneLine() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "io.gmp4j.testprog.TestProg", "gomaxprocs");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.startsWith("gmp4j: the JVM was started without --add-opens java.base/java.lang=ALL-UNNAMED"), out);
    }
}
