package io.gmp4j.sync;

import io.gmp4j.Go;
import io.gmp4j.GoPanic;
import io.gmp4j.internal.runtime.Goexit;
import io.gmp4j.internal.runtime.WaitReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Go's {@code sync.WaitGroup}: waits for a collection of goroutines to finish. {@link #add} sets
 * the number to wait for, each finishes with {@link #done}, and {@link #await} (Go's {@code Wait};
 * {@code Object.wait} is final) blocks until the counter is zero. {@link #go} (Go 1.25's
 * {@code WaitGroup.Go}) does the three in one: it adds a task and starts it in a goroutine that
 * calls done when the task returns.
 */
public final class WaitGroup {
    /*
     * Go file and functions: sync/waitgroup.go: Add, Done, Wait.
     *
     * state (one long, CAS/getAndAdd only): high 32 bits = counter (signed), low 32 bits = waiters.
     *
     *   add(d):  state += d << 32 (one atomic add, so done() is one getAndAdd).
     *            counter < 0                       -> panic "sync: negative WaitGroup counter"
     *            waiters > 0, d > 0, counter == d  -> panic (Add called concurrently with Wait)
     *            counter > 0 or waiters == 0       -> done
     *            counter == 0 and waiters > 0      -> we are the last done(): no one may change
     *              state now (a concurrent add or await is misuse, detected by re-reading it);
     *              reset state to 0, then release sema once per waiter.
     *   await(): counter == 0 -> return; else CAS waiters+1 and park on sema (wait reason
     *            sync.WaitGroup.Wait). On waking, state must be 0: the waker reset it before
     *            releasing; anything else means add() started the next round before this await
     *            returned -> panic "sync: WaitGroup is reused before previous Wait has returned".
     *   go(f):   add(1), then a new goroutine runs f and calls done() when f returns or Goexits;
     *            when f panics it does not (Go 1.26's waitgroup.go: Go; Go 1.25.0 deferred Done):
     *            a done() would let await return, and the program exit, before the crash report.
     */
    private volatile long state;
    private final Sema sema = new Sema();

    /** A WaitGroup with a zero counter (Go's zero value). */
    public WaitGroup() {}

    /** waitgroup.go: Add. {@code delta} may be negative. */
    public void add(int delta) {
        long s = (long) STATE.getAndAdd(this, (long) delta << 32) + ((long) delta << 32);
        int v = (int) (s >> 32);
        int w = (int) s;
        if (v < 0) {
            throw new GoPanic("sync: negative WaitGroup counter");
        }
        if (w != 0 && delta > 0 && v == delta) {
            throw new GoPanic("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        if (v > 0 || w == 0) {
            return;
        }
        releaseWaiters(s, w);
    }

    /** The counter reached 0 with w waiters: reset and wake them (outlined slow path). */
    private void releaseWaiters(long s, int w) {
        // This goroutine has set counter to 0 when waiters > 0. Now there can't be concurrent
        // mutations of state: adds must not happen concurrently with Wait, and Wait does not
        // increment waiters if it sees counter == 0. Still do a cheap sanity check (waitgroup.go).
        if (state != s) {
            throw new GoPanic("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        state = 0; // reset waiters to 0
        for (; w != 0; w--) {
            sema.release(false);
        }
    }

    /** waitgroup.go: Done. */
    public void done() {
        add(-1);
    }

    /** waitgroup.go: Wait. Blocks until the counter is zero. */
    public void await() {
        for (;;) {
            long s = state;
            int v = (int) (s >> 32);
            if (v == 0) {
                return; // counter is 0, no need to wait
            }
            // Increment the waiters count.
            if (STATE.compareAndSet(this, s, s + 1)) {
                sema.acquire(false, WaitReason.SYNC_WAITGROUP_WAIT);
                if (state != 0) {
                    throw new GoPanic("sync: WaitGroup is reused before previous Wait has returned");
                }
                return;
            }
        }
    }

    /**
     * waitgroup.go: Go (Go 1.25). Calls {@code f} in a new goroutine and adds that task to the
     * group: {@code add(1)}, then the goroutine calls {@link #done} when f returns or ends
     * through {@link Go#goexit}. The return from f happens before the return of any
     * {@link #await} it unblocks. If the group is empty, go must happen before an await (call
     * it to start tasks before awaiting them); a task may itself call go on its group.
     *
     * <p>f must not panic. If it throws, done is not called, as in Go since 1.26: the panic
     * crashes the program as any goroutine's does, and an await cannot return (and let the
     * program exit) before the crash is reported. Under a {@link Go#setPanicHandler handler}
     * that returns, the task stays counted.
     */
    public void go(Runnable f) {
        add(1);
        Go.go(() -> {
            try {
                f.run();
            } catch (Throwable t) {
                if (Goexit.isGoexit(t)) {
                    done(); // ended abruptly by Goexit: the task is over all the same
                }
                throw t; // a panic: no done, the crash comes first
            }
            done();
        });
    }

    /** Test hook: the counter (racy). */
    int counterForTest() {
        return (int) (state >> 32);
    }

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(WaitGroup.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
