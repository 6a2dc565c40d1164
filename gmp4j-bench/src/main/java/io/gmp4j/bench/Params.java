package io.gmp4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** A child's key=value arguments (the same ones the Go twin gets). */
final class Params {
    private final Map<String, String> values;

    Params(Map<String, String> values) {
        this.values = values;
    }

    static Params parse(String[] args, int from) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq > 0) {
                m.put(args[i].substring(0, eq), args[i].substring(eq + 1));
            }
        }
        return new Params(m);
    }

    int get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing parameter " + key);
        }
        return Integer.parseInt(v);
    }
}
