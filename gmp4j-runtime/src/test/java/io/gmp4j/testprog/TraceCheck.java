package io.gmp4j.testprog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** A trace's checks: JSON, and the trace-event format's rules (TraceTest, the torture's observers). */
public final class TraceCheck {
    private TraceCheck() {}

    static void assertTrue(boolean c, Supplier<String> m) {
        if (!c) {
            throw new AssertionError(m.get());
        }
    }

    static boolean isInt(Object o) {
        return o instanceof Double d && d >= 0 && d == Math.rint(d);
    }

    @SuppressWarnings("unchecked")
    public static void check(byte[] json) {
        Object root = new Json(new String(json, StandardCharsets.UTF_8)).parseAll();
        assertTrue(root instanceof Map, () -> "not a JSON object");
        Map<String, Object> m = (Map<String, Object>) root;
        assertTrue(m.get("traceEvents") instanceof List, () -> "no traceEvents array");
        List<Map<String, Object>> evs = new ArrayList<>();
        for (Object o : (List<Object>) m.get("traceEvents")) {
            evs.add((Map<String, Object>) o);
        }
        assertTrue(m.get("otherData") instanceof Map<?, ?> od && od.get("droppedEvents") instanceof Double, () -> "otherData");
        schema(evs);
    }

    /**
     * The trace-event format's rules, strictly (what chrome://tracing's and Perfetto's JSON
     * importers rely on): every event has a name, a known phase, an integer pid and, except
     * process metadata, an integer tid; every timed event a ts >= 0; X a dur >= 0; B/E balanced
     * per track and ordered; i a scope; flows an id and a category, each s id once, each f after
     * its s; b/e (async) an id and a category, each b once per pid/cat/id, each e after its b;
     * M events one of the metadata names with a string or integer arg; and metadata names
     * every process and every thread that an event uses.
     */
    @SuppressWarnings("unchecked")
    public static void schema(List<Map<String, Object>> evs) {
        Set<String> phases = Set.of("X", "B", "E", "i", "I", "s", "t", "f", "M", "C", "b", "e");
        Set<Double> namedPids = new HashSet<>();
        Set<List<Double>> namedTids = new HashSet<>(), usedTids = new HashSet<>();
        Map<List<Double>, List<Map<String, Object>>> open = new HashMap<>();
        Map<Double, Double> flowStart = new HashMap<>();
        Set<Double> flowEnded = new HashSet<>();
        Map<List<Object>, Double> asyncOpen = new HashMap<>();
        Set<List<Object>> asyncDone = new HashSet<>();
        List<Map<String, Object>> sorted = new ArrayList<>(evs);
        sorted.sort((x, y) -> Double.compare(x.get("ts") instanceof Double a ? a : -1, y.get("ts") instanceof Double b ? b : -1));
        for (Map<String, Object> e : sorted) {
            assertTrue(e.get("name") instanceof String n && !n.isEmpty(), () -> "no name: " + e);
            assertTrue(phases.contains(e.get("ph")), () -> "unknown phase: " + e);
            assertTrue(isInt(e.get("pid")), () -> "pid not an integer: " + e);
            assertTrue(e.get("args") == null || e.get("args") instanceof Map, () -> "args not an object: " + e);
            String ph = (String) e.get("ph");
            Double pid = (Double) e.get("pid");
            if (ph.equals("M")) {
                Map<String, Object> a = (Map<String, Object>) e.get("args");
                assertTrue(a != null, () -> "metadata without args: " + e);
                switch ((String) e.get("name")) {
                    case "process_name" -> {
                        assertTrue(a.get("name") instanceof String, e::toString);
                        namedPids.add(pid);
                    }
                    case "thread_name" -> {
                        assertTrue(a.get("name") instanceof String && isInt(e.get("tid")), e::toString);
                        namedTids.add(List.of(pid, (Double) e.get("tid")));
                    }
                    case "process_sort_index", "thread_sort_index" -> assertTrue(isInt(a.get("sort_index")), e::toString);
                    default -> throw new AssertionError("unknown metadata event: " + e);
                }
                continue;
            }
            assertTrue(isInt(e.get("tid")), () -> "tid not an integer: " + e);
            assertTrue(e.get("ts") instanceof Double ts && ts >= 0, () -> "ts: " + e);
            List<Double> track = List.of(pid, (Double) e.get("tid"));
            usedTids.add(track);
            double ts = (Double) e.get("ts");
            switch (ph) {
                case "X" -> assertTrue(e.get("dur") instanceof Double d && d >= 0, () -> "dur: " + e);
                case "B" -> open.computeIfAbsent(track, k -> new ArrayList<>()).add(e);
                case "E" -> {
                    List<Map<String, Object>> st = open.get(track);
                    assertTrue(st != null && !st.isEmpty(), () -> "E without B: " + e);
                    Map<String, Object> b = st.remove(st.size() - 1);
                    assertTrue((Double) b.get("ts") <= ts, () -> "E before its B: " + e);
                }
                case "b", "e" -> {
                    assertTrue(isInt(e.get("id")) && e.get("cat") instanceof String, () -> "async event without id/cat: " + e);
                    List<Object> key = List.of(pid, e.get("cat"), e.get("id"));
                    if (ph.equals("b")) {
                        assertTrue(!asyncOpen.containsKey(key) && !asyncDone.contains(key), () -> "async id begun twice: " + e);
                        asyncOpen.put(key, ts);
                    } else {
                        Double b = asyncOpen.remove(key);
                        assertTrue(b != null && b <= ts, () -> "e without an earlier b: " + e);
                        asyncDone.add(key);
                    }
                }
                case "i", "I" -> assertTrue(e.get("s") == null || List.of("g", "p", "t").contains(e.get("s")), e::toString);
                case "s", "t", "f" -> {
                    assertTrue(isInt(e.get("id")) && e.get("cat") instanceof String, () -> "flow without id/cat: " + e);
                    Double id = (Double) e.get("id");
                    if (ph.equals("s")) {
                        assertTrue(flowStart.put(id, ts) == null, () -> "flow id started twice: " + e);
                    } else {
                        Double st = flowStart.get(id);
                        assertTrue(st != null && st <= ts, () -> "flow step/end without an earlier start: " + e);
                        if (ph.equals("f")) {
                            assertTrue(flowEnded.add(id), () -> "flow id ended twice: " + e);
                        }
                    }
                }
                default -> {}
            }
        }
        assertTrue(asyncOpen.isEmpty(), () -> "b without e: " + asyncOpen.keySet());
        for (var o : open.entrySet()) {
            assertTrue(o.getValue().isEmpty(), () -> "B without E on " + o.getKey() + ": " + o.getValue());
        }
        for (List<Double> t : usedTids) {
            assertTrue(namedPids.contains(t.get(0)), () -> "no process_name for pid " + t.get(0));
            assertTrue(namedTids.contains(t), () -> "no thread_name for pid/tid " + t);
        }
    }

    /** Go's wait reasons (runtime2.go: waitReasonStrings, as gmp4j's WaitReason has them) and the tracer's own ends. */
    static final Set<String> REASONS = Set.of("chan send", "chan receive", "chan send (nil chan)", "chan receive (nil chan)",
            "select", "select (no cases)", "sleep", "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock",
            "sync.WaitGroup.Wait", "sync.Cond.Wait", "semacquire", "IO wait", "Go.run", "java park", "preempted",
            "runnable", "running", "syscall");
    static final Set<String> ENDS;

    static {
        Set<String> ends = new HashSet<>(REASONS);
        ends.add("exit");
        ENDS = Set.copyOf(ends);
    }

    /** What {@link #semantics} found: the events it checked and each broken promise. */
    public static final class Semantics {
        public int events, slices, flows, creates, blocks, tasks, regions, logs;
        /** otherData.droppedEvents: events a full ring lost (then a slice may be missing). */
        public long dropped;
        public final List<String> violations = new ArrayList<>();
        /**
         * GoCreates and GoUnblocks by a goroutine with no slice of it there: the slice its M
         * reported too late (ExecTrace writes a slice from the M, after the G left it). Not a
         * violation: rare (a few in thousands of short traces on a loaded machine).
         */
        public final List<String> outside = new ArrayList<>();

        void fail(String what) {
            if (violations.size() < 50) {
                violations.add(what);
            }
        }

        @Override
        public String toString() {
            return events + " events (" + dropped + " dropped, " + slices + " slices, " + flows + " flows, " + creates + " creates, " + blocks + " blocks, " + tasks + " tasks, " + regions + " regions, " + logs + " logs), "
                    + violations.size() + " violations" + (violations.isEmpty() ? "" : ": " + violations.subList(0, Math.min(8, violations.size())));
        }
    }

    private static final double EPS = 0.0015; // us: ts and dur are each rounded to the ns

    private static double num(Map<String, Object> e, String k) {
        return e.get(k) instanceof Double d ? d : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> args(Map<String, Object> e) {
        return e.get("args") instanceof Map<?, ?> a ? (Map<String, Object>) a : Map.of();
    }

    /**
     * What ExecTrace's overview promises a trace means (after {@link #check}'s format rules):
     * <ul>
     * <li>every timed event lies in the trace, [0, {@code maxUs}] ({@code maxUs}: the wall time
     * from before Trace.start to after Trace.stop returned, in microseconds; NaN: unknown);
     * <li>a goroutine slice (cat goroutine) is named {@code G<goid> <fn>}, its args agree with
     * its track (pid 1: tid is args.p; pid 2: tid is args.m), its end is a Go wait reason,
     * "exit" or the tracer's "runnable"/"java park"; a slice on a P's track has its twin on its
     * M's track, and one with p -1 is on the M's track only;
     * <li>on each P's and each M's track slices do not overlap, nor do one goroutine's slices
     * (it runs on one M at a time); no slice of a goroutine follows its "exit";
     * <li>a goroutine whose GoCreate is in the trace has no slice before it, and its slices are
     * named with the created fn;
     * <li>each flow starts at a GoUnblock (same track and ts) and ends at the start of a slice
     * of the goroutine that GoUnblock names, not before the unblock;
     * <li>a GoBlock is at the end of a slice of its goroutine, on that slice's track, with
     * that slice's end reason;
     * <li>a GoCreate or GoUnblock by a goroutine lies within a slice of it on that P (where no
     * event was dropped, and after its first slice in the trace; also listed in
     * {@link Semantics#outside});
     * <li>user annotations: a task (pid 5) begins once and ends once, after it began, named by
     * its type, args.task its id, a parent (args.parent, not 0) begun before it where the trace
     * has it; a region (cat region, X) and a log or region misuse (instants) are on the track of
     * their goroutine (pid 6: tid is args.goid) or thread (pid 7: tid is args.thread, goid 0),
     * with args.task; one goroutine's regions nest (none ends inside another it began after).
     * </ul>
     */
    @SuppressWarnings("unchecked")
    public static Semantics semantics(byte[] json, double maxUs) {
        Object root = new Json(new String(json, StandardCharsets.UTF_8)).parseAll();
        List<Map<String, Object>> evs = new ArrayList<>();
        for (Object o : (List<Object>) ((Map<String, Object>) root).get("traceEvents")) {
            evs.add((Map<String, Object>) o);
        }
        Semantics r = new Semantics();
        r.dropped = (long) num((Map<String, Object>) ((Map<String, Object>) root).get("otherData"), "droppedEvents");
        Map<List<Double>, List<Map<String, Object>>> tracks = new HashMap<>();
        Map<Double, List<Map<String, Object>>> perG = new HashMap<>();
        Map<String, Map<String, Object>> twins = new HashMap<>(); // goid/ts/dur -> P-track slice
        Map<Double, Map<String, Object>> created = new HashMap<>();
        Map<Double, Map<String, Object>> flowFrom = new HashMap<>(); // flow id -> its GoUnblock
        Map<String, Map<String, Object>> sliceAt = new HashMap<>(); // pid/tid/ts -> slice starting there
        List<Map<String, Object>> flowEnds = new ArrayList<>(), goBlocks = new ArrayList<>(), byGoroutine = new ArrayList<>();
        Map<String, Object> lastUnblock = null;
        Map<Double, Map<String, Object>> taskBegins = new HashMap<>();
        Map<List<Double>, List<Map<String, Object>>> regions = new HashMap<>();
        for (Map<String, Object> e : evs) {
            String ph = (String) e.get("ph");
            if (ph.equals("M")) {
                continue;
            }
            r.events++;
            double ts = num(e, "ts"), pid = num(e, "pid"), tid = num(e, "tid");
            double end = ph.equals("X") ? ts + num(e, "dur") : ts;
            if (!(ts >= 0) || !Double.isNaN(maxUs) && end > maxUs + EPS) {
                r.fail("outside the trace [0, " + maxUs + "]: " + e);
            }
            Map<String, Object> a = args(e);
            String name = (String) e.get("name");
            if (ph.equals("X") && "goroutine".equals(e.get("cat"))) {
                r.slices++;
                double goid = num(a, "goid");
                if (!name.startsWith("G" + (long) goid + " ")) {
                    r.fail("slice named for another goroutine: " + e);
                }
                if (!(pid == 1 && tid == num(a, "p") || pid == 2 && tid == num(a, "m"))) {
                    r.fail("slice args disagree with its track: " + e);
                }
                if (!ENDS.contains(a.get("end"))) {
                    r.fail("slice end not a Go wait reason: " + e);
                }
                tracks.computeIfAbsent(List.of(pid, tid), k -> new ArrayList<>()).add(e);
                String key = (long) goid + "/" + ts + "/" + num(e, "dur");
                if (pid == 1) {
                    if (twins.put(key, e) != null) {
                        r.fail("two P-track slices of one run: " + e);
                    }
                } else {
                    perG.computeIfAbsent(goid, k -> new ArrayList<>()).add(e);
                }
                sliceAt.put(pid + "/" + tid + "/" + ts, e);
            } else if (ph.equals("i") && name.equals("GoCreate")) {
                r.creates++;
                if (num(a, "parent") > 0) {
                    byGoroutine.add(e);
                }
                if (created.put(num(a, "goid"), e) != null) {
                    r.fail("a goroutine created twice: " + e);
                }
            } else if (ph.equals("i") && name.equals("GoBlock")) {
                r.blocks++;
                goBlocks.add(e);
                if (!REASONS.contains(a.get("reason")) || "runnable".equals(a.get("reason"))) {
                    r.fail("GoBlock reason not a Go wait reason: " + e);
                }
            } else if (ph.equals("i") && name.equals("GoUnblock")) {
                lastUnblock = e;
                if (num(a, "by") > 0) {
                    byGoroutine.add(e);
                }
                continue;
            } else if (ph.equals("s")) {
                r.flows++;
                Map<String, Object> u = lastUnblock; // written just before its flow's start
                if (u == null || num(u, "ts") != ts || num(u, "pid") != pid || num(u, "tid") != tid) {
                    r.fail("flow start not at a GoUnblock: " + e + " after " + u);
                } else {
                    flowFrom.put(num(e, "id"), u);
                }
            } else if (ph.equals("f")) {
                flowEnds.add(e);
            } else if (ph.equals("b") || ph.equals("e")) {
                if (pid != 5 || !"task".equals(e.get("cat"))) {
                    r.fail("async event not a task on pid 5: " + e);
                }
                if (ph.equals("b")) {
                    r.tasks++;
                    if (num(a, "task") != num(e, "id")) {
                        r.fail("task's args.task is not its id: " + e);
                    }
                    taskBegins.put(num(e, "id"), e);
                }
            } else if ("region".equals(e.get("cat")) || "log".equals(e.get("cat"))) {
                if (ph.equals("X")) {
                    r.regions++;
                    regions.computeIfAbsent(List.of(pid, tid), k -> new ArrayList<>()).add(e);
                } else if (ph.equals("i")) {
                    r.logs += "log".equals(e.get("cat")) ? 1 : 0;
                } else {
                    r.fail("annotation neither a region slice nor an instant: " + e);
                }
                if (!(pid == 6 && tid == num(a, "goid") || pid == 7 && tid == num(a, "thread") && num(a, "goid") == 0)) {
                    r.fail("annotation args disagree with its track: " + e);
                }
                if (!isInt(a.get("task")) && !"region misuse".equals(name)) {
                    r.fail("annotation without args.task: " + e);
                }
            }
            lastUnblock = null;
        }
        // Tasks: a parent in the trace began before its subtask.
        for (Map<String, Object> b : taskBegins.values()) {
            Map<String, Object> parent = taskBegins.get(num(args(b), "parent"));
            if (parent != null && num(parent, "ts") > num(b, "ts") + EPS) {
                r.fail("subtask begun before its parent " + parent + ": " + b);
            }
        }
        // Regions: nested per goroutine (sorted by start, longest first at a tie).
        for (var t : regions.entrySet()) {
            List<Map<String, Object>> rs = t.getValue();
            rs.sort((x, y) -> num(x, "ts") != num(y, "ts") ? Double.compare(num(x, "ts"), num(y, "ts")) : Double.compare(num(y, "dur"), num(x, "dur")));
            List<Map<String, Object>> stack = new ArrayList<>();
            for (Map<String, Object> e : rs) {
                while (!stack.isEmpty() && num(stack.getLast(), "ts") + num(stack.getLast(), "dur") <= num(e, "ts") + EPS) {
                    stack.removeLast();
                }
                if (!stack.isEmpty() && num(e, "ts") + num(e, "dur") > num(stack.getLast(), "ts") + num(stack.getLast(), "dur") + EPS) {
                    r.fail("regions not nested on " + t.getKey() + ": " + stack.getLast() + " and " + e);
                }
                stack.add(e);
            }
        }
        // Twins: every slice on a P's track is also on its M's; a slice without a P only there.
        for (List<Map<String, Object>> gs : perG.values()) {
            for (Map<String, Object> e : gs) {
                Map<String, Object> a = args(e);
                String key = (long) num(a, "goid") + "/" + num(e, "ts") + "/" + num(e, "dur");
                Map<String, Object> twin = twins.remove(key);
                if (num(a, "p") >= 0 && twin == null) {
                    r.fail("slice with a P missing from the P's track: " + e);
                } else if (num(a, "p") < 0 && twin != null) {
                    r.fail("slice without a P on a P's track: " + twin);
                }
            }
        }
        for (Map<String, Object> t : twins.values()) {
            r.fail("P-track slice missing from its M's track: " + t);
        }
        // No overlap on a track (P or M), nor between one goroutine's slices.
        for (var t : tracks.entrySet()) {
            overlaps(r, t.getValue(), (t.getKey().get(0) == 1 ? "P" : "M") + t.getKey().get(1).longValue() + "'s track");
        }
        for (var g : perG.entrySet()) {
            List<Map<String, Object>> s = g.getValue();
            overlaps(r, s, "G" + g.getKey().longValue());
            for (int i = 0; i + 1 < s.size(); i++) {
                if ("exit".equals(args(s.get(i)).get("end"))) {
                    r.fail("G" + g.getKey().longValue() + " runs after its exit: " + s.get(i + 1));
                }
            }
            Map<String, Object> c = created.get(g.getKey());
            if (c != null) {
                Map<String, Object> first = s.get(0);
                if (num(first, "ts") < num(c, "ts")) {
                    r.fail("slice before its goroutine's GoCreate at " + num(c, "ts") + ": " + first);
                }
                String fn = (String) args(c).get("fn");
                if (!((String) first.get("name")).equals("G" + g.getKey().longValue() + " " + fn)) {
                    r.fail("slice named otherwise than its GoCreate's fn " + fn + ": " + first);
                }
            }
        }
        // Flow ends: at the start of a slice of the goroutine unblocked.
        for (Map<String, Object> f : flowEnds) {
            Map<String, Object> u = flowFrom.get(num(f, "id"));
            Map<String, Object> s = sliceAt.get(num(f, "pid") + "/" + num(f, "tid") + "/" + num(f, "ts"));
            if (u == null) {
                r.fail("flow end without its GoUnblock: " + f);
            } else if (s == null || num(args(s), "goid") != num(args(u), "goid")) {
                r.fail("flow from " + u + " ends at no slice of G" + (long) num(args(u), "goid") + ": " + f + " (slice there: " + s + ")");
            } else if (num(u, "ts") > num(f, "ts")) {
                r.fail("flow ends before its unblock: " + u + " -> " + f);
            }
        }
        // GoBlock: at a slice's end, on its track, with its reason. Slices by track and
        // goroutine, ordered by their end (a ping-pong goroutine has thousands on one track).
        Map<String, TreeMap<Double, List<Map<String, Object>>>> byTrackG = new HashMap<>();
        for (var t : tracks.entrySet()) {
            for (Map<String, Object> e : t.getValue()) {
                byTrackG.computeIfAbsent(t.getKey().get(0) + "/" + t.getKey().get(1) + "/" + num(args(e), "goid"), k -> new TreeMap<>())
                        .computeIfAbsent(num(e, "ts") + num(e, "dur"), k -> new ArrayList<>()).add(e);
            }
        }
        for (Map<String, Object> b : goBlocks) {
            boolean found = false;
            double at = num(b, "ts");
            var ends = byTrackG.getOrDefault(num(b, "pid") + "/" + num(b, "tid") + "/" + num(args(b), "goid"), new TreeMap<>());
            for (List<Map<String, Object>> near : ends.subMap(at - EPS, true, at + EPS, true).values()) {
                for (Map<String, Object> s : near) {
                    found |= args(s).get("end").equals(args(b).get("reason"));
                }
            }
            if (!found) {
                r.fail("GoBlock at no slice's end: " + b);
            }
        }
        // A goroutine's GoCreate or GoUnblock is on its track: within a slice of it on that P
        // (or, where sysmon handed the P away meanwhile, one without a P), unless it came
        // before the goroutine's first slice in the trace (that one may have begun before it).
        // Not where a full ring dropped events: the slice may be among them.
        // A slice still open at the stop (its M not yet back from the G, or the G running) is
        // taken by the stop (ExecTrace.takeOpenSlices): none is missing.
        for (Map<String, Object> u : r.dropped == 0 ? byGoroutine : List.<Map<String, Object>>of()) {
            double g = num(args(u), u.get("name").equals("GoCreate") ? "parent" : "by"), ts = num(u, "ts");
            List<Map<String, Object>> gs = perG.getOrDefault(g, List.of()); // sorted by ts (overlaps)
            int lo = 0, hi = gs.size() - 1, at = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (num(gs.get(mid), "ts") <= ts + EPS) {
                    at = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (at < 0) {
                continue;
            }
            Map<String, Object> sl = gs.get(at);
            double p = num(args(sl), "p");
            boolean onTrack = num(u, "pid") == 1 ? p == num(u, "tid") || p < 0 : p < 0 || num(u, "pid") == 3;
            if (ts > num(sl, "ts") + num(sl, "dur") + EPS || !onTrack) {
                String what = u.get("name") + " outside its goroutine's slices (last before: " + sl + ", next: "
                        + (at + 1 < gs.size() ? gs.get(at + 1) : null) + "): " + u;
                r.outside.add(what);
                r.fail(what);
            }
        }
        return r;
    }

    private static void overlaps(Semantics r, List<Map<String, Object>> s, String where) {
        s.sort((x, y) -> Double.compare(num(x, "ts"), num(y, "ts")));
        for (int i = 1; i < s.size(); i++) {
            Map<String, Object> prev = s.get(i - 1), cur = s.get(i);
            if (num(prev, "ts") + num(prev, "dur") > num(cur, "ts") + EPS) {
                r.fail("overlap on " + where + ": " + prev + " and " + cur);
            }
        }
    }
}
