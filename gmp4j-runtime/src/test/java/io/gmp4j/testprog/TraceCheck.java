package io.gmp4j.testprog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
     * its s; M events one of the metadata names with a string or integer arg; and metadata names
     * every process and every thread that an event uses.
     */
    @SuppressWarnings("unchecked")
    public static void schema(List<Map<String, Object>> evs) {
        Set<String> phases = Set.of("X", "B", "E", "i", "I", "s", "t", "f", "M", "C");
        Set<Double> namedPids = new HashSet<>();
        Set<List<Double>> namedTids = new HashSet<>(), usedTids = new HashSet<>();
        Map<List<Double>, List<Map<String, Object>>> open = new HashMap<>();
        Map<Double, Double> flowStart = new HashMap<>();
        Set<Double> flowEnded = new HashSet<>();
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
        for (var o : open.entrySet()) {
            assertTrue(o.getValue().isEmpty(), () -> "B without E on " + o.getKey() + ": " + o.getValue());
        }
        for (List<Double> t : usedTids) {
            assertTrue(namedPids.contains(t.get(0)), () -> "no process_name for pid " + t.get(0));
            assertTrue(namedTids.contains(t), () -> "no thread_name for pid/tid " + t);
        }
    }
}
