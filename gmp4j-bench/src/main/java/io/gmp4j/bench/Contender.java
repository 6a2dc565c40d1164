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

    Contender withRuntime(String path) {
        return new Contender(name, kind, jvmProps, env, oneCpu, note, group, path);
    }
}
