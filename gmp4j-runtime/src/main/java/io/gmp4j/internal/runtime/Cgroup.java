package io.gmp4j.internal.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/**
 * CPU limits for the GOMAXPROCS default (Go 1.25: cgroup_linux.go, runtime/cgroup.go).
 *
 * <p>Reads the leaf CPU cgroup of this process: cgroup v2 {@code cpu.max} ("quota period" or
 * "max period"), or v1 {@code cpu.cfs_quota_us}/{@code cpu.cfs_period_us}. Mount points are
 * assumed at {@code /sys/fs/cgroup} (Go parses mountinfo; docs/DIVERGENCES.md). The root of
 * both {@code /proc} and {@code /sys} can be moved with the property {@code gmp4j.cgroupRoot},
 * so tests can fake a limit.
 */
final class Cgroup {
    private Cgroup() {}

    private static Path root() {
        String r = System.getProperty("gmp4j.cgroupRoot");
        return Path.of(r != null ? r : "/");
    }

    /** The CPUs in this process's affinity mask (sched_getaffinity), or availableProcessors. */
    static int affinityCpus() {
        try {
            for (String line : Files.readAllLines(root().resolve("proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    int n = countCpuList(line.substring(line.indexOf(':') + 1).trim());
                    if (n > 0) {
                        return n;
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or no /proc: fall back to the JVM's count
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** "0-3,8,10-11" -> 7. */
    static int countCpuList(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            part = part.trim();
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                Integer.parseInt(part);
                n++;
            } else {
                n += Integer.parseInt(part.substring(dash + 1)) - Integer.parseInt(part.substring(0, dash)) + 1;
            }
        }
        return n;
    }

    /** Go 1.25: a limit lowers procs to ceil(limit), but never below 2. */
    static int adjust(int procs, OptionalDouble limit) {
        if (limit.isEmpty()) {
            return procs;
        }
        int l = (int) Math.ceil(limit.getAsDouble());
        if (l < 2) {
            l = 2;
        }
        return Math.min(procs, l);
    }

    /** The leaf cgroup's CPU limit in CPUs (quota/period), or empty when there is none. */
    static OptionalDouble cpuLimit() {
        try {
            List<String> lines = Files.readAllLines(root().resolve("proc/self/cgroup"));
            for (String line : lines) {
                // v2: "0::/path"
                if (line.startsWith("0::")) {
                    Path dir = root().resolve("sys/fs/cgroup" + line.substring(3));
                    Path max = dir.resolve("cpu.max");
                    if (Files.exists(max)) {
                        return parseCpuMax(Files.readString(max));
                    }
                }
            }
            for (String line : lines) {
                // v1: "4:cpu,cpuacct:/path"
                String[] f = line.split(":", 3);
                if (f.length == 3 && List.of(f[1].split(",")).contains("cpu")) {
                    for (String mount : new String[] {f[1], "cpu,cpuacct", "cpu"}) {
                        Path dir = root().resolve("sys/fs/cgroup/" + mount + f[2]);
                        Path quota = dir.resolve("cpu.cfs_quota_us");
                        Path period = dir.resolve("cpu.cfs_period_us");
                        if (Files.exists(quota) && Files.exists(period)) {
                            long q = Long.parseLong(Files.readString(quota).trim());
                            long p = Long.parseLong(Files.readString(period).trim());
                            return q > 0 && p > 0 ? OptionalDouble.of((double) q / p) : OptionalDouble.empty();
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // no cgroup information: no limit, as Go treats it
        }
        return OptionalDouble.empty();
    }

    /** "200000 100000" -> 2.0; "max 100000" -> empty. */
    static OptionalDouble parseCpuMax(String s) {
        String[] f = s.trim().split("\\s+");
        if (f.length < 1 || f[0].equals("max")) {
            return OptionalDouble.empty();
        }
        long quota = Long.parseLong(f[0]);
        long period = f.length > 1 ? Long.parseLong(f[1]) : 100_000;
        return quota > 0 && period > 0 ? OptionalDouble.of((double) quota / period) : OptionalDouble.empty();
    }
}
