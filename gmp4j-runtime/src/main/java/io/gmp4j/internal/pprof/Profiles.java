package io.gmp4j.internal.pprof;

import io.gmp4j.GoPanic;
import io.gmp4j.internal.runtime.Procs;
import io.gmp4j.internal.runtime.Traceback;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * runtime/pprof's profiles (pprof.go: profiles, NewProfile, Lookup, Profiles): the six built-in
 * ones and those the program made, by name. Both io.gmp4j.pprof's Profile.writeTo and the debug
 * server's handlers write a profile through its {@link Entry#write}, so both give the same bytes.
 * The registry only grows, as Go's (no profile is ever removed).
 */
public final class Profiles {
    private Profiles() {}

    /** pprof.go: profiles.m; guarded by itself (Go's profiles.mu). */
    private static final Map<String, Entry> BY_NAME = new TreeMap<>();

    /** The frame of an Add whose skip left no stack (pprof.go: lostProfileEvent). */
    static final StackTraceElement LOST = new StackTraceElement("io.gmp4j.pprof.Profile", "lostProfileEvent", null, -1);

    /** proc.go/m.createstack's and pprof.go's Add's depth: runtime.Callers into 32 PCs. */
    static final int MAX_DEPTH = 32;

    /** A profile: Go's *Profile, built in (count and write functions) or the program's (a map of values to stacks). */
    public static final class Entry {
        private final String name;
        private final IntSupplier count;
        private final IntFunction<byte[]> write;
        private final Map<Object, StackTraceElement[]> m; // custom only; guarded by itself (Go's p.mu)

        private Entry(String name, IntSupplier count, IntFunction<byte[]> write) {
            this.name = name;
            this.count = count;
            this.write = write;
            this.m = write == null ? new HashMap<>() : null;
        }

        public String name() {
            return name;
        }

        /** Profile.Count. */
        public int count() {
            if (count != null) {
                return count.getAsInt();
            }
            synchronized (m) {
                return m.size();
            }
        }

        /**
         * Profile.Add: the caller's stack, {@code skip} more frames dropped (skip 0: from the frame
         * that called the public add, whose class is {@code apiClass}), without the runtime's
         * frames under every goroutine, which the goroutine profile leaves out too.
         */
        public void add(Object value, int skip, Class<?> apiClass) {
            if (write != null) {
                throw new GoPanic("pprof: Add called on built-in Profile " + name);
            }
            StackTraceElement[] stk = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(fs -> fs
                    .dropWhile(f -> f.getDeclaringClass() != apiClass)
                    .dropWhile(f -> f.getDeclaringClass() == apiClass)
                    .skip(Math.max(0, skip))
                    .filter(f -> !Traceback.isHiddenFrame(f.getClassName())) // G.run, VirtualThread.run: Go's goexit, as the goroutine profile
                    .limit(MAX_DEPTH)
                    .map(StackWalker.StackFrame::toStackTraceElement)
                    .toArray(StackTraceElement[]::new));
            if (stk.length == 0) {
                stk = new StackTraceElement[] {LOST}; // the value for skip is too large
            }
            synchronized (m) {
                if (m.containsKey(value)) {
                    throw new GoPanic("pprof: Profile.Add of duplicate value");
                }
                m.put(value, stk);
            }
        }

        /** Profile.Remove: a no-op for a value not there, and on a built-in profile (Go's map is nil). */
        public void remove(Object value) {
            if (m != null) {
                synchronized (m) {
                    m.remove(value);
                }
            }
        }

        /**
         * Profile.WriteTo's bytes: for debug 0 (and below) the gzipped profile.proto, for 1 Go's
         * legacy text; the goroutine profile's debug 2 is the dump of all goroutines.
         */
        public byte[] write(int debug) {
            if (write != null) {
                return write.apply(debug);
            }
            List<StackTraceElement[]> all;
            synchronized (m) {
                all = new ArrayList<>(m.values());
            }
            var records = Goroutines.unlabelled(all);
            return debug > 0 ? Goroutines.text(name, records).getBytes(StandardCharsets.UTF_8) : Goroutines.proto(name, records);
        }

        /** A built-in profile (no Add, no Remove). */
        public boolean builtIn() {
            return write != null;
        }
    }

    static final Entry GOROUTINE = builtIn("goroutine", Procs::numGoroutine, debug -> {
        if (debug >= 2) {
            return Traceback.stack(true).getBytes(StandardCharsets.UTF_8); // pprof.go: writeGoroutineStacks
        }
        var records = Traceback.goroutineProfile();
        return debug == 1 ? Goroutines.text(records).getBytes(StandardCharsets.UTF_8) : Goroutines.proto(records);
    });
    static final Entry THREADCREATE = builtIn("threadcreate", () -> ThreadCreate.stacks().size(),
            debug -> debug >= 1 ? ThreadCreate.text().getBytes(StandardCharsets.UTF_8) : ThreadCreate.proto());
    static final Entry HEAP = builtIn("heap", () -> Heap.records().size(), debug -> Heap.write(false, debug, null));
    static final Entry ALLOCS = builtIn("allocs", () -> Heap.records().size(), debug -> Heap.write(true, debug, null));
    static final Entry BLOCK = builtIn("block", () -> Contention.records(false).size(), debug -> Contention.write(false, debug));
    static final Entry MUTEX = builtIn("mutex", () -> Contention.records(true).size(), debug -> Contention.write(true, debug));

    private static Entry builtIn(String name, IntSupplier count, IntFunction<byte[]> write) {
        Entry e = new Entry(name, count, write);
        synchronized (BY_NAME) {
            BY_NAME.put(name, e);
        }
        return e;
    }

    /** pprof.NewProfile: panics on an empty name or one in use (Go's texts). */
    public static Entry newProfile(String name) {
        synchronized (BY_NAME) {
            if (name == null || name.isEmpty()) {
                throw new GoPanic("pprof: NewProfile with empty name");
            }
            if (BY_NAME.containsKey(name)) {
                throw new GoPanic("pprof: NewProfile name already in use: " + name);
            }
            Entry e = new Entry(name, null, null);
            BY_NAME.put(name, e);
            return e;
        }
    }

    /** label.go: labelMap.String: {@code {"k1":"v1", "k2":"v2"}} (io.gmp4j.pprof's LabelMap). */
    public static String labelString(Map<String, String> labels) {
        return Goroutines.labelString(labels);
    }

    /** pprof.Lookup: the profile, or null. */
    public static Entry lookup(String name) {
        synchronized (BY_NAME) {
            return BY_NAME.get(name);
        }
    }

    /** pprof.Profiles: all of them, sorted by name. */
    public static List<Entry> all() {
        synchronized (BY_NAME) {
            return new ArrayList<>(BY_NAME.values());
        }
    }
}
