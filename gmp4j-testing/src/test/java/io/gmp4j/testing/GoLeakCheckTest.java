package io.gmp4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * GoLeakCheck on planted leaks: the cases below (static nested classes, so that surefire does not
 * run them on their own) are run through JUnit's EngineTestKit, with a short leak timeout.
 */
@ExtendWith(GoLeakCheck.class)
class GoLeakCheckTest {
    /** Parks the planted goroutines; closed after each case. */
    static volatile Chan<Integer> park;
    /** The planted goroutine's id. */
    static final AtomicLong leakedId = new AtomicLong();

    static void plant() {
        Chan<Integer> c = park;
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        Go.go(() -> {
            leakedId.set(Go.goid());
            started.countDown();
            LeakyCases.parkForever(c);
        });
        try {
            started.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @ExtendWith(GoLeakCheck.class)
    static class LeakyCases {
        /** A named frame for the ignore lists: receives from {@code c} until it is closed. */
        static void parkForever(Chan<Integer> c) {
            c.recv();
        }

        @Test
        void leaks() {
            plant();
        }

        @Test
        void clean() {
            Chan<Integer> done = Chan.make();
            Go.go(() -> done.close());
            done.recv();
        }
    }

    @ExtendWith(GoLeakCheck.class)
    @GoLeakCheck.Ignore(anyFunction = "io.gmp4j.testing.GoLeakCheckTest$LeakyCases.parkForever")
    static class IgnoredByAnyFunction {
        @Test
        void leaks() {
            plant();
        }
    }

    @ExtendWith(GoLeakCheck.class)
    static class IgnoredOnMethod {
        @Test
        @GoLeakCheck.Ignore(topFunction = "io.gmp4j.chan.NoSuch.function")
        @GoLeakCheck.Ignore(topFunction = "io.gmp4j.testing.GoLeakCheckTest$LeakyCases.parkForever")
        void leaks() {
            plant();
        }
    }

    @ExtendWith(GoLeakCheck.class)
    static class IgnoredByCreator {
        @Test
        @GoLeakCheck.Ignore(createdBy = "io.gmp4j.testing.GoLeakCheckTest.plant")
        void leaks() {
            plant();
        }
    }

    @ExtendWith(GoLeakCheck.class)
    static class IgnoredByAnotherCreator {
        @Test
        @GoLeakCheck.Ignore(createdBy = "io.gmp4j.testing.GoLeakCheckTest$LeakyCases.clean")
        void leaks() {
            plant();
        }
    }

    /** Set once InterruptedCases ran: its goroutine ends then at the latest. */
    static volatile boolean interruptedCasesRan;

    @ExtendWith(GoLeakCheck.class)
    static class InterruptedCases {
        /**
         * Ends with its thread's interrupt set (as ExecutorService.close leaves it) and a goroutine
         * that ends only once the leak check is waiting for it: no leak.
         */
        @Test
        void endsInterrupted() {
            Thread test = Thread.currentThread();
            Go.go(() -> {
                while (!interruptedCasesRan && !leakCheckWaiting(test)) {
                    Go.gosched();
                }
            });
            test.interrupt();
        }

        /** Whether {@code t} sleeps in GoLeakCheck's poll loop. */
        static boolean leakCheckWaiting(Thread t) {
            if (t.getState() != Thread.State.TIMED_WAITING) {
                return false;
            }
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().equals(GoLeakCheck.class.getName()) && e.getMethodName().equals("awaitLeaks")) {
                    return true;
                }
            }
            return false;
        }
    }

    private static Events run(Class<?> cases) {
        return run(cases, "0.5");
    }

