package io.gmp4j.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * net/http/pprof: serveDeltaProfile's arithmetic, {@code p0.Scale(-1)} then
 * {@code profile.Merge([p0, p1])}: values of samples with the same stack and labels added, samples
 * whose values are all 0 dropped, the others kept with negative values, in the order Merge meets
 * them (p0's, then p1's new ones).
 */
class DeltaTest {
    private static StackTraceElement[] stack(String... methods) {
        StackTraceElement[] st = new StackTraceElement[methods.length];
        for (int i = 0; i < methods.length; i++) {
            st[i] = new StackTraceElement("com.example.W", methods[i], "W.java", 10 + i);
        }
        return st;
    }

    private static ProfileBuilder goroutines(long timeNanos) {
        return new ProfileBuilder().sampleType("goroutine", "count").period("goroutine", "count", 1).time(timeNanos, 0);
    }

    /** Each sample as "leaf<-caller{labels}=v1,v2", in the profile's order. */
    private static List<String> samples(Delta.Profile p) {
        List<String> out = new ArrayList<>();
        for (var e : p.samples.entrySet()) {
            StringBuilder b = new StringBuilder();
            for (Delta.Location l : e.getKey().stack()) {
                b.append(b.isEmpty() ? "" : "<-").append(l.lines().get(0).function().name().replace("com.example.W.", ""));
            }
            if (!e.getKey().labels().isEmpty()) {
                b.append(e.getKey().labels());
            }
            b.append('=');
            long[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                b.append(i > 0 ? "," : "").append(v[i]);
            }
            out.add(b.toString());
        }
        return out;
    }

    @Test
    void subtractsByStackAndLabels() {
        byte[] p0 = goroutines(1_000)
                .sample(stack("park", "run"), 5)
                .sample(stack("park", "serve"), 3) // unchanged: dropped
                .sample(stack("gone", "run"), 4) // exited since p0: negative
                .sample(stack("park", "run"), Map.of("goroutine", "7"), 2) // another key than the unlabelled one
                .gzipped();
        byte[] p1 = goroutines(2_000)
                .sample(stack("new", "run"), 6)
                .sample(stack("park", "run"), 7)
                .sample(stack("park", "serve"), 3)
                .sample(stack("park", "run"), Map.of("goroutine", "7"), 1)
                .sample(stack("park"), 1) // a stack that is p0's first one's prefix: another key
                .gzipped();
        Delta.Profile d = Delta.delta(Delta.decode(Delta.gunzip(p0)), Delta.decode(Delta.gunzip(p1)), 1_000_000_000L);
        assertEquals(List.of("park<-run=2", "gone<-run=-4", "park<-run{goroutine=[7]}=-1", "new<-run=6", "park=1"), samples(d));
        assertEquals(List.of(new Delta.ValueType("goroutine", "count")), d.sampleTypes);
        assertEquals(new Delta.ValueType("goroutine", "count"), d.periodType);
        assertEquals(1, d.period);
        assertEquals(2_000, d.timeNanos, "TimeNanos: p1's");
        assertEquals(1_000_000_000L, d.durationNanos, "DurationNanos: the time between the two");

        // Written and read back: the same profile, with negative values intact.
        Delta.Profile back = Delta.decode(Delta.encode(d));
        assertEquals(samples(d), samples(back));
        assertEquals(d.sampleTypes, back.sampleTypes);
        assertEquals(d.periodType, back.periodType);
        assertEquals(d.timeNanos, back.timeNanos);
        assertEquals(d.durationNanos, back.durationNanos);
    }

    /** Several sample types (the heap's): a sample is dropped only when every value is 0; in-use values may shrink. */
    @Test
    void dropsOnlyAllZeroSamples() {
        ProfileBuilder h0 = heap().sample(stack("fill"), 10, 1000, 4, 400).sample(stack("keep"), 1, 8, 1, 8);
        ProfileBuilder h1 = heap().sample(stack("fill"), 12, 1200, 1, 100).sample(stack("keep"), 1, 8, 1, 8);
        Delta.Profile d = Delta.delta(Delta.decode(h0.encode()), Delta.decode(h1.encode()), 5);
        assertEquals(List.of("fill=2,200,-3,-300"), samples(d));
        assertEquals("alloc_space", d.defaultSampleType);
        assertEquals(4, d.sampleTypes.size());
    }

    private static ProfileBuilder heap() {
        return new ProfileBuilder().sampleType("alloc_objects", "count").sampleType("alloc_space", "bytes")
                .sampleType("inuse_objects", "count").sampleType("inuse_space", "bytes")
                .period("space", "bytes", 0).defaultSampleType("alloc_space");
    }

    /** Merge refuses profiles of other sample types: serveDeltaProfile's 500 "failed to compute delta". */
    @Test
    void incompatibleProfilesAreGo500() {
        Delta.Profile g = Delta.decode(goroutines(1).sample(stack("a"), 1).encode());
        Delta.Profile h = Delta.decode(heap().sample(stack("a"), 1, 1, 1, 1).encode());
        DebugServer.BadRequest e = assertThrows(DebugServer.BadRequest.class, () -> Delta.delta(g, h, 1));
        assertEquals(500, e.status);
        assertEquals("failed to compute delta", e.getMessage());
    }

    /** The string table, functions and locations are those of the samples kept: nothing of a dropped one. */
    @Test
    void keepsOnlyWhatTheSamplesUse() {
        byte[] p0 = goroutines(1).sample(stack("only0", "x"), 1).sample(stack("both"), 2).encode();
        byte[] p1 = goroutines(2).sample(stack("both"), 3).encode();
        byte[] out = Delta.encode(Delta.delta(Delta.decode(p0), Delta.decode(p1), 1));
        assertTrue(new String(out, StandardCharsets.ISO_8859_1).contains("com.example.W.only0"), "only0's count went to -1: kept");
        byte[] same = Delta.encode(Delta.delta(Delta.decode(p1), Delta.decode(p1), 1));
        assertEquals(0, Delta.decode(same).samples.size());
        assertFalse(new String(same, StandardCharsets.ISO_8859_1).contains("com.example"), "no function of a dropped sample is written");
    }
}
