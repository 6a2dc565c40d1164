package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HandoffSpin's policy, fed with spin times directly: timed(t0) with t0 that long ago. No
 * goroutine runs here, so nothing else reports spins meanwhile.
 */
class HandoffSpinTest {

    @BeforeEach
    @AfterEach
    void reset() {
        HandoffSpin.reset();
    }

    private static void spins(int n, long nanos) {
        for (int i = 0; i < n; i++) {
            HandoffSpin.timed(System.nanoTime() - nanos);
        }
    }

    @Test
    void onAtStartButIdleMsDoNotPollWithoutRendezvous() {
        assertTrue(HandoffSpin.on());
        // A buffered stream or a mutex never spins nor is refused a spin: no M polls for it.
        assertFalse(HandoffSpin.pollOn());
    }

    @Test
    void fastHandoffsKeepSpinningOnAndLetIdleMsPoll() {
        spins(64, 50);
        assertTrue(HandoffSpin.on());
        Sched.nanotime(); // the coarse clock, current
        assertTrue(HandoffSpin.pollOn());
    }

    @Test
    void slowHandoffsTurnSpinningAndPollingOff() {
        spins(8, 5_000); // each longer than a G switch (a far placement: W2's 400 ns per hand-off)
        assertFalse(HandoffSpin.isOn());
        assertFalse(HandoffSpin.on());
        assertFalse(HandoffSpin.pollOn());
    }

    @Test
    void oneOutlierAmongFastHandoffsDoesNotDecide() {
        spins(16, 50);
        spins(1, 1_000_000_000); // a partner preempted for a second
        spins(4, 50);
        assertTrue(HandoffSpin.isOn());
    }

    @Test
    void aFewSlowSpinsAfterSplittingAPairDoNotDecide() {
        // The first spins after a poller splits a pair wait for the partner's migration.
        spins(3, 10_000);
        spins(32, 50);
        assertTrue(HandoffSpin.isOn());
    }

    @Test
    void whatASpinTeachesDependsOnHowItEnded() {
        long slow = System.nanoTime() - 5_000;
        for (int i = 0; i < 16; i++) {
            HandoffSpin.spun(slow, HandoffSpin.LIMIT / 2, false); // cut short by canSpin: nothing
        }
        assertTrue(HandoffSpin.isOn());
        for (int i = 0; i < 8; i++) {
            HandoffSpin.spun(slow, 0, false); // ran out: as long as it lasted
        }
        assertFalse(HandoffSpin.isOn());
        HandoffSpin.reset();
        for (int i = 0; i < 8; i++) {
            HandoffSpin.spun(slow, HandoffSpin.LIMIT / 2, true); // done, slowly
        }
        assertFalse(HandoffSpin.isOn());
        HandoffSpin.reset();
        for (int i = 0; i < 8; i++) {
            HandoffSpin.spun(0, 0, false); // not timed
        }
        assertTrue(HandoffSpin.isOn());
    }

    private static void mounts(int n, long nanos) {
        for (int i = 0; i < n; i++) {
            HandoffSpin.switched(nanos);
        }
    }

    @Test
    void aMachineWithSlowSwitchesKeepsSpinsThatSaveOne() {
        assertEquals(HandoffSpin.WORTH_NANOS, HandoffSpin.worth(), "no estimate yet: the floor");
        spins(8, 600); // a hand-off between two cores: slower than the floor's G switch
        assertFalse(HandoffSpin.isOn());
        HandoffSpin.reset();
        // Here runnext mounts take 600 ns at the least (thaw, a channel operation, freeze):
        // a 600 ns hand-off spares one of them, with the margin an estimate from minima needs.
        mounts(HandoffSpin.SWITCH_WINDOW - 1, 5_000);
        assertEquals(HandoffSpin.WORTH_NANOS, HandoffSpin.worth(), "an estimate before its window is full");
        mounts(1, 600);
        assertEquals(900, HandoffSpin.worth(), "the window's shortest mount, and half again");
        spins(64, 600);
        assertTrue(HandoffSpin.isOn());
        spins(8, 5_000); // slower than the switches they would save
        assertFalse(HandoffSpin.isOn());
    }

