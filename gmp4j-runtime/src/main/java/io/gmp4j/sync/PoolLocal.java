package io.gmp4j.sync;

import io.gmp4j.internal.runtime.RuntimeMutex;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * One per-P shard of a Pool: pool.go's poolLocalInternal (private + shared) with poolqueue.go's
 * poolChain replaced by a small lock-protected ring.
 *
 * Why not Go's lock-free single-producer chain: Go pins the goroutine to its P (procPin) while it
 * touches its shard, so the shard has exactly one producer. We cannot pin: Procs.currentPid() is
 * a hint, and sysmon may hand our P to another M while we run, so two goroutines can both act as
 * "owner" of a shard. The private slot therefore uses getAndSet/compareAndSet, and the shared
 * ring a RuntimeMutex that is uncontended in the common case (one goroutine per P at a time).
 *
 * Ends (as poolChain): the owner pushes and pops at the head (LIFO: the most recently put object
 * is the warmest); other shards' getSlow and the victim scan take from the tail (the oldest).
 *
 * Fields: privateObj: getAndSet/CAS (any thread). buf/first/size: the lock; size is also read
 * without it as an emptiness hint (benign: a racing Get may miss an object, which Go allows).
 * Padding on both sides keeps shards of neighbouring Ps off each other's cache lines (pool.go
 * pads poolLocal to 128 bytes for the same reason).
 */
abstract class PoolLocalPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
}

abstract class PoolLocalFields extends PoolLocalPad0 {
    volatile Object privateObj;
    final RuntimeMutex lock = new RuntimeMutex();
    Object[] buf = new Object[8];
    int first;
    volatile int size;
}

final class PoolLocal extends PoolLocalFields {
    long p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;

    /** pool.go: Get's "x := l.private; l.private = nil". Any thread. */
    Object takePrivate() {
        return privateObj == null ? null : PRIVATE.getAndSet(this, null);
    }

    /** pool.go: Put's "if l.private == nil { l.private = x }". Any thread. */
    boolean offerPrivate(Object x) {
        return privateObj == null && PRIVATE.compareAndSet(this, null, x);
    }

    /** poolqueue.go: poolChain.pushHead. */
    void pushHead(Object x) {
        lock.lock();
        int n = size;
        if (n == buf.length) {
            grow();
        }
        buf[(first + n) & (buf.length - 1)] = x;
        size = n + 1;
        lock.unlock();
    }

    /** poolqueue.go: poolChain.popHead. */
    Object popHead() {
        if (size == 0) { // benign racy emptiness hint (class comment)
            return null;
        }
        lock.lock();
        Object x = null;
        int n = size;
        if (n > 0) {
            int i = (first + n - 1) & (buf.length - 1);
            x = buf[i];
            buf[i] = null;
            size = n - 1;
        }
        lock.unlock();
        return x;
    }

    /** poolqueue.go: poolChain.popTail. */
    Object popTail() {
        if (size == 0) { // benign racy emptiness hint (class comment)
            return null;
        }
        lock.lock();
        Object x = null;
        int n = size;
        if (n > 0) {
            x = buf[first];
            buf[first] = null;
            first = (first + 1) & (buf.length - 1);
            size = n - 1;
        }
        lock.unlock();
        return x;
    }

    /** Doubles the ring (poolChain adds a node twice the size). Lock held. */
    private void grow() {
        Object[] next = new Object[buf.length * 2];
        for (int i = 0; i < size; i++) {
            next[i] = buf[(first + i) & (buf.length - 1)];
        }
        buf = next;
        first = 0;
    }

    private static final VarHandle PRIVATE;

    static {
        try {
            PRIVATE = MethodHandles.lookup().findVarHandle(PoolLocalFields.class, "privateObj", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
