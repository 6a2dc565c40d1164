package io.gmp4j.chan;

import io.gmp4j.internal.pprof.Contention;
import io.gmp4j.GoPanic;
import io.gmp4j.internal.runtime.HandoffSpin;
import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.SudogCache;
import io.gmp4j.internal.runtime.WaitReason;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Go's {@code select} statement: {@code Select.select(a.onRecv(v -> ...), b.onSend(x, () -> ...),
 * Select.onDefault(() -> ...))}.
 */
public final class Select {
    /*
     * select.go: selectgo, sellock, selunlock, selparkcommit, block. The same three passes:
     *
     *   first   while pollorder is built, a case on a timer's channel runs the timer if it
     *           is due (Go 1.23: maybeRunChan), before any channel lock is taken.
     *   pass 1  lock every channel (lockorder), then poll the cases in a random order
     *           (pollorder) and complete the first ready one: a waiting partner, buffer
     *           data/room, or a closed channel. None ready and a default case: unlock, run it.
     *   pass 2  enqueue one Sudog per case (all sharing one Waiter), in lockorder; unlock all;
     *           park until a partner or close sets Waiter.param.
     *   pass 3  dequeue the Sudogs that did not fire (else they stack up on quiet channels),
     *           each channel locked in turn, not all at once as Go; finish the fired case.
     *
     * pollorder is a uniform random permutation of the non-nil cases (an inside-out
     * Fisher-Yates shuffle, as Go), so among the cases ready in pass 1 each is chosen with
     * equal probability (TestSelectFairness). lockorder is the cases sorted by Chan.id,
     * ties broken by poll position, so that two selects over the same channels always lock
     * them in the same order (no deadlock) and duplicate cases on one channel are locked once.
     *
     * The Waiter (Go keeps these on the g: g.selectDone, g.param):
     *   selectDone  0 -> 1   by CAS, in WaitQ.dequeue, by the partner or closer that wins
     *                        this select; a loser drops the sudog and looks further
     *   selectDone  1 -> 0   never: a Waiter is used once
     *   param       null -> the fired Sudog, with release, by the winner after it unlocked
     *                        (Sudog.goready); the select G reads it with acquire (lvParam)
     *
     * Wake-up protocol: as Chan's, with step 2 looping on Waiter.param and step 4 preceded by
     * the selectDone CAS (under the channel lock) that makes exactly one partner the winner.
     *
     * Cases are read from the caller's array once, into scases (select.go: selectgo's scases,
     * which the compiler fills at the statement): every later step, pass 3 after the park
     * included, reads the snapshot, so a caller that overwrites its array meanwhile cannot
     * make the select lock, dequeue from or report a channel it did not enqueue on.
     *
     * Allocation per blocking select: one Waiter, one SelectSudog per case linked through
     * SelectSudog.waitlink (Go's gp.waiting list); the order array (pollorder and lockorder in
     * one, as select.go's order) and scases come from the M's cache when it has them (a fresh
     * clone per select measured no faster: docs/BENCHMARKS.md (14)). It was four arrays (pollorder, sort keys,
     * lockorder, sudogs) plus an Arrays.sort call; the change measured W7 (the harness now in `./gmp4j bench`, 2026-11-28, shared 2-core AMD
     * EPYC, JDK 25, base and new JVMs alternated, 3 rounds x median of 5, ns/msg):
     * GOMAXPROCS=1 394/356/332 -> 244/338/257; GOMAXPROCS=2 449/433/349 -> 423/407/345.
     *
     * Differences from Go (docs/DIVERGENCES.md):
     *   - Java has no select statement: the cases are objects and the chosen case's callback
     *     runs after all channel locks are dropped; select returns the chosen index.
     *   - lockorder sorts by Chan.id (creation order), not by the hchan's address: a stable
     *     insertion sort up to 16 cases, else Arrays.sort on packed (id, poll position) keys
     *     (O(n log n) as Go's heap sort).
     *   - The compiler's single-case rewrites (selectnbsend/selectnbrecv) are Chan.trySend
     *     and Chan.tryRecv; Select.select itself takes the general path for every shape.
     */

    private Select() {}

    private static final int RECV = 0, SEND = 1, DEFAULT = 2;
    private static final int MAX_CASES = 1 << 16; // select.go: "capped at 65536"

    /**
     * One case of a select; made by {@link Chan#onRecv}, {@link Chan#onSend}, {@link #onDefault}.
     * Immutable: a case may be built once and passed to many selects (a hot loop need not
     * allocate cases).
     */
    public static final class Case {
        final int kind;
        final Chan<?> c;
        final Object sendValue;
        final Consumer<Object> recvF;
        final BiConsumer<Object, Boolean> recvOkF;
        final Runnable f;

