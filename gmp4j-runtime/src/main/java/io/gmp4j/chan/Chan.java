package io.gmp4j.chan;

import io.gmp4j.internal.pprof.Contention;
import io.gmp4j.GoPanic;
import io.gmp4j.internal.runtime.ChanBridge;
import io.gmp4j.internal.runtime.HandoffSpin;
import io.gmp4j.internal.runtime.Park;
import io.gmp4j.internal.runtime.SudogCache;
import io.gmp4j.internal.runtime.WaitReason;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A Go channel: {@code make(chan T, cap)}, {@code ch <- v}, {@code <-ch}, {@code close},
 * {@code len}, {@code cap}, {@code for v := range ch}, and the cases of {@link Select}.
 */
public final class Chan<T> implements Iterable<T> {
    /*
     * Go's hchan, kept (chan.go: makechan, chansend, send, chanrecv, recv, closechan,
     * selectnbsend, selectnbrecv; select.go for Select). One small lock per channel guards
     * the ring buffer and both wait queues; a blocked operation leaves a Sudog in sendq or
     * recvq and parks; its partner copies the value straight into or out of that Sudog and
     * readies it (Park.ready = goready: from a G on one of our Ms the woken G goes into the
     * waker's runnext, so an unbuffered hand-off runs the receiver next on the same P).
     * A Timer's or Ticker's channel carries its timer (Go 1.23's hchan.timer): a receive, and a
     * select with a case on it, first runs the timer if it is due (chanrecv, selectgo:
     * maybeRunChan), and Stop/Reset empty it with timerchandrain.
     *
     * Why this design and not a lock-free one (measured 2026-11-28, 2-core shared machine,
     * JDK 25, branch chan at 0a4c5f7, the harness now in `./gmp4j bench`, against the same
     * workloads on jox 1.0.1 -- the "fast and scalable channels" algorithm behind
     * kotlinx.coroutines: segments of cells, per-cell CAS, no lock, spin-then-park -- both on
     * the gmp4j scheduler; median of 5 (3 at GOMAXPROCS 1), ns per round trip (W2) or per
     * message; Go 1.19: W2 204, W3 36, W7 164):
     *
     *                       GOMAXPROCS=2         GOMAXPROCS=1
     *                       hchan     jox        hchan     jox
     *   W2 ping-pong          704     652          421    6731
     *   W3 1->1 cap 1024       66      75           18      26
     *   W4 1000x100 cap 100    96     104          112     152
     *   W7 select over 2      424     261          245    3429
     *
     * hchan wins or ties everywhere except W7 at 2 Ps, where jox's spin before parking
     * catches the partner; the same spin burns the only P at GOMAXPROCS=1 (10-15x worse).
     * What dominates W2/W7 is the park/unpark hand-off between Gs, which no channel
     * algorithm removes; the lock is held for tens of nanoseconds and never across a park or
     * a wake-up. hchan also keeps Go's exact semantics for free (FIFO of blocked senders,
     * pollorder/lockorder, close waking everyone, an exact len) in a fraction of the code.
     * So a blocked rendezvous spins briefly on its sudog while its partner runs on another P
     * and such spins have lately answered sooner than a G switch (HandoffSpin, spinForPartner).
     * That depends on the machine, even from minute to minute on a VM: W2 0.55-0.61 of parking
     * when cross-core transfers are cheap (the JDK's and Go's figure), unchanged when they are
     * not (docs/BENCHMARKS.md, 2026-12-05 (3) and (4)). A waker skips the unpark of a waiter
     * still spinning (Sudog.parking).
     *
     * Invariants (chan.go header), all under lock:
     *   - at least one of sendq and recvq is empty, except for an unbuffered channel with one
     *     G blocked on it for both sending and receiving through a select;
     *   - buffered: qcount > 0 implies recvq is empty; qcount < cap implies sendq is empty;
     *   - closed: sendq and recvq are empty (close drains both) and stay empty;
     *   - buf[i] is null outside the live ring [recvx, recvx + qcount), so nothing received
     *     stays reachable from the channel.
     *
     * A blocking operation's Sudog (the state machine; who moves it):
     *   new      -> queued     the waiter, under lock (chansend/chanrecv/selectgo pass 2)
     *   queued   -> dequeued   a partner or closechan, under lock (WaitQ.dequeue); for a
     *                          select sudog only the winner of Waiter.selectDone's CAS
     *   queued   -> removed    the select's own G in pass 3 (WaitQ.remove), under lock
     *   dequeued -> done       the dequeuer after unlock: elem/success, then the release
     *                          store of done (or Waiter.param), then Park.ready
     *   done     -> released   the waiter (Sudog.release), into its M's cache; reused from there
     *
     * Fields and who writes them:
     *   dataqsiz, buf (the array), id, isNil, isTimer, recvOnly, buf[dataqsiz] of a timer's
     *     channel: final.
     *   buf[i], sendx, recvx, the wait queues' ends (recvqFirst .. sendqLast): only under
     *     lock; recvqFirst and sendqFirst are stored with release and read racily by the
     *     fast paths (WaitQ.lvFirst).
     *   qcount: under lock, stored with release (soQcount); read racily with acquire by
     *     len() and the non-blocking fast paths (lvQcount).
     *   closed: volatile, written once under lock; read racily by the fast paths.
     *   lockState: CAS to acquire, release store to unlock.
     *
     * Wake-up protocol (blocking receive on an empty channel; send is symmetric):
     *   1. R: lock; no sender, no data; enqueue sg on recvq; unlock (release).
     *   2. R: loop { read sg.done with acquire; if set, stop; Park.park }.
     *   3. S: lock (acquire: sees step 1); dequeue sg; sg.elem = v; unlock.
     *   4. S: sg.success = true; store sg.done with release; Park.ready(R).
     *   LockSupport's permit covers the race "S readies R before R parks" (R's park then
     *   returns at once and R sees done), and a stale permit costs R one spurious return,
     *   which every park loop absorbs, provided S's store of done is ordered before the JDK's
     *   read of the permit in unpark: Park.ready's full fence (StoreLoad). Without it a stale
     *   permit swallowed the wake-up (StalePermitWakeupTest).
     *
     * Differences from Go (docs/DIVERGENCES.md):
     *   - the lock spins (Thread.onSpinWait), yields the OS thread a few times (Go's
     *     osyield), then sleeps the OS thread with a doubling back-off instead of
     *     futex-sleeping on a wake-up list: critical sections never park, so a waiter only
     *     waits for a holder that is running, OS-preempted, or (a select in sellock) itself
     *     waiting for a lock. The waiting goroutine stays mounted throughout, its M keeping
     *     its P, as Go's M does in lock2;
     *   - the mutex profile records a contended channel lock with the waiter's stack (Go 1.22's
     *     runtimecontentionstacks=1; sync.Mutex's waits go to the unlocker), and only on a
     *     goroutine or a user's thread, never on an M outside a G or sysmon;
     *   - lockorder sorts by a creation id, not by address (the JVM moves objects);
     *   - values are references: "copying to the receiver's stack" is one reference store;
     *   - an interrupt does not end a wait (Go has none): it is kept and re-asserted when the
     *     operation completes, like AQS's uninterruptible acquires;
     *   - the time package sends from scheduler threads through ChanBridge (chansend with
     *     block false), not through trySend, whose preemption check is a goroutine's.
     */

