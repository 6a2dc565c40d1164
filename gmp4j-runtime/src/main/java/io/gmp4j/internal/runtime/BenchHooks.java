package io.gmp4j.internal.runtime;

/**
 * Run-queue entry points for the JMH benchmarks in gmp4j-bench (run queue put/get/steal on
 * detached Ps that no M runs). Not an API: handles are opaque, nothing here touches the live
 * scheduler.
 */
public final class BenchHooks {
    private BenchHooks() {}

    /** A P outside the scheduler; overflow (runqputslow) is dropped instead of going global. */
    public static Object detachedP(int id) {
        P pp = new P(id);
        pp.overflowForTest = batch -> {};
        return pp;
    }

    /** An unstarted goroutine that is never scheduled. */
    public static Object dummyG(long goid) {
        return new G(goid, () -> {}, false);
    }

    public static void runqput(Object pp, Object gp, boolean next) {
        RunQueue.runqput((P) pp, (G) gp, next);
    }

    public static Object runqget(Object pp) {
        return RunQueue.runqget((P) pp);
    }

    /** Steals half of victim's queue into thief's; returns one G or null. */
    public static Object runqsteal(Object thief, Object victim) {
        return RunQueue.runqsteal((P) thief, (P) victim, false);
    }
}