    @Test
    void theSwitchEstimateFollowsTheMachineAndIsBounded() {
        mounts(HandoffSpin.SWITCH_WINDOW, 600);
        assertEquals(900, HandoffSpin.worth());
        mounts(HandoffSpin.SWITCH_WINDOW, 300); // the next window: the machine got faster
        assertEquals(450, HandoffSpin.worth());
        mounts(HandoffSpin.SWITCH_WINDOW, 50);
        assertEquals(HandoffSpin.WORTH_NANOS, HandoffSpin.worth(), "never below the floor");
        mounts(HandoffSpin.SWITCH_WINDOW, 1_000_000); // every G ran long after its wake-up
        assertEquals(HandoffSpin.MAX_WORTH_NANOS, HandoffSpin.worth(), "a spin never pays beyond the cap");
    }

    /** Polls {@link HandoffSpin#on} until spinning is back on, which takes OFF_NANOS; 5 s bounds a loaded machine. */
    private static void awaitBackOn() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        boolean on = false;
        while (!on && System.nanoTime() < deadline) {
            Thread.sleep(2);
            Sched.nanotime(); // advances the coarse clock, as sysmon's tick does
            on = HandoffSpin.on();
        }
        assertTrue(on, "spinning still off 5 s after it went off");
    }

    @Test
    void spinningComesBackAfterTheOffPeriodToMeasureAgain() throws InterruptedException {
        spins(8, 5_000);
        assertFalse(HandoffSpin.on());
        long t0 = System.nanoTime();
        awaitBackOn();
        assertTrue(System.nanoTime() - t0 >= HandoffSpin.OFF_NANOS - 2_000_000, "back on before its off period");
        // Measuring afresh: fast spins keep it on.
        spins(32, 50);
        assertTrue(HandoffSpin.isOn());
    }

    /**
     * When spinning comes back on, the first spins wait for the pair's split (a partner
     * migrating to another core), not for a hand-off: for GRACE_NANOS they teach nothing; then
     * slow spins turn it off again.
     */
    @Test
    void theFirstSpinsAfterComingBackOnDoNotDecide() throws InterruptedException {
        spins(8, 5_000);
        assertFalse(HandoffSpin.on());
        awaitBackOn();
        long back = System.nanoTime();
        spins(8, 5_000); // migrations
        if (System.nanoTime() - back < HandoffSpin.GRACE_NANOS) { // else a loaded machine ate the grace: nothing to check
            assertTrue(HandoffSpin.isOn(), "slow spins inside the grace turned spinning off");
        }
        Thread.sleep(HandoffSpin.GRACE_NANOS / 1_000_000 + 1);
        spins(8, 5_000);
        assertFalse(HandoffSpin.isOn(), "slow spins after the grace left spinning on");
    }

    @Test
    void refusedRendezvousOpenProbeWindowsForIdleMs() throws InterruptedException {
        // A pair serial on one P is refused its spins: an idle M polls in the probe windows
        // (the first PROBE_NANOS of every OFF_NANOS), and only there.
        boolean sawOpen = false, sawClosed = false;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!(sawOpen && sawClosed) && System.nanoTime() < deadline) {
            Sched.nanotime();
            HandoffSpin.spun(0, HandoffSpin.LIMIT, false); // refused its spin at once
            long before = Math.floorMod(Sched.coarseNanos(), HandoffSpin.OFF_NANOS);
            boolean poll = HandoffSpin.pollOn();
            long after = Math.floorMod(Sched.coarseNanos(), HandoffSpin.OFF_NANOS); // sysmon may move the clock between
            if (poll) {
                assertTrue(before < HandoffSpin.PROBE_NANOS || after < HandoffSpin.PROBE_NANOS, "polled outside a probe window");
                sawOpen = true;
            } else {
                sawClosed = true;
            }
            Thread.sleep(1);
        }
        assertTrue(sawOpen && sawClosed, "no probe window opened and closed within 5 s");
    }
}
