package io.gmp4j.internal.pprof;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Builds a google/pprof {@code profile.proto} (field numbers from proto/profile.proto) and
 * writes it gzipped, as Go's runtime/pprof does. Java frames become functions named
 * {@code class.method} with their source file, and locations with one line each and no address
 * (there is no mapping: pprof shows them symbolized, by function and line).
 */
final class ProfileBuilder {
    private final Map<String, Long> strings = new LinkedHashMap<>();
    private final Map<String, Long> functions = new HashMap<>();
    private final List<Proto> functionMsgs = new ArrayList<>();
    private final Map<String, Long> locations = new HashMap<>();
    private final List<Proto> locationMsgs = new ArrayList<>();
    private final List<Proto> samples = new ArrayList<>();
    private final List<Proto> sampleTypes = new ArrayList<>();
    private Proto periodType;
    private long period;
    private long timeNanos;
    private long durationNanos;
    private String defaultSampleType;

    ProfileBuilder() {
        str(""); // string_table[0] must be ""
    }

    long str(String s) {
        return strings.computeIfAbsent(s, k -> (long) strings.size());
    }

    private Proto valueType(String type, String unit) {
        return new Proto().int64(1, str(type)).int64(2, str(unit));
    }

    ProfileBuilder sampleType(String type, String unit) {
        sampleTypes.add(valueType(type, unit));
        return this;
    }

    ProfileBuilder period(String type, String unit, long period) {
        this.periodType = valueType(type, unit);
        this.period = period;
        return this;
    }

    /** default_sample_type (field 14): the string-table index of a sample type's name. */
    ProfileBuilder defaultSampleType(String type) {
        this.defaultSampleType = type;
        return this;
    }

    ProfileBuilder time(long timeNanos, long durationNanos) {
        this.timeNanos = timeNanos;
        this.durationNanos = durationNanos;
        return this;
    }

    private long function(String name, String file) {
        String key = name + '\0' + file;
        Long id = functions.get(key);
        if (id == null) {
            id = (long) functions.size() + 1;
            functions.put(key, id);
            functionMsgs.add(new Proto().int64(1, id).int64(2, str(name)).int64(3, str(name)).int64(4, str(file)));
        }
        return id;
    }

    /** The location of one frame (a Location with one Line). */
    long location(String function, String file, int line) {
        String key = function + '\0' + file + '\0' + line;
        Long id = locations.get(key);
        if (id == null) {
            long fn = function(function, file);
            id = (long) locations.size() + 1;
            locations.put(key, id);
            Proto ln = new Proto().int64(1, fn).int64(2, Math.max(0, line));
            locationMsgs.add(new Proto().int64(1, id).message(4, ln));
        }
        return id;
    }

    long location(StackTraceElement e) {
        return location(e.getClassName() + '.' + e.getMethodName(), e.getFileName() != null ? e.getFileName() : "?", e.getLineNumber());
    }

    /** A sample: its stack leaf first, and one value per sample type. */
    ProfileBuilder sample(StackTraceElement[] leafFirst, long... values) {
        long[] locs = new long[leafFirst.length];
        for (int i = 0; i < leafFirst.length; i++) {
            locs[i] = location(leafFirst[i]);
        }
        samples.add(new Proto().packed(1, locs).packed(2, values));
        return this;
    }

    /**
     * A sample with string labels (Sample.label: key, str), as runtime/pprof writes a
     * goroutine's pprof.Do labels; here the CPU profile's {@code goroutine} label.
     */
    ProfileBuilder sample(StackTraceElement[] leafFirst, Map<String, String> labels, long... values) {
        long[] locs = new long[leafFirst.length];
        for (int i = 0; i < leafFirst.length; i++) {
            locs[i] = location(leafFirst[i]);
        }
        Proto s = new Proto().packed(1, locs).packed(2, values);
        for (var e : labels.entrySet()) {
            s.message(3, new Proto().int64(1, str(e.getKey())).int64(2, str(e.getValue())));
        }
        samples.add(s);
        return this;
    }

    /** A sample whose stack is one synthetic frame {@code function} (no file, no line). */
    ProfileBuilder sampleAt(String function, long... values) {
        samples.add(new Proto().packed(1, new long[] {location(function, "", 0)}).packed(2, values));
        return this;
    }

    byte[] encode() {
        long dst = defaultSampleType != null ? str(defaultSampleType) : 0; // before the table is written
        Proto p = new Proto();
        for (Proto t : sampleTypes) {
            p.message(1, t);
        }
        for (Proto s : samples) {
            p.message(2, s);
        }
        for (Proto l : locationMsgs) {
            p.message(4, l);
        }
        for (Proto f : functionMsgs) {
            p.message(5, f);
        }
        for (String s : strings.keySet()) {
            p.string(6, s);
        }
        p.int64(9, timeNanos);
        p.int64(10, durationNanos);
        if (periodType != null) {
            p.message(11, periodType);
        }
        p.int64(12, period);
        p.int64(14, dst);
        return p.toByteArray();
    }

    byte[] gzipped() {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(encode());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }
}
