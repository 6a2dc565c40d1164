package io.gmp4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A running child (JVM or Go twin) seen from the parent: sends "run", waits for its answer
 * with a deadline, kills it when the deadline passes. See {@link Child} for the protocol.
 */
final class ChildProcess implements AutoCloseable {
    /** What one "run" request came back with. */
    sealed interface Outcome {
        record Ok(String metrics) implements Outcome {}
        record Failed(String message) implements Outcome {}
        /** The deadline passed; the child has been killed. */
        record TimedOut() implements Outcome {}
    }

    private static final String EOF = "\u0000eof";

    private final Process process;
    private final Writer stdin;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    /** The first stderr line that looks like the cause of a crash (Go's "fatal error:", "panic:", an exception). */
    private String firstAlarm;
    /** stderr from firstAlarm on (a fatal error's goroutine dump), kept for {@link #saveCrash}. */
    private final List<String> fromAlarm = new ArrayList<>();
    private static final int MAX_CRASH_LINES = 2000;
    private String crashFile;
    private final CountDownLatch stderrDrained = new CountDownLatch(1);

    ChildProcess(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        env.forEach((name, value) -> {
            if (value == null) {
                pb.environment().remove(name);
            } else {
                pb.environment().put(name, value);
            }
        });
        process = pb.start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("bench-stdout-" + process.pid()).start(() -> pump(
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true));
        Thread.ofPlatform().daemon().name("bench-stderr-" + process.pid()).start(() -> pump(
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false));
    }

    private void pump(BufferedReader r, boolean isStdout) {
        try (r) {
            for (String line; (line = r.readLine()) != null; ) {
                if (isStdout) {
                    lines.add(line);
                } else {
                    synchronized (stderrTail) {
                        if (firstAlarm == null && isAlarm(line)) {
                            firstAlarm = line.trim();
                        }
                        if (firstAlarm != null && fromAlarm.size() < MAX_CRASH_LINES) {
                            fromAlarm.add(line);
                        }
                        stderrTail.addLast(line);
                        if (stderrTail.size() > 30) {
                            stderrTail.removeFirst();
                        }
                    }
                }
            }
        } catch (IOException ignored) {
            // The child died or was killed: the EOF marker below tells the waiter.
        }
        if (isStdout) {
            lines.add(EOF);
        } else {
            stderrDrained.countDown();
        }
    }

    /** Waits for READY; returns the rest of its line, or throws with the child's stderr. */
    String awaitReady(long timeoutMillis) throws IOException, InterruptedException {
        String line = nextLine(timeoutMillis);
        if (line != null && line.startsWith("READY")) {
            return line.substring("READY".length()).trim();
        }
        kill();
        throw new IOException(line == null ? "no READY within " + timeoutMillis / 1000 + " s" : "did not start: " + stderrSummary());
    }

    Outcome run(long timeoutMillis) throws InterruptedException {
        try {
            stdin.write("run\n");
            stdin.flush();
        } catch (IOException e) {
            return new Outcome.Failed("child exited: " + stderrSummary());
        }
        String line = nextLine(timeoutMillis);
        if (line == null) {
            kill();
            return new Outcome.TimedOut();
        }
        if (line.startsWith("RESULT ")) {
            return new Outcome.Ok(line.substring("RESULT ".length()).trim());
        }
        if (line.startsWith("ERROR ")) {
            return new Outcome.Failed(line.substring("ERROR ".length()).trim());
        }
        return new Outcome.Failed("child exited: " + stderrSummary());
    }

    /** The next protocol line, skipping anything else on stdout; null on timeout. */
    private String nextLine(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (line == null) {
                return null;
            }
            if (line == EOF) {
                lines.add(EOF);
                return "";
            }
            if (line.startsWith("READY") || line.startsWith("RESULT ") || line.startsWith("ERROR ")) {
                return line;
            }
        }
    }

    /** The child's last stderr lines, most telling first: an exception line if there is one. */
    String stderrSummary() {
        try {
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                stderrDrained.await(2, TimeUnit.SECONDS); // a dead child's last lines may still be in the pipe
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> tail;
        String alarm;
        synchronized (stderrTail) {
            tail = List.copyOf(stderrTail);
            alarm = firstAlarm;
        }
        String exit = process.isAlive() ? "" : " (exit " + process.exitValue() + ")";
        if (alarm != null) {
            return alarm + exit + saveCrash();
        }
        return (tail.isEmpty() ? "no output" : tail.get(tail.size() - 1).trim()) + exit;
    }

    /**
     * A dead child's report from its alarm line on (a fatal error's goroutine dump is what
     * explains it, and a rare one will not come back on demand) goes to a file in the temporary
     * directory: " [stderr: PATH]", or "" when there is nothing or it cannot be written.
     */
    private String saveCrash() {
        if (process.isAlive()) {
            return "";
        }
        synchronized (stderrTail) { // stderrSummary waited for the pipe to drain
            if (crashFile == null && !fromAlarm.isEmpty()) {
                try {
                    Path f = Files.createTempFile("gmp4j-bench-child-" + process.pid() + "-", ".stderr");
                    Files.write(f, fromAlarm, StandardCharsets.UTF_8);
                    crashFile = f.toString();
                } catch (IOException e) {
                    crashFile = "";
                }
            }
            return crashFile == null || crashFile.isEmpty() ? "" : " [stderr: " + crashFile + "]";
        }
    }

    private static boolean isAlarm(String line) {
        String l = line.trim();
        return l.startsWith("fatal error") || l.startsWith("panic:") || l.startsWith("Exception in thread")
                || l.startsWith("Error:") || l.startsWith("java.lang.") && (l.contains("Exception") || l.contains("Error"));
    }

    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() {
        try {
            stdin.write("quit\n");
            stdin.flush();
            stdin.close();
        } catch (IOException ignored) {
            // Already gone.
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
    }
}
