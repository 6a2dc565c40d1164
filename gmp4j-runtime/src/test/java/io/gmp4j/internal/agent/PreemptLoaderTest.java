package io.gmp4j.internal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PreemptLoader as the system class loader: the program must see what it sees without it. */
class PreemptLoaderTest {
    private static final String PROG = "io.gmp4j.testprog.loader.LoaderProg";
    /** The JDK's note that a custom system class loader turns CDS's app classes off (./gmp4j passes it too). */
    private static final String NO_CDS_NOTE = "-Xlog:cds=off";

    private static String run(List<String> opts) {
        Child c = GoTesting.runChild(PROG, opts, List.of(), 30);
        assertEquals(0, c.exitCode(), c.stdout() + c.stderr());
        assertFalse(c.stderr().contains("preempt agent"), c.stderr());
        return c.stdout().strip();
    }

    /**
     * README's {@code -Dgmp4j.preempt.exclude=com.example.hot}: an excluded package or class
     * is not rewritten, but it must still be defined with the rest of the class path, or it
     * gets its own copies of the classes it uses (other static state) and loses
     * package-private access to its package.
     */
    @Test
    void excludedClassesShareTheProgramsClasses() {
        String want = "loop=50 hot=60 sameConfig=true sameLoader=true";
        assertEquals(want, run(List.of()), "without the loader");
        assertEquals(want, run(List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE)));
        assertEquals(want, run(List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE,
                "-Dgmp4j.preempt.exclude=io.gmp4j.testprog.loader.hot,io.gmp4j.testprog.loader.Hot")));
    }

    @Test
    void onlyTheRuntimeAndDefaultExcludesComeFromTheParent() {
        var f = new BackEdgeTransformer.Filter(BackEdgeTransformer.Filter.parse("io.gmp4j.chan.demo"),
                BackEdgeTransformer.Filter.parse("com.example.hot,com.example.App"));
        assertTrue(f.shared("io/gmp4j/internal/runtime/Proc"));
        assertTrue(f.shared("io/gmp4j/chan/Chan"));
        assertTrue(f.shared("java/util/List"));
        assertTrue(f.shared("org/junit/jupiter/api/Test"));
        assertFalse(f.shared("io/gmp4j/chan/demo/X"));
        assertFalse(f.shared("com/example/hot/Loop"), "excluded by the user: not rewritten, defined by the loader");
        assertFalse(f.instrument("com/example/hot/Loop"));
        assertFalse(f.shared("com/example/App"));
        assertFalse(f.shared("com/example/Other"));
    }
}
