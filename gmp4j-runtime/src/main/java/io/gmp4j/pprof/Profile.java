package io.gmp4j.pprof;

import io.gmp4j.internal.pprof.Profiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * pprof.go: Profile, a named collection of stacks: one of the built-in profiles or one the
 * program made with {@link Pprof#newProfile}. {@link Pprof#lookup} gives the same object for the
 * same name every time.
 */
public final class Profile {
    private final Profiles.Entry entry;

    Profile(Profiles.Entry entry) {
        this.entry = entry;
    }

    /** Profile.Name: the name {@link Pprof#lookup} finds it by. */
    public String name() {
        return entry.name();
    }

    /** Profile.Count: the number of stacks in the profile now. */
    public int count() {
        return entry.count();
    }

    /**
     * Profile.Add: adds the calling stack with {@code value} as its key (compared with
     * {@code equals}; kept until {@link #remove}). {@code skip} 0 starts the stack at the method
     * that calls add, 1 at its caller, and so on; a skip past the stack's end records one frame
     * named {@code lostProfileEvent}. At most 32 frames.
     *
     * @throws io.gmp4j.GoPanic "pprof: Profile.Add of duplicate value" when {@code value} is there
     *     already; "pprof: Add called on built-in Profile NAME" on a built-in profile
     */
    public void add(Object value, int skip) {
        entry.add(value, skip, Profile.class);
    }

    /** Profile.Remove: removes {@code value}'s stack; a no-op when it is not there. */
    public void remove(Object value) {
        entry.remove(value);
    }

    /**
     * Profile.WriteTo: writes the profile to {@code out} (flushed, not closed). {@code debug} 0
     * writes the gzipped profile.proto that {@code go tool pprof} reads; 1 Go's legacy text
     * ({@code NAME profile: total N}, then each stack with its count, and for the goroutine
     * profile a {@code # labels: {"k":"v"}} line for labelled goroutines); for the goroutine
     * profile, 2 the stacks of all goroutines as an unrecovered panic prints them. Stacks are
     * Java frames without addresses (docs/DIVERGENCES.md).
     *
     * @throws UncheckedIOException when writing to {@code out} fails (Go returns the error)
     */
    public void writeTo(OutputStream out, int debug) {
        byte[] b = entry.write(debug);
        try {
            out.write(b);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "pprof.Profile(" + name() + ")";
    }
}
