package io.gmp4j.pprof;

import io.gmp4j.internal.pprof.Profiles;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * label.go: labelMap, the labels a context carries (the value under labelContextKey), immutable
 * and sorted by key. Its {@link #toString} is Go's {@code labelMap.String}, which a context's
 * String prints: {@code context.Background.WithValue(pprof.labelContextKey, {"k":"v"})}.
 */
final class LabelMap extends AbstractMap<String, String> {
    private final Map<String, String> m;

    LabelMap(SortedMap<String, String> m) {
        this.m = Collections.unmodifiableSortedMap(m);
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
        return m.entrySet();
    }

    @Override
    public String get(Object key) {
        return m.get(key);
    }

    /** label.go: labelMap.String: {@code {"k1":"v1", "k2":"v2"}}. */
    @Override
    public String toString() {
        return Profiles.labelString(m);
    }
}