    /** Go's value from a receive with the comma-ok form: {@code v, ok := <-ch}. */
    public record Recv<T>(T value, boolean ok) {}

    // chanrecv's non-value outcomes; never visible to users.
    static final Object NOT_READY = new Object();
    static final Object CLOSED = new Object();

    /** Spins on a contended lock before yielding. Untested guess (Go: 4 x procyield(30)). */
    private static final int LOCK_SPINS = 64;
    /**
     * Yields after the spins before the lock sleeps (Go: passive_spin = 1 osyield, then
     * futexsleep). Yielding without bound measured W2/W7 ~2.5 M yields per 45 M locks (holders
     * descheduled for milliseconds); 8 then sleeping cut that to ~10 k (see lockSlow).
     */
    private static final int LOCK_YIELDS = 8;
    /** The first and the longest lock sleep; doubles in between. */
    private static final long LOCK_SLEEP_MIN_NANOS = 10_000, LOCK_SLEEP_MAX_NANOS = 1_000_000;

    /**
     * The spin before a rendezvous parks (HandoffSpin): until {@code sg} is done, the limit,
     * or Park.canSpin says no. Every sixteenth spin is timed for HandoffSpin's average. Not
     * done by then: the waiter announces its park (Sudog.parking) before it re-checks done.
     */
    private static void spinForPartner(Sudog sg) {
        long t0 = HandoffSpin.start();
        int i = HandoffSpin.LIMIT;
        for (; i > 0 && !sg.lvDone() && Park.canSpin(); i--) {
            Thread.onSpinWait();
        }
        boolean done = sg.lvDone();
        HandoffSpin.spun(t0, i, done);
        if (!done) {
            sg.announcePark();
        }
    }

