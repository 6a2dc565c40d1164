package io.gmp4j.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The file names the CPU and heap profiles give JFR's frames, which carry none. */
class SourceFileTest {

    @Test
    void topLevelNestedAndLambdaClasses() {
        assertEquals("Chan.java", Cpu.sourceFile("io.gmp4j.chan.Chan"));
        assertEquals("Select.java", Cpu.sourceFile("io.gmp4j.chan.Select$Case"));
        assertEquals("Main.java", Cpu.sourceFile("Main"));
        // A lambda's hidden class as JFR names it: not "0x0000000009052b10.java".
        assertEquals("Srv.java", Cpu.sourceFile("Srv$$Lambda.0x0000000009052b10"));
        assertEquals("Workers.java", Cpu.sourceFile("io.gmp4j.examples.Workers$$Lambda.0x00007f00010a2c40"));
        assertEquals("Workers.java", Cpu.sourceFile("io.gmp4j.examples.Workers$Job$$Lambda.0x00007f00010a2c40"));
    }
}
