package io.gmp4j.sync;

import io.gmp4j.GoPanic;
import io.gmp4j.xsync.Semaphore;
import io.gmp4j.xsync.XsyncExport;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.Options;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck suites for Mutex, WaitGroup and Semaphore (kotlinx ChannelsLincheckTest style): each
 * nested class is the data structure plus its operations; the sequential specification is the
 * same class run sequentially. Operations never block forever (a lock is always released in the
 * same operation; nothing awaits a counter that might stay positive), so every scenario ends.
 * Operations run on Lincheck's platform threads, where our primitives park as threads.
 *
 * Model checking instruments bytecode with Lincheck's bundled ASM; if that cannot read the JDK 25
 * class files the test is reported as ABORTED with the cause (never as a pass).
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

        @Operation(handleExceptionsAsResult = GoPanic.class)
        public void add(@Param(gen = IntGen.class, conf = "1:2") int d) {
            wg.add(d);
        }

        @Operation(handleExceptionsAsResult = GoPanic.class)
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

        @Operation(handleExceptionsAsResult = GoPanic.class)
        public void release1() {
            s.release(1);
        }

        @Operation
        public long held() {
            return XsyncExport.cur(s);
        }
    }

    static void stress(Class<?> c) {
        LinChecker.check(c, new StressOptions().iterations(30).invocationsPerIteration(500).threads(2).actorsPerThread(3));
    }

    static void modelCheck(Class<?> c) {
        Options<?, ?> o = new ModelCheckingOptions().iterations(20).invocationsPerIteration(200).threads(2).actorsPerThread(2);
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
}