    private static final AtomicLong IDS = new AtomicLong();
    @SuppressWarnings("rawtypes")
    private static final Chan NIL = new Chan<>(0, true, null, false);

    private final int dataqsiz;
    /** select.go: sortkey. Creation order; locks of several channels are taken in id order. */
    final long id;
    final boolean isNil;
    private int qcount;
    private int sendx;
    private int recvx;
    /** hchan's recvq and sendq, both ends of each. Only WaitQ touches them; it says why they are here. */
    Sudog recvqFirst, recvqLast, sendqFirst, sendqLast;
    // After the queues: HotSpot lays references out in declaration order, so the fields an
    // operation writes (qcount .. sendqLast) span 36 bytes, not 40 (WaitQ).
    private final Object[] buf;
    /**
     * hchan.timer (Go 1.23): this channel belongs to a Timer or Ticker, which its ring keeps
     * one past its slots (buf[dataqsiz]; {@link #timer}). A flag in the header's padding and
     * a spare slot, not a field: a Chan stays 64 bytes, and a plain channel's whole cost of
     * timer channels is one read of a byte next to isNil per receive and select case.
     */
    final boolean isTimer;
    /**
     * Go's {@code <-chan T}: a Context's done channel and a Timer's or Ticker's. Go refuses a
     * send or close on one at compile time; here they panic, since either would corrupt the
     * owner (a context whose done() a user closed is never cancelled, nor are its children).
     * The owner closes it through ChanBridge and the runtime's timers send through it. Another
     * byte of the header's padding: a Chan stays 64 bytes.
     */
    final boolean recvOnly;
    private volatile boolean closed;
    private volatile int lockState;

    private Chan(int cap, boolean isNil, ChanBridge.Timer timer, boolean recvOnly) {
        this.dataqsiz = cap;
        this.recvOnly = recvOnly;
        this.buf = timer != null ? new Object[cap + 1] : cap == 0 ? null : new Object[cap];
        if (timer != null) {
            buf[cap] = timer;
        }
        this.isTimer = timer != null;
        this.isNil = isNil;
        this.id = isNil ? -1 : IDS.getAndIncrement();
    }

    /** The Timer or Ticker of a timer's channel ({@link #isTimer}). */
    ChanBridge.Timer timer() {
        return (ChanBridge.Timer) buf[dataqsiz];
    }

    /**
     * chan.go: makechan's maxAlloc for a ring of references: the JDK's largest array length
     * that every VM can allocate (jdk.internal.util.ArraysSupport.SOFT_MAX_ARRAY_LENGTH).
     * HotSpot refuses Integer.MAX_VALUE - 1 and more outright ("Requested array size exceeds
     * VM limit"), an OutOfMemoryError that would end the program as "runtime: out of memory".
     */
    private static final int MAX_CAP = Integer.MAX_VALUE - 8;

    /**
     * chan.go: makechan. {@code make(chan T, cap)}; 0 is unbuffered. Panics "makechan: size out
     * of range" for a negative cap, or one no buffer can be allocated for (above
     * {@code Integer.MAX_VALUE - 8}, as Go's above maxAlloc).
     */
    public static <T> Chan<T> make(int cap) {
        if (cap < 0 || cap > MAX_CAP) {
            throw new GoPanic("makechan: size out of range");
        }
        return new Chan<>(cap, false, null, false);
    }

