package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.MemStats;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ports of Go 1.19's runtime/debug/garbage_test.go and stack_test.go, and of the Stack tests of
 * runtime/stack_test.go.
 */
@ExtendWith(GoLeakCheck.class)
class DebugPortTest {

    /** stack_test.go's T: method calls ptrmethod, which calls debug.Stack. */
    record T(int v) {
        String ptrmethod() {
            return Debug.stack();
        }

        String method() {
            return ptrmethod();
        }
    }

    /** Go's TestStack frame: the goroutine's function. */
    static String testStack() {
        return new T(0).method();
    }

    // stack_test.go (runtime/debug): TestStack. Go's frames are "pkg.func(args)" then
    // "\tGOROOT/src/pkg/file.go:line +0xoff"; gmp4j's are "class.method(...)" then
    // "\tFile.java:line" (no directory, no offset: docs/DIVERGENCES.md, "Panics").
    @Test
    void stack() {
        int before = Go.numGoroutine();
        String b = GoTesting.inGoroutine(60, DebugPortTest::testStack);
        String[] lines = b.split("\n");
        assertTrue(lines.length >= 6, "too few lines:\n" + b);
        assertTrue(lines[0].matches("goroutine \\d+ \\[running\\]:"), b);
        int[] n = {1};
        java.util.function.BiConsumer<String, String> frame = (file, code) -> {
            String line = lines[n[0]];
            assertTrue(line.contains(code), "expected " + code + " in " + line + "\n" + b);
            n[0]++;
            line = lines[n[0]];
            assertTrue(line.startsWith("\t" + file), "in line " + line + ", expected prefix \\t" + file + "\n" + b);
            n[0]++;
        };
        frame.accept("Debug.java", "io.gmp4j.debug.Debug.stack(");
        frame.accept("DebugPortTest.java", "io.gmp4j.debug.DebugPortTest$T.ptrmethod(");
        frame.accept("DebugPortTest.java", "io.gmp4j.debug.DebugPortTest$T.method(");
        frame.accept("DebugPortTest.java", "io.gmp4j.debug.DebugPortTest.testStack(");
        GoTesting.assertNoLeak(before);
    }

    /** runtime/debug.PrintStack: Stack's text on standard error. */
    @Test
    void printStack() {
        int before = Go.numGoroutine();
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        String stack;
        System.setErr(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            stack = GoTesting.inGoroutine(60, () -> {
                Debug.printStack();
                return Debug.stack();
            });
        } finally {
            System.setErr(saved);
        }
        String printed = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
        // Go's text has runtime/debug.Stack() then runtime/debug.PrintStack() on top, as here.
        assertTrue(printed.matches("(?s)goroutine \\d+ \\[running\\]:\nio\\.gmp4j\\.debug\\.Debug\\.stack\\(\\.\\.\\.\\)\n\tDebug\\.java:\\d+\n"
                + "io\\.gmp4j\\.debug\\.Debug\\.printStack\\(\\.\\.\\.\\)\n.*"), printed);
        assertTrue(printed.contains("\nio.gmp4j.debug.DebugPortTest.lambda$printStack$"), printed);
        // The same goroutine's Stack a line later: the same header and the same caller frames.
        assertTrue(stack.startsWith(printed.substring(0, printed.indexOf('\n'))), stack + "\n--\n" + printed);
        GoTesting.assertNoLeak(before);
    }

    // runtime/stack_test.go: TestStackOutput and TestStackAllOutput (Go's test runs on a goroutine).
    @Test
    void stackOutput() {
        int before = Go.numGoroutine();
        for (boolean all : new boolean[] {false, true}) {
            String stk = GoTesting.inGoroutine(60, () -> Go.stack(all));
            assertTrue(stk.startsWith("goroutine "), "Stack output should begin with \"goroutine \":\n" + stk);
        }
        GoTesting.assertNoLeak(before);
    }

    static byte[] big;

    // garbage_test.go: TestFreeOSMemory. Go checks that the freed 32 MiB move to HeapReleased;
    // the JVM does not say what it returned to the OS and HeapReleased is 0 (docs/DIVERGENCES.md,
    // "Memory knobs"), so this checks what FreeOSMemory runs first, the collection: the bytes
    // leave HeapAlloc and the call counts as a forced cycle.
    @Test
    void freeOSMemory() {
        final int bigBytes = 32 << 20;
        big = new byte[bigBytes];
        // Make sure any in-progress GCs are complete.
        Go.gc();
        MemStats before = Go.readMemStats();
        // Clear the last reference to the big allocation, making it susceptible to collection.
        big = null;
        Debug.freeOSMemory();
        MemStats after = Go.readMemStats();
        assertEquals(before.NumForcedGC + 1, after.NumForcedGC, after.toString());
        // Slack for what other threads allocate meanwhile, as Go's test gives half.
        long slack = bigBytes / 2;
        assertTrue(before.HeapAlloc - after.HeapAlloc >= bigBytes - slack,
                "less than " + bigBytes + " freed: " + before.HeapAlloc + " -> " + after.HeapAlloc);
    }

    // garbage_test.go: TestSetGCPercent, its first part: the value is set and returned. Its
    // second part checks Go's pacer through NextGC (2x and 1.5x a 100 MB live heap); here
    // NextGC is the committed heap and GOGC tunes the heap-free ratios, not a goal
    // (docs/DIVERGENCES.md, "Memory knobs"), so it is not ported.
    @Test
    void setGCPercent() {
        // Test that the variable is being set and returned correctly.
        int old = Debug.setGCPercent(123);
        int now = Debug.setGCPercent(old);
        assertEquals(123, now, "SetGCPercent(123); SetGCPercent(x)");
        assertEquals(old, Debug.setGCPercent(old));
    }

    // garbage_test.go: TestSetMaxThreadsOvf: a big count must not overflow (Go: 1<<31 into an
    // int32, issue 16076); Java's int stops at 2^31-1.
    @Test
    void setMaxThreadsOvf() {
        int nt = Debug.setMaxThreads(Integer.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE, Debug.setMaxThreads(nt)); // restore previous value
        assertEquals(nt, Debug.setMaxThreads(nt));
    }
}
