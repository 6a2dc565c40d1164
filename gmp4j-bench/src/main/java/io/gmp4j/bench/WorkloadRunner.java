package io.gmp4j.bench;

/** One system's implementation of the workloads, as run inside a {@link Child}. */
interface WorkloadRunner {
    /** One run of {@code w}; returns "value=&lt;v&gt; [key=&lt;v&gt; ...]". */
    String run(Workload w, Params p) throws Exception;
}