    /** An unbuffered channel: {@code make(chan T)}. */
    public static <T> Chan<T> make() {
        return make(0);
    }

    /**
     * Go's nil channel: send and receive block forever, close panics, and a select case on it
     * is never chosen (the way to disable a case).
     */
    @SuppressWarnings("unchecked")
    public static <T> Chan<T> nil() {
        return (Chan<T>) NIL;
    }

    // ---- send ----------------------------------------------------------------------------

    /** {@code ch <- v}: blocks until a receiver takes {@code v} or the buffer has room. */
    public void send(T v) {
        Park.checkPreempt();
        if (recvOnly) {
            throw receiveOnly("send to");
        }
        chansend(v, true);
    }

    /**
     * {@code select { case ch <- v: return true; default: return false }}: never blocks
     * (beyond the channel lock's few-nanosecond critical section). Panics on a closed channel
     * as Go does.
     */
    public boolean trySend(T v) {
        Park.checkPreempt(); // selectnbsend's prologue: a polling loop yields at its slice's end
        if (recvOnly) {
            throw receiveOnly("send to");
        }
        return chansend(v, false);
    }

    /** chan.go: chansend. Any thread. */
    private boolean chansend(Object v, boolean block) {
        if (isNil) {
            if (!block) {
                return false;
            }
            parkForever(WaitReason.CHAN_SEND_NIL_CHAN);
        }
        // Fast path for a failing non-blocking send, without the lock. Linearizable as in
        // Go: "not closed" then "not ready" are two reads, and a closed channel never becomes
        // not-ready again, so there was a moment when it was open and full; we answer as of
        // that moment.
        if (!block && !closed && full()) {
            return false;
        }
        lock();
        if (closed) {
            unlock();
            throw new GoPanic("send on closed channel");
        }
        Sudog sg = WaitQ.dequeue(this, WaitQ.RECVQ);
        if (sg != null) {
            // chan.go: send. A receiver waits: hand v straight to it, bypassing the buffer.
            sg.elem = v;
            unlock();
            sg.success = true;
            sg.goready();
            return true;
        }
        if (qcount < dataqsiz) {
            bufPut(v);
            unlock();
            return true;
        }
        if (!block) {
            unlock();
            return false;
        }
        return parkSend(v);
    }

