package io.gmp4j.bench;

import java.util.List;
import java.util.Map;

/**
 * One column of a workload's table: a system plus the settings it runs under.
 *
 * @param name     what the table prints, e.g. {@code gmp4j} or {@code go asyncpreemptoff=1}
 * @param kind     which implementation runs
 * @param jvmProps extra {@code -D} flags for a child JVM (ignored for Go)
 * @param env      extra environment variables for the child process
 * @param oneCpu   run the child under {@code taskset -c 0} (platform threads on one CPU, W9)
 * @param note     printed under the table when not empty
 * @param group    the settings group: a column's gmp4j/this ratio is against the first gmp4j
 *                 column of the same group ("" for the default settings), so a second set of
 *                 columns under other settings (PP at one P) compares like with like
 * @param runtime  another gmp4j runtime (jar or classes folder) in place of this build's on
 *                 the child's class path ({@code --baseline}), or null
 */
record Contender(String name, Kind kind, List<String> jvmProps, Map<String, String> env, boolean oneCpu, String note,
                 String group, String runtime) {

    static Contender of(Kind kind) {
        return new Contender(kind.label, kind, List.of(), Map.of(), false, "", "", null);
    }

    Contender named(String newName) {
        return new Contender(newName, kind, jvmProps, env, oneCpu, note, group, runtime);
    }

    Contender withProps(String... props) {
        return new Contender(name, kind, List.of(props), env, oneCpu, note, group, runtime);
    }

    Contender withEnv(Map<String, String> newEnv) {
        return new Contender(name, kind, jvmProps, newEnv, oneCpu, note, group, runtime);
    }

    Contender pinnedToOneCpu() {
        return new Contender(name, kind, jvmProps, env, true, note, group, runtime);
    }

    Contender inGroup(String newGroup) {
        return new Contender(name, kind, jvmProps, env, oneCpu, note, newGroup, runtime);
    }

    Contender noted(String newNote) {
        return new Contender(name, kind, jvmProps, env, oneCpu, newNote, group, runtime);
    }

    /**
     * This column at {@code n} Ps ({@code --procs}): GOMAXPROCS for gmp4j and Go, the scheduler's
     * parallelism for the JDK's virtual threads (jox runs on them), unless the workload set its
     * own (W9's one P). Platform threads are left as they are.
     */
    Contender withProcs(int n) {
        String v = Integer.toString(n);
        return switch (kind) {
            case GMP4J -> hasProp("-Dgmp4j.GOMAXPROCS=") ? this : addProps("-Dgmp4j.GOMAXPROCS=" + v);
            case JDK_VT, JOX -> hasProp("-Djdk.virtualThreadScheduler.parallelism=") ? this
                    : addProps("-Djdk.virtualThreadScheduler.parallelism=" + v);
            case GO -> {
                if (env.containsKey("GOMAXPROCS")) {
                    yield this;
                }
                Map<String, String> e = new java.util.HashMap<>(env);
                e.put("GOMAXPROCS", v);
                yield withEnv(Map.copyOf(e));
            }
            case PLATFORM -> this;
        };
    }

    private boolean hasProp(String prefix) {
        return jvmProps.stream().anyMatch(p -> p.startsWith(prefix));
    }

    private Contender addProps(String... more) {
        List<String> all = new java.util.ArrayList<>(jvmProps);
        all.addAll(List.of(more));
        return new Contender(name, kind, List.copyOf(all), env, oneCpu, note, group, runtime);
    }

    Contender withRuntime(String path) {
        return new Contender(name, kind, jvmProps, env, oneCpu, note, group, path);
    }
}
