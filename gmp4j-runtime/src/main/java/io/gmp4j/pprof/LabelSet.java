package io.gmp4j.pprof;

import java.util.List;

/**
 * label.go: LabelSet, a list of key-value pairs made by {@link Pprof#labels}, in the order given
 * (a later pair with a key already there wins when the set is applied: Go's WithLabels loop).
 */
public final class LabelSet {
    /** label.go: label. */
    record Label(String key, String value) {}

    final List<Label> list;

    LabelSet(List<Label> list) {
        this.list = List.copyOf(list);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSet l && l.list.equals(list);
    }

    @Override
    public int hashCode() {
        return list.hashCode();
    }

    /** The pairs as Go's {@code %v} prints the struct: {@code {[{k v} {k2 v2}]}}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{[");
        for (int i = 0; i < list.size(); i++) {
            b.append(i > 0 ? " " : "").append('{').append(list.get(i).key()).append(' ').append(list.get(i).value()).append('}');
        }
        return b.append("]}").toString();
    }
}
