package io.gmp4j.time;

import io.gmp4j.chan.Chan;
import io.gmp4j.internal.runtime.ChanBridge;
import io.gmp4j.internal.runtime.RuntimeApi;
import io.gmp4j.internal.runtime.RuntimeMutex;
import io.gmp4j.internal.runtime.RuntimeTimer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Instant;

/*
 * The engine of Timer and Ticker: a runtime timer that sends the time on a 1-slot channel, with
 * Go 1.23's guarantees (runtime/time.go 1.23: timer.seq, sendLock, isSending, timerchandrain,
 * maybeRunChan; time/sleep.go; issue 37196):
 *   G1  once stop() or reset() returns, no value from an earlier arming can be received;
 *   G2  for each one-shot arming exactly one of: its value is received, or a stop/reset returns
 *       true for it (a value not yet received counts as not sent: the drain takes it);
 *   G3  no arming outlives a later stop/reset (a ticker stopped stays stopped);
 *   G4  a timer or ticker nobody references can be collected, stopped or not.
 *
 * Objects: ChanTimer (held by Timer/Ticker) holds the channel c strongly and a Sender; c holds
 * the Sender too, as its timer (Go's hchan.timer). The heap reaches only Arming -> Sender, and
 * Sender holds c through a WeakReference (G4): a channel nobody references is collected, and its
 * arming is then stopped (the heap entry removed) by whoever next makes a channel timer, or by
 * the collector thread (see Collector).
 * A goroutine blocked receiving on c keeps c reachable (its parked thread's blocker and stack,
 * reachable from allgs), so such a timer still fires.
 *
 * Sender state, under mu (Go's sendLock): seq counts stop/reset/collect calls; rt is the current
 * Arming (null when stopped). One Arming (a RuntimeTimer) per arming, created with that seq,
 * armed, stopped and marked committed only under mu.
 *
 * Who holds mu: stop, reset and the Collector, for the whole operation (seq++, stop the old
 * arming in its heap, drain c, arm the next); a poll of c (runChan, below); and the thread that
 * sends. Nested in mu: a heap lock, c's lock. An M or sysmon never waits for mu (it may be held
 * by a goroutine that is unmounted, waiting for a nested lock): a firing Arming takes mu with
 * tryLock, and when that fails it pushes itself on `deferred` and tries once more; whoever holds
 * mu sends the deferred firings before it unlocks, then re-checks `deferred` after a full fence
 * (Dekker: push then tryLock, against unlock then read), so none is left behind. So mu is a
 * RuntimeMutex that a goroutine may hold across a yield: only goroutines, user threads polling c
 * and the Collector wait for it.
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
 * A poll runs a due arming (time.go 1.23: maybeRunChan, which chan.go's chanrecv and select.go's
 * selectgo call before they look at c, holding no lock: mu nests outside c's lock):
 *   1. read whenHint, racily: NEVER or later than now -> return; the poll answers as of that
 *      read, when rt was not due, or stopped, or a one-shot whose value is in c (sendTo writes
 *      NEVER after its send; a reset since is later than the poll);
 *   2. mu.lock; a = rt; null -> return (stopped);
 *   3. a.runSerializedIfDue(now): if a is pending and due, take this run from its heap under
 *      the heap lock, which decides between the poll, an M's pop and a stop; a periodic arming
 *      moves to its next period in place, as an M's run moves it. Then sendTo(a): a == rt, so
 *      its seq is current; committed as if an M had sent;
 *   4. else an M may have popped a and be running fire: a.awaitRuns until its callback has
 *      returned. It sent first, or found mu held and left a on deferred, which
 *      unlockAndSendDeferred sends before the poll looks at c;
 *   5. whenHint = a.whenAfter(now); unlockAndSendDeferred.
 * G1-G3 hold as for an M's send: the run happens under mu, for rt only, and each arming's run is
 * taken from its heap once; a later stop finds a one-shot committed (and drains it) or a
 * periodic arming re-armed in its heap (and stops it).
 *
 * c has a 1-slot ring, as Go's timer channels, and reports len and cap 0 as Go 1.23 does
 * (chan.go: chanlen, chancap). Difference from Go 1.23 (docs/DIVERGENCES.md): Go keeps a
 * channel timer out of the heap until a goroutine blocks on it, we keep it in and remove it
 * when the channel is collected. So a poll here takes the run from the heap and may wait for an
 * M's run (Go's poll runs only timers out of the heap).
 */
final class ChanTimer {
    private final Sender sender = new Sender();
    final Chan<Instant> c = ChanOps.makeTimerChan(sender); // c reaches sender, never back

