package io.gmp4j.bench;

/** The systems a workload runs on. Each runs in its own child process (see {@link Bench}). */
enum Kind {
    /** gmp4j: goroutines on gmp4j's G-M-P scheduler, gmp4j channels, sync and time. */
    GMP4J("gmp4j"),
    /** The same program on the JDK's default virtual-thread scheduler with the closest JDK primitive. */
    JDK_VT("jdk-vt"),
    /** The JDK program again, on platform threads. */
    PLATFORM("platform"),
    /** jox channels ({@code com.softwaremill.jox:channels}) on JDK virtual threads. */
    JOX("jox"),
    /** The Go twin (resource {@code go/twin.go}), built with the installed go toolchain. */
    GO("go");

    final String label;

    Kind(String label) {
        this.label = label;
    }

    static Kind parse(String s) {
        for (Kind k : values()) {
            if (k.label.equalsIgnoreCase(s) || k.name().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown system '" + s + "' (gmp4j, jdk-vt, platform, jox, go)");
    }
}