    /**
     * chansend's blocking part (gopark until a receiver or close completes our sudog; the wake-up
     * protocol). Lock held on entry, dropped here. Out of chansend so that the fast paths stay
     * small enough to inline into send; the park frames are then send+chansend and this.
     * Its wait loop is parkRecv's, kept as a copy: a shared helper would be one more frame in
     * every parked goroutine's stack chunk (docs/BENCHMARKS.md, memory per parked goroutine).
     */
    private boolean parkSend(Object v) {
        Sudog mysg = Sudog.acquire(SudogCache.current(), v);
        boolean spin = dataqsiz == 0 && HandoffSpin.shouldSpin();
        mysg.parking = !spin; // see Sudog.parking
        WaitQ.enqueue(this, WaitQ.SENDQ, mysg);
        unlock();
        if (spin) {
            spinForPartner(mysg);
        }
        if (!mysg.lvDone()) {
            long t0 = Contention.blockRate > 0 ? System.nanoTime() : 0; // the block profile (chan.go: blockevent)
            boolean interrupted = false;
            do {
                if (Park.park(this, WaitReason.CHAN_SEND)) {
                    interrupted = true; // Go has no interrupts: keep waiting, re-assert after.
                }
            } while (!mysg.lvDone());
            if (t0 != 0) {
                Contention.event(System.nanoTime() - t0, Contention.BLOCK);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        boolean ok = mysg.success;
        Sudog.release(SudogCache.current(), mysg);
        if (!ok) {
            // closechan woke us: "senders blocked when the channel closes panic".
            throw new GoPanic("send on closed channel");
        }
        return true;
    }

    // ---- receive -------------------------------------------------------------------------

    /** {@code v := <-ch}: the next value, or null (Go's zero value) once closed and drained. */
    @SuppressWarnings("unchecked")
    public T recv() {
        Park.checkPreempt();
        Object r = chanrecv(true);
        return r == CLOSED ? null : (T) r;
    }

    /** {@code v, ok := <-ch}: ok is false once the channel is closed and drained. */
    @SuppressWarnings("unchecked")
    public Recv<T> recvOk() {
        Park.checkPreempt();
        Object r = chanrecv(true);
        return r == CLOSED ? new Recv<>(null, false) : new Recv<>((T) r, true);
    }

    /**
     * {@code select { case v, ok := <-ch: ...; default: }}: never blocks. Returns null when
     * nothing is ready, {@code Recv(null, false)} when closed and drained, else the value.
     */
    @SuppressWarnings("unchecked")
    public Recv<T> tryRecv() {
        Park.checkPreempt(); // selectnbrecv's prologue, as trySend
        Object r = chanrecv(false);
        if (r == NOT_READY) {
            return null;
        }
        return r == CLOSED ? new Recv<>(null, false) : new Recv<>((T) r, true);
    }

    /**
     * chan.go: chanrecv. Returns the value, {@link #CLOSED} (closed and drained) or, when
     * {@code !block}, {@link #NOT_READY}. Any thread.
     */
    Object chanrecv(boolean block) {
        if (isNil) {
            if (!block) {
                return NOT_READY;
            }
            parkForever(WaitReason.CHAN_RECEIVE_NIL_CHAN);
        }
        if (isTimer) {
            // chan.go 1.23: a due timer sends now, so this receive finds its value. Before
            // our lock: the timer's lock nests outside it.
            timer().maybeRunChan(this);
        }
        // Fast path for a non-blocking receive, without the lock (chan.go's reasoning):
        //   - empty, then not closed: a channel never reopens, so it was open at the moment
        //     we saw it empty; answer "not ready" as of that moment.
        //   - empty, then closed: re-check empty, because a send may have landed between the
        //     two reads (T1: reads empty; T2: send, close; T1: reads closed). The acquire
        //     read of closed sees T2's send, which happened before its close.
        //   Both reads are acquire: seeing a drained qcount (release) implies seeing the
        //   close that preceded the drain, so "open and empty" cannot be a reordering.
        if (!block && empty()) {
            if (!closed) {
                return NOT_READY;
            }
            if (empty()) {
                return CLOSED;
            }
        }
        lock();
        if (closed) {
            if (qcount == 0) {
                unlock();
                return CLOSED;
            }
            // Closed, but the buffer still has data: drain it first.
        } else {
            Sudog sg = WaitQ.dequeue(this, WaitQ.SENDQ);
            if (sg != null) {
                Object v = recvFromSender(sg);
                unlock();
                sg.success = true;
                sg.goready();
                return v;
            }
        }
        if (qcount > 0) {
            Object v = bufTake();
            unlock();
            return v;
        }
        if (!block) {
            unlock();
            return NOT_READY;
        }
        return parkRecv();
    }

    /**
     * chanrecv's blocking part: gopark until a sender or close completes our sudog (the wake-up
     * protocol). Lock held on entry, dropped here. Out of chanrecv so that the fast paths stay
     * small enough to inline into recv; the park frames are then recv+chanrecv and this (each
     * frame between recv and the park is copied into every parked goroutine's stack chunk).
     */
    private Object parkRecv() {
        Sudog mysg = Sudog.acquire(SudogCache.current(), null);
        boolean spin = dataqsiz == 0 && HandoffSpin.shouldSpin();
        mysg.parking = !spin; // see Sudog.parking
        WaitQ.enqueue(this, WaitQ.RECVQ, mysg);
        unlock();
        if (spin) {
            spinForPartner(mysg);
        }
        if (!mysg.lvDone()) {
            long t0 = Contention.blockRate > 0 ? System.nanoTime() : 0; // the block profile (chan.go: blockevent)
            boolean interrupted = false;
            do {
                if (Park.park(this, WaitReason.CHAN_RECEIVE)) {
                    interrupted = true; // Go has no interrupts: keep waiting, re-assert after.
                }
            } while (!mysg.lvDone());
            if (t0 != 0) {
                Contention.event(System.nanoTime() - t0, Contention.BLOCK);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Object v = mysg.success ? mysg.elem : CLOSED;
        Sudog.release(SudogCache.current(), mysg);
        return v;
    }

    // ---- close, len, cap -----------------------------------------------------------------

    /**
     * chan.go: closechan. Receivers drain the buffer and then get (null, false); blocked
     * senders panic. Panics on a closed or nil channel, and on a receive-only one (a Timer's,
     * a Ticker's or a Context's).
     */
    public void close() {
        if (isNil) {
            throw new GoPanic("close of nil channel");
        }
        if (recvOnly) {
            throw receiveOnly("close of");
        }
        closechan();
    }

    /**
     * Go's compile-time refusal of {@code ch <- v} and {@code close(ch)} on a {@code <-chan T},
     * as a panic. Closed, a timer's channel would make the timer's next send panic on an M (a
     * fatal error) or in a receive that runs it.
     */
    private GoPanic receiveOnly(String what) {
        return new GoPanic(isTimer ? what + " a Timer's or Ticker's channel" : what + " receive-only channel");
    }

    /** chan.go: closechan, for the owner too (a context's done: ChanBridge). */
    private void closechan() {
        lock();
        if (closed) {
            unlock();
            throw new GoPanic("close of closed channel");
        }
        closed = true;
        Sudog glist = null;
        // Release all readers: they get (null, false).
        for (Sudog sg; (sg = WaitQ.dequeue(this, WaitQ.RECVQ)) != null; ) {
            sg.elem = null;
            sg.success = false;
            sg.next = glist; // dequeued: next is free until goready
            glist = sg;
        }
        // Release all writers: they will panic.
        for (Sudog sg; (sg = WaitQ.dequeue(this, WaitQ.SENDQ)) != null; ) {
            sg.elem = null;
            sg.success = false;
            sg.next = glist; // dequeued: next is free until goready
            glist = sg;
        }
        unlock();
        // Ready all Gs now that the lock is dropped. next is ours alone: a dequeued sudog is
        // touched by nobody else until its goready, after which it may be reused.
        while (glist != null) {
            Sudog sg = glist;
            glist = sg.next;
            sg.next = null;
            sg.goready();
        }
    }

    /**
     * {@code len(ch)}: values buffered now (a racy snapshot, as in Go). 0 for a Timer's or
     * Ticker's channel, as in Go 1.23 (chan.go: chanlen).
     */
    public int len() {
        return isNil || isTimer ? 0 : lvQcount();
    }

    /**
     * {@code cap(ch)}. 0 for a Timer's or Ticker's channel, as in Go 1.23 (chan.go: chancap):
     * it holds one value inside but presents as unbuffered.
     */
    public int cap() {
        return isTimer ? 0 : dataqsiz;
    }

    // ---- select cases and range ----------------------------------------------------------

    /** {@code case v := <-ch:} — {@code f} (may be null) gets the value, or null once closed. */
    public Select.Case onRecv(Consumer<? super T> f) {
        return Select.Case.recv(this, f, null);
    }

    /** {@code case v, ok := <-ch:} — {@code f} (may be null) gets the value and ok. */
    public Select.Case onRecvOk(BiConsumer<? super T, Boolean> f) {
        return Select.Case.recv(this, null, f);
    }

    /** {@code case ch <- v:} — {@code f} (may be null) runs after the send. */
    public Select.Case onSend(T v, Runnable f) {
        if (recvOnly) {
            throw receiveOnly("send to");
        }
        return Select.Case.send(this, v, f);
    }

    /** {@code for v := range ch}: receives until the channel is closed and drained. */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private Object next;
            private boolean fetched;

            @Override
            public boolean hasNext() {
                if (!fetched) {
                    Park.checkPreempt();
                    next = chanrecv(true);
                    fetched = true;
                }
                return next != CLOSED;
            }

            @Override
            @SuppressWarnings("unchecked")
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("range: channel closed");
                }
                fetched = false;
                return (T) next;
            }
        };
    }

