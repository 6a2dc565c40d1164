package io.gmp4j.examples;

import io.gmp4j.Go;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/*
 * Seed 002, Bug 4: "Why does container throttling kill my app?". Go <= 1.24 set GOMAXPROCS to
 * the host's CPU count, ignoring the cgroup CPU quota; Go 1.25 (and gmp4j) derive the default
 * from the quota: ceil(quota / period), at least 2 when a limit is set (or the CPU count if
 * lower), re-checked about once a second, unless GOMAXPROCS is set or runtime.GOMAXPROCS
 * was called. GODEBUG=containermaxprocs=0 turns it off, as in Go.
 *
 * The example prints what it finds, all read in this run:
 *     ./gmp4j run gomaxprocs
 *     GOMAXPROCS=3 ./gmp4j run gomaxprocs
 *     docker run --cpus=1.5 ... ./gmp4j run gomaxprocs
 */
final class Containers implements Example {
    @Override
    public String name() {
        return "gomaxprocs";
    }

    @Override
    public String summary() {
        return "seed bug 4: GOMAXPROCS in containers: NumCPU, the cgroup CPU limit, the GOMAXPROCS env/property, the default";
    }

    @Override
    public int run(String[] args, PrintStream out) {
        out.printf("GOMAXPROCS: %d%n", Go.gomaxprocs(0));
        out.printf("NumCPU:     %d (the JVM's availableProcessors: affinity mask and cgroup limit)%n", Go.numCPU());
        String prop = System.getProperty("gmp4j.GOMAXPROCS");
        String env = System.getenv("GOMAXPROCS");
        out.printf("set by:     %s%n", valid(prop) ? "-Dgmp4j.GOMAXPROCS=" + prop
                : valid(env) ? "the GOMAXPROCS environment variable (" + env + ")"
                : "default (cgroup-aware, as Go 1.25)" + ignored("-Dgmp4j.GOMAXPROCS", prop) + ignored("GOMAXPROCS", env));
        out.printf("cgroup:     %s%n", cgroupCpuMax());
        String godebug = System.getProperty("gmp4j.GODEBUG", System.getenv("GODEBUG"));
        if (godebug != null && godebug.contains("containermaxprocs=0")) {
            out.printf("            GODEBUG containermaxprocs=0: the cgroup limit is ignored%n");
        }
        return 0;
    }

    /** Go's rule (atoi32, then n > 0): ASCII digits, no sign, not 0. */
    private static boolean valid(String v) {
        return v != null && v.matches("[0-9]{1,10}") && Long.parseLong(v) >= 1 && Long.parseLong(v) <= Integer.MAX_VALUE;
    }

    private static String ignored(String name, String v) {
        return v == null || valid(v) ? "" : "; " + name + "=" + v + " is not a positive number, ignored as in Go";
    }

    /** The cgroup v2 cpu.max of this process ("quota period" or "max period"), or why there is none. */
    static String cgroupCpuMax() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                if (line.startsWith("0::")) {
                    Path f = Path.of("/sys/fs/cgroup" + line.substring(3), "cpu.max");
                    if (Files.isReadable(f)) {
                        String v = Files.readString(f).strip();
                        String[] qp = v.split(" ");
                        if (qp.length == 2 && !qp[0].equals("max")) {
                            double cpus = Double.parseDouble(qp[0]) / Double.parseDouble(qp[1]);
                            return f + " = \"" + v + "\": a limit of " + cpus + " CPUs";
                        }
                        return f + " = \"" + v + "\": no CPU limit";
                    }
                    return "cgroup v2 " + line.substring(3) + ", no cpu.max there (no CPU limit, or the root group)";
                }
            }
            return "no cgroup v2 entry in /proc/self/cgroup";
        } catch (Exception e) {
            return "not readable (" + e.getClass().getSimpleName() + "): not Linux, or cgroup v1";
        }
    }
}
