package io.gmp4j;

import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.chan.Chan;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The API packages form no import cycle (Go forbids one; here it would mean two packages that
 * cannot be understood apart). Runs jdeps on the runtime's classes and searches the package
 * edges among {@code chan}, {@code sync}, {@code xsync}, {@code time}, {@code context} and {@code pprof} for a
 * cycle. {@code io.gmp4j} itself and {@code io.gmp4j.internal.runtime} are the internals every
 * package shares and are left out.
 */
class PackageCycleTest {
    private static final Set<String> API = Set.of(
            "io.gmp4j.chan", "io.gmp4j.sync", "io.gmp4j.xsync", "io.gmp4j.time", "io.gmp4j.context", "io.gmp4j.pprof");

    /** "   io.gmp4j.context     -> io.gmp4j.sync     classes" */
    private static final Pattern EDGE = Pattern.compile("^\\s*(io\\.gmp4j[\\w.]*)\\s+->\\s+(io\\.gmp4j[\\w.]*)\\s");

    @Test
    void noCycleAmongApiPackages() throws Exception {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElse(null);
        Assumptions.assumeTrue(jdeps != null, "no jdeps in this JDK");
        Path classes = Path.of(Chan.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", classes.toString());
        assertEquals(0, rc, () -> "jdeps failed: " + err);

        Map<String, Set<String>> edges = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && API.contains(m.group(1)) && API.contains(m.group(2)) && !m.group(1).equals(m.group(2))) {
                edges.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        assertTrue(edges.getOrDefault("io.gmp4j.context", Set.of()).contains("io.gmp4j.sync"),
                () -> "jdeps output not understood (context -> sync expected): " + edges);

        List<String> cycle = findCycle(edges);
        assertNull(cycle, () -> "package cycle " + cycle + " in " + edges);
    }

    /** A cycle as a path whose last element is its first, or null: depth-first search with colours. */
    static List<String> findCycle(Map<String, Set<String>> edges) {
        Map<String, Integer> colour = new TreeMap<>(); // absent: unvisited, 1: on the path, 2: done
        for (String start : edges.keySet()) {
            List<String> path = new ArrayList<>();
            List<String> c = visit(start, edges, colour, path);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    private static List<String> visit(String p, Map<String, Set<String>> edges, Map<String, Integer> colour, List<String> path) {
        Integer c = colour.get(p);
        if (c != null && c == 2) {
            return null;
        }
        if (c != null) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(p), path.size()));
            cycle.add(p);
            return cycle;
        }
        colour.put(p, 1);
        path.add(p);
        for (String q : edges.getOrDefault(p, Set.of())) {
            List<String> found = visit(q, edges, colour, path);
            if (found != null) {
                return found;
            }
        }
        path.remove(path.size() - 1);
        colour.put(p, 2);
        return null;
    }

    @Test
    void findCycleFindsOne() {
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"));
        assertEquals(List.of("a", "b", "c", "a"), findCycle(new TreeMap<>(g)));
        assertNull(findCycle(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c")))));
    }
}
