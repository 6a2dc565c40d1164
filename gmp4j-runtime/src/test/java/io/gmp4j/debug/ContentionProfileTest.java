package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.time.Time;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The mutex and block profiles: Debug.setMutexProfileFraction / setBlockProfileRate and /debug/pprof/{mutex,block}. */
@ExtendWith(GoLeakCheck.class)
class ContentionProfileTest extends DebugServerFixture {
    /** Turns off the profiles these tests turn on (DebugServerFixture resets nothing). */
    @AfterEach
    void off() {
        Debug.setMutexProfileFraction(0);
        Debug.setBlockProfileRate(0);
    }

    /** A debug=1 group naming {@code method}: {cycles, count}, or null. */
    private static long[] group(String text, String method) {
        for (String g : text.split("\n\n")) {
            Matcher m = Pattern.compile("(?m)^(\\d+) (\\d+) @$").matcher(g);
            if (m.find() && g.contains("." + method + "\t")) {
                return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
            }
        }
        return null;
    }

    /** The named method 8 goroutines contend in: each holds the Mutex across a 1 ms sleep. */
    static void contendOnMutex(Mutex m) {
        for (int i = 0; i < 10; i++) {
            m.lock();
            try {
                Time.sleep(Duration.ofMillis(1));
            } finally {
                m.unlock();
            }
        }
    }

    static void contendWhileOff(Mutex m) {
        contendOnMutex(m);
    }