    @Override
    public String toString() {
        return isNil ? "chan(nil)" : "chan#" + id + "(len " + len() + ", cap " + cap() + (closed ? ", closed)" : ")");
    }

    // ---- internals used by Select (all "lock held" unless stated) ------------------------

    boolean isClosed() {
        return closed;
    }

    /** chan.go: full. Racy; used only by the non-blocking fast path. Any thread. */
    private boolean full() {
        if (dataqsiz == 0) {
            return WaitQ.lvFirst(this, WaitQ.RECVQ) == null;
        }
        return lvQcount() == dataqsiz;
    }

    /** chan.go: empty. Racy; used only by the non-blocking fast path. Any thread. */
    private boolean empty() {
        if (dataqsiz == 0) {
            return WaitQ.lvFirst(this, WaitQ.SENDQ) == null;
        }
        return lvQcount() == 0;
    }

    /** No ring: a rendezvous channel. Not cap() == 0: a timer's channel has cap 0 and a 1-slot ring. */
    boolean unbuffered() {
        return dataqsiz == 0;
    }

    boolean hasRoom() {
        return qcount < dataqsiz;
    }

    boolean hasData() {
        return qcount > 0;
    }

    /** Append to the ring. Lock held; qcount < dataqsiz. */
    void bufPut(Object v) {
        assert qcount < dataqsiz : "bufPut: full";
        buf[sendx] = v;
        if (++sendx == dataqsiz) {
            sendx = 0;
        }
        soQcount(qcount + 1);
    }

