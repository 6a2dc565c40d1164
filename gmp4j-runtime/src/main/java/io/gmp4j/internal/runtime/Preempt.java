package io.gmp4j.internal.runtime;

/**
 * The back-edge preemption check (Go 1.2-1.13's stack-guard check, moved to loop back-edges).
 *
 * <p>The agent ({@code io.gmp4j.internal.agent.Agent}) inserts before every backward branch of
 * application code:
 * <pre>
 *   getstatic Preempt.pending; ifeq skip; invokestatic Preempt.check()V; skip:
 * </pre>
 * Sysmon raises {@link #pending} while some running G has {@code G.preempt} set (retake) and
 * lowers it at the first tick that finds none, so the common cost is one load and a
 * not-taken branch. {@link #check} yields the current G to the global queue as a gmp4j call
 * would (proc.go: gopreempt_m). When the JDK cannot unmount it (pinned: class initialiser,
 * native frame) the G is marked and later checks leave it to sysmon's hand-off until it is
 * executed again, or, handed off, until a later check (at most once per 10 ms) finds it can
 * yield. Platform threads and virtual threads that are not goroutines return at once.
 *
 * <p>Public because instrumented classes (other packages, the unnamed module) call it; not API.
 */
public final class Preempt {
    private Preempt() {}

    /** Non-zero while a preemption request is pending for some running G (set by sysmon only). */
    public static volatile int pending;

    /** Whether an agent installed the back-edge checks in this JVM. */
    static volatile boolean agentInstalled;

    /** The slow path of a back-edge check. */
    public static void check() {
        G gp = G.current();
        if (gp == null) {
            return;
        }
        if (gp.preempt && !gp.preemptPinned) {
            if (!Proc.preemptPark(gp)) {
                gp.preemptPinned = true;
                pinnedNow();
            }
        } else if (gp.preemptPinned && lostP() && System.nanoTime() - pinnedAt() >= PINNED_RETRY_NANOS) {
            // Found pinned (a class initialiser) and handed off since: no execute will clear the
            // mark while it runs on without a P, so once in a while, when some request is pending,
            // try again; out of the initialiser it yields and rejoins the queues.
            if (!Proc.preemptPark(gp)) {
                pinnedNow();
            }
        }
    }

    // The time of the last check that found the G pinned is kept on its M, not the G: a pinned
    // G cannot leave its carrier, and a field more would make every G 72 bytes (the mem row).
    private static void pinnedNow() {
        M mp = M.current();
        if (mp != null) {
            mp.preemptPinnedAt = System.nanoTime();
        }
    }

    private static long pinnedAt() {
        M mp = M.current();
        return mp != null ? mp.preemptPinnedAt : 0;
    }

    /** How often a handed-off G that a check found pinned tries to yield again. */
    private static final long PINNED_RETRY_NANOS = 10_000_000L;

    /** Whether the current G's M no longer holds its P (sysmon handed it off). */
    private static boolean lostP() {
        M mp = M.current();
        P pp = mp == null ? null : mp.p;
        return pp == null || pp.m != mp;
    }

    /** Called by the agent once its transformer is installed. */
    public static void agentInstalled() {
        agentInstalled = true;
    }

    /** Whether an agent installed the back-edge checks (tests, docs). */
    public static boolean isAgentInstalled() {
        return agentInstalled;
    }

    /** How many times sysmon handed a P off from a mounted G so far (the fallback). */
    public static long handoffs() {
        return Sysmon.handoffs;
    }

    /**
     * How many Gs handed off (with the agent) still run without a P, not yet back at a
     * back-edge check, as of sysmon's last look (tests, diagnostics). A G whose checks work
     * leaves this count at its next check; one that never reaches a check stays in it.
     */
    public static int handedOffNow() {
        return Sysmon.handedOffNow;
    }

    /** GODEBUG=asyncpreemptoff=N, N != 0 (environment or property gmp4j.GODEBUG): no checks, no hand-off. */
    public static boolean asyncPreemptOff() {
        return Env.asyncPreemptOff(Env.parseGodebug(Env.get("GODEBUG")));
    }
}