    private static Events run(Class<?> cases, String timeoutSeconds) {
        String old = System.getProperty(GoLeakCheck.TIMEOUT_PROPERTY);
        System.setProperty(GoLeakCheck.TIMEOUT_PROPERTY, timeoutSeconds);
        park = Chan.make();
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(cases)).execute().testEvents();
        } finally {
            park.close(); // release the planted goroutines; this class's own GoLeakCheck sees them end
            if (old == null) {
                System.clearProperty(GoLeakCheck.TIMEOUT_PROPERTY);
            } else {
                System.setProperty(GoLeakCheck.TIMEOUT_PROPERTY, old);
            }
        }
    }

    @Test
    void aLeakFailsNamingTheGoroutine() {
        Events events = run(LeakyCases.class);
        assertEquals(1, events.succeeded().count(), "the clean case passes");
        List<Event> failed = events.failed().list();
        assertEquals(1, failed.size(), "the leaky case fails");
        Throwable t = failed.getFirst().getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).orElseThrow();
        String msg = t.getMessage();
        assertTrue(t instanceof AssertionError, msg);
        assertTrue(msg.contains("goroutine " + leakedId.get() + " [chan receive"), msg);
        assertTrue(msg.contains("io.gmp4j.testing.GoLeakCheckTest$LeakyCases.parkForever(...)"), msg);
        assertTrue(msg.startsWith("1 goroutine started by leaks() still alive"), msg);
    }

    @Test
    void anIgnoredLeakPasses() {
        Events byAny = run(IgnoredByAnyFunction.class);
        assertEquals(1, byAny.succeeded().count(), () -> byAny.failed().list().toString());
        Events byTop = run(IgnoredOnMethod.class);
        assertEquals(1, byTop.succeeded().count(), () -> byTop.failed().list().toString());
    }

    /** goleak's IgnoreCreatedBy: the go statement's function, as the dump's created-by line names it. */
    @Test
    void anIgnoredCreatorPassesAndAnotherDoesNot() {
        Events byCreator = run(IgnoredByCreator.class);
        assertEquals(1, byCreator.succeeded().count(), () -> byCreator.failed().list().toString());
        Events other = run(IgnoredByAnotherCreator.class);
        assertEquals(1, other.failed().count(), "a goroutine made elsewhere is still a leak");
    }

    /**
     * GOTRACEBACK=system puts the JDK's parking frames (VirtualThread.park, LockSupport.park) on
     * top of every parked goroutine's dump: an ignored top function still matches.
     */
    @Test
    void anIgnoredTopFunctionPassesUnderGotracebackSystem() {
        String old = System.getProperty("gmp4j.GOTRACEBACK");
        System.setProperty("gmp4j.GOTRACEBACK", "system");
        try {
            Events byTop = run(IgnoredOnMethod.class);
            assertEquals(1, byTop.succeeded().count(), () -> byTop.failed().list().toString());
        } finally {
            if (old == null) {
                System.clearProperty("gmp4j.GOTRACEBACK");
            } else {
                System.setProperty("gmp4j.GOTRACEBACK", old);
            }
        }
    }

    /** An interrupt left set by the test does not end the wait for its goroutines early. */
    @Test
    void anInterruptedTestStillGetsItsGrace() {
        interruptedCasesRan = false;
        Events events;
        try {
            events = run(InterruptedCases.class, "10"); // ends as soon as the goroutine does
        } finally {
            interruptedCasesRan = true;
            Thread.interrupted(); // the cases ran on this thread
        }
        assertEquals(1, events.succeeded().count(), () -> events.failed().list().toString());
    }

    @Test
    void theDumpParses() {
        Chan<Integer> c = Chan.make();
        Go.go(() -> LeakyCases.parkForever(c));
        // recv's frames are the runtime library's; parkForever is the top function, as in Go
        long deadline = System.nanoTime() + GoTesting.LONG.toNanos();
        while (GoLeakCheck.goroutines().stream().noneMatch(g -> g.state().startsWith("chan receive")
                && g.topFunction().equals("io.gmp4j.testing.GoLeakCheckTest$LeakyCases.parkForever"))) {
            assertTrue(System.nanoTime() < deadline, Go.stack(true));
            Thread.onSpinWait();
        }
        c.close();
    }
}