        @SuppressWarnings("unchecked")
        private Case(int kind, Chan<?> c, Object sendValue, Consumer<?> recvF, BiConsumer<?, Boolean> recvOkF, Runnable f) {
            this.kind = kind;
            this.c = c;
            this.sendValue = sendValue;
            this.recvF = (Consumer<Object>) recvF;
            this.recvOkF = (BiConsumer<Object, Boolean>) recvOkF;
            this.f = f;
        }

        static Case recv(Chan<?> c, Consumer<?> f, BiConsumer<?, Boolean> fOk) {
            return new Case(RECV, c, null, f, fOk, null);
        }

        static Case send(Chan<?> c, Object v, Runnable f) {
            return new Case(SEND, c, v, null, null, f);
        }

        void runRecv(Object v, boolean ok) {
            if (recvOkF != null) {
                recvOkF.accept(v, ok);
            } else if (recvF != null) {
                recvF.accept(v);
            }
        }

        void runThen() {
            if (f != null) {
                f.run();
            }
        }

        @Override
        public String toString() {
            return switch (kind) {
                case RECV -> "case <-" + c;
                case SEND -> "case " + c + " <- " + sendValue;
                default -> "default";
            };
        }
    }

    /** {@code default:} — makes the select non-blocking; {@code f} (may be null) runs when chosen. */
    public static Case onDefault(Runnable f) {
        return new Case(DEFAULT, null, null, null, null, f);
    }

    /** The per-select wait state (Go: g.selectDone, g.param). */
    static final class Waiter {
        private volatile int selectDone;
        private volatile SelectSudog param;

        /** Claim this select for one partner. Channel lock held (WaitQ.dequeue). */
        boolean casSelectDone() {
            return SELECT_DONE.compareAndSet(this, 0, 1);
        }

        void soParam(SelectSudog sg) {
            PARAM.setRelease(this, sg); // pairs with lvParam
        }

        SelectSudog lvParam() {
            return (SelectSudog) PARAM.getAcquire(this); // pairs with soParam
        }

        private static final VarHandle SELECT_DONE;
        private static final VarHandle PARAM;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                SELECT_DONE = l.findVarHandle(Waiter.class, "selectDone", int.class);
                PARAM = l.findVarHandle(Waiter.class, "param", SelectSudog.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * select.go: selectgo. Waits until one case can proceed, performs it, runs its callback,
     * and returns its index in {@code cases}. Among several ready cases one is chosen
     * uniformly at random. With {@link #onDefault} it never blocks. With no cases (or only
     * cases on nil channels and no default) it blocks forever. Any thread.
     */
    public static int select(Case... cases) {
        int ncases = cases.length;
        if (ncases == 0) {
            Park.checkPreempt();
            Chan.parkForever(WaitReason.SELECT_NO_CASES); // select.go: block
        }
        if (ncases > MAX_CASES) {
            throw new GoPanic("reflect.Select: too many cases (max " + MAX_CASES + ")"); // Go's select statement cannot
        }

        // Generate the permuted poll order over the non-nil cases; find the default.
        // select.go keeps pollorder and lockorder in one order array of 2 * ncases; so do we:
        // pollorder is order[0, norder), lockorder is order[ncases, ncases + norder).
        // Taken out of the M's cache while in use (a callback may select again, or park and
        // finish on another M), given back to the cache of the M the select ends on; so is
        // scases, the snapshot of the cases (this loop is the only read of the caller's array).
        SudogCache cache = SudogCache.current();
        int[] order = cache == null ? null : cache.getOrder(2 * ncases);
        if (order == null) {
            order = new int[2 * ncases];
        }
        Case[] scases = cache == null ? null : (Case[]) cache.getCases(ncases);
        if (scases == null) {
            scases = new Case[ncases];
        }
        int norder = 0;
        int dflt = -1;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < ncases; i++) {
            Case cas = cases[i];
            if (cas == null) { // Go's select cannot have one; a nil channel's case is Chan.nil().onRecv(...)
                throw new NullPointerException("select: case " + i + " is null");
            }
            if (cas.kind == DEFAULT) {
                if (dflt >= 0) {
                    throw new GoPanic("reflect.Select: multiple default cases");
                }
                dflt = i;
                scases[i] = cas;
                continue;
            }
            if (cas.c.isNil) {
                continue; // Omit cases without channels from the poll and lock orders.
            }
            scases[i] = cas;
            if (cas.c.isTimer) {
                cas.c.timer().maybeRunChan(cas.c); // select.go 1.23: a due timer sends first; before sellock
            }
            int j = rnd.nextInt(norder + 1);
            order[norder] = order[j];
            order[j] = i;
            norder++;
        }
        // A preemption point, with a default case too: selectgo's prologue is one in Go, so a
        // polling loop yields at its slice's end instead of running on without a P.
        Park.checkPreempt();
        if (norder == 0) {
            if (dflt >= 0) {
                Case dfltCase = scases[dflt];
                release(order, scases, ncases);
                dfltCase.runThen();
                return dflt;
            }
            // One case, on a nil channel: Go compiles it to that channel operation (walk/select.go).
            Chan.parkForever(ncases > 1 ? WaitReason.SELECT
                    : cases[0].kind == SEND ? WaitReason.CHAN_SEND_NIL_CHAN : WaitReason.CHAN_RECEIVE_NIL_CHAN);
        }
        sortLockorder(scases, order, norder, ncases);
        int chosen = selectgo(scases, order, norder, ncases, dflt);
        release(order, scases, ncases);
        return chosen;
    }

