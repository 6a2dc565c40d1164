package io.gmp4j.internal.agent;

import io.gmp4j.internal.runtime.Preempt;
import java.lang.instrument.Instrumentation;

/**
 * The runtime jar as a Java agent ({@code -javaagent:gmp4j-runtime.jar}, or
 * {@code Launcher-Agent-Class} for {@code java -jar}): installs {@link BackEdgeTransformer},
 * which puts a preemption check ({@link Preempt}) at the loop back-edges of application
 * classes, so that a call-free loop gives up its P when sysmon asks (docs/DESIGN.md,
 * "Back-edge preemption"). {@code GODEBUG=asyncpreemptoff=1} installs nothing.
 */
public final class Agent {
    private Agent() {}

    private static boolean installed;

    public static void premain(String args, Instrumentation inst) {
        install(inst);
    }

    /** Launcher-Agent-Class (java -jar) and attach. */
    public static void agentmain(String args, Instrumentation inst) {
        install(inst);
    }

    private static synchronized void install(Instrumentation inst) {
        if (installed || Preempt.asyncPreemptOff()) {
            return;
        }
        installed = true;
        inst.addTransformer(new BackEdgeTransformer(BackEdgeTransformer.Filter.fromProperties(), inst), false);
        Preempt.agentInstalled();
    }
}
