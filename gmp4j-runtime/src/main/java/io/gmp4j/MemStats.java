package io.gmp4j;

import io.gmp4j.internal.runtime.Mem;

/**
 * runtime.MemStats, filled by {@link Go#readMemStats()} from the JVM's memory, collector and
 * thread beans. The fields carry Go's names (and Go's uint64 as long); the JVM's collector is
 * not Go's, so several are approximations or zero, each said below and in docs/DIVERGENCES.md.
 * A snapshot: the arrays belong to the caller.
 */
@SuppressWarnings("checkstyle:MemberName")
public final class MemStats {
    /** Heap bytes in use (the heap pools' used sum), as HeapAlloc. */
    public final long Alloc;
    /** Bytes allocated so far by all threads (com.sun.management.ThreadMXBean.getTotalThreadAllocatedBytes); 0 where the JVM does not count. */
    public final long TotalAlloc;
    /** Bytes the JVM has committed: heap plus non-heap (metaspace, code cache); thread stacks and GC structures not included. */
    public final long Sys;
    /** Always 0: the JVM does not count allocations or frees. */
    public final long Lookups = 0, Mallocs = 0, Frees = 0, HeapObjects = 0;
    /** Heap bytes in use. */
    public final long HeapAlloc;
    /** The committed heap. */
    public final long HeapSys;
    /** Committed but unused heap (HeapSys - HeapInuse). */
    public final long HeapIdle;
    /** Heap bytes in use (as HeapAlloc). */
    public final long HeapInuse;
    /** Always 0: memory the JVM uncommits leaves HeapSys rather than showing here. */
    public final long HeapReleased = 0;
    /** An estimate: NumGoroutine x 2 KiB (Go's smallest stack); a virtual thread's stack is a heap object, counted in HeapAlloc. */
    public final long StackInuse;
    /** As StackInuse. */
    public final long StackSys;
    /** The committed heap: the size at which the JVM must collect or grow (Go: the next cycle's heap goal). */
    public final long NextGC;
    /** When the last pause collection ended, Unix nanoseconds; 0 before the first one seen (see PauseNs). */
    public final long LastGC;
    /** Total pause time of the collector's pause beans (G1 young and full, ZGC/Shenandoah pauses), ns, millisecond resolution. */
    public final long PauseTotalNs;
    /** Recent pauses, ns, ring indexed (NumGC+255)%256 as Go's; only pauses seen since the first readMemStats call. */
    public final long[] PauseNs;
    /** End times of the pauses in PauseNs, Unix nanoseconds. */
    public final long[] PauseEnd;
    /** Completed collections (G1/Serial/Parallel: young and full; ZGC/Shenandoah: cycles). */
    public final int NumGC;
    /** Go.gc() and Debug.freeOSMemory() calls. */
    public final int NumForcedGC;
    /** The share of wall-clock time since start-up the collector beans report as collecting (not CPU time). */
    public final double GCCPUFraction;
    /** Always true: the JVM always collects. */
    public final boolean EnableGC = true;
    /** Always false. */
    public final boolean DebugGC = false;

    MemStats(Mem.Snapshot s) {
        Alloc = s.alloc();
        TotalAlloc = s.totalAlloc();
        Sys = s.sys();
        HeapAlloc = s.alloc();
        HeapSys = s.heapSys();
        HeapIdle = s.heapIdle();
        HeapInuse = s.heapInuse();
        StackInuse = s.stackInuse();
        StackSys = s.stackInuse();
        NextGC = s.nextGC();
        LastGC = s.lastGC();
        PauseTotalNs = s.pauseTotalNs();
        PauseNs = s.pauseNs();
        PauseEnd = s.pauseEnd();
        NumGC = s.numGC();
        NumForcedGC = s.numForcedGC();
        GCCPUFraction = s.gcCPUFraction();
    }

    @Override
    public String toString() {
        return "MemStats{Alloc=" + Alloc + " TotalAlloc=" + TotalAlloc + " Sys=" + Sys + " HeapSys=" + HeapSys
                + " HeapIdle=" + HeapIdle + " NextGC=" + NextGC + " NumGC=" + NumGC + " NumForcedGC=" + NumForcedGC
                + " PauseTotalNs=" + PauseTotalNs + " GCCPUFraction=" + GCCPUFraction + "}";
    }
}
