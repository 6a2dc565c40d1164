package io.gmp4j.chan.lincheck;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Options;
import org.opentest4j.TestAbortedException;

/**
 * Runs a lincheck check and separates "our channel is not linearizable" (a
 * {@link LincheckAssertionError}: the test fails) from "lincheck itself cannot run on this
 * JDK" (its bytecode instrumentation throws on the class files or the JVM): the test is then
 * aborted, with lincheck's own reason in the message.
 *
 * <p>Instrumentation can also fail silently: lincheck 2.39's ASM 9.6 left JDK 25 class files as
 * they were, and every model check then ran without a single thread switch and passed, checking
 * nothing. So before the first model check in a JVM, model checking must find the lost update
 * of {@link LenThenSend}, whose only shared state is inside io.gmp4j.chan.Chan (a switch can
 * only come from lincheck's instrumentation of gmp4j's own classes: with io.gmp4j.* excluded
 * through a guarantee, lincheck 3.7 does not find it); where it does not, every model-checking
 * test is aborted with that reason, never passed.
 *
 * <p>Operations run on lincheck's own platform threads, not in goroutines: G.current() is null
 * there, and a channel or sync wait parks the thread (Park.park: LockSupport.park), which
 * lincheck's model checking intercepts and schedules (a park that is never unparked is reported
 * as a hang). The runtime itself (Ps, Ms, sysmon: threads lincheck must not see created inside
 * a scenario, and stderr writes it does not support there) is started here, before any check.
 */
final class LincheckRunner {
    private LincheckRunner() {}

    /**
     * Not linearizable: two sendLen calls can both read len 0 before either sends, so both
     * return 0, which no sequential order gives. All its shared accesses are in Chan's code.
     */
    public static final class LenThenSend {
        private final Chan<Integer> ch = Chan.make(2);

        @Operation
        public int sendLen() {
            int n = ch.len();
            ch.trySend(n);
            return n;
        }
    }

    /** Whether model checking found LenThenSend's lost update (null: not tried yet in this JVM). */
    private static Boolean modelCheckingWorks;

    /** Aborts the test unless model checking really interleaves gmp4j's channel code (see the class comment). */
    private static synchronized void assumeModelCheckingWorks() {
        if (modelCheckingWorks == null) {
            try {
                // No actors before or after: five sends in the initial part would fill the
                // buffer, after which every sendLen returns 2 and there is nothing to find.
                LinChecker.check(LenThenSend.class, new ModelCheckingOptions().iterations(10).invocationsPerIteration(200)
                        .threads(2).actorsPerThread(2).actorsBefore(0).actorsAfter(0));
                modelCheckingWorks = false;
            } catch (LincheckAssertionError found) {
                // The lost update itself, not lincheck failing some other way.
                modelCheckingWorks = String.valueOf(found.getMessage()).contains("Invalid execution results");
            }
        }
        if (!modelCheckingWorks) {
            throw new TestAbortedException("lincheck model checking did not instrument gmp4j's classes on JDK " + Runtime.version()
                    + " (it found no lost update in LincheckRunner.LenThenSend): nothing would be checked");
        }
    }

    static void check(Class<?> testClass, Options<?, ?> options) {
        Go.gomaxprocs(0); // starts the runtime (schedinit) outside lincheck's threads: see the class comment
        if (options instanceof ModelCheckingOptions) {
            assumeModelCheckingWorks();
        }
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
