package io.gmp4j.time;

import io.gmp4j.chan.Chan;
import io.gmp4j.internal.runtime.RuntimeApi;
import io.gmp4j.internal.runtime.RuntimeMutex;
import io.gmp4j.internal.runtime.RuntimeTimer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.time.Instant;

/*
 * The engine of Timer and Ticker: a runtime timer that sends the time on a 1-slot channel, with
 * Go 1.23's guarantees (runtime/time.go 1.23: timer.seq, sendLock, isSending, timerchandrain;
 * time/sleep.go; issue 37196):
 *   G1  once stop() or reset() returns, no value from an earlier arming can be received;
 *   G2  for each one-shot arming exactly one of: its value is received, or a stop/reset returns
 *       true for it (a value not yet received counts as not sent: the drain takes it);
 *   G3  no arming outlives a later stop/reset (a ticker stopped stays stopped);
 *   G4  a timer or ticker nobody references can be collected, stopped or not.
 *
 * Objects: ChanTimer (held by Timer/Ticker) holds the channel c strongly and a Sender. The heap
 * reaches only Arming -> Sender, and Sender holds c through a WeakReference (G4): a channel
 * nobody references is collected, and a Cleaner then stops its arming (removes the heap entry).
 * A goroutine blocked receiving on c keeps c reachable (its parked thread's blocker and stack,
 * reachable from allgs), so such a timer still fires.
 *
 * Sender state, under mu (Go's sendLock): seq counts stop/reset/collect calls; rt is the current
 * Arming (null when stopped). One Arming (a RuntimeTimer) per arming, created with that seq,
 * armed, stopped and marked committed only under mu.
 *
 * Who holds mu: stop, reset and the Cleaner, for the whole operation (seq++, stop the old
 * arming in its heap, drain c, arm the next); and the thread that sends. Nested in mu: a heap
 * lock, c's lock. An M or sysmon never waits for mu (it may be held by a goroutine that is
 * unmounted, waiting for a nested lock): a firing Arming takes mu with tryLock, and when that
 * fails it pushes itself on `deferred` and tries once more; whoever holds mu sends the deferred
 * firings before it unlocks, then re-checks `deferred` after a full fence (Dekker: push then
 * tryLock, against unlock then read), so none is left behind. So mu is a RuntimeMutex that a
 * goroutine may hold across a yield: only goroutines and the Cleaner wait for it.
 *
 * send(a), mu held: if a.seq != seq the arming was stopped or reset: drop (Go 1.23: the stale
 * send is suppressed). Otherwise a.committed = true and trySend (a full buffer drops a tick: the
 * slow-receiver rule of tick.go; a one-shot arming never finds it full, see below).
 *
 * stop/reset result (time.go 1.23: stop/modify): with mu held, seq++ then, for the old arming a:
 *   a.stopSerialized() true      -> it was in a heap and will not run: true;
 *   else one-shot, !a.committed  -> it was popped but has not sent, and never will (seq moved):
 *                                   true (Go's isSending case);
 *   else                         -> it sent; then drain c: true iff the value was still there.
 * The drain runs under mu, after every older arming was stopped or suppressed and before the
 * next is armed, so the buffer holds at most the old arming's value: the drain attributes it to
 * exactly this call (G2), and leaves c empty of stale values (G1). Arming under mu means a later
 * stop always finds the arming in rt (G3).
 *
 * Difference from Go 1.23: c has capacity 1, so cap(c)/len(c) report 1/0..1 where Go reports 0
 * (docs/DIVERGENCES.md); Go keeps a channel timer out of the heap until a goroutine blocks on
 * it, we keep it in and remove it when the channel is collected.
 */
final class ChanTimer {
    final Chan<Instant> c = Chan.make(1);
    private final Sender sender = new Sender(new WeakReference<>(c));

    ChanTimer() {
        Collector.CLEANER.register(c, sender::collected); // the action must not reach c
    }

    /** Arms for {@code whenNanos} (and every {@code periodNanos} after, if > 0); returns what stop would. */
    boolean reset(long whenNanos, long periodNanos) {
        return sender.reset(c, whenNanos, periodNanos);
    }

    /** sleep.go: Timer.Stop (Go 1.23). True if it prevented a value from being received. */
    boolean stop() {
        return sender.stop(c);
    }

    /**
     * The shared Cleaner (created with the first channel timer, never on a scheduler thread). Its
     * thread is a runtime helper: it only stops timers whose channels nobody can receive from,
     * so it must not veto a deadlock verdict, as a thread of the creator's group would for good.
     */
    private static final class Collector {
        static final Cleaner CLEANER = Cleaner.create(r -> {
            Thread t = RuntimeApi.newHelperThread("gmp4j-timer-cleaner", r);
            io.gmp4j.internal.pprof.ThreadCreate.record(t);
            return t;
        });
    }

