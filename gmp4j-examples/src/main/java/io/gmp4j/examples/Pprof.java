package io.gmp4j.examples;

import io.gmp4j.debug.Debug;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * The examples' own view of their profiles, as a Go program would read them from
 * net/http/pprof: the debug server on a loopback port picked at first use, a parser for the
 * mutex/block profiles' {@code ?debug=1} text, and a small profile.proto reader (enough of
 * google/pprof's format for the CPU profile's samples, locations and functions).
 */
final class Pprof {
    private Pprof() {}

    private static InetSocketAddress addr;

    /** GET from this process's debug server (started on 127.0.0.1:0 at first use). */
    static synchronized byte[] get(String path) {
        if (addr == null) {
            addr = Debug.serve("127.0.0.1:0");
        }
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + addr.getPort() + path).toURL().openConnection();
            c.setReadTimeout(120_000);
            try {
                if (c.getResponseCode() != 200) {
                    throw new IllegalStateException(path + ": HTTP " + c.getResponseCode());
                }
                try (var in = c.getInputStream()) {
                    return in.readAllBytes();
                }
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One group of a mutex/block profile's debug=1 text: total delay (ns), count, frames leaf first. */
    record Group(long delayNanos, long count, List<String> frames) {
        /** The first frame in {@code pkgPrefix} (the program's own frame), or the leaf. */
        String callerIn(String pkgPrefix) {
            for (String f : frames) {
                if (f.startsWith(pkgPrefix)) {
                    return f;
                }
            }
            return frames.isEmpty() ? "?" : frames.getFirst();
        }
    }

    /** Parses "--- contention:\ncycles/second=...\nDELAY COUNT @\n#\tfunc\tfile:line\n..." into groups keyed by stack. */
    static Map<List<String>, Group> parseContention(String text) {
        Map<List<String>, Group> out = new LinkedHashMap<>();
        for (String g : text.split("\n\n")) {
            long delay = -1, count = 0;
            List<String> frames = new ArrayList<>();
            for (String line : g.split("\n")) {
                if (line.endsWith(" @") && !line.startsWith("#")) {
                    String[] p = line.split(" ");
                    delay = Long.parseLong(p[0]);
                    count = Long.parseLong(p[1]);
                } else if (line.startsWith("#\t")) {
                    String[] p = line.split("\t");
                    frames.add(p[1] + (p.length > 2 ? " " + p[2] : ""));
                }
            }
            if (delay >= 0) {
                out.put(frames, new Group(delay, count, frames));
            }
        }
        return out;
    }

    /** The groups of {@code after} less those of {@code before} (the profile is cumulative), the largest delay first. */
    static List<Group> delta(Map<List<String>, Group> before, Map<List<String>, Group> after) {
        List<Group> out = new ArrayList<>();
        for (Group a : after.values()) {
            Group b = before.get(a.frames());
            long d = a.delayNanos() - (b == null ? 0 : b.delayNanos());
            long n = a.count() - (b == null ? 0 : b.count());
            if (n > 0) {
                out.add(new Group(d, n, a.frames()));
            }
        }
        out.sort((x, y) -> Long.compare(y.delayNanos(), x.delayNanos()));
        return out;
    }

    /** A decoded profile: per sample, its function names leaf first, and its values. */
    record Sample(List<String> functions, long[] values) {}

    /**
     * A CPU profile of {@code seconds} from this process's debug server
     * ({@code /debug/pprof/profile?seconds=N}), taken while {@code workload} runs again and again
     * on the calling goroutine; its samples decoded.
     */
    static List<Sample> cpuProfileWhile(int seconds, Runnable workload) {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().daemon().name("example-pprof").start(() -> {
            try {
                result.set(get("/debug/pprof/profile?seconds=" + seconds));
            } catch (Throwable e) {
                result.set(e);
            }
        });
        do {
            workload.run();
        } while (t.isAlive());
        if (result.get() instanceof Throwable e) {
            throw new IllegalStateException("CPU profile: " + e, e);
        }
        return decode((byte[]) result.get());
    }

    /** The samples (first value) of {@code samples} in all. */
    static long total(List<Sample> samples) {
        return samples.stream().mapToLong(s -> s.values()[0]).sum();
    }

    /** The samples (first value) with a frame whose function {@code fn} accepts (cumulative, as pprof's cum). */
    static long under(List<Sample> samples, Predicate<String> fn) {
        return samples.stream().filter(s -> s.functions().stream().anyMatch(fn)).mapToLong(s -> s.values()[0]).sum();
    }

    /** The {@code n} functions with the most samples as the leaf frame (pprof's top, by flat). */
    static List<Map.Entry<String, Long>> topFlat(List<Sample> samples, int n) {
        Map<String, Long> flat = new HashMap<>();
        for (Sample s : samples) {
            if (!s.functions().isEmpty()) {
                flat.merge(s.functions().getFirst(), s.values()[0], Long::sum);
            }
        }
        List<Map.Entry<String, Long>> top = new ArrayList<>(flat.entrySet());
        top.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        return List.copyOf(top.subList(0, Math.min(n, top.size())));
    }

    /** Reads a gzipped profile.proto's samples (fields from google/pprof proto/profile.proto). */
    static List<Sample> decode(byte[] gz) {
        byte[] b;
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            b = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> strings = new ArrayList<>();
        Map<Long, Long> fnName = new HashMap<>(); // function id -> name string index
        Map<Long, Long> locFn = new HashMap<>(); // location id -> function id of its first line
        List<long[][]> rawSamples = new ArrayList<>();
        Reader r = new Reader(b, 0, b.length);
        while (r.more()) {
            long tag = r.varint();
            int field = (int) (tag >>> 3);
            if ((tag & 7) != 2) {
                r.skip((int) (tag & 7));
                continue;
            }
            Reader m = r.sub();
            switch (field) {
                case 2 -> { // Sample: location_id (1), value (2), packed or not
                    List<Long> locs = new ArrayList<>(), vals = new ArrayList<>();
                    while (m.more()) {
                        long t = m.varint();
                        List<Long> to = (t >>> 3) == 1 ? locs : (t >>> 3) == 2 ? vals : null;
                        if ((t & 7) == 2) {
                            Reader p = m.sub();
                            while (p.more()) {
                                long v = p.varint();
                                if (to != null) {
                                    to.add(v);
                                }
                            }
                        } else if ((t & 7) == 0) {
                            long v = m.varint();
                            if (to != null) {
                                to.add(v);
                            }
                        } else {
                            m.skip((int) (t & 7));
                        }
                    }
                    rawSamples.add(new long[][] {locs.stream().mapToLong(Long::longValue).toArray(), vals.stream().mapToLong(Long::longValue).toArray()});
                }
                case 4 -> { // Location: id (1), line (4) { function_id (1) }
                    long id = 0, fn = 0;
                    while (m.more()) {
                        long t = m.varint();
                        if (t == (1 << 3)) {
                            id = m.varint();
                        } else if (t == ((4 << 3) | 2) && fn == 0) {
                            Reader ln = m.sub();
                            while (ln.more()) {
                                long lt = ln.varint();
                                if (lt == (1 << 3)) {
                                    fn = ln.varint();
                                } else {
                                    ln.skip((int) (lt & 7));
                                }
                            }
                        } else {
                            m.skip((int) (t & 7));
                        }
                    }
                    locFn.put(id, fn);
                }
                case 5 -> { // Function: id (1), name (2)
                    long id = 0, name = 0;
                    while (m.more()) {
                        long t = m.varint();
                        if (t == (1 << 3)) {
                            id = m.varint();
                        } else if (t == (2 << 3)) {
                            name = m.varint();
                        } else {
                            m.skip((int) (t & 7));
                        }
                    }
                    fnName.put(id, name);
                }
                case 6 -> strings.add(new String(b, m.pos, m.end - m.pos, StandardCharsets.UTF_8));
                default -> { }
            }
        }
        List<Sample> out = new ArrayList<>();
        for (long[][] s : rawSamples) {
            List<String> fns = new ArrayList<>();
            for (long loc : s[0]) {
                Long fn = locFn.get(loc);
                Long name = fn == null ? null : fnName.get(fn);
                fns.add(name == null ? "?" : strings.get((int) (long) name));
            }
            out.add(new Sample(fns, s[1]));
        }
        return out;
    }

    /** A protobuf cursor over b[pos, end). */
    private static final class Reader {
        final byte[] b;
        int pos;
        final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
        }

        Reader sub() {
            int n = (int) varint();
            Reader r = new Reader(b, pos, pos + n);
            pos += n;
            return r;
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> sub();
                case 5 -> pos += 4;
                default -> throw new IllegalStateException("profile.proto: wire type " + wire);
            }
        }
    }
}