    /**
     * Gives order and scases to the cache of the M the select ends on, scases cleared (a cached
     * array keeps no case, nor its channel and callbacks, reachable). Skipped when a case
     * throws: the arrays are then left to the collector.
     */
    private static void release(int[] order, Case[] scases, int ncases) {
        SudogCache cache = SudogCache.current();
        if (cache != null) {
            Arrays.fill(scases, 0, ncases, null);
            cache.putOrder(order);
            cache.putCases(scases);
        }
    }

    /** Selects up to this many cases sort their lock order by insertion (no allocation). */
    private static final int INSERTION_SORT_MAX = 16;

    /**
     * Fills lockorder (order[lo, lo + norder)) with the poll order sorted by Chan.id; equal ids
     * keep poll order (a stable sort), so duplicate cases on one channel are adjacent.
     */
    private static void sortLockorder(Case[] scases, int[] order, int norder, int lo) {
        if (norder <= INSERTION_SORT_MAX) {
            for (int k = 0; k < norder; k++) {
                int casi = order[k];
                long id = scases[casi].c.id;
                int j = lo + k;
                while (j > lo && scases[order[j - 1]].c.id > id) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = casi;
            }
            return;
        }
        // Many cases: O(n log n) on packed (id, poll position) keys, as Go's heap sort.
        long[] keys = new long[norder];
        for (int k = 0; k < norder; k++) {
            keys[k] = (scases[order[k]].c.id << 16) | k;
        }
        Arrays.sort(keys);
        for (int k = 0; k < norder; k++) {
            order[lo + k] = order[(int) (keys[k] & 0xFFFF)];
        }
    }

