package io.gmp4j.internal.pprof;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * net/http/pprof: serveDeltaProfile, {@code /debug/pprof/NAME?seconds=N} for the profiles Go
 * lets have a delta (allocs, block, goroutine, heap, mutex, threadcreate). The profile p0, a
 * wait of N seconds, the profile p1, and p1 minus p0 as Go computes it: {@code p0.Scale(-1)}
 * then {@code profile.Merge([p0, p1])}, which adds the values of samples with the same key (the
 * stack, location by location and line by line, and the labels) and drops the samples whose
 * values are all 0. A value may come out negative: goroutines that were there at p0 and are
 * gone at p1, in-use bytes freed since p0. The answer's TimeNanos is p1's, its DurationNanos
 * the time between the two, its file name {@code NAME-delta}.
 *
 * <p>The profiles are read back from the profile.proto the handlers write, as Go's
 * collectProfile parses what WriteTo wrote. gmp4j's profiles have no mappings and no addresses
 * (ProfileBuilder): a location is its lines.
 *
 * <p>As the CPU profile, the 200 goes out once p0 is taken (GzipAnswer), and a heartbeat every
 * 200 ms finds out whether the client is still there: when it is gone the wait ends and nothing
 * more is done (Go ends the wait on {@code r.Context().Done()}). An error after that 200 (Go's
 * 500 "failed to collect profile" for p1) can only cut the answer short.
 */
final class Delta {
    private Delta() {}

    /** Serves the delta of {@code profile} (a gzipped profile.proto) over {@code seconds}; the parameters are checked. */
    static void serve(HttpExchange ex, String name, long seconds, Supplier<byte[]> profile) throws IOException {
        GzipAnswer a = new GzipAnswer(ex, name + "-delta");
        if (DebugServer.isHead(ex)) {
            a.start(); // as the CPU profile's HEAD: no heartbeat could see its client leave
            return;
        }
        Profile p0 = collect(profile);
        long t0 = System.nanoTime();
        a.start();
        if (!DebugServer.sleep(Duration.ofSeconds(seconds), a::heartbeat)) {
            return; // the client went away: Go answers a 500 that nobody reads
        }
        Profile p1 = collect(profile);
        long t1 = System.nanoTime();
        a.finish(encode(delta(p0, p1, t1 - t0)));
    }

    /** collectProfile: the profile read back, TimeNanos the time it was taken. */
    private static Profile collect(Supplier<byte[]> profile) {
        Profile p;
        try {
            p = decode(gunzip(profile.get()));
        } catch (RuntimeException e) {
            throw new DebugServer.BadRequest(500, "failed to collect profile");
        }
        Instant now = Instant.now();
        p.timeNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return p;
    }

    // ---- the profile, as profile.Merge keys it ---------------------------------------------

    record Function(String name, String systemName, String fileName, long startLine) {}

    record Line(Function function, long line) {}

    /** A location's key: its address (0 here) and lines; no mapping (gmp4j writes none). */
    record Location(long address, List<Line> lines, boolean folded) {}

    /** Sample.key: the stack and the labels, each label's values in their order. */
    record Key(List<Location> stack, Map<String, List<String>> labels, Map<String, List<Long>> numLabels,
            Map<String, List<String>> numUnits) {}

    record ValueType(String type, String unit) {}

    static final class Profile {
        final List<ValueType> sampleTypes = new ArrayList<>();
        /** Samples with the same key summed, in first-seen order (as Merge meets them). */
        final Map<Key, long[]> samples = new LinkedHashMap<>();
        ValueType periodType;
        long period, timeNanos, durationNanos;
        final List<String> comments = new ArrayList<>();
        String dropFrames = "", keepFrames = "", defaultSampleType = "";
    }

