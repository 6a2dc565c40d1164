package io.gmp4j.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The entry point of a child JVM: one system, one workload, many runs.
 *
 * <p>Line protocol (the Go twin speaks the same one):
 * <pre>
 *   java ... io.gmp4j.bench.Child &lt;system&gt; &lt;workload&gt; key=value ...
 *   stdout  READY java=&lt;version&gt;               once, when loaded
 *   stdin   run                                  one run (warm-up or measured: the parent decides)
 *   stdout  RESULT value=&lt;v&gt; [key=&lt;v&gt; ...]      its figures
 *   stdout  ERROR &lt;text&gt;                        the run threw; the child stays usable
 *   stdin   quit, or end of input                exit
 * </pre>
 * After each run the child collects garbage before it answers, so that it is quiet (no
 * concurrent GC, little JIT) while the parent runs the next system.
 */
public final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        // Workload code must not write to stdout: keep the protocol channel clean.
        System.setOut(System.err);
        Kind kind = Kind.parse(args[0]);
        Workload workload = Workload.parse(args[1]);
        Params params = Params.parse(args, 2);
        WorkloadRunner runner = switch (kind) {
            // By name: only gmp4j's children load gmp4j (and this file compiles without it).
            case GMP4J -> (WorkloadRunner) Class.forName("io.gmp4j.bench.GmpWorkloads")
                    .getDeclaredConstructor().newInstance();
            case JDK_VT -> new JdkWorkloads(true);
            case PLATFORM -> new JdkWorkloads(false);
            case JOX -> new JoxWorkloads();
            case GO -> throw new IllegalArgumentException("go runs its own binary, not a child JVM");
        };
        out.println("READY java=" + Runtime.version() + " cpus=" + Runtime.getRuntime().availableProcessors());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "run" -> {
                    String result;
                    try {
                        result = "RESULT " + runner.run(workload, params);
                    } catch (Throwable t) {
                        t.printStackTrace();
                        result = "ERROR " + oneLine(t);
                    }
                    System.gc();
                    out.println(result);
                }
                case "quit" -> {
                    out.flush();
                    System.exit(0);
                }
                default -> { }
            }
        }
        System.exit(0);
    }

    private static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String s = root.toString();
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
