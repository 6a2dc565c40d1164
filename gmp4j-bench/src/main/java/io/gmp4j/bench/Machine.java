package io.gmp4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/** Where and when a run happened: the header of the report and of docs/BENCHMARKS.md rows. */
record Machine(String date, String jdk, String os, String cpu, int cpus, long memoryBytes, String go, String commit) {

    static Machine describe(GoTwin.Build go) {
        String jdk = System.getProperty("java.vm.vendor", "?") + " " + System.getProperty("java.vm.name", "?")
                + " " + Runtime.version();
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        long memory = 0;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean bean) {
            memory = bean.getTotalMemorySize();
        }
        String goText = go.ok() ? go.version() : go.problem();
        return new Machine(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replaceFirst("\\.\\d+", ""),
                jdk, os, cpuModel(), Runtime.getRuntime().availableProcessors(), memory, goText, gitCommit());
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Not Linux.
        }
        return System.getProperty("os.arch");
    }

    /** The checkout's commit, "+dirty" when it has local changes; "?" outside a git work tree. */
    private static String gitCommit() {
        String head = git("rev-parse", "--short=10", "HEAD");
        if (head == null || head.isEmpty()) {
            return "?";
        }
        String status = git("status", "--porcelain", "--untracked-files=no");
        return head + (status != null && !status.isEmpty() ? "+dirty" : "");
    }

    private static String git(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
