package io.gmp4j.pprof;

import io.gmp4j.GoPanic;
import io.gmp4j.context.Context;
import io.gmp4j.internal.pprof.Cpu;
import io.gmp4j.internal.pprof.Profiles;
import io.gmp4j.internal.runtime.ProfLabels;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * Go's package {@code runtime/pprof}. The profiles are the debug server's (README, "Profiling"):
 * the same functions write both, so {@code Pprof.lookup("goroutine").writeTo(out, 1)} gives
 * what {@code /debug/pprof/goroutine?debug=1} serves, and a profile made with
 * {@link #newProfile} is served at {@code /debug/pprof/NAME} too.
 *
 * <pre>{@code
 * try (var out = new FileOutputStream("cpu.pprof")) {
 *     Pprof.startCPUProfile(out);
 *     Pprof.run(ctx, Pprof.labels("worker", "indexer"), c -> index(c)); // samples labelled worker=indexer
 *     Pprof.stopCPUProfile();
 * }
 * }</pre>
 *
 * <p>Labels: {@link #run} (Go's {@code pprof.Do}; {@code do} is a Java keyword) and
 * {@link #setGoroutineLabels} give the calling goroutine labels, which every goroutine it then
 * starts inherits, and which CPU samples taken on it and its goroutine-profile entry carry.
 */
public final class Pprof {
    private Pprof() {}

    /** label.go: labelContextKey{}; a context's String names it by its type, as Go's stringify. */
    private static final Object LABEL_KEY = new Object() {
        @Override
        public String toString() {
            return "pprof.labelContextKey";
        }
    };

    /** The Profile object of each profile: Lookup gives the same one for a name every time. */
    private static final Map<Profiles.Entry, Profile> PROFILES = new ConcurrentHashMap<>();

    private static Profile wrap(Profiles.Entry e) {
        return e == null ? null : PROFILES.computeIfAbsent(e, Profile::new);
    }

    // ---- profiles ----------------------------------------------------------------------

    /**
     * pprof.StartCPUProfile: profiles the process's CPU use (JFR samples every 10 ms of a
     * thread's CPU time: README, "Profiling") until {@link #stopCPUProfile}, which writes the
     * gzipped profile.proto to {@code out}. Returns once sampling runs.
     *
     * @throws IllegalStateException "cpu profiling already in use" (Go's error) while a profile
     *     runs, the program's or the debug server's {@code /debug/pprof/profile}
     */
    public static void startCPUProfile(OutputStream out) {
        Cpu.startApi(out);
    }

    /**
     * pprof.StopCPUProfile: stops the CPU profile, if one runs, and returns once it is written to
     * its stream (flushed, not closed).
     *
     * @throws java.io.UncheckedIOException when writing to the stream failed
     */
    public static void stopCPUProfile() {
        Cpu.stopApi();
    }

    /** pprof.WriteHeapProfile: {@code lookup("heap").writeTo(out, 0)}. */
    public static void writeHeapProfile(OutputStream out) {
        lookup("heap").writeTo(out, 0);
    }

    /**
     * pprof.Lookup: the profile named {@code name} (goroutine, threadcreate, heap, allocs, block,
     * mutex, or one made with {@link #newProfile}), or null.
     */
    public static Profile lookup(String name) {
        return wrap(Profiles.lookup(name));
    }

    /** pprof.Profiles: all the profiles, sorted by name. */
    public static List<Profile> profiles() {
        List<Profile> out = new ArrayList<>();
        for (Profiles.Entry e : Profiles.all()) {
            out.add(wrap(e));
        }
        return out;
    }

    /**
     * pprof.NewProfile: a new, empty profile named {@code name}, served by the debug server at
     * {@code /debug/pprof/NAME}. Names are for ever (Go has no way to remove one); use an
     * {@code import/path.} prefix and no spaces, as Go advises.
     *
     * @throws GoPanic "pprof: NewProfile with empty name", "pprof: NewProfile name already in use: NAME"
     */
    public static Profile newProfile(String name) {
        return wrap(Profiles.newProfile(name));
    }

    // ---- labels ------------------------------------------------------------------------

    /**
     * pprof.Labels: a LabelSet of the key-value pairs {@code args}.
     *
     * @throws GoPanic "uneven number of arguments to pprof.Labels"
     */
    public static LabelSet labels(String... args) {
        if (args.length % 2 != 0) {
            throw new GoPanic("uneven number of arguments to pprof.Labels");
        }
        List<LabelSet.Label> list = new ArrayList<>(args.length / 2);
        for (int i = 0; i + 1 < args.length; i += 2) {
            list.add(new LabelSet.Label(java.util.Objects.requireNonNull(args[i], "label key"),
                    java.util.Objects.requireNonNull(args[i + 1], "label value")));
        }
        return new LabelSet(list);
    }

    /** label.go: labelValue: the context's labels (an unmodifiable map), empty when it has none. */
    private static Map<String, String> labelValue(Context ctx) {
        @SuppressWarnings("unchecked")
        Map<String, String> m = ctx.value(LABEL_KEY) instanceof Map<?, ?> l ? (Map<String, String>) l : null;
        return m != null ? m : Map.of();
    }

    /** pprof.WithLabels: a context whose labels are {@code ctx}'s with {@code labels} added (replacing same keys). */
    public static Context withLabels(Context ctx, LabelSet labels) {
        TreeMap<String, String> child = new TreeMap<>(labelValue(ctx));
        for (LabelSet.Label l : labels.list) {
            child.put(l.key(), l.value());
        }
        return Context.withValue(ctx, LABEL_KEY, new LabelMap(child));
    }

    /** pprof.Label: the value of label {@code key} in {@code ctx}, if there is one. */
    public static Optional<String> label(Context ctx, String key) {
        return Optional.ofNullable(labelValue(ctx).get(key));
    }

    /** pprof.ForLabels: calls {@code f} on each of {@code ctx}'s labels (by key) until it returns false. */
    public static void forLabels(Context ctx, BiPredicate<String, String> f) {
        for (var e : labelValue(ctx).entrySet()) {
            if (!f.test(e.getKey(), e.getValue())) {
                break;
            }
        }
    }

    /**
     * pprof.SetGoroutineLabels: the calling goroutine's labels become {@code ctx}'s (none when it
     * has none). Goroutines it starts from now on inherit them; those it started keep theirs.
     */
    public static void setGoroutineLabels(Context ctx) {
        @SuppressWarnings("unchecked")
        Map<String, String> m = ctx.value(LABEL_KEY) instanceof Map<?, ?> l ? (Map<String, String>) l : null;
        ProfLabels.set(m);
    }

    /**
     * pprof.Do (named {@code run}, as {@code Once.run}: {@code do} is a Java keyword): calls
     * {@code f} with {@code ctx} plus {@code labels}, with the calling goroutine's labels set to
     * those for the call, and set back to {@code ctx}'s afterwards (however {@code f} ends).
     * Goroutines {@code f} starts inherit the labels.
     */
    public static void run(Context ctx, LabelSet labels, Consumer<Context> f) {
        try {
            Context c = withLabels(ctx, labels);
            setGoroutineLabels(c);
            f.accept(c);
        } finally {
            setGoroutineLabels(ctx);
        }
    }
}
