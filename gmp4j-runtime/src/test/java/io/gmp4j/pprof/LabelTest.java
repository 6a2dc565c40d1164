package io.gmp4j.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gmp4j.GoPanic;
import io.gmp4j.context.Context;
import io.gmp4j.internal.pprof.PprofExport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** label_test.go: a context's labels as WithLabels, Label and ForLabels see them, and labelMap's text. */
class LabelTest {
    private static List<String> labelsSorted(Context ctx) {
        List<String> ls = new ArrayList<>();
        Pprof.forLabels(ctx, (k, v) -> {
            ls.add(k + "=" + v);
            return true;
        });
        ls.sort(null);
        return ls;
    }

    // label_test.go: TestContextLabels
    @Test
    void contextLabels() {
        // Background context starts with no labels.
        Context ctx = Context.background();
        assertEquals(List.of(), labelsSorted(ctx), "labels on background context");

        // Add a single label.
        ctx = Pprof.withLabels(ctx, Pprof.labels("key", "value"));
        // Retrieve it with Label.
        assertEquals(Optional.of("value"), Pprof.label(ctx, "key"));
        assertEquals(List.of("key=value"), labelsSorted(ctx));

        // Add a label with a different key.
        ctx = Pprof.withLabels(ctx, Pprof.labels("key2", "value2"));
        assertEquals(List.of("key2=value2", "key=value"), labelsSorted(ctx));

        // Add label with first key to test label replacement.
        ctx = Pprof.withLabels(ctx, Pprof.labels("key", "value3"));
        assertEquals(List.of("key2=value2", "key=value3"), labelsSorted(ctx));

        // Labels called with two labels with the same key should pick the second.
        ctx = Pprof.withLabels(ctx, Pprof.labels("key4", "value4a", "key4", "value4b"));
        assertEquals(List.of("key2=value2", "key4=value4b", "key=value3"), labelsSorted(ctx));
        assertEquals(Optional.empty(), Pprof.label(ctx, "missing"));
    }

    /** ForLabels stops at the first false. */
    @Test
    void forLabelsStops() {
        Context ctx = Pprof.withLabels(Context.background(), Pprof.labels("a", "1", "b", "2", "c", "3"));
        List<String> seen = new ArrayList<>();
        Pprof.forLabels(ctx, (k, v) -> {
            seen.add(k);
            return false;
        });
        assertEquals(1, seen.size());
    }

    /** pprof.Labels panics with Go's text on an odd count. */
    @Test
    void unevenLabelsPanic() {
        GoPanic p = assertThrows(GoPanic.class, () -> Pprof.labels("k"));
        assertEquals("uneven number of arguments to pprof.Labels", p.getMessage());
    }

    /** A parent's labels stay as they were when a child context adds some. */
    @Test
    void withLabelsCopiesTheParents() {
        Context parent = Pprof.withLabels(Context.background(), Pprof.labels("k", "parent"));
        Context child = Pprof.withLabels(parent, Pprof.labels("k", "child"));
        assertEquals(Optional.of("parent"), Pprof.label(parent, "k"));
        assertEquals(Optional.of("child"), Pprof.label(child, "k"));
    }

    /**
     * A labelled context's String, as Go's (context.go: stringify; Go 1.21+): the key by its type
     * (labelContextKey has no String method), the labels by labelMap.String. Was
     * {@code WithValue(pprof.labelContextKey{}, {a=1, b=x<TAB>y})}: a made-up key text and Java's map text.
     */
    @Test
    void contextString() {
        Context ctx = Pprof.withLabels(Context.background(), Pprof.labels("a", "1", "b", "x\ty"));
        assertEquals("context.Background.WithValue(pprof.labelContextKey, {\"a\":\"1\", \"b\":\"x\\ty\"})", ctx.toString());
        Context empty = Pprof.withLabels(Context.background(), Pprof.labels());
        assertEquals("context.Background.WithValue(pprof.labelContextKey, {})", empty.toString());
        assertEquals(Map.of("a", "1", "b", "x\ty"), labelsOf(ctx), "the labels still read as a map");
    }

    private static Map<String, String> labelsOf(Context ctx) {
        Map<String, String> m = new java.util.TreeMap<>();
        Pprof.forLabels(ctx, (k, v) -> {
            m.put(k, v);
            return true;
        });
        return m;
    }

    // label_test.go: TestLabelMapStringer
    @Test
    void labelMapStringer() {
        Map<String, String> big = new LinkedHashMap<>();
        big.put("foo", "bar");
        big.put("key1", "value1");
        big.put("key2", "value2");
        big.put("key3", "value3");
        big.put("key4WithNewline", "\nvalue4");
        assertEquals("{}", PprofExport.labelString(Map.of()));
        assertEquals("{\"foo\":\"bar\"}", PprofExport.labelString(Map.of("foo", "bar")));
        assertEquals("{\"foo\":\"bar\", \"key1\":\"value1\", \"key2\":\"value2\", \"key3\":\"value3\", \"key4WithNewline\":\"\\nvalue4\"}",
                PprofExport.labelString(big));
    }
}