    /** One arming: a one-shot or periodic runtime timer whose callback sends for {@code seq}. */
    private static final class Arming extends RuntimeTimer {
        final Sender sender;
        final int seq;
        final boolean periodic;
        /** It passed the seq check and sent (or tried to). Sender.mu. */
        boolean committed;

        Arming(Sender sender, int seq, boolean periodic) {
            this.sender = sender;
            this.seq = seq;
            this.periodic = periodic;
        }

        @Override
        protected void run() {
            sender.fire(this);
        }
    }

    /** A firing left for mu's holder (only when mu was held). */
    private record Deferred(Arming a, Deferred next) {}

    /** What the heap reaches: everything but a strong reference to the channel. */
    private static final class Sender {
        final WeakReference<Chan<Instant>> cref;
        final RuntimeMutex mu = new RuntimeMutex();
        int seq; // mu
        Arming rt; // mu
        volatile Deferred deferred;

        Sender(WeakReference<Chan<Instant>> cref) {
            this.cref = cref;
        }

        /** time.go: modtimer for a channel timer (stop, drain, arm), all under mu. Not on an M. */
        boolean reset(Chan<Instant> c, long whenNanos, long periodNanos) {
            mu.lock();
            try {
                boolean pending = stopLocked(c);
                Arming a = new Arming(this, seq, periodNanos > 0);
                rt = a;
                a.start(whenNanos, periodNanos);
                return pending;
            } finally {
                unlockAndSendDeferred();
            }
        }

        /** time.go: stop for a channel timer. Not on an M. */
        boolean stop(Chan<Instant> c) {
            mu.lock();
            try {
                return stopLocked(c);
            } finally {
                unlockAndSendDeferred();
            }
        }

        /** The Cleaner's action once the channel was collected: stop, so the heap lets go. */
        void collected() {
            mu.lock();
            try {
                stopLocked(null);
            } finally {
                unlockAndSendDeferred();
            }
        }

        /** mu held. seq++, stop the current arming, drain c (null: collected); Go 1.23's result. */
        private boolean stopLocked(Chan<Instant> c) {
            seq++;
            Arming a = rt;
            rt = null;
            boolean pending = false;
            if (a != null) {
                if (a.stopSerialized()) {
                    pending = true; // removed from its heap before it ran
                } else if (!a.periodic && !a.committed) {
                    pending = true; // popped, not sent yet; seq++ suppresses it (Go: isSending)
                }
            }
            if (c != null && ChanOps.drain(c)) {
                pending = true; // sent but not received: counts as stopped (timerchandrain)
            }
            return pending;
        }

        /**
         * sleep.go: sendTime, via time.go: unlockAndRun's sendLock. On a scheduler thread: never
         * waits for mu (see the class comment), never blocks.
         */
        void fire(Arming a) {
            if (mu.tryLock()) {
                send(a);
                unlockAndSendDeferred();
                return;
            }
            Deferred d;
            do {
                d = deferred;
            } while (!DEFERRED.compareAndSet(this, d, new Deferred(a, d)));
            if (mu.tryLock()) { // the holder may have unlocked before our push: send it ourselves
                unlockAndSendDeferred();
            }
        }

        /** mu held. Sends for {@code a} unless stopped or reset since it was armed. */
        private void send(Arming a) {
            if (a.seq != seq) {
                return; // stopped or reset since this arming: drop the value (Go 1.23)
            }
            a.committed = true;
            Chan<Instant> c = cref.get();
            if (c != null) { // null: collected, nobody can receive
                ChanOps.trySend(c, Instant.now()); // full: a slow receiver misses this tick (tick.go)
            }
        }

        /** mu held. Sends every deferred firing, unlocks, and takes mu back if more arrived. */
        private void unlockAndSendDeferred() {
            for (;;) {
                Deferred d = (Deferred) DEFERRED.getAndSet(this, null);
                for (; d != null; d = d.next) {
                    send(d.a);
                }
                mu.unlock();
                VarHandle.fullFence(); // unlock before reading deferred; pairs with fire's CAS then tryLock
                if (deferred == null || !mu.tryLock()) {
                    return;
                }
            }
        }

        private static final VarHandle DEFERRED;

        static {
            try {
                DEFERRED = MethodHandles.lookup().findVarHandle(Sender.class, "deferred", Deferred.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
