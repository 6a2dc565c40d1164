package io.gmp4j.time;

import io.gmp4j.chan.Chan;
import io.gmp4j.runtime.RuntimeMutex;
import io.gmp4j.runtime.RuntimeTimer;
import java.time.Instant;

/*
 * The engine of Timer and Ticker: a runtime timer that sends the time on a 1-slot channel, with
 * Go 1.23's guarantee that once stop() or reset() returns, no value from an earlier arming can be
 * received (runtime/time.go 1.23: timer.seq, timer.sendLock, timerchandrain; issue 37196).
 *
 * Mechanism:
 *   - seq counts stop/reset calls. Each arming creates a fresh RuntimeTimer whose f captures the
 *     seq of that arming ("armSeq"). [Go passes seq to f; our RuntimeTimer has a fixed f, so one
 *     RuntimeTimer per arming is how f learns its arming.]
 *   - fire(armSeq) runs on a scheduler thread: under mu (Go's sendLock) it
 *     sends only if armSeq == seq, with a non-blocking send (a full buffer drops the value: the
 *     slow-receiver rule for tickers; a one-shot timer never finds it full).
 *   - stop/reset: under mu seq++ (so a fire of an older arming that has not sent yet will
 *     not), then outside it stop the old RuntimeTimer and drain the channel (removes a value an
 *     older arming sent before the seq++).
 *
 * Why no stale value survives (T1 = fire of arming k, T2 = stop):
 *   a) T1 takes mu first: it sends, then T2's seq++ waits for mu, and T2's
 *      drain, which runs after, removes the value (unless a receiver took it before: then it
 *      was received before stop returned, which is allowed).
 *   b) T2 takes mu first: T1 then sees armSeq != seq and sends nothing.
 *
 * Lock order: mu is never held while calling into RuntimeTimer (whose heap lock may be
 * held by the M that runs fire()): reset publishes the new RuntimeTimer under mu and arms
 * it after. A stop that slips in between finds it unarmed, but has bumped seq, so its later
 * firing sends nothing.
 *
 * Return value of stop/reset (Go 1.23): true if the call prevented a send, i.e. the old
 * RuntimeTimer was pending or the drain removed an unreceived value.
 *
 * Fields: seq, rt: mu. c: final.
 * Difference from Go 1.23: c has capacity 1, so cap(c)/len(c) report 1/0..1 where Go reports 0
 * (docs/DIVERGENCES.md).
 */
final class ChanTimer {
    final Chan<Instant> c = Chan.make(1);
    /** Go's sendLock. A RuntimeMutex, not a monitor: fire() takes it on an M (see RuntimeMutex). */
    private final RuntimeMutex mu = new RuntimeMutex();
    private int seq;
    private RuntimeTimer rt;

    /** Arms for {@code whenNanos} (and every {@code periodNanos} after, if > 0); returns what stop would. */
    boolean reset(long whenNanos, long periodNanos) {
        int mySeq;
        RuntimeTimer old;
        mu.lock();
        try {
            mySeq = ++seq;
            old = rt;
            rt = null;
        } finally {
            mu.unlock();
        }
        boolean pending = stopAndDrain(old);
        RuntimeTimer next = new RuntimeTimer(() -> fire(mySeq));
        mu.lock();
        try {
            if (seq != mySeq) {
                return pending; // a concurrent stop/reset superseded this arming
            }
            rt = next; // published before arming, so that a concurrent stop can stop it
        } finally {
            mu.unlock();
        }
        next.reset(whenNanos, periodNanos);
        return pending;
    }

    /** sleep.go: Timer.Stop (Go 1.23). */
    boolean stop() {
        RuntimeTimer old;
        mu.lock();
        try {
            seq++;
            old = rt;
            rt = null;
        } finally {
            mu.unlock();
        }
        return stopAndDrain(old);
    }

    /**
     * The second half of stop/reset, outside mu: stops the arming taken off {@code rt} and drains
     * a value an older arming sent. True if either prevented a send (Go 1.23's result).
     */
    private boolean stopAndDrain(RuntimeTimer old) {
        boolean pending = old != null && old.stop();
        return ChanOps.drain(c) || pending;
    }

    /** sleep.go: sendTime. Runs on a scheduler thread; never blocks. */
    private void fire(int armSeq) {
        mu.lock();
        try {
            if (armSeq != seq) {
                return; // stopped or reset since this arming: drop the value (Go 1.23)
            }
            ChanOps.trySend(c, Instant.now()); // full: a slow receiver misses this tick (tick.go)
        } finally {
            mu.unlock();
        }
    }
}