    private static void contend8(java.util.function.Consumer<Mutex> body) throws InterruptedException {
        Mutex m = new Mutex();
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < 8; i++) {
            wg.add(1);
            Go.go(() -> {
                try {
                    body.accept(m);
                } finally {
                    wg.done();
                }
            });
        }
        wg.await();
    }

    /** The named method goroutines block in, on a channel receive. */
    static void blockedOnReceive(Chan<Integer> c) {
        c.recv();
    }

    static void blockedWhileOff(Chan<Integer> c) {
        c.recv();
    }

    private static void block4For50ms(java.util.function.Consumer<Chan<Integer>> body) throws InterruptedException {
        Chan<Integer> c = Chan.make(0);
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < 4; i++) {
            wg.add(1);
            Go.go(() -> {
                try {
                    body.accept(c);
                } finally {
                    wg.done();
                }
            });
        }
        // The 4 park within milliseconds; each then waits >= 100 ms before its value comes.
        Thread.sleep(150);
        long sent = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            c.send(i);
        }
        wg.await();
        assertTrue(System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void mutexProfileNamesTheContendingMethod() throws Exception {
        assertEquals(0, Debug.setMutexProfileFraction(1));
        contend8(ContentionProfileTest::contendOnMutex);
        String text = getText("/debug/pprof/mutex?debug=1");
        assertTrue(text.startsWith("--- mutex:\ncycles/second=1000000000\nsampling period=1\n"), text);
        long[] g = group(text, "contendOnMutex");
        assertNotNull(g, text);
        assertTrue(g[0] > 0 && g[1] > 0, text);
        assertTrue(text.contains("#\tio.gmp4j.sync.Mutex.unlock\t"), "the unlocker's stack, its leaf the API frame, as Go's sync.(*Mutex).Unlock: " + text);
        assertFalse(text.contains("io.gmp4j.sync.Sema."), "runtime frames below the API frame are dropped: " + text);

        byte[] gz = get("/debug/pprof/mutex");
        assertEquals(0x1f, gz[0] & 0xff);
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            String raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(raw.contains("contentions") && raw.contains("delay") && raw.contains("nanoseconds"));
            assertTrue(raw.contains("contendOnMutex"));
        }
        String pprof = pprof("-raw", gz);
        if (pprof != null) {
            assertTrue(pprof.contains("contentions/count delay/nanoseconds"), pprof);
            assertTrue(pprof.contains("contendOnMutex"), pprof);
        }
    }

    static void holdThenUnlock(Mutex m) throws InterruptedException {
        Thread.sleep(100);
        m.unlock();
    }

    static void waitForLock(Mutex m) {
        m.lock();
        m.unlock();
    }

    /**
     * Go's attribution: the delay goes to the stack that unlocked (the end of the critical
     * section that made others wait), not to the waiter's.
     */
    @Test
    void mutexDelayGoesToTheUnlocker() throws Exception {
        Debug.setMutexProfileFraction(1);
        Mutex m = new Mutex();
        m.lock();
        WaitGroup wg = new WaitGroup();
        for (int i = 0; i < 3; i++) {
            wg.add(1);
            Go.go(() -> {
                try {
                    waitForLock(m);
                } finally {
                    wg.done();
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!m.toString().contains("waiters=3")) { // the 3 goroutines queue on the Sema within milliseconds
            assertTrue(System.nanoTime() < deadline, m.toString());
            Thread.onSpinWait();
        }
        holdThenUnlock(m);
        wg.await();
        String text = getText("/debug/pprof/mutex?debug=1");
        long[] g = group(text, "holdThenUnlock");
        assertNotNull(g, text);
        // The first waiter waited >= 100 ms; the later ones' clocks restart at each hand-over
        // (sema.go: dequeue), so the stretch is counted once, not three times.
        assertTrue(g[0] >= 90_000_000L && g[1] >= 1, text);
        long[] w = group(text, "waitForLock"); // the waiters' own unlocks, which ended short waits
        assertTrue(w == null || w[0] < g[0], "the 100 ms are the unlocker's, not the waiters': " + text);
    }

    /** Goroutines on both Ps sending to and receiving from one channel: its lock is contended. */
    static void hammerSend(Chan<Integer> c, int n) {
        for (int i = 0; i < n; i++) {
            c.send(i);
        }
    }

    /**
     * A contended channel lock is a mutex-profile sample (Go: hchan.lock is a runtime mutex,
     * whose contention the mutex profile reports), with the waiter's stack through Chan.send or
     * Chan.recv.
     */
    @Test
    void channelLockContentionIsInTheMutexProfile() throws Exception {
        int prevProcs = Go.gomaxprocs(2);
        Debug.setMutexProfileFraction(1);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String text;
            do {
                Chan<Integer> c = Chan.make(16);
                WaitGroup wg = new WaitGroup();
                for (int i = 0; i < 8; i++) {
                    wg.add(2);
                    Go.go(() -> {
                        try {
                            hammerSend(c, 20_000);
                        } finally {
                            wg.done();
                        }
                    });
                    Go.go(() -> {
                        try {
                            for (int k = 0; k < 20_000; k++) {
                                c.recv();
                            }
                        } finally {
                            wg.done();
                        }
                    });
                }
                wg.await();
                text = getText("/debug/pprof/mutex?debug=1");
            } while (!text.contains("#\tio.gmp4j.chan.Chan.") && System.nanoTime() < deadline);
            assertTrue(text.contains("#\tio.gmp4j.chan.Chan.send\t") || text.contains("#\tio.gmp4j.chan.Chan.recv\t"), text);
            assertFalse(text.contains("io.gmp4j.chan.Chan.lockSlow"), "runtime frames below the API frame are dropped: " + text);
        } finally {
            Go.gomaxprocs(prevProcs);
        }
    }

    @Test
    void blockProfileNamesTheBlockedMethod() throws Exception {
        assertEquals(0, Debug.setBlockProfileRate(1));
        block4For50ms(ContentionProfileTest::blockedOnReceive);
        String text = getText("/debug/pprof/block?debug=1");
        assertTrue(text.startsWith("--- contention:\ncycles/second=1000000000\n"), text);
        long[] g = group(text, "blockedOnReceive");
        assertNotNull(g, text);
        assertTrue(g[1] >= 4, text);
        assertTrue(g[0] >= 4 * 50_000_000L, "4 waits of >= 50 ms each: " + text);
        assertTrue(text.contains("#\tio.gmp4j.chan.Chan.recv\t"), text);

        byte[] gz = get("/debug/pprof/block");
        String pprof = pprof("-raw", gz);
        if (pprof != null) {
            assertTrue(pprof.contains("contentions/count delay/nanoseconds"), pprof);
            assertTrue(pprof.contains("blockedOnReceive"), pprof);
        }
    }

    static void blockedInSelect(Chan<Integer> c) {
        io.gmp4j.chan.Select.select(c.onRecv(v -> {}));
    }

    static void blockedInWaitGroup(WaitGroup wg) {
        wg.await();
    }

    static void blockedInCond(io.gmp4j.sync.Cond cond, boolean[] ready) {
        cond.locker().lock();
        try {
            while (!ready[0]) {
                cond.await();
            }
        } finally {
            cond.locker().unlock();
        }
    }

    @Test
    void blockProfileCoversSelectWaitGroupAndCond() throws Exception {
        Debug.setBlockProfileRate(1);
        block4For50ms(ContentionProfileTest::blockedInSelect);
        WaitGroup gate = new WaitGroup();
        gate.add(1);
        Mutex m = new Mutex();
        io.gmp4j.sync.Cond cond = new io.gmp4j.sync.Cond(m);
        boolean[] ready = {false};
        WaitGroup done = new WaitGroup();
        done.add(2);
        Go.go(() -> {
            blockedInWaitGroup(gate);
            done.done();
        });
        Go.go(() -> {
            blockedInCond(cond, ready);
            done.done();
        });
        Thread.sleep(100);
        gate.done();
        m.lock();
        ready[0] = true;
        cond.broadcast();
        m.unlock();
        done.await();
        String text = getText("/debug/pprof/block?debug=1");
        for (String method : new String[] {"blockedInSelect", "blockedInWaitGroup", "blockedInCond"}) {
            long[] g = group(text, method);
            assertNotNull(g, method + ":\n" + text);
            assertTrue(g[0] >= 50_000_000L, method + ":\n" + text);
        }
        assertTrue(text.contains("#\tio.gmp4j.chan.Select.select\t"), text);
        assertTrue(text.contains("#\tio.gmp4j.sync.Cond.await\t"), text);
    }

    @Test
    void offRecordsNothing() throws Exception {
        assertEquals(0, Debug.setMutexProfileFraction(-1));
        assertEquals(0, Debug.setBlockProfileRate(0));
        contend8(ContentionProfileTest::contendWhileOff);
        block4For50ms(ContentionProfileTest::blockedWhileOff);
        String mutex = getText("/debug/pprof/mutex?debug=1");
        String block = getText("/debug/pprof/block?debug=1");
        assertFalse(mutex.contains("contendWhileOff") || block.contains("contendWhileOff"), mutex + block);
        assertFalse(block.contains("blockedWhileOff"), block);
        assertTrue(mutex.contains("sampling period=0\n"), mutex);
    }

    @Test
    void settersReturnThePreviousValue() {
        assertEquals(0, Debug.setMutexProfileFraction(5));
        assertEquals(5, Debug.setMutexProfileFraction(-1)); // negative: read only
        assertEquals(5, Debug.setMutexProfileFraction(0));
        assertEquals(0, Debug.setMutexProfileFraction(-7));
        assertEquals(0, Debug.setBlockProfileRate(1000));
        assertEquals(1000, Debug.setBlockProfileRate(-1)); // <= 0: off
        assertEquals(0, Debug.setBlockProfileRate(0));
    }

    @Test
    void indexListsBothProfiles() throws Exception {
        String index = getText("/debug/pprof/");
        assertTrue(index.contains("<a href='mutex?debug=1'>mutex</a>"), index);
        assertTrue(index.contains("<a href='block?debug=1'>block</a>"), index);
    }
}