    /** The select after its cases were read: scases is the snapshot, never the caller's array. */
    private static int selectgo(Case[] scases, int[] order, int norder, int lo, int dflt) {
        sellock(scases, order, lo, norder);

        // pass 1 - look for something already waiting
        for (int k = 0; k < norder; k++) {
            int casi = order[k];
            Case cas = scases[casi];
            Chan<?> c = cas.c;
            if (cas.kind == RECV) {
                Sudog sg = WaitQ.dequeue(c, WaitQ.SENDQ);
                if (sg != null) { // can receive from a sleeping sender
                    Object v = c.recvFromSender(sg);
                    selunlock(scases, order, lo, norder);
                    sg.success = true;
                    sg.goready();
                    cas.runRecv(v, true);
                    return casi;
                }
                if (c.hasData()) { // can receive from the buffer
                    Object v = c.bufTake();
                    selunlock(scases, order, lo, norder);
                    cas.runRecv(v, true);
                    return casi;
                }
                if (c.isClosed()) { // read at the end of a closed channel
                    selunlock(scases, order, lo, norder);
                    cas.runRecv(null, false);
                    return casi;
                }
            } else {
                if (c.isClosed()) {
                    selunlock(scases, order, lo, norder);
                    throw new GoPanic("send on closed channel");
                }
                Sudog sg = WaitQ.dequeue(c, WaitQ.RECVQ);
                if (sg != null) { // can send to a sleeping receiver
                    sg.elem = cas.sendValue;
                    selunlock(scases, order, lo, norder);
                    sg.success = true;
                    sg.goready();
                    cas.runThen();
                    return casi;
                }
                if (c.hasRoom()) { // can send to the buffer
                    c.bufPut(cas.sendValue);
                    selunlock(scases, order, lo, norder);
                    cas.runThen();
                    return casi;
                }
            }
        }

        if (dflt >= 0) {
            selunlock(scases, order, lo, norder);
            scases[dflt].runThen();
            return dflt;
        }

        // pass 2 - enqueue on all chans, in lock order; link the sudogs in that order
        // (select.go: gp.waiting / sg.waitlink) for pass 3.
        Thread me = Thread.currentThread();
        // A select's waiter and sudogs are allocated, not taken from the M's cache as a plain
        // operation's sudog is: partners on other Ps write them (param, selectDone, elem), so a
        // reused one costs a cache-line transfer, and W7 measured ~10 % slower with reuse than
        // with fresh ones from this M's TLAB (docs/BENCHMARKS.md, 2026-12-04).
        Waiter w = new Waiter();
        SelectSudog waiting = null, tail = null;
        boolean spin = HandoffSpin.on();
        for (int k = 0; k < norder; k++) {
            int casi = order[lo + k];
            Case cas = scases[casi];
            spin &= cas.c.unbuffered(); // as a plain operation: only rendezvous hand-offs spin
            SelectSudog sg = new SelectSudog(cas.kind == SEND ? cas.sendValue : null, w, casi);
            if (tail == null) {
                waiting = sg;
            } else {
                tail.waitlink = sg;
            }
            tail = sg;
            if (cas.kind == SEND) {
                WaitQ.enqueue(cas.c, WaitQ.SENDQ, sg);
            } else {
                WaitQ.enqueue(cas.c, WaitQ.RECVQ, sg);
            }
        }
        selunlock(scases, order, lo, norder); // selparkcommit

        // wait for someone to wake us up
        SelectSudog fired = w.lvParam();
        if (fired == null && spin) {
            fired = spinForPartner(w);
        }
        if (fired == null) {
            long t0 = Contention.blockRate > 0 ? System.nanoTime() : 0; // the block profile (select.go: blockevent)
            boolean interrupted = false;
            // A select of one case (no default: it would have run) is Go's compiled channel
            // operation, and waits as one (walk/select.go); lo is the number of cases.
            WaitReason reason = lo > 1 ? WaitReason.SELECT : scases[0].kind == SEND ? WaitReason.CHAN_SEND : WaitReason.CHAN_RECEIVE;
            do {
                if (Park.park(w, reason)) {
                    interrupted = true; // Go has no interrupts: keep waiting, re-assert after.
                }
            } while ((fired = w.lvParam()) == null);
            if (t0 != 0) {
                Contention.event(System.nanoTime() - t0, Contention.BLOCK);
            }
            if (interrupted) {
                me.interrupt();
            }
        }

        // pass 3 - dequeue from unsuccessful chans. Each under its own channel's lock, one
        // channel at a time, and only the channels that hold an unfired sudog: select.go locks
        // them all at once, but no step here needs two locks, and the fired case's channel,
        // which its partner just held on another P, guards nothing here.
        Chan<?> locked = null;
        for (SelectSudog sg = waiting; sg != null; sg = sg.waitlink) {
            if (sg == fired) {
                continue;
            }
            Case cas = scases[sg.casi]; // the snapshot: the caller may have rewritten its array meanwhile
            if (cas.c != locked) { // a channel's sudogs are adjacent: waiting is in lock order
                if (locked != null) {
                    locked.unlock();
                }
                locked = cas.c;
                locked.lock();
            }
            if (cas.kind == SEND) {
                WaitQ.remove(cas.c, WaitQ.SENDQ, sg);
            } else {
                WaitQ.remove(cas.c, WaitQ.RECVQ, sg);
            }
        }
        if (locked != null) {
            locked.unlock();
        }

        int casi = fired.casi;
        boolean ok = fired.success;
        Object v = ok ? fired.elem : null;
        Case cas = scases[casi];
        if (cas.kind == SEND) {
            if (!ok) {
                throw new GoPanic("send on closed channel");
            }
            cas.runThen();
        } else {
            cas.runRecv(v, ok);
        }
        return casi;
    }

    /** Chan.spinForPartner for a select: spins on param while Park.canSpin; the fired sudog or null. */
    private static SelectSudog spinForPartner(Waiter w) {
        long t0 = HandoffSpin.start();
        SelectSudog fired = null;
        int i = HandoffSpin.LIMIT;
        for (; i > 0 && (fired = w.lvParam()) == null && Park.canSpin(); i--) {
            Thread.onSpinWait();
        }
        HandoffSpin.spun(t0, i, fired != null);
        return fired;
    }

    /** select.go: sellock. Locks each distinct channel once, in lock order (order[lo, lo + norder)). */
    private static void sellock(Case[] scases, int[] order, int lo, int norder) {
        Chan<?> last = null;
        for (int k = lo; k < lo + norder; k++) {
            Chan<?> c = scases[order[k]].c;
            if (c != last) {
                if (last == null) {
                    c.lock();
                } else {
                    c.lockHoldingOthers(); // never unmount while holding the earlier locks
                }
                last = c;
            }
        }
    }

    /**
     * select.go: selunlock. Unlocks in reverse order; duplicates are adjacent in lock order,
     * so a channel is unlocked at its first occurrence from the end.
     */
    private static void selunlock(Case[] scases, int[] order, int lo, int norder) {
        for (int k = lo + norder - 1; k >= lo; k--) {
            Chan<?> c = scases[order[k]].c;
            if (k > lo && c == scases[order[k - 1]].c) {
                continue;
            }
            c.unlock();
        }
    }
}
