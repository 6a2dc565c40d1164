package io.gmp4j.testprog;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.MemStats;
import io.gmp4j.debug.Debug;
import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.RuntimeTimer;
import io.gmp4j.internal.runtime.WaitReason;
import io.gmp4j.time.Time;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Programs that must run in their own JVM because they crash or change process-wide state
 * (Go's runtime/testdata/testprog). Run as {@code TestProg <name>}.
 */
public final class TestProg {
    private TestProg() {}

    static volatile boolean spin = true;
    static volatile long sink;

    /** Inherited by the threads the caller makes: childValue takes 400 ms on it while slowChild. */
    static volatile boolean slowChild;

    /**
     * Go.run's caller is busy, not waiting, until its main goroutine exists: here an
     * InheritableThreadLocal's childValue takes 400 ms on it as Go.run makes main's thread.
     * First on a cold runtime, with no goroutine at all; then beside another Go.run whose main
     * waits for the one this caller is making.
     */
    private static void goRunCallerNotYetWaiting() throws InterruptedException {
        InheritableThreadLocal<String> slow = new InheritableThreadLocal<>() {
            @Override
            protected String childValue(String v) {
                if (slowChild) {
                    LockSupport.parkNanos(400_000_000L);
                }
                return v;
            }
        };
        slow.set("inherited");
        slowChild = true;
        Go.run(() -> System.out.println("first main"));
        slowChild = false;
        io.gmp4j.chan.Chan<String> ready = io.gmp4j.chan.Chan.make(0);
        io.gmp4j.chan.Chan<String> c = io.gmp4j.chan.Chan.make(0);
        Thread other = new Thread(() -> Go.run(() -> {
            ready.close();
            System.out.println(c.recv());
        }));
        other.start();
        ready.recv(); // the other main is about to wait on c (asleep well within the 400 ms)
        slowChild = true;
        Go.run(() -> c.send("from the second caller's main"));
        other.join();
    }

    private static void awaitUninterruptibly(java.util.concurrent.CountDownLatch l) {
        for (;;) {
            try {
                l.await();
                return;
            } catch (InterruptedException e) {
                // keep waiting
            }
        }
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "panic" -> Go.run(() -> {
                Go.go(() -> {
                    throw new GoPanic("boom");
                });
                parkForever();
            });
            case "panicAfterSetTraceback" -> Go.run(() -> { // runtime/debug.SetTraceback(args[1]), then as "panic"
                Debug.setTraceback(args[1]);
                Go.go(() -> {
                    throw new GoPanic("boom");
                });
                parkForever();
            });
            case "interruptedWhileDying" -> Go.run(() -> { // a second panicker, interrupted, waits parked
                io.gmp4j.chan.Chan<Void> reporting = io.gmp4j.chan.Chan.make(0);
                Go.go(() -> {
                    reporting.recv();
                    Thread.currentThread().interrupt();
                    throw new GoPanic("second");
                });
                throw new GoPanic(new Object() {
                    @Override
                    public String toString() { // taken while the first report is under way
                        var os = (com.sun.management.OperatingSystemMXBean)
                                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
                        reporting.close();
                        LockSupport.parkNanos(200_000_000); // the second panicker reaches its wait
                        long c0 = os.getProcessCpuTime();
                        LockSupport.parkNanos(1_000_000_000);
                        System.out.println("cpu ms " + (os.getProcessCpuTime() - c0) / 1_000_000);
                        System.out.flush();
                        return "first";
                    }
                });
            });
            case "waitGroupGoPanic" -> Go.run(() -> { // Go issue 74702's program, with WaitGroup.Go
                io.gmp4j.sync.WaitGroup wg = new io.gmp4j.sync.WaitGroup();
                wg.go(() -> {
                    throw new GoPanic("boom");
                });
                wg.await();
                System.out.println("await returned");
            });
            case "singleflightPanicDoChan" -> Go.run(() -> { // singleflight_test.go: TestPanicDoChan's child
                try {
                    io.gmp4j.xsync.SingleFlight<String, Object> g = new io.gmp4j.xsync.SingleFlight<>();
                    io.gmp4j.chan.Chan<?> ch = g.doChan("", () -> {
                        throw new GoPanic("Panicking in DoChan");
                    });
                    ch.recv();
                    System.out.println("DoChan unexpectedly returned");
                } catch (GoPanic recovered) {
                    // Go's defer recover(): the panic is not this goroutine's to recover
                }
            });
            case "singleflightPanicDoSharedByDoChan" -> Go.run(() -> { // TestPanicDoSharedByDoChan's child
                io.gmp4j.chan.Chan<Void> blocked = io.gmp4j.chan.Chan.make(0);
                io.gmp4j.chan.Chan<Void> unblock = io.gmp4j.chan.Chan.make(0);
                io.gmp4j.xsync.SingleFlight<String, Object> g = new io.gmp4j.xsync.SingleFlight<>();
                Go.go(() -> {
                    try {
                        g.run("", () -> {
                            blocked.close();
                            unblock.recv();
                            throw new GoPanic("Panicking in Do");
                        });
                    } catch (GoPanic recovered) {
                        // Go's defer recover() around Do
                    }
                });
                blocked.recv();
                io.gmp4j.chan.Chan<?> ch = g.doChan("", () -> {
                    throw new GoPanic("DoChan unexpectedly executed callback");
                });
                unblock.close();
                ch.recv();
                System.out.println("DoChan unexpectedly returned");
            });
            case "mainGoexit" -> Go.run(() -> {
                Go.go(() -> {
                    LockSupport.parkNanos(200_000_000);
                    System.out.println("other goroutine done");
                });
                Go.goexit();
            });
            case "panicAfterMainReturned" -> { // a report racing the JVM's exit (Go: runtime.main's panicking check)
                java.util.concurrent.CountDownLatch reporting = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.CountDownLatch mainReturned = new java.util.concurrent.CountDownLatch(1);
                Go.run(() -> Go.go(() -> {
                    awaitUninterruptibly(mainReturned);
                    throw new GoPanic(new RuntimeException() {
                        @Override
                        public String toString() { // taken after the report has begun (preprintpanics)
                            reporting.countDown();
                            LockSupport.parkNanos(300_000_000); // the JVM's exit runs meanwhile
                            return "late boom";
                        }
                    });
                }));
                mainReturned.countDown();
                awaitUninterruptibly(reporting);
                System.out.println("main returned");
                // the JVM's main ends here, with the report still being written
            }
            case "deadlock" -> Go.run(() -> {
                Object ch = new Object();
                for (;;) {
                    Park.park(ch, WaitReason.CHAN_RECEIVE);
                }
            });
            case "deadlockAfterChanTimers" -> { // the first channel timer starts the timer collector's thread
                if (args[1].equals("outside")) { // from this platform thread, "main" group
                    Time.newTimer(Duration.ofHours(1)).stop();
                }
                Go.run(() -> {
                    Time.after(Duration.ofMillis(10)).recv(); // fired and received: nothing pending
                    io.gmp4j.time.Timer t = Time.newTimer(Duration.ofHours(1));
                    t.stop();
                    Time.newTicker(Duration.ofMillis(5)).stop();
                    t.c().recv(); // Go 1.19 and 1.23: all goroutines are asleep
                });
            }
            case "deadlockWhileTracing" -> Go.run(() -> { // the tracer's writer thread wakes no goroutine
                io.gmp4j.trace.Trace.start(new java.io.ByteArrayOutputStream());
                io.gmp4j.chan.Chan.make(0).recv();
            });
            case "deadlockInClassInit" -> Go.run(() -> { // pinned in the wait: its M keeps it
                Out.sink = new InitRecvsForever();
            });
            case "pinnedPingPong" -> Go.run(() -> { // two Gs pinned in class initialisers wake each other
                io.gmp4j.sync.WaitGroup wg = new io.gmp4j.sync.WaitGroup();
                wg.add(2);
                Go.go(() -> {
                    Out.sink = new InitPings();
                    wg.done();
                });
                Go.go(() -> {
                    Out.sink = new InitPongs();
                    wg.done();
                });
                wg.await();
                System.out.println("done " + InitPings.rounds + " " + InitPongs.rounds);
            });
            case "chanDeadlock" -> Go.run(() -> {
                io.gmp4j.chan.Chan.make(0).recv();
            });
            case "memProfileOnOff" -> { // the sampling turned off before its thread started it
                for (int i = 0; i < 20; i++) {
                    Debug.setMemProfileRate(4096);
                    Debug.setMemProfileRate(0);
                }
                System.out.println("done");
            }
            case "executorCloseDeadlock" -> Go.run(() -> { // Go: wg.Wait() for a goroutine asleep for good
                try (io.gmp4j.GoExecutorService ex = io.gmp4j.GoExecutorService.newGoroutinePerTaskExecutor()) {
                    ex.execute(() -> io.gmp4j.chan.Chan.make(0).recv());
                }
            });
            case "lockedDeadlock" -> Go.run(() -> { // testprog/deadlock.go: LockedDeadlock
                Go.lockOSThread();
                io.gmp4j.chan.Select.select();
            });
            case "lockOSThreadAvoidsStatePropagation" -> Go.run(TestProg::lockOSThreadAvoidsStatePropagation);
            case "lockedDeadlock2" -> Go.run(() -> { // testprog/deadlock.go: LockedDeadlock2
                Go.go(() -> {
                    Go.lockOSThread();
                    io.gmp4j.chan.Select.select();
                });
                Time.sleep(Duration.ofMillis(1));
                io.gmp4j.chan.Select.select();
            });
            case "deadlockAfterChurn" -> Go.run(() -> {
                // 10,000 goroutines come and go first: the Ms still hold some of them, dead,
                // for a batched unlink (AllGs); none may count as able to wake main.
                churn();
                io.gmp4j.chan.Chan.<Integer>make(0).recv();
            });
            case "mainGoexitSwallowed" -> { // DIVERGENCES.md: a catch (Throwable) can swallow Goexit
                Go.run(() -> {
                    try {
                        Go.goexit();
                    } catch (Throwable t) {
                        System.out.println("swallowed");
                    }
                });
                System.out.println("run returned");
                Go.run(() -> Go.go(() -> { })); // its goroutines end after it: no Goexit verdict either
                System.out.println("second run returned");
            }
            case "mainGoexitAfterChurn" -> Go.run(() -> {
                churn();
                Go.goexit();
            });
            case "acceptIsNotDeadlock" -> Go.run(() -> {
                try (ServerSocket ss = new ServerSocket(0)) {
                    ss.setSoTimeout(1500);
                    ss.accept();
                } catch (SocketTimeoutException e) {
                    System.out.println("accept timed out");
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            case "outsideWaker" -> Go.run(() -> {
                // Only a platform thread will ever send: not a deadlock, however long it takes.
                io.gmp4j.chan.Chan<String> c = io.gmp4j.chan.Chan.make(0);
                Thread sender = new Thread(() -> {
                    LockSupport.parkNanos(600_000_000L);
                    c.send("from a platform thread");
                });
                sender.start();
                System.out.println(c.recv());
            });
            case "goRunCallerNotYetWaiting" -> goRunCallerNotYetWaiting();
            case "processExitWaker" -> Go.run(() -> {
                // Only the JDK's process reaper will ever send (Go: cmd.Wait in a goroutine).
                io.gmp4j.chan.Chan<Integer> c = io.gmp4j.chan.Chan.make(1);
                try {
                    new ProcessBuilder("sleep", "1").start().onExit().thenAccept(p -> c.send(p.exitValue()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                System.out.println("exit " + c.recv());
            });
            case "tracebackAncestors" -> Go.run(TestProg::tracebackAncestors);
            case "noHelperGoroutines" -> Go.run(() -> { // testprog/crash.go: NoHelperGoroutines
                Object i = new Object();
                java.lang.ref.Cleaner.create().register(i, () -> { }); // Go's SetFinalizer
                Time.afterFunc(Duration.ofHours(1), () -> { });
                throw new GoPanic("oops");
            });
            case "goschedInPanic" -> Go.run(() -> { // testprog/deadlock.go: GoschedInPanic
                throw new GoPanic(new RuntimeException() {
                    @Override
                    public String toString() {
                        Go.gosched();
                        return "errorThatGosched";
                    }
                });
            });
            case "syscallInPanic" -> Go.run(() -> { // testprog/deadlock.go: SyscallInPanic
                throw new GoPanic(new RuntimeException() {
                    @Override
                    public String toString() {
                        System.out.println("1");
                        System.out.println("2");
                        System.out.flush();
                        return "3";
                    }
                });
            });
            case "errorPanic" -> Go.run(() -> { // testprog/crash.go: ErrorPanic
                throw new GoPanic(new ExampleError());
            });
            case "doubleErrorPanic" -> Go.run(() -> { // testprog/crash.go: DoubleErrorPanic
                throw new GoPanic(new Object() {
                    @Override
                    public String toString() {
                        throw new GoPanic(new ExampleError());
                    }
                });
            });
            case "circularPanic" -> Go.run(() -> { // testprog/crash.go: CircularPanic
                throw new GoPanic(new CircleStart());
            });
            case "causeCycle" -> Go.run(() -> { // initCause refuses only the throwable itself
                RuntimeException x = new RuntimeException("x");
                x.initCause(new RuntimeException("y", x));
                throw x;
            });
            case "wrappedCausePanic" -> Go.run(() -> { // Go's panic(err): the value an exception with a cause
                throw new GoPanic(new RuntimeException("outer", new IllegalStateException("inner")));
            });
            case "causeTextPanics" -> Go.run(() -> { // a cause's text is part of the value's
                throw new RuntimeException("outer", new RuntimeException() {
                    @Override
                    public String toString() {
                        throw new GoPanic("cause text");
                    }
                });
            });
            case "stringPanic" -> Go.run(() -> { // testprog/crash.go: StringPanic
                throw new GoPanic("important string message");
            });
            case "panicLoop" -> Go.run(() -> { // testprog/deadlock.go: PanicLoop
                throw new GoPanic(new RuntimeException() {
                    @Override
                    public String toString() {
                        throw new GoPanic("double error");
                    }
                });
            });
            case "goexitInPanic" -> Go.run(() -> { // testprog/deadlock.go: GoexitInPanic
                Go.go(() -> {
                    try {
                        throw new GoPanic("hello");
                    } finally {
                        Go.goexit();
                    }
                });
                Go.goexit();
            });
            case "cpuHog" -> cpuHog(); // seed Bug 1 (002_*): GOMAXPROCS=1, a call-free loop
            case "asyncPreempt" -> asyncPreempt();
            case "memProfileRate" -> Go.run(() -> { // a jlinked image without jdk.jfr or java.management
                int before = io.gmp4j.debug.Debug.setMemProfileRate(4096);
                int set = io.gmp4j.debug.Debug.setMemProfileRate(0);
                System.out.println("rates " + before + " " + set + " " + io.gmp4j.debug.Debug.setMemProfileRate(-1));
            });
            case "memStats" -> Go.run(() -> { // a jlinked image without java.management: java.base's figures
                byte[][] keep = new byte[64][];
                for (int i = 0; i < keep.length; i++) {
                    keep[i] = new byte[1 << 16];
                }
                Go.gc();
                io.gmp4j.MemStats m = Go.readMemStats();
                var all = io.gmp4j.metrics.Metrics.readAll();
                System.out.println("alloc>=4MiB " + (m.Alloc >= keep.length << 16) + " sys>=alloc " + (m.Sys >= m.Alloc)
                        + " NumForcedGC " + m.NumForcedGC + " NumGC>=1 " + (m.NumGC >= 1) + " metrics " + all.size()
                        + " live>0 " + ((Long) all.get("/gc/heap/live:bytes") > 0) + " kept " + keep.length);
                try {
                    io.gmp4j.metrics.Metrics.registerMBean();
                } catch (IllegalStateException e) {
                    System.out.println(e.getMessage());
                }
            });
            case "threadLimit" -> {
                Debug.setMaxThreads(Integer.parseInt(args[1]));
                Go.run(() -> {
                    for (int i = 0; i < 50; i++) {
                        Go.go(TestProg::spinForever);
                    }
                    parkForever();
                });
            }
            case "threadLimitAfterLock" -> Go.run(() -> { // LockOSThread started the template thread
                Go.lockOSThread();
                Go.unlockOSThread();
                int prev = Debug.setMaxThreads(Integer.parseInt(args[1]));
                System.out.println("prev=" + prev);
            });
            case "threadLimitBelowCount" -> Go.run(() -> { // an M runs this: the limit is already exceeded
                int prev = Debug.setMaxThreads(Integer.parseInt(args[1]));
                System.out.println("prev=" + prev);
            });
            case "cgroupUpdate" -> {
                Path cpuMax = Path.of(args[1]);
                System.out.println("gomaxprocs=" + Go.gomaxprocs(0));
                Files.writeString(cpuMax, args[2]);
                long deadline = System.nanoTime() + 10_000_000_000L;
                int first = Go.gomaxprocs(0);
                while (Go.gomaxprocs(0) == first && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(10_000_000);
                }
                System.out.println("gomaxprocs=" + Go.gomaxprocs(0));
            }
            case "gctrace" -> Go.run(() -> {
                Go.gc();
                Go.gc();
                // The JDK's notification thread prints after the collection: wait until it has.
                boolean tracing = String.valueOf(System.getenv("GODEBUG")).contains("gctrace=1");
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (tracing && io.gmp4j.internal.runtime.Export.gcTraceReported() < 2 && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(1_000_000);
                }
            });
            case "gctraceCycles" -> Go.run(() -> {
                // ~40 MiB live in small objects, so that marking takes a few ms; 1 GiB of garbage.
                Object[] live = new Object[400_000];
                for (int i = 0; i < live.length; i++) {
                    live[i] = new byte[64];
                }
                for (int i = 0; i < 1024; i++) {
                    byte[] g = new byte[1 << 20];
                    g[i] = 1;
                }
                Go.gc();
                var ms = Go.readMemStats();
                long marks = 0; // G1's remark and cleanup pauses, which NumGC does not count
                for (var bean : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                    if (bean.getName().contains("Concurrent")) {
                        marks += bean.getCollectionCount();
                    }
                }
                System.out.println("numgc=" + ms.NumGC + " cycles=" + io.gmp4j.metrics.Metrics.readAll().get("/gc/cycles/total:gc-cycles")
                        + " markpauses=" + marks + " live=" + live.length);
            });
            case "allocsAfterStart" -> allocsAfterStart(); // then the JVM exits: sampling keeps no thread up
            case "cpuProfileTwice" -> cpuProfileTwice();
            case "memknobs" -> Go.run(() -> {
                // The knobs as the environment left them, then Go's set-and-restore round trip.
                int gogc = Debug.setGCPercent(50);
                System.out.println("gogc=" + gogc + " then=" + Debug.setGCPercent(gogc));
                long lim = Debug.setMemoryLimit(-1);
                System.out.println("limit=" + lim);
            });
            case "pauseRing" -> Go.run(() -> { // MemStats.PauseNs: the newest pause at (NumGC+255)%256
                for (int i = 0; i < 3; i++) {
                    System.gc(); // collections before the first readMemStats: NumGC counts them, the ring cannot
                }
                MemStats first = Go.readMemStats();
                Go.gc();
                long deadline = System.nanoTime() + 20_000_000_000L;
                MemStats m;
                do { // the pause's notification comes after the beans count it
                    LockSupport.parkNanos(10_000_000L);
                    m = Go.readMemStats();
                } while (!(m.LastGC > 0 && m.PauseEnd[(m.NumGC + 255) % 256] == m.LastGC) && System.nanoTime() < deadline);
                int i = (m.NumGC + 255) % 256;
                System.out.println("first=" + first.NumGC + " numgc=" + m.NumGC + " lastgc=" + (m.LastGC > 0)
                        + " newest=" + (m.PauseEnd[i] == m.LastGC) + " after=" + (m.PauseEnd[m.NumGC % 256] == 0));
            });
            case "memlimit" -> Go.run(() -> {
                // ~20 MiB live, garbage churning through: the committed heap after the GCs.
                byte[][] live = new byte[20][];
                long until = System.nanoTime() + 2_000_000_000L;
                int i = 0;
                long maxCommitted = 0;
                while (System.nanoTime() < until) {
                    live[i++ % 20] = new byte[1 << 20];
                    for (int k = 0; k < 50; k++) {
                        byte[] g = new byte[64 << 10];
                        g[0] = 1;
                    }
                    if (i > 200) {
                        maxCommitted = Math.max(maxCommitted, Go.readMemStats().HeapSys);
                    }
                }
                System.out.println("numgc=" + Go.readMemStats().NumGC + " maxcommittedMiB=" + (maxCommitted >> 20));
            });
            case "gomaxprocs" -> Go.run(() -> System.out.println("gomaxprocs=" + Go.gomaxprocs(0)));
            case "schedtrace" -> Go.run(() -> {
                long until = System.nanoTime() + 350_000_000L;
                while (System.nanoTime() < until) {
                    Go.go(() -> sink++);
                    LockSupport.parkNanos(1_000_000);
                }
            });
            // scheddetail=1: a goroutine in chan receive, one sleeping in the JDK, one in a j.u.c.
            // latch, one spinning (running on an M)
            case "scheddetail" -> Go.run(() -> {
                io.gmp4j.chan.Chan<Integer> c = io.gmp4j.chan.Chan.make();
                java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
                Go.go(c::recv);
                Go.go(() -> {
                    try {
                        Thread.sleep(5_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                Go.go(() -> {
                    try {
                        latch.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                long until = System.nanoTime() + 450_000_000L;
                Go.go(() -> {
                    while (System.nanoTime() < until) {
                        sink++;
                    }
                });
                LockSupport.parkNanos(500_000_000L);
                System.exit(0);
            });
            // scheddetail=1 with main locked to its thread and asleep: its M waits in stoplockedm
            // (Go's nmidlelocked counts it)
            case "scheddetailLocked" -> Go.run(() -> {
                Go.lockOSThread();
                Time.sleep(Duration.ofMillis(600));
            });
            // scheddetail=1 with the P retaken: a call-free hog (sysmon hands its P off; its M runs
            // on without one) and a sleeping main. Prints the hog's goid.
            case "scheddetailRetake" -> Go.run(() -> {
                long until = System.nanoTime() + 700_000_000L;
                long[] hog = new long[1];
                io.gmp4j.sync.WaitGroup started = new io.gmp4j.sync.WaitGroup();
                started.add(1);
                Go.go(() -> {
                    hog[0] = Park.goid();
                    started.done();
                    while (System.nanoTime() < until) {
                        sink++;
                    }
                });
                started.await();
                System.out.println("hog=" + hog[0]);
                Time.sleep(Duration.ofMillis(800));
            });
            // crash_test.go: TestMainGoroutineID: a panic in main names goroutine 1
            case "panicMain" -> Go.run(() -> {
                throw new GoPanic("boom");
            });
            // Go 1.23's printindented: a multi-line value, and a cause with one, handled by a
            // handler that throws a multi-line panic of its own
            case "multilinePanic" -> Go.run(() -> {
                throw new GoPanic("a problem\ngoroutine 99 [running]:\nforged");
            });
            case "multilineCausePanic" -> {
                Go.setPanicHandler((goid, p) -> {
                    throw new IllegalStateException("handler\nfailed");
                });
                Go.run(() -> {
                    throw new RuntimeException("outer\nline", new IllegalStateException("inner\nline"));
                });
            }
            // Go compiles select { case <-nilc: } to <-nilc: main waits in [chan receive (nil chan)]
            case "singleCaseNilSelect" -> Go.run(() -> io.gmp4j.chan.Select.select(io.gmp4j.chan.Chan.<Integer>nil().onRecv(v -> {})));
            // crash_test.go: TestPanicAfterGoexit
            case "panicAfterGoexit" -> Go.run(() -> {
                try {
                    Go.goexit();
                } finally {
                    panicWith("hello");
                }
            });
            // crash_test.go: TestRecoveredPanicAfterGoexit
            case "recoveredPanicAfterGoexit" -> Go.run(() -> {
                try {
                    Go.goexit();
                } finally {
                    try {
                        panicWith("hello");
                    } catch (GoPanic r) {
                        if (r.value() == null) {
                            panicWith("bad recover");
                        }
                    }
                }
            });
            // crash_test.go: TestRecoverBeforePanicAfterGoexit (testprog/deadlock.go): Goexit runs
            // the inner finally, whose panic the outer catch (Go's recovering defer) takes
            case "recoverBeforePanicAfterGoexit" -> Go.run(() -> {
                try {
                    try {
                        Go.goexit();
                    } finally {
                        panicWith("hello");
                    }
                } catch (GoPanic r) {
                    if (r.value() == null) {
                        panicWith("bad recover");
                    }
                }
                System.out.println("main went on");
            });
            // crash_test.go: TestRecoverBeforePanicAfterGoexit2: two empty deferred calls first
            case "recoverBeforePanicAfterGoexit2" -> Go.run(() -> {
                try {
                    try {
                        try {
                            try {
                                Go.goexit();
                            } finally {
                                panicWith("hello");
                            }
                        } catch (GoPanic r) {
                            if (r.value() == null) {
                                panicWith("bad recover");
                            }
                        }
                    } finally {
                        // defer func() {}()
                    }
                } finally {
                    // defer func() {}()
                }
                System.out.println("main went on");
            });
            // crash_test.go: TestDoublePanic (testprog/crash.go: DoublePanic): a deferred call
            // panics while panic XXX unwinds
            case "doublePanic" -> Go.run(() -> {
                try {
                    panicWith("XXX");
                } finally {
                    panicWith("YYY");
                }
            });
            // crash_test.go: TestThreadExhaustion (testprog/deadlock.go: ThreadExhaustion)
            case "threadExhaustion" -> Go.run(() -> {
                Debug.setMaxThreads(10);
                io.gmp4j.chan.Chan<Integer> c = io.gmp4j.chan.Chan.make(0);
                for (int i = 0; i < 100; i++) {
                    Go.go(() -> {
                        Go.lockOSThread();
                        c.send(0);
                        io.gmp4j.chan.Select.select(); // select {}
                    });
                    c.recv();
                }
                System.out.println("made 100 locked goroutines");
            });
            // A pending timer is no goroutine: the trace shows goroutine 1 only.
            case "panicWithPendingTimer" -> Go.run(() -> {
                Time.afterFunc(Duration.ofHours(1), () -> System.out.println("timer fired"));
                throw new GoPanic("boom");
            });
            case "panicNil" -> Go.run(() -> {
                Go.go(() -> {
                    throw new GoPanic(null);
                });
                parkForever();
            });
            case "handlerThrows" -> {
                Go.setPanicHandler((goid, p) -> {
                    throw new IllegalStateException("handler failed");
                });
                Go.run(() -> {
                    Go.go(() -> {
                        throw new GoPanic("boom");
                    });
                    parkForever();
                });
            }
            case "handlerGoexits" -> { // Go: a deferred Goexit ends a panicking goroutine, its panic dropped
                Go.setPanicHandler((goid, p) -> {
                    System.out.println("handler " + goid + " " + p.getMessage());
                    Go.goexit();
                });
                Go.run(() -> {
                    Go.go(() -> {
                        throw new GoPanic("boom");
                    });
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (Go.numGoroutine() > 1 && System.nanoTime() < deadline) {
                        Go.gosched();
                    }
                    System.out.println("numg " + Go.numGoroutine());
                    throw new GoPanic("main boom"); // then main Goexits in the handler: Go.run does not return
                });
                System.out.println("run returned");
            }
            case "simultaneousPanics" -> Go.run(() -> {
                Go.gomaxprocs(4);
                io.gmp4j.chan.Chan<Object> start = io.gmp4j.chan.Chan.make(0);
                for (int i = 0; i < 4; i++) {
                    int id = i;
                    Go.go(() -> {
                        start.recv();
                        throw new GoPanic("boom " + id);
                    });
                }
                start.close();
                parkForever();
            });
            case "stackOverflow" -> {
                if (args.length > 1) {
                    Go.setPanicHandler((goid, p) -> System.out.println("handler got " + p));
                }
                Go.run(() -> {
                    Go.go(() -> sink = recurse(0));
                    parkForever();
                });
            }
            // crash_test.go: TestStackOverflow (testprog/deadlock.go: StackOverflow recurses in main)
            case "stackOverflowMain" -> Go.run(() -> sink = recurse(0));
            // crash_test.go: TestGoNil: the fatal error cannot be recovered
            case "goNil" -> Go.run(() -> {
                try {
                    Go.go(null);
                } catch (Throwable t) {
                    System.out.println("recovered " + t);
                }
                parkForever();
            });
            // A goroutine fills the heap: Go's out-of-memory throw, which no handler receives.
            case "oom" -> {
                Go.setPanicHandler((goid, p) -> System.out.println("handler got " + p));
                Go.run(() -> {
                    java.util.List<long[]> hog = new java.util.ArrayList<>();
                    for (;;) {
                        hog.add(new long[16 << 10]);
                    }
                });
            }
            case "oomThenDeadlock" -> oomThenDeadlock();
            case "bigGomaxprocs" -> Go.run(() -> { // proc_test.go: TestBigGOMAXPROCS
                io.gmp4j.chan.Chan<Integer> c = io.gmp4j.chan.Chan.make(0);
                for (int i = 0; i < 2048; i++) {
                    int v = i;
                    Go.go(() -> c.send(v));
                }
                long sum = 0;
                for (int i = 0; i < 2048; i++) {
                    sum += c.recv();
                }
                if (sum != 2048L * 2047 / 2) {
                    throw new GoPanic("lost a send: sum " + sum);
                }
                System.out.println(Go.gomaxprocs(0) + " ok");
            });
            // crash_test.go: TestRecursivePanic (testprog/deadlock.go: RecursivePanic)
            case "recursivePanic" -> Go.run(() -> {
                try {
                    try {
                        panicWith("bad");
                    } catch (GoPanic err) { // defer func() { if err := recover(); ... panic("wrap: " + err) }
                        panicWith("wrap: " + err.value());
                    }
                } catch (GoPanic r) { // defer func() { fmt.Println(recover()) }
                    System.out.println(r.value());
                }
                panicWith("again");
            });
            // crash_test.go: TestRecursivePanic2: the recover and the second panic in separate defers
            case "recursivePanic2" -> Go.run(() -> {
                try {
                    try {
                        try {
                            panicWith("first panic");
                        } catch (GoPanic r) {
                            System.out.println(r.value());
                        }
                    } finally {
                        panicWith("second panic");
                    }
                } catch (GoPanic r) {
                    System.out.println(r.value());
                }
                panicWith("third panic");
            });
            // crash_test.go: TestRecursivePanic3: a recovered second panic leaves the first one going
            case "recursivePanic3" -> Go.run(() -> {
                try {
                    panicWith("first panic");
                } finally {
                    try {
                        panicWith("second panic");
                    } catch (GoPanic recovered) {
                        // recover()
                    }
                }
            });
            // crash_test.go: TestRecursivePanic5 (testprog: one, two, three)
            case "recursivePanic5" -> Go.run(() -> {
                one();
                panicWith("third panic");
            });
            // crash_test.go: TestPanicRace (issues 3934, 20018): main returns while a panicking
            // goroutine runs its deferred calls; the report still comes, status 2
            case "panicRace" -> Go.run(() -> {
                io.gmp4j.sync.WaitGroup wg = new io.gmp4j.sync.WaitGroup();
                wg.add(1);
                Go.go(() -> {
                    try {
                        panicWith("crash");
                    } finally {
                        wg.done();
                        Go.gosched();
                    }
                });
                wg.await();
            });
            // crash_test.go: TestNetpollDeadlock (testprognet/net.go): a refused dial in an
            // initialiser is no deadlock; main then runs
            case "netpollDeadlock" -> Go.run(() -> {
                Out.sink = new DialsInInit();
                System.out.println("done");
            });
            // crash_test.go: TestGoexitDeadlock (testprog/deadlock.go: GoexitDeadlock)
            case "goexitDeadlock" -> Go.run(() -> {
                Runnable f = () -> {
                    for (int i = 0; i < 10; i++) {
                        sink += i;
                    }
                };
                Go.go(f);
                Go.go(f);
                Go.goexit();
            });
            // crash_test.go: TestCrashHandler (testprog/crash.go: Crash): a nil dereference
            // recovered on locked threads, main's and new ones
            case "crash" -> Go.run(() -> {
                Go.lockOSThread();
                crashTest("main");
                crashTestInNewThread("new-thread");
                crashTestInNewThread("second-new-thread");
                crashTest("main-again");
            });
            // crash_test.go: TestInitDeadlock (testprog/deadlock.go: InitDeadlock): select {} in init
            case "initDeadlock" -> Go.run(() -> {
                Out.sink = new InitSelectsForever();
            });
            // crash_test.go: TestGoexitCrash (testprog/deadlock.go: GoexitExit): runtime.SetFinalizer
            // is a Cleaner registration here; its idle thread, like Go's finalizer goroutine, is no waker
            case "goexitExit" -> Go.run(() -> {
                System.err.println("t1");
                Go.go(() -> Time.sleep(Duration.ofMillis(1)));
                Object i = new Object();
                System.err.println("t2");
                java.lang.ref.Cleaner.create().register(i, () -> {});
                System.err.println("t3");
                Go.gc();
                System.err.println("t4");
                Go.goexit();
            });
            // Go runs a pending AfterFunc after main's Goexit (the last M waits in netpoll for
            // it), then dies of "no goroutines": here one that arms a second (beside a channel
            // timer, which Go 1.23 keeps out of the heaps: not waited for), and a platform
            // thread that starts a goroutine once main has gone
            case "goexitPendingAfterFunc" -> Go.run(() -> {
                Time.newTimer(Duration.ofHours(1)); // a channel timer's send wakes nobody: not waited for
                Time.afterFunc(Duration.ofMillis(300), () -> {
                    System.out.println("first");
                    Time.afterFunc(Duration.ofMillis(300), () -> System.out.println("second"));
                });
                Go.goexit();
            });
            case "goexitThreadStartsGoroutine" -> Go.run(() -> {
                new Thread(() -> {
                    LockSupport.parkNanos(300_000_000L);
                    Go.go(() -> System.out.println("from a thread's goroutine"));
                }).start();
                Go.goexit();
            });
            // An afterFunc's timer that an M has taken from its heap but whose goroutine it has
            // not started yet (time.AfterFunc's callback is `go f()`; the M descheduled between
            // the two, held here until then): the last goroutine's exit meanwhile is no deadlock,
            // as Go's M running the timer is not idle (checkdead: run > 0)
            case "goexitWhileAfterFuncStarts" -> Go.run(() -> {
                AtomicBoolean popped = new AtomicBoolean();
                RuntimeTimer t = new RuntimeTimer(() -> {
                    popped.set(true);
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (Go.numGoroutine() != 0 && System.nanoTime() - deadline < 0) {
                        Thread.onSpinWait(); // until the last goroutine has exited
                    }
                    LockSupport.parkNanos(500_000_000L); // a wrong "no goroutines" verdict has come by now
                    Go.go(() -> System.out.println("started by the timer"));
                });
                Go.go(() -> {
                    while (!popped.get()) {
                        Go.gosched();
                    }
                    System.out.println("last goroutine exits");
                });
                t.reset(System.nanoTime() + 100_000_000L, 0);
                Go.goexit();
            });
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static long out;

    static final class Out {
        static volatile Object sink;
    }

    /** Its initialiser waits for a value no goroutine sends: a deadlock, pinned. */
    static final class InitRecvsForever {
        static {
            io.gmp4j.chan.Chan.make(0).recv();
        }
    }

    static final io.gmp4j.chan.Chan<Integer> PING = io.gmp4j.chan.Chan.make(0), PONG = io.gmp4j.chan.Chan.make(0);
    static final int PINNED_ROUNDS = 20_000;

    /** Its initialiser pings PINNED_ROUNDS times through unbuffered channels, pinned. */
    static final class InitPings {
        static int rounds;

        static {
            for (int i = 0; i < PINNED_ROUNDS; i++) {
                PING.send(i);
                rounds += PONG.recv() == i ? 1 : 0;
            }
        }
    }

    /** Its initialiser answers InitPings, pinned too. */
    static final class InitPongs {
        static int rounds;

        static {
            for (int i = 0; i < PINNED_ROUNDS; i++) {
                PONG.send(PING.recv());
                rounds++;
            }
        }
    }

    /** testprog/crash.go: exampleError, whose Error() panics with a string. */
    static final class ExampleError {
        @Override
        public String toString() {
            throw new GoPanic("important error message");
        }
    }

    /** testprog/crash.go: exampleCircleStartError and exampleCircleEndError. */
    static final class CircleStart {
        @Override
        public String toString() {
            throw new GoPanic(new CircleEnd());
        }
    }

    static final class CircleEnd {
        @Override
        public String toString() {
            throw new GoPanic(new CircleStart());
        }
    }

    /**
     * testprog/lockosthread.go: LockOSThreadAvoidsStatePropagation. A goroutine locks its M, gives
     * that thread a working directory of its own (unshare(CLONE_FS), chdir) and ends locked, so
     * the thread must die with it. A new thread is cloned from its creator (pthread_create shares
     * the creator's fs), so no M may be created on a locked thread either: goroutines locked to
     * the Ms they get next must see the process's directory. Main runs locked, as
     * Go's does (its init locks it to the main thread), and GOMAXPROCS is 1 (the environment).
     * Linux only; elsewhere, or where unshare is not permitted, it says so.
     */
    private static void lockOSThreadAvoidsStatePropagation() {
        if (Go.gomaxprocs(0) != 1) {
            System.out.println("requires GOMAXPROCS=1");
            System.exit(1);
        }
        Go.lockOSThread();
        String cwd = Native.getcwd();
        // Go's program runs this once and looks from one goroutine, which GOMAXPROCS=1 very
        // likely puts on a thread that kept the tainted state (reused, or cloned from it).
        // Here: ten rounds, and eight goroutines look after each, each locked to an M of its own
        // while they all do, so that every idle M and every new one is looked at (they end
        // locked: their Ms exit, and each round starts with no idle M but one in flight).
        // Whether the M that takes the P when the tainted goroutine ends is a new one, created
        // on the tainted thread, or that idle one depends on timing; over ten rounds one is new.
        for (int round = 0; round < 10; round++) {
            io.gmp4j.chan.Chan<Boolean> ready = io.gmp4j.chan.Chan.make(1);
            Go.go(() -> {
                Go.lockOSThread();
                int errno = Native.unshareFs();
                if (errno == Native.EPERM) {
                    System.out.println("unshare not permitted");
                    System.exit(0);
                } else if (errno != 0) {
                    System.out.println("failed to unshare fs: errno " + errno);
                    System.exit(1);
                }
                if (!Native.chdir("/tmp")) {
                    System.out.println("failed to chdir");
                    System.exit(1);
                }
                // This thread's state is now "tainted"; no other goroutine may observe it.
                ready.send(true);
                // Exit with the thread locked.
            });
            ready.recv();
            java.util.List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            new LockedGroup(8, () -> seen.add(Native.getcwd())).release();
            for (String wd : seen) {
                if (!wd.equals(cwd)) {
                    System.out.println("bad thread state, want " + cwd + " got " + wd + " (round " + round + ")");
                    System.exit(1);
                }
            }
        }
        Go.unlockOSThread();
        System.out.println("OK");
    }

    /**
     * n goroutines, each locked to its M and running {@code atLock} there, all waiting for
     * release; they end locked, so that their Ms exit rather than wait idle for the next round.
     */
    private static final class LockedGroup {
        private final io.gmp4j.sync.WaitGroup locked = new io.gmp4j.sync.WaitGroup(), ended = new io.gmp4j.sync.WaitGroup();
        private final io.gmp4j.chan.Chan<Boolean> release = io.gmp4j.chan.Chan.make(0);

        LockedGroup(int n, Runnable atLock) {
            locked.add(n);
            ended.add(n);
            for (int i = 0; i < n; i++) {
                Go.go(() -> {
                    Go.lockOSThread();
                    if (atLock != null) {
                        atLock.run();
                    }
                    locked.done();
                    release.recv();
                    ended.done();
                });
            }
            locked.await();
        }

        void release() {
            release.close();
            ended.await();
        }
    }

    /** The libc calls lockOSThreadAvoidsStatePropagation needs (java.lang.foreign). */
    private static final class Native {
        static final int EPERM = 1;
        private static final int CLONE_FS = 0x200;
        private static final java.lang.foreign.Linker LINKER = java.lang.foreign.Linker.nativeLinker();
        private static final java.lang.foreign.StructLayout STATE = java.lang.foreign.Linker.Option.captureStateLayout();
        private static final java.lang.invoke.VarHandle ERRNO = STATE.varHandle(
                java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
        private static final java.lang.invoke.MethodHandle UNSHARE = LINKER.downcallHandle(
                LINKER.defaultLookup().find("unshare").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT),
                java.lang.foreign.Linker.Option.captureCallState("errno"));
        private static final java.lang.invoke.MethodHandle CHDIR = LINKER.downcallHandle(
                LINKER.defaultLookup().find("chdir").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS));
        private static final java.lang.invoke.MethodHandle GETCWD = LINKER.downcallHandle(
                LINKER.defaultLookup().find("getcwd").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.ADDRESS,
                        java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG));

        /** unshare(CLONE_FS) for the calling thread: 0, or errno. */
        static int unshareFs() {
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment state = a.allocate(STATE);
                int r = (int) UNSHARE.invokeExact(state, CLONE_FS);
                return r == 0 ? 0 : (int) ERRNO.get(state, 0L);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }

        static boolean chdir(String dir) {
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                return (int) CHDIR.invokeExact(a.allocateFrom(dir)) == 0;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }

        static String getcwd() {
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment buf = a.allocate(4096);
                java.lang.foreign.MemorySegment r = (java.lang.foreign.MemorySegment) GETCWD.invokeExact(buf, 4096L);
                if (r.address() == 0) {
                    throw new AssertionError("getcwd failed");
                }
                return buf.getString(0);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }
    }

    /**
     * testprog/preempt.go: AsyncPreempt. At GOMAXPROCS=1, goroutines that never reach a safe
     * point (empty calls in a loop, a counted loop with no call, an empty infinite loop) must
     * not keep main from running: it prints OK and the program exits with them still spinning.
     */
    private static void asyncPreempt() {
        Go.run(() -> {
            Go.gomaxprocs(1);
            java.util.concurrent.atomic.AtomicInteger ready = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger ready2 = new java.util.concurrent.atomic.AtomicInteger();
            Go.go(() -> {
                for (;;) {
                    ready.set(1);
                    dummy();
                    dummy();
                }
            });
            Go.go(() -> {
                ready2.incrementAndGet();
                frameless();
            });
            Go.go(() -> {
                ready2.incrementAndGet();
                for (;;) { // an empty infinite loop
                }
            });
            while (ready.get() == 0 || ready2.get() < 2) {
                Go.gosched();
            }
            System.gc(); // Go's runtime.GC(): here it stops nothing of ours, but must not hang
            System.out.println("OK");
        });
    }

    private static void dummy() {}

    private static void frameless() {
        for (long i = 0; i < 1L << 62; i++) {
            out += i * i * i * i * i * 12345;
        }
    }

    private static void cpuHog() {
        // A watchdog outside the runtime ends the hang that asyncpreemptoff=1 must reproduce.
        Thread watchdog = new Thread(() -> {
            LockSupport.parkNanos(3_000_000_000L);
            System.out.println("hung: the second goroutine did not run");
            System.out.flush();
            Runtime.getRuntime().halt(3);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        Go.run(() -> {
            Go.gomaxprocs(1);
            Go.go(TestProg::spinForever);
            LockSupport.parkNanos(100_000_000);
            long start = System.nanoTime();
            AtomicBoolean ran = new AtomicBoolean();
            Thread main = Thread.currentThread();
            Go.go(() -> {
                ran.set(true);
                LockSupport.unpark(main);
            });
            while (!ran.get()) {
                LockSupport.park();
            }
            System.out.printf("second goroutine ran after %.1f ms%n", (System.nanoTime() - start) / 1e6);
        });
    }

    /**
     * Issue 12 item 5: the heap stays full while goroutines, channels and timers churn (user
     * code absorbs its own OutOfMemoryErrors, a handler its panics), then main deadlocks. Any
     * runtime thread that hits the full heap must crash the program with Go's out-of-memory
     * error; if none does, checkdead must still report the deadlock. Never a hang.
     */
    private static void oomThenDeadlock() {
        Go.setPanicHandler((goid, p) -> {});
        Go.run(() -> {
            java.util.List<long[]> hog = new java.util.ArrayList<>();
            try {
                for (;;) {
                    hog.add(new long[8 << 10]);
                }
            } catch (OutOfMemoryError e) {
                // the heap is full: keep it so
            }
            long until = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < until) {
                try {
                    io.gmp4j.chan.Chan<Object> c = io.gmp4j.chan.Chan.make(0);
                    Go.go(() -> c.send(new long[1 << 10]));
                    c.recv();
                    Time.sleep(Duration.ofNanos(100_000));
                } catch (OutOfMemoryError e) {
                    hog.remove(hog.size() - 1);
                }
            }
            hog = null;
            io.gmp4j.chan.Chan.make(0).recv(); // nobody will send: deadlock
        });
    }

    private static void panicWith(String v) {
        throw new GoPanic(v);
    }

    /** testprog/crash.go: test. A nil dereference, recovered by a deferred call. */
    private static void crashTest(String name) {
        try {
            System.out.print(name + ":");
            String s = null;
            sink += s.length();
            System.out.print("SHOULD NOT BE HERE");
        } catch (NullPointerException x) {
            System.out.print(" recovered");
        } finally {
            System.out.print(" done\n");
        }
    }

    /** testprog/crash.go: testInNewThread. */
    private static void crashTestInNewThread(String name) {
        io.gmp4j.chan.Chan<Boolean> c = io.gmp4j.chan.Chan.make(0);
        Go.go(() -> {
            Go.lockOSThread();
            crashTest(name);
            c.send(true);
        });
        c.recv();
    }

    /** Its initialiser blocks in select {} (Go: in init, on the main goroutine). */
    static final class InitSelectsForever {
        static {
            io.gmp4j.chan.Select.select();
        }
    }

    private static void one() {
        two();
    }

    private static void two() {
        try {
            three();
        } finally {
            sink++;
        }
    }

    /** testprog/deadlock.go: three. The first panic recovered by a defer that panics again, recovered by the next. */
    private static void three() {
        try {
            try {
                try {
                    panicWith("first panic");
                } catch (GoPanic r) {
                    System.out.println(r.value());
                    panicWith("second panic");
                }
            } catch (GoPanic r) {
                System.out.println(r.value());
            }
        } finally {
            sink++;
        }
    }

    /** testprognet/net.go: NetpollDeadlockInit. Dials a port nothing listens on. */
    static final class DialsInInit {
        static {
            System.out.println("dialing");
            int port;
            try (ServerSocket ss = new ServerSocket(0)) {
                port = ss.getLocalPort();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            try (java.net.Socket c = new java.net.Socket("localhost", port)) {
                System.out.println("connected");
            } catch (java.io.IOException e) {
                System.out.println("error: " + e.getMessage());
            }
        }
    }

    private static int recurse(int n) {
        return n == Integer.MAX_VALUE ? n : recurse(n + 1) + 1;
    }

    /** A loop with no calls: nothing gmp4j could use as a preemption point. */
    static void spinForever() {
        long x = 0;
        while (spin) {
            x++;
        }
        sink = x;
    }

    // testprog/traceback_ancestors.go: TracebackAncestors, numGoroutines 3, numFrames 2
    private static final java.util.Set<String> IGNORE_GOROUTINES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static void tracebackAncestors() {
        io.gmp4j.chan.Chan<Boolean> w = io.gmp4j.chan.Chan.make(0);
        recurseThenCallGo(w, 3, 2, true);
        w.recv();
        printStack();
        w.close();
    }

    /** Every goroutine's stack but those of the goroutines that made the next one and may not have exited yet. */
    private static void printStack() {
        StringBuilder saved = new StringBuilder();
        for (String g : Go.stack(true).split("\n\n")) {
            if (g.startsWith("goroutine ") && IGNORE_GOROUTINES.contains(g.substring(10, g.indexOf(' ', 10)))) {
                continue;
            }
            if (!saved.isEmpty()) {
                saved.append("\n\n");
            }
            saved.append(g);
        }
        System.out.print(saved);
    }

    private static void recurseThenCallGo(io.gmp4j.chan.Chan<Boolean> w, int frames, int goroutines, boolean main) {
        if (frames == 0) {
            w.send(true); // done recursing and starting goroutines
            w.recv();
            return;
        }
        if (goroutines == 0) {
            if (!main) {
                IGNORE_GOROUTINES.add(String.valueOf(Go.goid()));
            }
            Go.go(() -> recurseThenCallGo(w, frames - 1, 2, false));
            return;
        }
        recurseThenCallGo(w, frames, goroutines - 1, main);
    }

    private static void parkForever() {
        for (;;) {
            LockSupport.park();
        }
    }

    private static void churn() {
        io.gmp4j.sync.WaitGroup wg = new io.gmp4j.sync.WaitGroup();
        wg.add(10_000);
        for (int i = 0; i < 10_000; i++) {
            Go.go(wg::done);
        }
        wg.await();
    }

    /**
     * Two CPU profiles of one second from the debug server, one after the other: each answer's
     * status and body on stdout (DebugServerTest runs it where no recording file can be made).
     */
    static void cpuProfileTwice() {
        var addr = Debug.serve("127.0.0.1:0");
        for (int i = 0; i < 2; i++) {
            try {
                var c = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + addr.getPort()
                        + "/debug/pprof/profile?seconds=1").toURL().openConnection();
                int status = c.getResponseCode();
                try (var in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                    byte[] b = in.readAllBytes();
                    System.out.print(status + " " + (status < 400 ? b.length + " bytes\n"
                            : new String(b, java.nio.charset.StandardCharsets.UTF_8)));
                }
            } catch (java.io.IOException e) {
                System.out.println("no answer: " + e);
            }
        }
    }

    static void allocsAfterStart() {
        Go.run(() -> {
            // 2 GiB before sampling starts, then 100 MiB paced so that JFR samples it.
            var addr = Debug.serve("127.0.0.1:0");
            for (int i = 0; i < 2048; i++) {
                byte[] g = new byte[1 << 20];
                g[i % g.length] = 1;
            }
            Debug.setMemProfileRate(512 * 1024);
            for (int i = 0; i < 100; i++) {
                byte[] g = new byte[1 << 20];
                g[i] = 1;
                Time.sleep(Duration.ofMillis(5));
            }
            // JFR's stream delivers about once a second: read until the total holds still.
            String last = "", header = "", body = "";
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (System.nanoTime() < deadline) {
                Time.sleep(Duration.ofMillis(1500));
                try (var in = java.net.URI.create("http://127.0.0.1:" + addr.getPort() + "/debug/pprof/allocs?debug=1")
                        .toURL().openStream()) {
                    body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    header = body.lines().findFirst().orElse("");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                if (header.equals(last) && !header.contains("[0: 0]")) {
                    break;
                }
                last = header;
            }
            System.out.print(body);
        });
    }
}
