package io.gmp4j.chan.lincheck;

import java.util.Set;
import java.util.TreeSet;

/**
 * An operation's result where Go allows several: a select with more than one ready case picks
 * one at random (Go spec, "Select statements"), which lincheck's deterministic sequential
 * specification cannot choose for it. The implementation returns the one outcome it produced;
 * the specification returns every outcome the sequential state allows. Two outcomes are equal
 * when they share a member, so the real result matches the specification's set when the set
 * contains it (and two real results, both singletons, only when they are the same).
 */
final class Outcome {
    private final Set<String> allowed;

    private Outcome(Set<String> allowed) {
        this.allowed = allowed;
    }

    static Outcome of(String s) {
        return new Outcome(Set.of(s));
    }

    static Outcome anyOf(Set<String> allowed) {
        return new Outcome(new TreeSet<>(allowed));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Outcome other)) {
            return false;
        }
        for (String s : allowed) {
            if (other.allowed.contains(s)) {
                return true;
            }
        }
        return false;
    }

    /** Constant: equality is set intersection, which no finer hash respects. */
    @Override
    public int hashCode() {
        return 0;
    }

    @Override
    public String toString() {
        return allowed.size() == 1 ? allowed.iterator().next() : String.join(" | ", allowed);
    }
}