    /** Take the ring's head. Lock held; qcount > 0. */
    Object bufTake() {
        assert qcount > 0 : "bufTake: empty";
        Object v = buf[recvx];
        buf[recvx] = null;
        if (++recvx == dataqsiz) {
            recvx = 0;
        }
        soQcount(qcount - 1);
        return v;
    }

    /**
     * chan.go: recv, the part under the lock. {@code sg} is a dequeued blocked sender, so the
     * channel is unbuffered or its buffer is full: the receiver gets the sender's value
     * (unbuffered) or the ring's head, and the sender's value takes the freed slot, which is
     * the tail (the ring is full, so head and tail are the same slot). Lock held; the caller
     * unlocks, then sets success and readies {@code sg}.
     */
    Object recvFromSender(Sudog sg) {
        Object v;
        if (dataqsiz == 0) {
            v = sg.elem;
        } else {
            assert qcount == dataqsiz : "recvFromSender: sender waits on a non-full buffer";
            v = buf[recvx];
            buf[recvx] = sg.elem;
            if (++recvx == dataqsiz) {
                recvx = 0;
            }
            sendx = recvx;
        }
        sg.elem = null;
        return v;
    }

    /**
     * chan.go: timerchandrain (Go 1.23): takes the buffered value, if any, for a Stop or Reset
     * holding the timer's lock, so not through chanrecv, which would run the timer and take
     * that lock again. Any thread. True if a value was taken.
     */
    boolean timerchandrain() {
        if (lvQcount() == 0) { // racy, as Go's: a value sent after this read is the next arming's
            return false;
        }
        lock();
        if (qcount == 0) {
            unlock();
            return false;
        }
        // The full buffer may hold up a sender: chanrecv's exchange keeps hchan's invariants.
        // (Go's t.C is receive-only; here a program can send on it.)
        Sudog sg = WaitQ.dequeue(this, WaitQ.SENDQ); // none once closed
        if (sg != null) {
            recvFromSender(sg);
            unlock();
            sg.success = true;
            sg.goready();
            return true;
        }
        bufTake();
        unlock();
        return true;
    }

    /** Sudogs queued in sendq (which = 0) or recvq (which = 1). Takes the lock; test hook. */
    int waiting(int which) {
        lock();
        try {
            return WaitQ.size(this, which == 0 ? WaitQ.SENDQ : WaitQ.RECVQ);
        } finally {
            unlock();
        }
    }