    /**
     * p1 minus p0: Merge's header (combineHeaders: p0's drop/keep frames and default sample
     * type, the larger period, the comments of both), TimeNanos p1's and DurationNanos the time
     * between them (serveDeltaProfile sets both after the merge).
     */
    static Profile delta(Profile p0, Profile p1, long durationNanos) {
        if (!p0.sampleTypes.equals(p1.sampleTypes) || !java.util.Objects.equals(p0.periodType, p1.periodType)) {
            throw new DebugServer.BadRequest(500, "failed to compute delta"); // Merge: incompatible profiles
        }
        Profile d = new Profile();
        d.sampleTypes.addAll(p1.sampleTypes);
        d.periodType = p0.periodType;
        d.period = Math.max(p0.period, p1.period);
        d.timeNanos = p1.timeNanos;
        d.durationNanos = durationNanos;
        d.comments.addAll(p0.comments);
        for (String c : p1.comments) {
            if (!d.comments.contains(c)) {
                d.comments.add(c);
            }
        }
        d.dropFrames = p0.dropFrames;
        d.keepFrames = p0.keepFrames;
        d.defaultSampleType = p0.defaultSampleType.isEmpty() ? p1.defaultSampleType : p0.defaultSampleType;
        for (var e : p0.samples.entrySet()) {
            long[] v = d.samples.computeIfAbsent(e.getKey(), k -> new long[e.getValue().length]);
            for (int i = 0; i < v.length; i++) {
                v[i] -= e.getValue()[i];
            }
        }
        for (var e : p1.samples.entrySet()) {
            long[] v = d.samples.computeIfAbsent(e.getKey(), k -> new long[e.getValue().length]);
            for (int i = 0; i < v.length; i++) {
                v[i] += e.getValue()[i];
            }
        }
        d.samples.values().removeIf(v -> java.util.Arrays.stream(v).allMatch(x -> x == 0));
        return d;
    }

    // ---- profile.proto in (Go's collectProfile: profile.Parse) ----------------------------

    static byte[] gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A protobuf message's fields: varints and length-delimited (also packed) fields. */
    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;
        int field, wire;

        Reader(byte[] b, int from, int to) {
            this.b = b;
            this.pos = from;
            this.end = to;
        }

