package io.gmp4j.chan.lincheck;

import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.Options;
import org.opentest4j.TestAbortedException;

/**
 * Runs a lincheck check and separates "our channel is not linearizable" (a
 * {@link LincheckAssertionError}: the test fails) from "lincheck itself cannot run on this
 * JDK" (its bytecode instrumentation rejects the class files or the JVM): the test is then
 * aborted, with lincheck's own reason in the message, never passed.
 */
final class LincheckRunner {
    private LincheckRunner() {}

    static void check(Class<?> testClass, Options<?, ?> options) {
        try {
            LinChecker.check(testClass, options);
        } catch (LincheckAssertionError e) {
            if (isToolFailure(e)) {
                throw new TestAbortedException("lincheck could not run on JDK " + Runtime.version() + ": " + firstLines(e), e);
            }
            throw e;
        } catch (Throwable t) {
            if (t instanceof AssertionError) {
                throw (AssertionError) t;
            }
            throw new TestAbortedException("lincheck could not run on JDK " + Runtime.version() + ": " + t + causes(t), t);
        }
    }

    /** lincheck reports its own instrumentation crashes as a failure whose exception is not ours. */
    private static boolean isToolFailure(LincheckAssertionError e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Unsupported class file major version") || m.contains("internal error") || m.contains("Lincheck internal");
    }

    private static String firstLines(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return m.lines().limit(15).reduce((a, b) -> a + "\n" + b).orElse(m);
    }

    private static String causes(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(" / caused by ").append(c);
        }
        return sb.toString();
    }
}
