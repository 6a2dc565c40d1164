package io.gmp4j.sync;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.xsync.Semaphore;
import io.gmp4j.xsync.XsyncExport;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.Options;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lincheck suites for Mutex, RWMutex, Once, WaitGroup and Semaphore (kotlinx ChannelsLincheckTest
 * style): each nested class is the data structure plus its operations; the sequential
 * specification is the same class run sequentially, or a nested *Spec class where the real
 * primitive would only be checked against itself. Operations never block forever (a lock is
 * always released in the same operation, or only tried; nothing awaits a counter that might stay
 * positive), so every scenario ends.
 * Operations run on Lincheck's platform threads, where our primitives park as threads
 * (Park.park: LockSupport.park, which Lincheck's model checking intercepts and schedules).
 *
 * Model checking instruments bytecode (Lincheck 3's Java agent, ASM 9.9.1, which reads JDK 25
 * class files); if that cannot read the class files the test is reported as ABORTED with the
 * cause (never as a pass). Lincheck 2.39's ASM 9.6 did not throw on JDK 25 class files: it left
 * the classes as they were, and model checking then ran every scenario without a single switch
 * and found nothing. So before the first model check it must find the lost update of
 * {@link LostUpdate} inside WaitGroup; where it does not, the test is aborted.
 */
class SyncLincheckTest {

    /** The Mutex gives mutual exclusion: increments under it are atomic (a sequential counter). */
    public static class MutexCounter {
        private final Mutex m = new Mutex();
        private int c;

        @Operation
        public int incLocked() {
            m.lock();
            try {
                return ++c;
            } finally {
                m.unlock();
            }
        }

        @Operation
        public int addTwoLocked() {
            m.lock();
            try {
                c++;
                Thread.onSpinWait();
                return ++c;
            } finally {
                m.unlock();
            }
        }
    }

    /** WaitGroup's counter: add/done are linearizable and done below zero panics (and leaves it negative, as Go). */
    public static class WaitGroupCounter {
        private final WaitGroup wg = new WaitGroup();

        @Operation
        public void add(@Param(gen = IntGen.class, conf = "1:2") int d) {
            wg.add(d);
        }

        @Operation
        public void done() {
            wg.done();
        }

        @Operation
        public int counter() {
            return wg.counterForTest();
        }
    }

    /**
     * Semaphore: tryAcquire/release are linearizable against a sequential weight counter. (A
     * blocking acquire is exercised by SemaphoreTest: in a Lincheck scenario the weight it waits
     * for may be held by an actor that never releases it, so the scenario could hang.)
     */
    public static class SemaphoreWeight {
        private final Semaphore s = new Semaphore(3);

        @Operation
        public boolean tryAcquire(@Param(gen = IntGen.class, conf = "1:2") int n) {
            return s.tryAcquire(n);
        }

        @Operation
        public void release1() {
            s.release(1);
        }

        @Operation
        public long held() {
            return XsyncExport.cur(s);
        }
    }

    /**
     * Not linearizable: two increments can both read counter 0 before either adds, so both
     * return 0. The model checker's canary. Its only shared state is the WaitGroup's, so only
     * lincheck's instrumentation of gmp4j's own classes can find it (with io.gmp4j.* excluded
     * through a guarantee, lincheck 3.7 does not).
     */
    public static class LostUpdate {
        private final WaitGroup wg = new WaitGroup();

        @Operation
        public int inc() {
            int v = wg.counterForTest();
            wg.add(1);
            return v;
        }
    }

    /** Whether model checking found LostUpdate's lost update (null: not tried yet). */
    private static Boolean modelCheckingWorks;

    /** Aborts the test unless model checking really interleaves our classes (see the class comment). */
    private static synchronized void assumeModelCheckingWorks() {
        if (modelCheckingWorks == null) {
            try {
                LinChecker.check(LostUpdate.class, new ModelCheckingOptions().iterations(10).invocationsPerIteration(200)
                        .threads(2).actorsPerThread(2).actorsBefore(0).actorsAfter(0));
                modelCheckingWorks = false;
            } catch (LincheckAssertionError found) {
                // The lost update itself, not lincheck failing some other way.
                modelCheckingWorks = String.valueOf(found.getMessage()).contains("Invalid execution results");
            }
        }
        Assumptions.assumeTrue(modelCheckingWorks, "lincheck model checking did not instrument the test's classes on JDK "
                + Runtime.version() + " (it found no lost update in LostUpdate): nothing would be checked");
    }

    /** Most lincheck threads a scenario uses (parallel threads plus the init and post parts). */
    static final int MAX_THREADS = 8;

    /**
     * Mutex.tryLock and unlock (mutex.go: TryLock, Unlock) against one locked flag. A thread
     * unlocks only a lock it took (each thread's holdings are tracked by its ThreadIdGen id), so
     * no unlock is of an unlocked mutex: that is a fatal error in Go, and a GoPanic here.
     */
    public static class MutexTryLock {
        private final Mutex m = new Mutex();
        private final boolean[] held = new boolean[MAX_THREADS];

        @Operation
        public boolean tryLock(@Param(gen = ThreadIdGen.class) int t) {
            if (held[t]) {
                return false; // not re-entrant: this thread holds it, so it is locked
            }
            return held[t] = m.tryLock();
        }

        @Operation
        public String unlock(@Param(gen = ThreadIdGen.class) int t) {
            if (!held[t]) {
                return "not held";
            }
            held[t] = false;
            m.unlock();
            return "ok";
        }
    }

    /** The sequential specification of {@link MutexTryLock}: a locked flag. */
    public static final class MutexTryLockSpec {
        private boolean locked;
        private final boolean[] held = new boolean[MAX_THREADS];

        public boolean tryLock(int t) {
            if (locked) {
                return false;
            }
            return locked = held[t] = true;
        }

        public String unlock(int t) {
            if (!held[t]) {
                return "not held";
            }
            held[t] = locked = false;
            return "ok";
        }
    }

    /**
     * RWMutex.tryLock, tryRLock, unlock and rUnlock (rwmutex.go: TryLock, TryRLock, Unlock,
     * RUnlock) against a sequential reader count and writer flag. A thread releases only what it
     * holds (tracked per ThreadIdGen id), so no unlock panics ("sync: Unlock of unlocked RWMutex"
     * and "sync: RUnlock of unlocked RWMutex" are fatal errors in Go).
     *
     * <p>Go's TryLock is w.TryLock, then CAS readerCount 0 -> -rwmutexMaxReaders, and on a failed
     * CAS w.Unlock; Unlock restores readerCount before its w.Unlock. So w is also held for a moment
     * by a TryLock that is about to fail and by an Unlock that has already let readers in, and a
     * TryLock overlapping either fails although, at every instant of it, no reader or writer holds
     * the lock (T1: tryRLock, rUnlock, tryLock false, while T2's tryLock failing on T1's reader
     * still held w). Go's guarantee is only: TryLock returns false when the lock is held or
     * another writer-side call (TryLock, Unlock) is running. So a failed attempt that overlapped
     * another writer-side call proves nothing, and tryLock tries again, alone against the other
     * retrying threads (under {@code retry}) until an attempt succeeds or fails with no writer-side
     * call beside it; only that outcome is checked. A success is checked as it is, and so is every
     * false that Go's code could not explain by such an overlap.
     */
    public static class RWMutexTry {
        private final RWMutex rw = new RWMutex();
        private final int[] reading = new int[MAX_THREADS];
        private final boolean[] writing = new boolean[MAX_THREADS];
        /** Writer-side rw calls (tryLock, unlock) running now, and begun so far (test bookkeeping). */
        private final AtomicInteger writerCallsRunning = new AtomicInteger();
        private final AtomicInteger writerCallsBegun = new AtomicInteger();
        private final Object retry = new Object();

        private static final int LOCKED = 1, FAILED = 0, FAILED_BESIDE_WRITER_CALL = -1;

        /** One rw.tryLock, and whether another writer-side call ran at any moment of it. */
        private int attempt() {
            writerCallsRunning.incrementAndGet();
            writerCallsBegun.incrementAndGet();
            try {
                int begun = writerCallsBegun.get(); // read before running: a call begun after it changes the count
                boolean alone = writerCallsRunning.get() == 1;
                if (rw.tryLock()) {
                    return LOCKED;
                }
                return alone && writerCallsBegun.get() == begun ? FAILED : FAILED_BESIDE_WRITER_CALL;
            } finally {
                writerCallsRunning.decrementAndGet();
            }
        }

        @Operation
        public boolean tryLock(@Param(gen = ThreadIdGen.class) int t) {
            if (writing[t] || reading[t] > 0) {
                return false; // this thread's own hold makes it unavailable
            }
            int r = attempt();
            if (r == FAILED_BESIDE_WRITER_CALL) {
                synchronized (retry) {
                    // Ends: the threads not waiting here make finitely many writer-side calls.
                    while ((r = attempt()) == FAILED_BESIDE_WRITER_CALL) {
                        Thread.yield();
                    }
                }
            }
            return writing[t] = r == LOCKED;
        }

        @Operation
        public boolean tryRLock(@Param(gen = ThreadIdGen.class) int t) {
            if (writing[t]) {
                return false;
            }
            boolean ok = rw.tryRLock();
            if (ok) {
                reading[t]++;
            }
            return ok;
        }

        @Operation
        public String unlock(@Param(gen = ThreadIdGen.class) int t) {
            if (!writing[t]) {
                return "not held";
            }
            writing[t] = false;
            writerCallsRunning.incrementAndGet();
            writerCallsBegun.incrementAndGet();
            try {
                rw.unlock();
            } finally {
                writerCallsRunning.decrementAndGet();
            }
            return "ok";
        }

        @Operation
        public String rUnlock(@Param(gen = ThreadIdGen.class) int t) {
            if (reading[t] == 0) {
                return "not held";
            }
            reading[t]--;
            rw.rUnlock();
            return "ok";
        }
    }

    /** The sequential specification of {@link RWMutexTry}: readers holding, and whether a writer holds. */
    public static final class RWMutexTrySpec {
        private int readers;
        private boolean writer;
        private final int[] reading = new int[MAX_THREADS];
        private final boolean[] writing = new boolean[MAX_THREADS];

        public boolean tryLock(int t) {
            if (writer || readers > 0) {
                return false;
            }
            return writer = writing[t] = true;
        }

        public boolean tryRLock(int t) {
            if (writer) {
                return false;
            }
            readers++;
            reading[t]++;
            return true;
        }

        public String unlock(int t) {
            if (!writing[t]) {
                return "not held";
            }
            writing[t] = writer = false;
            return "ok";
        }

        public String rUnlock(int t) {
            if (reading[t] == 0) {
                return "not held";
            }
            reading[t]--;
            readers--;
            return "ok";
        }
    }

    /**
     * Once.run (once.go: Do): f runs exactly once, by the first call, whether it returns or
     * panics; every call returns only after f has finished (each result carries the calls of f
     * seen on return, always 1 once any run has returned).
     */
    public static class OnceCalls {
        private final Once once = new Once();
        private final AtomicInteger calls = new AtomicInteger();

        @Operation
        public String run() {
            boolean[] ran = {false};
            once.run(() -> {
                calls.incrementAndGet();
                ran[0] = true;
            });
            return (ran[0] ? "ran" : "skipped") + "/" + calls.get();
        }

        @Operation
        public String runPanics() {
            try {
                once.run(() -> {
                    calls.incrementAndGet();
                    throw new GoPanic("boom");
                });
                return "skipped/" + calls.get();
            } catch (GoPanic p) {
                return "panic: " + p.getMessage() + "/" + calls.get();
            }
        }

        @Operation
        public int calls() {
            return calls.get();
        }
    }

    /** The sequential specification of {@link OnceCalls}: done, and how often f ran. */
    public static final class OnceCallsSpec {
        private boolean done;
        private int calls;

        public String run() {
            if (done) {
                return "skipped/" + calls;
            }
            done = true;
            return "ran/" + ++calls;
        }

        public String runPanics() {
            if (done) {
                return "skipped/" + calls;
            }
            done = true;
            return "panic: boom/" + ++calls;
        }

        public int calls() {
            return calls;
        }
    }

    static void stress(Class<?> c) {
        LinChecker.check(c, new StressOptions().iterations(30).invocationsPerIteration(500).threads(2).actorsPerThread(3));
    }

    static void stress(Class<?> c, Class<?> spec) {
        LinChecker.check(c, new StressOptions().sequentialSpecification(spec)
                .iterations(30).invocationsPerIteration(500).threads(3).actorsPerThread(3));
    }

    // Model checking is deterministic (lincheck 3.7 seeds scenarios and interleavings with 0);
    // each of these takes 1.5-10 s on a loaded 2-core machine, the class 70-95 s (2026-12-06).
    static void modelCheck(Class<?> c) {
        modelCheck(c, new ModelCheckingOptions().iterations(20).invocationsPerIteration(200).threads(2).actorsPerThread(2));
    }

    static void modelCheck(Class<?> c, Class<?> spec) {
        modelCheck(c, new ModelCheckingOptions().sequentialSpecification(spec)
                .iterations(20).invocationsPerIteration(200).threads(3).actorsPerThread(3));
    }

    private static void modelCheck(Class<?> c, Options<?, ?> o) {
        // Start the runtime outside lincheck's threads: a first Mutex.lockSlow would otherwise
        // run schedinit inside the scenario, starting threads lincheck does not manage and
        // writing stderr, which lincheck's model checking rejects as a bug of its own.
        Go.gomaxprocs(0);
        assumeModelCheckingWorks();
        try {
            LinChecker.check(c, o);
        } catch (IllegalArgumentException | UnsupportedOperationException | ExceptionInInitializerError | NoClassDefFoundError e) {
            if (String.valueOf(e).contains("class file") || String.valueOf(e).contains("Unsupported")) {
                Assumptions.abort("lincheck model checking cannot instrument JDK 25 classes: " + e);
            }
            throw e;
        }
    }

    @Test
    void mutexStress() {
        stress(MutexCounter.class);
    }

    @Test
    void waitGroupStress() {
        stress(WaitGroupCounter.class);
    }

    @Test
    void semaphoreStress() {
        stress(SemaphoreWeight.class);
    }

    @Test
    void mutexModelChecking() {
        modelCheck(MutexCounter.class);
    }

    @Test
    void waitGroupModelChecking() {
        modelCheck(WaitGroupCounter.class);
    }

    @Test
    void semaphoreModelChecking() {
        modelCheck(SemaphoreWeight.class);
    }

    @Test
    void mutexTryLockStress() {
        stress(MutexTryLock.class, MutexTryLockSpec.class);
    }

    @Test
    void mutexTryLockModelChecking() {
        modelCheck(MutexTryLock.class, MutexTryLockSpec.class);
    }

    @Test
    void rwMutexStress() {
        stress(RWMutexTry.class, RWMutexTrySpec.class);
    }

    @Test
    void rwMutexModelChecking() {
        modelCheck(RWMutexTry.class, RWMutexTrySpec.class);
    }

    @Test
    void onceStress() {
        stress(OnceCalls.class, OnceCallsSpec.class);
    }

    @Test
    void onceModelChecking() {
        modelCheck(OnceCalls.class, OnceCallsSpec.class);
    }
}