        /** Reads the next field's tag; false at the end of the message. */
        boolean next() {
            if (pos >= end) {
                return false;
            }
            long t = varint();
            field = (int) (t >>> 3);
            wire = (int) (t & 7);
            return true;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalArgumentException("profile.proto: truncated varint");
                }
                int x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("profile.proto: varint too long");
        }

        Reader message() {
            long len = varint();
            if (wire != 2 || len < 0 || len > end - pos) {
                throw new IllegalArgumentException("profile.proto: bad length-delimited field " + field);
            }
            Reader r = new Reader(b, pos, pos + (int) len);
            pos += (int) len;
            return r;
        }

        String string() {
            Reader r = message();
            return new String(b, r.pos, r.end - r.pos, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** A repeated int64 field's values, packed or one per field. */
        void ints(List<Long> out) {
            if (wire == 0) {
                out.add(varint());
                return;
            }
            Reader r = message();
            while (r.pos < r.end) {
                out.add(r.varint());
            }
        }

        void skip() {
            switch (wire) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> message();
                case 5 -> pos += 4;
                default -> throw new IllegalArgumentException("profile.proto: wire type " + wire);
            }
        }
    }

    /** profile.Parse, as far as gmp4j's profiles go (field numbers: proto/profile.proto). */
    static Profile decode(byte[] proto) {
        List<String> strs = new ArrayList<>();
        List<long[]> sampleTypes = new ArrayList<>();
        List<Reader> samples = new ArrayList<>();
        Map<Long, Reader> locations = new HashMap<>();
        Map<Long, Reader> functions = new HashMap<>();
        List<Long> comments = new ArrayList<>();
        long[] periodType = null;
        long drop = 0, keep = 0, defaultType = 0;
        Profile p = new Profile();
        Reader r = new Reader(proto, 0, proto.length);
        while (r.next()) {
            switch (r.field) {
                case 1 -> sampleTypes.add(valueType(r.message()));
                case 2 -> samples.add(r.message());
                case 4 -> {
                    Reader l = r.message();
                    locations.put(id(l), l);
                }
                case 5 -> {
                    Reader f = r.message();
                    functions.put(id(f), f);
                }
                case 6 -> strs.add(r.string());
                case 7 -> drop = r.varint();
                case 8 -> keep = r.varint();
                case 9 -> p.timeNanos = r.varint();
                case 10 -> p.durationNanos = r.varint();
                case 11 -> periodType = valueType(r.message());
                case 12 -> p.period = r.varint();
                case 13 -> r.ints(comments);
                case 14 -> defaultType = r.varint();
                default -> r.skip(); // mappings (3): gmp4j writes none
            }
        }
        for (long[] t : sampleTypes) {
            p.sampleTypes.add(new ValueType(str(strs, t[0]), str(strs, t[1])));
        }
        p.periodType = periodType == null ? null : new ValueType(str(strs, periodType[0]), str(strs, periodType[1]));
        for (long c : comments) {
            p.comments.add(str(strs, c));
        }
        p.dropFrames = str(strs, drop);
        p.keepFrames = str(strs, keep);
        p.defaultSampleType = str(strs, defaultType);
        Map<Long, Function> fns = new HashMap<>();
        for (var e : functions.entrySet()) {
            fns.put(e.getKey(), function(e.getValue(), strs));
        }
        Map<Long, Location> locs = new HashMap<>();
        for (var e : locations.entrySet()) {
            locs.put(e.getKey(), location(e.getValue(), fns));
        }
        for (Reader s : samples) {
            sample(s, strs, locs, p);
        }
        return p;
    }

    /** The id (field 1) of a location or function; the reader is left at the start. */
    private static long id(Reader m) {
        Reader r = new Reader(m.b, m.pos, m.end);
        while (r.next()) {
            if (r.field == 1 && r.wire == 0) {
                return r.varint();
            }
            r.skip();
        }
        return 0;
    }

    private static long[] valueType(Reader r) {
        long[] t = new long[2];
        while (r.next()) {
            switch (r.field) {
                case 1 -> t[0] = r.varint();
                case 2 -> t[1] = r.varint();
                default -> r.skip();
            }
        }
        return t;
    }

    private static String str(List<String> strs, long i) {
        if (i < 0 || i >= strs.size()) {
            throw new IllegalArgumentException("profile.proto: string index " + i + " out of range");
        }
        return strs.get((int) i);
    }

    private static Function function(Reader r, List<String> strs) {
        long name = 0, system = 0, file = 0, start = 0;
        while (r.next()) {
            switch (r.field) {
                case 2 -> name = r.varint();
                case 3 -> system = r.varint();
                case 4 -> file = r.varint();
                case 5 -> start = r.varint();
                default -> r.skip();
            }
        }
        return new Function(str(strs, name), str(strs, system), str(strs, file), start);
    }

    private static Location location(Reader r, Map<Long, Function> fns) {
        long address = 0;
        boolean folded = false;
        List<Line> lines = new ArrayList<>();
        while (r.next()) {
            switch (r.field) {
                case 3 -> address = r.varint();
                case 4 -> {
                    Reader l = r.message();
                    long fn = 0, line = 0;
                    while (l.next()) {
                        switch (l.field) {
                            case 1 -> fn = l.varint();
                            case 2 -> line = l.varint();
                            default -> l.skip();
                        }
                    }
                    lines.add(new Line(fn == 0 ? null : fns.get(fn), line));
                }
                case 5 -> folded = r.varint() != 0;
                default -> r.skip(); // id, mapping_id
            }
        }
        return new Location(address, List.copyOf(lines), folded);
    }

    private static void sample(Reader r, List<String> strs, Map<Long, Location> locs, Profile p) {
        List<Long> ids = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        Map<String, List<String>> labels = new TreeMap<>();
        Map<String, List<Long>> numLabels = new TreeMap<>();
        Map<String, List<String>> numUnits = new TreeMap<>();
        while (r.next()) {
            switch (r.field) {
                case 1 -> r.ints(ids);
                case 2 -> r.ints(values);
                case 3 -> {
                    Reader l = r.message();
                    long key = 0, s = 0, num = 0, unit = 0;
                    while (l.next()) {
                        switch (l.field) {
                            case 1 -> key = l.varint();
                            case 2 -> s = l.varint();
                            case 3 -> num = l.varint();
                            case 4 -> unit = l.varint();
                            default -> l.skip();
                        }
                    }
                    String k = str(strs, key);
                    if (s != 0) {
                        labels.computeIfAbsent(k, x -> new ArrayList<>()).add(str(strs, s));
                    } else {
                        numLabels.computeIfAbsent(k, x -> new ArrayList<>()).add(num);
                        numUnits.computeIfAbsent(k, x -> new ArrayList<>()).add(str(strs, unit));
                    }
                }
                default -> r.skip();
            }
        }
        if (values.size() != p.sampleTypes.size()) {
            throw new IllegalArgumentException("profile.proto: a sample has " + values.size() + " values for " + p.sampleTypes.size() + " types");
        }
        List<Location> stack = new ArrayList<>(ids.size());
        for (long id : ids) {
            Location l = locs.get(id);
            if (l == null) {
                throw new IllegalArgumentException("profile.proto: no location " + id);
            }
            stack.add(l);
        }
        Key k = new Key(List.copyOf(stack), labels, numLabels, numUnits);
        long[] v = p.samples.computeIfAbsent(k, x -> new long[values.size()]);
        for (int i = 0; i < v.length; i++) {
            v[i] += values.get(i);
        }
    }

    // ---- profile.proto out (Profile.Write, not gzipped) -----------------------------------

    static byte[] encode(Profile p) {
        Map<String, Long> strs = new LinkedHashMap<>();
        java.util.function.Function<String, Long> str = s -> strs.computeIfAbsent(s, x -> (long) strs.size());
        str.apply(""); // string_table[0] must be ""
        Map<Function, Long> fnIds = new HashMap<>();
        Map<Location, Long> locIds = new HashMap<>();
        List<Proto> fnMsgs = new ArrayList<>(), locMsgs = new ArrayList<>(), sampleMsgs = new ArrayList<>();
        for (var e : p.samples.entrySet()) {
            Key k = e.getKey();
            long[] ids = new long[k.stack().size()];
            for (int i = 0; i < ids.length; i++) {
                Location loc = k.stack().get(i);
                Long id = locIds.get(loc);
                if (id == null) {
                    id = (long) locIds.size() + 1;
                    locIds.put(loc, id);
                    Proto lm = new Proto().int64(1, id).int64(3, loc.address());
                    for (Line ln : loc.lines()) {
                        long fid = 0;
                        if (ln.function() != null) {
                            Function f = ln.function();
                            Long known = fnIds.get(f);
                            if (known == null) {
                                known = (long) fnIds.size() + 1;
                                fnIds.put(f, known);
                                fnMsgs.add(new Proto().int64(1, known).int64(2, str.apply(f.name())).int64(3, str.apply(f.systemName()))
                                        .int64(4, str.apply(f.fileName())).int64(5, f.startLine()));
                            }
                            fid = known;
                        }
                        lm.message(4, new Proto().int64(1, fid).int64(2, ln.line()));
                    }
                    lm.int64(5, loc.folded() ? 1 : 0);
                    locMsgs.add(lm);
                }
                ids[i] = id;
            }
            Proto s = new Proto().packed(1, ids).packed(2, e.getValue());
            for (var l : k.labels().entrySet()) {
                for (String v : l.getValue()) {
                    s.message(3, new Proto().int64(1, str.apply(l.getKey())).int64(2, str.apply(v)));
                }
            }
            for (var l : k.numLabels().entrySet()) {
                List<String> units = k.numUnits().get(l.getKey());
                for (int i = 0; i < l.getValue().size(); i++) {
                    s.message(3, new Proto().int64(1, str.apply(l.getKey())).int64(3, l.getValue().get(i))
                            .int64(4, str.apply(units.get(i))));
                }
            }
            sampleMsgs.add(s);
        }
        Proto out = new Proto();
        for (ValueType t : p.sampleTypes) {
            out.message(1, new Proto().int64(1, str.apply(t.type())).int64(2, str.apply(t.unit())));
        }
        for (Proto s : sampleMsgs) {
            out.message(2, s);
        }
        for (Proto l : locMsgs) {
            out.message(4, l);
        }
        for (Proto f : fnMsgs) {
            out.message(5, f);
        }
        long drop = str.apply(p.dropFrames), keep = str.apply(p.keepFrames), dst = str.apply(p.defaultSampleType);
        Proto periodType = p.periodType == null ? null
                : new Proto().int64(1, str.apply(p.periodType.type())).int64(2, str.apply(p.periodType.unit()));
        long[] comments = p.comments.stream().mapToLong(str::apply).toArray();
        for (String s : strs.keySet()) {
            out.string(6, s);
        }
        out.int64(7, drop).int64(8, keep).int64(9, p.timeNanos).int64(10, p.durationNanos);
        if (periodType != null) {
            out.message(11, periodType);
        }
        out.int64(12, p.period).packed(13, comments).int64(14, dst);
        return out.toByteArray();
    }
}