    ChanTimer() {
        Collector.help();
        sender.cref = new WeakReference<>(c); // before the first arming publishes sender to a heap
        sender.collector = new Collector.Ref(c, sender); // reachable while sender is: the heap's arming
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
     * Stops the armings of collected channels. Each timer's Ref (a PhantomReference to its
     * channel, held by its Sender, so reachable while an arming in a heap is) is queued by the
     * JVM once the channel was collected. A single thread stopping them fell behind goroutines
     * making and dropping timers (a select-with-Time.after loop: several times faster than one
     * thread's stops), and the heap entries, with their Senders, piled up for as long as the loop
     * ran. So each new channel timer first stops up to {@link #HELP} collected ones: the queue
     * shrinks faster than such a loop fills it. The thread (created with the first channel
     * timer, never on a scheduler thread) stops the rest when no timers are being made. It is a
     * runtime helper: it only stops timers whose channels nobody can receive from, so it must
     * not veto a deadlock verdict, as a thread of the creator's group would for good.
     */
    private static final class Collector {
        /** Collected timers a new channel timer stops first: more than the one it adds. */
        private static final int HELP = 2;
        private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();

        static {
            Thread t = RuntimeApi.newHelperThread("gmp4j-timer-cleaner", Collector::loop);
            io.gmp4j.internal.pprof.ThreadCreate.record(t);
            t.start();
        }

        /** The channel's phantom; what its collection stops (never c). */
        static final class Ref extends PhantomReference<Object> {
            final Sender sender;

            Ref(Object c, Sender sender) {
                super(c, QUEUE);
                this.sender = sender;
            }
        }

        /** From a new channel timer (a goroutine or a user's thread, never an M). */
        static void help() {
            for (int i = 0; i < HELP; i++) {
                Ref r = (Ref) QUEUE.poll();
                if (r == null) {
                    return;
                }
                r.sender.collected();
            }
        }

        private static void loop() {
            for (;;) {
                try {
                    ((Ref) QUEUE.remove()).sender.collected();
                } catch (InterruptedException ignored) {
                    // a helper thread: nobody interrupts it on purpose; keep serving
                }
            }
        }
    }

    /** One arming: a one-shot or periodic runtime timer whose callback sends for {@code seq}. */
    private static final class Arming extends RuntimeTimer {
        final Sender sender;
        final int seq;
        /** The first when and the period (0: one-shot): a periodic arming is due on that grid. */
        final long when0, periodNanos;
        /** It passed the seq check and sent (or tried to). Sender.mu. */
        boolean committed;

        Arming(Sender sender, int seq, long when0, long periodNanos) {
            super(true); // counts its runs: a poll waits for one an M popped (Sender.runChan)
            this.sender = sender;
            this.seq = seq;
            this.when0 = when0;
            this.periodNanos = periodNanos;
        }

        @Override
        protected boolean onlySendsOnItsChannel() {
            return true;
        }

        boolean periodic() {
            return periodNanos > 0;
        }

        /**
         * Sender.whenHint after a poll at {@code now} ran this arming or found it not due: its
         * when if still ahead, else a one-shot is spent and a periodic arming is due next at its
         * first grid point after now (where a run at now re-arms it, and no earlier: it is
         * pending and not due at now).
         */
        long whenAfter(long now) {
            if (when0 > now) {
                return when0;
            }
            return periodic() ? nextPeriodicWhen(when0, periodNanos, now) : NEVER;
        }

        @Override
        protected void run(long when) {
            sender.fire(this, when);
        }
    }

    /**
     * sleep.go 1.23: sendTime's {@code Now().Add(-delta)}, delta being how late the run is
     * (time.go: unlockAndRun's {@code delay := now - t.when}): the wall-clock time at which the
     * run was due, however late an M, sysmon or a poll runs it, so that a value read late is the
     * time the timer fired (TestAfterTimes) and a ticker's values keep its phase. The monotonic
     * clock is read first, as Go reads {@code now} before the callback: a delay between the two
     * reads can only make the value later, never earlier than its due time (TestAfter's
     * {@code end >= start + delay}).
     */
    static Instant dueInstant(long when) {
        long late = System.nanoTime() - when;
        Instant now = Instant.now();
        return late > 0 ? now.minusNanos(late) : now;
    }

    /** time.go: maxWhen, a when that never comes. */
    static final long NEVER = Long.MAX_VALUE;

    /** A firing, due at {@code when}, left for mu's holder (only when mu was held). */
    private record Deferred(Arming a, long when, Deferred next) {}

    /** What the heap reaches: everything but a strong reference to the channel. */
    private static final class Sender implements ChanBridge.Timer {
        /** Written once, in ChanTimer's constructor before the first arming; read under mu. */
        WeakReference<Chan<Instant>> cref;
        /** Keeps the phantom of c reachable from the heap's arming; written with cref. */
        Collector.Ref collector;
        final RuntimeMutex mu = new RuntimeMutex();
        int seq; // mu
        Arming rt; // mu
        volatile Deferred deferred;
        /**
         * When rt may be due next: NEVER when there is none or it has sent (one-shot). Written
         * under mu; read racily by a poll, which takes mu only once this has come: never later
         * than rt's real when (see maybeRunChan).
         */
        volatile long whenHint = NEVER;

        /** time.go: modtimer for a channel timer (stop, drain, arm), all under mu. Not on an M. */
        boolean reset(Chan<Instant> c, long whenNanos, long periodNanos) {
            mu.lock();
            try {
                boolean pending = stopLocked(c);
                Arming a = new Arming(this, seq, whenNanos, Math.max(0, periodNanos));
                rt = a;
                a.start(whenNanos, periodNanos);
                whenHint = whenNanos;
                return pending;
            } finally {
                unlockAndSendDeferred();
            }
        }

        /**
         * time.go: maybeRunChan, from chan.go's chanrecv and select.go's selectgo (Go 1.23): a
         * receive or select on c runs the current arming if it is due, so that it finds the
         * value. A goroutine or a user's thread, holding no lock (never an M: mu.lock waits).
         *
         * The racy hint: a poll that reads a hint later than now answers as of the moment of
         * that read, when the arming it describes was not due; a reset since then is later.
         * A hint is lowered only to an arming's when (reset) and raised only past a when that
         * has been run (runChan) or whose value is in c (sendTo), so it never skips a due
         * arming, nor one whose value an M is still sending.
         */
        @Override
        @SuppressWarnings("unchecked")
        public void maybeRunChan(Object c) {
            long w = whenHint;
            if (w == NEVER || w > System.nanoTime()) {
                return;
            }
            runChan((Chan<Instant>) c);
        }

        /**
         * maybeRunChan with the hint due: under mu, as stop and reset, take the run from the heap
         * (time.go: unlockAndRun) and send; the heap lock decides between this and an M's
         * run. An M that popped it first is still sending, or left its send deferred to us (we
         * hold mu): wait for its callback to return, and unlockAndSendDeferred sends it.
         */
        private void runChan(Chan<Instant> c) {
            mu.lock();
            try {
                Arming a = rt;
                if (a == null) {
                    return; // stopped: the hint is NEVER already
                }
                long now = System.nanoTime();
                long due = a.runSerializedIfDue(now);
                if (due != RuntimeTimer.NOT_DUE) {
                    sendTo(a, c, due); // a == rt: a.seq == seq
                } else {
                    a.awaitRuns();
                }
                whenHint = a.whenAfter(now);
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

        /** Once the channel was collected (Collector): stop, so the heap lets go. */
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
            whenHint = NEVER;
            boolean pending = false;
            if (a != null) {
                if (a.stopSerialized()) {
                    pending = true; // removed from its heap before it ran
                } else if (!a.periodic() && !a.committed) {
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
        void fire(Arming a, long when) {
            if (mu.tryLock()) {
                send(a, when);
                unlockAndSendDeferred();
                return;
            }
            Deferred d;
            do {
                d = deferred;
            } while (!DEFERRED.compareAndSet(this, d, new Deferred(a, when, d)));
            if (mu.tryLock()) { // the holder may have unlocked before our push: send it ourselves
                unlockAndSendDeferred();
            }
        }

        /** mu held. Sends for {@code a}'s run due at {@code when} unless stopped or reset since it was armed. */
        private void send(Arming a, long when) {
            if (a.seq != seq) {
                return; // stopped or reset since this arming: drop the value (Go 1.23)
            }
            sendTo(a, cref.get(), when);
        }

        /**
         * mu held, {@code a} current. Sends the time its run was due at {@code when} on c (null:
         * collected, nobody can receive).
         */
        private void sendTo(Arming a, Chan<Instant> c, long when) {
            a.committed = true;
            if (c != null) {
                ChanOps.trySend(c, dueInstant(when)); // full: a slow receiver misses this tick (tick.go)
            }
            if (!a.periodic()) {
                // Spent: polls need not take mu for it. Only once the value is in c: a poll that
                // reads NEVER looks at c at once, and must not find it empty while an M sends.
                whenHint = NEVER;
            }
        }

        /** mu held. Sends every deferred firing, unlocks, and takes mu back if more arrived. */
        private void unlockAndSendDeferred() {
            for (;;) {
                Deferred d = (Deferred) DEFERRED.getAndSet(this, null);
                for (; d != null; d = d.next) {
                    send(d.a, d.when);
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
