package io.gmp4j.internal.pprof;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test hook (Go's export_test.go) for io.gmp4j.pprof's tests: profile.proto read back, label text. */
public final class PprofExport {
    private PprofExport() {}

    /** A sample: its functions leaf first, its values, its string labels. */
    public record Sample(List<String> functions, long[] values, Map<String, List<String>> labels) {}

    /** profile.Parse of a gzipped profile.proto: sample types as "type/unit", then the samples. */
    public record Parsed(List<String> sampleTypes, List<Sample> samples) {}

    public static Parsed parse(byte[] gz) {
        Delta.Profile p = Delta.decode(Delta.gunzip(gz));
        List<String> types = new ArrayList<>();
        for (Delta.ValueType t : p.sampleTypes) {
            types.add(t.type() + "/" + t.unit());
        }
        List<Sample> out = new ArrayList<>();
        for (var e : p.samples.entrySet()) {
            List<String> fns = new ArrayList<>();
            for (Delta.Location l : e.getKey().stack()) {
                fns.add(l.lines().get(0).function().name());
            }
            out.add(new Sample(fns, e.getValue(), e.getKey().labels()));
        }
        return new Parsed(types, out);
    }

    /** label.go: labelMap.String. */
    public static String labelString(Map<String, String> labels) {
        return Goroutines.labelString(labels);
    }
}
