package io.gmp4j.internal.pprof;

import io.gmp4j.internal.fmt.GoFmt;
import io.gmp4j.internal.runtime.Traceback.GoroutineRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The goroutine profile and the other count profiles (threadcreate, custom profiles): one
 * sample per distinct stack and labels, with its count (runtime/pprof: printCountProfile).
 */
final class Goroutines {
    private Goroutines() {}

    /** A group: its stack, its labels (null: none) and how many records have both. */
    record Group(StackTraceElement[] stack, Map<String, String> labels, int count) {}

    /**
     * Groups records with the same stack and labels; the largest count first, then by the key's
     * text (pprof.go: printCountProfile's key, "@ PCs" and the labels, and keysByCount).
     */
    static List<Group> group(List<GoroutineRecord> records) {
        Map<String, GoroutineRecord> byKey = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (GoroutineRecord r : records) {
            String k = frames(r.stack()) + (r.labels() != null ? "# labels: " + labelString(r.labels()) : "");
            byKey.putIfAbsent(k, r);
            counts.merge(k, 1, Integer::sum);
        }
        List<String> keys = new ArrayList<>(byKey.keySet());
        keys.sort((a, b) -> {
            int c = Integer.compare(counts.get(b), counts.get(a));
            return c != 0 ? c : a.compareTo(b);
        });
        List<Group> out = new ArrayList<>();
        for (String k : keys) {
            GoroutineRecord r = byKey.get(k);
            out.add(new Group(r.stack(), r.labels(), counts.get(k)));
        }
        return out;
    }

    /** Records without labels (threadcreate, custom profiles: Go's stackProfile.Label is nil). */
    static List<GoroutineRecord> unlabelled(List<StackTraceElement[]> stacks) {
        List<GoroutineRecord> out = new ArrayList<>(stacks.size());
        for (StackTraceElement[] st : stacks) {
            out.add(new GoroutineRecord(st, null));
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
     * label.go: labelMap.String: {@code {"k1":"v1", "k2":"v2"}}, each pair as {@code %q:%q},
     * the pairs sorted as strings.
     */
    static String labelString(Map<String, String> labels) {
        List<String> kvs = new ArrayList<>(labels.size());
        for (var e : labels.entrySet()) {
            kvs.add(GoFmt.quote(e.getKey()) + ":" + GoFmt.quote(e.getValue()));
        }
        java.util.Collections.sort(kvs); // UTF-16 order; Go sorts bytes (the same below U+D800)
        return "{" + String.join(", ", kvs) + "}";
    }

    /**
     * ?debug=1, as Go's printCountProfile writes it:
     * <pre>
     * goroutine profile: total 51
     * 50 @
     * # labels: {"k":"v"}
     * #	com.example.Worker.park	Worker.java:12
     * </pre>
     * Go writes each stack's PCs after the "@" and each frame as "#\t0xPC\tfunc+0xOFF\tfile:line";
     * Java frames have no PCs, so both are left out. The labels line only for labelled goroutines.
     */
    static String text(List<GoroutineRecord> records) {
        return text("goroutine", records);
    }

    /** printCountProfile for the profile {@code name} (goroutine, threadcreate, a custom one). */
    static String text(String name, List<GoroutineRecord> records) {
        StringBuilder b = new StringBuilder(name).append(" profile: total ").append(records.size()).append('\n');
        for (Group g : group(records)) {
            b.append(g.count()).append(" @\n");
            if (g.labels() != null) {
                b.append("# labels: ").append(labelString(g.labels())).append('\n');
            }
            b.append(frames(g.stack())).append('\n');
        }
        return b.toString();
    }

    /** The gzipped profile.proto: sample type goroutine/count, period type goroutine/count, period 1. */
    static byte[] proto(List<GoroutineRecord> records) {
        return proto("goroutine", records);
    }

    /** printCountProfile's proto for the profile {@code name}: sample and period type name/count, labels per sample. */
    static byte[] proto(String name, List<GoroutineRecord> records) {
        ProfileBuilder p = new ProfileBuilder()
                .sampleType(name, "count")
                .period(name, "count", 1)
                .time(System.currentTimeMillis() * 1_000_000L, 0);
        for (Group g : group(records)) {
            p.sample(g.stack(), g.labels() != null ? g.labels() : Map.of(), g.count());
        }
        return p.gzipped();
    }
}
