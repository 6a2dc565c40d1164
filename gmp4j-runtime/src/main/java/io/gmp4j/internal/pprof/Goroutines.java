package io.gmp4j.internal.pprof;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The goroutine profile: one sample per distinct stack, with its count (runtime/pprof). */
final class Goroutines {
    private Goroutines() {}

    record Group(StackTraceElement[] stack, int count) {}

    /** Groups identical stacks; the largest count first, then by the stack's text (pprof.go: printCountProfile). */
    static List<Group> group(List<StackTraceElement[]> stacks) {
        Map<String, StackTraceElement[]> byKey = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (StackTraceElement[] st : stacks) {
            String k = frames(st);
            byKey.putIfAbsent(k, st);
            counts.merge(k, 1, Integer::sum);
        }
        List<String> keys = new ArrayList<>(byKey.keySet());
        keys.sort((a, b) -> {
            int c = Integer.compare(counts.get(b), counts.get(a));
            return c != 0 ? c : a.compareTo(b);
        });
        List<Group> out = new ArrayList<>();
        for (String k : keys) {
            out.add(new Group(byKey.get(k), counts.get(k)));
        }
        return out;
    }

    /** One "#\tfunction\tfile:line" line per frame: Go's debug=1 lines without the hex addresses. */
    private static String frames(StackTraceElement[] st) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : st) {
            b.append("#\t").append(e.getClassName()).append('.').append(e.getMethodName()).append('\t')
                    .append(e.getFileName() != null ? e.getFileName() : "?").append(':').append(Math.max(0, e.getLineNumber())).append('\n');
        }
        return b.toString();
    }

    /**
     * ?debug=1, as Go's printCountProfile writes it:
     * <pre>
     * goroutine profile: total 51
     * 50 @
     * #	com.example.Worker.park	Worker.java:12
     * </pre>
     * Go writes each stack's PCs after the "@" and each frame as "#\t0xPC\tfunc+0xOFF\tfile:line";
     * Java frames have no PCs, so both are left out.
     */
    static String text(List<StackTraceElement[]> stacks) {
        return text("goroutine", stacks);
    }

    /** printCountProfile for the profile {@code name} (goroutine, threadcreate). */
    static String text(String name, List<StackTraceElement[]> stacks) {
        StringBuilder b = new StringBuilder(name).append(" profile: total ").append(stacks.size()).append('\n');
        for (Group g : group(stacks)) {
            b.append(g.count()).append(" @\n").append(frames(g.stack())).append('\n');
        }
        return b.toString();
    }

    /** The gzipped profile.proto: sample type goroutine/count, period type goroutine/count, period 1. */
    static byte[] proto(List<StackTraceElement[]> stacks) {
        return proto("goroutine", stacks);
    }

    /** printCountProfile's proto for the profile {@code name}: sample and period type name/count. */
    static byte[] proto(String name, List<StackTraceElement[]> stacks) {
        ProfileBuilder p = new ProfileBuilder()
                .sampleType(name, "count")
                .period(name, "count", 1)
                .time(System.currentTimeMillis() * 1_000_000L, 0);
        for (Group g : group(stacks)) {
            p.sample(g.stack(), g.count());
        }
        return p.gzipped();
    }
}
