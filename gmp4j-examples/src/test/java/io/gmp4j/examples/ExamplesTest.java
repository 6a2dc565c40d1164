package io.gmp4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import org.junit.jupiter.api.extension.ExtendWith;

/** The entry point, and the examples that end the process (each in a child JVM, Go's crash_test technique). */
@ExtendWith(GoLeakCheck.class)
class ExamplesTest {

    /** --list prints every example once, names aligned; names are unique and findable. */
    @Test
    void listNamesEveryExample() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Examples.list(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        Set<String> names = new HashSet<>();
        for (Example e : Examples.ALL) {
            assertTrue(names.add(e.name()), "duplicate " + e.name());
            assertNotNull(Examples.find(e.name()));
            assertTrue(out.contains("  " + e.name() + " "), out);
        }
        assertTrue(names.containsAll(List.of("demo", "cpuhog", "deadlock", "httpserver", "primesieve", "pingpong", "service")));
        assertEquals(13, Examples.SEEDS.size());
        for (String seed : Examples.SEEDS) { // every seed 002 scenario names examples that exist
            for (String name : seed.split(" ")) {
                assertTrue(name.matches("\\d+") || Examples.find(name) != null, "seed scenario " + seed + ": no example " + name);
            }
        }
        assertTrue(!out.contains("not ported"), out);
        for (String fixed : List.of("3: hung-reads [--fixed]", "6: chan-contention [--fixed]", "7: bursty [--fixed]", "9: gosched-flag [--fixed]",
                "11: small-writes [--fixed]", "12: scratch [--fixed]", "13: gc-threads [--fixed]")) {
            assertTrue(out.contains(fixed), fixed + " missing:\n" + out);
        }
    }

    /** An unknown name: one line on stderr naming the examples, exit status 2. */
    @Test
    void unknownNameExits2() {
        GoTesting.Child c = TestSupport.child(List.of(), 60, "no-such-example");
        assertEquals(2, c.exitCode(), c.stderr());
        assertEquals(1, c.stderr().strip().lines().count(), c.stderr());
        assertTrue(c.stderr().contains("unknown example \"no-such-example\"") && c.stderr().contains("primesieve"), c.stderr());
    }

    /**
     * A negative count ("./gmp4j run primesieve -5", "leak -3") is one line and exit 2, as a
     * word is: it was run, and ended in a panic with a stack (ArrayList's "Illegal Capacity",
     * "sync: negative WaitGroup counter") or printed nonsense ("-3 jobs").
     */
    @Test
    void negativeCountIsOneLine() {
        for (String ex : List.of("primesieve", "leak", "lockosthread")) {
            GoTesting.Child c = TestSupport.child(List.of(), 60, ex, "-5");
            assertEquals(2, c.exitCode(), ex + ": " + c.stdout() + c.stderr());
            assertEquals("gmp4j: " + ex + ": not a count: \"-5\"; see ./gmp4j examples\n", c.stderr(), ex);
            assertEquals("", c.stdout(), ex);
        }
    }

    // crash_test.go: TestSimpleDeadlock
    /** The deadlock example dies as Go does: the fatal error, goroutine 1 in [chan send], exit 2. */
    @Test
    void deadlockIsFatal() {
        GoTesting.Child c = TestSupport.child(List.of(), 60, "deadlock");
        assertEquals(2, c.exitCode(), c.stdout() + c.stderr());
        assertTrue(c.stderr().startsWith("fatal error: all goroutines are asleep - deadlock!\n"), c.stderr());
        assertTrue(c.stderr().contains("goroutine 1 [chan send]:"), c.stderr());
        assertTrue(c.stderr().contains("io.gmp4j.examples.DeadlockExample.run"), c.stderr());
    }

    /** With a buffer of one there is no deadlock. */
    @Test
    void deadlockFixed() {
        int before = Go.numGoroutine();
        TestSupport.Run r = TestSupport.runExample("deadlock", 30, "--fixed");
        assertEquals(0, r.status());
        assertTrue(r.out().endsWith("received 1\n"), r.out());
        GoTesting.assertNoLeak(before);
    }

    /** GOMAXPROCS from the environment wins over the cgroup-aware default. */
    @Test
    void gomaxprocsFromEnvironment() {
        GoTesting.Child c = TestSupport.child(List.of("GOMAXPROCS=3"), 60, "gomaxprocs");
        assertEquals(0, c.exitCode(), c.stderr());
        assertTrue(c.stdout().startsWith("GOMAXPROCS: 3\n"), c.stdout());
        assertTrue(c.stdout().contains("the GOMAXPROCS environment variable (3)"), c.stdout());
    }
}
