package io.gmp4j.internal.runtime;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * proc.go: templateThread and newmHandoff. A new thread is cloned from the thread that starts
 * it: pthread_create shares its fs (working directory, umask, after an unshare) and copies its
 * signal mask, CPU affinity, scheduling policy and namespaces. A locked goroutine may have
 * changed any of those on its M (that is what locking is for), so an M needed while the caller
 * runs on a locked M, in its goroutine or in the M's own scheduler code as the goroutine waits
 * or ends, is started by this thread instead, which was started from a known-good thread
 * (Go.lockOSThread starts it before it wires its first goroutine, as runtime.LockOSThread
 * does). A gmp4j helper thread: the deadlock check does not count it.
 */
final class TemplateThread {
    private TemplateThread() {}

    private static volatile Thread thread;
    /** proc.go: newmHandoff.newm. Ms built and registered (allm, their P) but not started. */
    private static final ConcurrentLinkedQueue<M> newm = new ConcurrentLinkedQueue<>();

    /** proc.go: startTemplateThread. The caller's thread must be clean: not a locked M. */
    static void start() {
        if (thread != null) {
            return;
        }
        synchronized (TemplateThread.class) {
            if (thread == null) {
                reserve();
                Thread t;
                try {
                    t = RuntimeApi.newHelperThread("gmp4j-template", TemplateThread::loop);
                    io.gmp4j.internal.pprof.ThreadCreate.record(t);
                    t.start();
                } catch (Throwable e) { // no thread (out of memory): it counts no more, a retry reserves again
                    unreserve();
                    throw e;
                }
                thread = t;
            }
        }
    }

    /**
     * proc.go: startTemplateThread's newm -> mReserveID: the thread counts against
     * debug.SetMaxThreads from now on, and starting it past the limit is Go's crash.
     */
    private static void reserve() {
        boolean over;
        Sched.lock.lock();
        try {
            Sched.helperThreads++;
            over = Sched.mcount.get() + Sched.helperThreads > Sched.maxmcount; // checkmcount
        } finally {
            Sched.lock.unlock();
        }
        if (over) {
            Panics.threadExhaustion(Sched.maxmcount); // printed outside sched.lock, as startm's
        }
    }

    private static void unreserve() {
        Sched.lock.lock();
        try {
            Sched.helperThreads--;
        } finally {
            Sched.lock.unlock();
        }
    }

    /**
     * proc.go: newm's check. Whether the caller runs on a locked M: its locked goroutine, or the
     * M's own code while that goroutine waits or after it ended (lockedg stays set as the M exits).
     */
    static boolean onLockedThread() {
        M mp = M.current();
        return mp != null && mp.lockedg != null;
    }

    /** proc.go: newm's hand-off: the template thread starts mp. Any thread. */
    static void newm(M mp) {
        Thread t = thread;
        if (t == null) {
            Panics.fatal("on a locked thread with no template thread", null);
        }
        newm.add(mp);
        LockSupport.unpark(t);
    }

    private static void loop() {
        for (;;) {
            M mp;
            while ((mp = newm.poll()) != null) {
                try {
                    mp.start();
                } catch (Throwable e) {
                    Panics.runtimeThrow("newm", e); // as an M started in place would throw to startm's caller
                }
            }
            LockSupport.park(); // newm's unpark comes after its add: none is missed
        }
    }
}