    /** proc.go: gopark with no way back (nil channels, empty select). Any thread. */
    static void parkForever(WaitReason reason) {
        for (;;) {
            Park.park(NIL, reason); // clears an interrupt, which would end the next park at once; Go has none
        }
    }

    // ---- the channel lock (runtime2.go: mutex; lock_futex.go: lock2/unlock2) -------------

    /** Any thread. Never held across a park or a wake-up. */
    void lock() {
        if (!LOCK.compareAndSet(this, 0, 1)) { // acquire; pairs with unlock's release
            lockSlow();
        }
    }

    /**
     * lock for a caller that already holds another channel's lock (select's sellock): spins
     * and never yields or parks. A goroutine that unmounted while holding a channel lock could
     * leave an M (a timer callback's trySend) spinning on that lock with no M left to run the
     * holder; Go's runtime locks make the holder non-preemptible for the same reason.
     */
    void lockHoldingOthers() {
        while (!LOCK.compareAndSet(this, 0, 1)) { // acquire; pairs with unlock's release
            Thread.onSpinWait();
        }
    }

    /** Outlined so that {@link #lock} inlines into the fast path. */
    private void lockSlow() {
        // The mutex profile (lock_futex.go: lock2's contention, Go 1.22's runtime-lock
        // profiling with GODEBUG=runtimecontentionstacks=1): one static read while it is off.
        // A sampled wait takes its stack now, before waiting (~20 us), so that the critical
        // section it then enters is not lengthened (Contention.LockWait).
        int rate = Contention.mutexRate;
        Contention.LockWait w = rate > 0 ? Contention.lockWait(rate, () -> lockState != 0) : null;
        long sleepNanos = LOCK_SLEEP_MIN_NANOS;
        for (int spins = 0; ; spins++) {
            if (lockState == 0 && LOCK.compareAndSet(this, 0, 1)) {
                if (w != null) {
                    w.end();
                }
                return;
            }
            if (spins < LOCK_SPINS) {
                Thread.onSpinWait();
            } else if (spins < LOCK_SPINS + LOCK_YIELDS) {
                // The holder is not running (holders never park): the OS descheduled its
                // thread, maybe onto this CPU. Give the CPU up at the OS level, as Go's lock2
                // osyields: a goroutine yield would run our P's next G here, which contends
                // too, and leave the holder waiting for a CPU.
                Park.osyield();
            } else {
                // Still held: sleep this M, its G mounted and its P kept, as Go's lock2
                // futex-sleeps, with a doubling back-off; not a goroutine's park, which costs a
                // JDK timer and a switch each time and frees the P for more contenders (W4,
                // docs/BENCHMARKS.md, 2026-12-05 (7)). Guarded by W2/W4/W7 in `./gmp4j bench`.
                Park.ossleep(sleepNanos);
                sleepNanos = Math.min(2 * sleepNanos, LOCK_SLEEP_MAX_NANOS);
            }
        }
    }

    void unlock() {
        assert lockState == 1 : "unlock: not locked";
        LOCK.setRelease(this, 0); // pairs with the CAS in lock
    }

    private int lvQcount() {
        return (int) QCOUNT.getAcquire(this); // pairs with soQcount
    }

    private void soQcount(int n) {
        QCOUNT.setRelease(this, n); // pairs with lvQcount
    }

    private static final VarHandle LOCK;
    private static final VarHandle QCOUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOCK = l.findVarHandle(Chan.class, "lockState", int.class);
            QCOUNT = l.findVarHandle(Chan.class, "qcount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        ChanBridge.install(new ChanBridge.Ops() {
            @Override
            public boolean trySend(Object c, Object v) {
                return ((Chan<?>) c).chansend(v, false);
            }

            @Override
            public boolean drain(Object c) {
                return ((Chan<?>) c).timerchandrain();
            }

            @Override
            public Object makeTimerChan(int cap, ChanBridge.Timer t) {
                return new Chan<>(cap, false, t, true);
            }

            @Override
            public Object makeReceiveOnly(int cap) {
                return new Chan<>(cap, false, null, true);
            }

            @Override
            public void closeReceiveOnly(Object c) {
                ((Chan<?>) c).closechan();
            }
        });
    }
}
