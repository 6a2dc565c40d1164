package io.gmp4j.chan.lincheck;

import io.gmp4j.GoPanic;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A concurrent history: what each goroutine called, what it got, and when, on one global
 * ticket clock. A goroutine takes a ticket right before the call and another right after it
 * returns (or panics), so ticket order is real-time order: if one operation's response ticket
 * is below another's invocation ticket, the first returned before the second began. The
 * clock's atomic increments are full fences that the operations under test do not have of
 * their own; that is the price of a clock every goroutine can read.
 *
 * @param <O> the operation's description (what was called, with which arguments)
 * @param <R> the operation's result
 */
final class History<O, R> {
    /** One completed operation: by goroutine {@code g}, invoked at ticket {@code inv}, returned at {@code resp}. */
    record Entry<O, R>(int g, O op, R result, long inv, long resp) {
        @Override
        public String toString() {
            return "[" + inv + ", " + resp + "] g" + g + " " + op + " -> " + result;
        }
    }

    private final AtomicLong clock = new AtomicLong();
    private final Queue<Entry<O, R>> entries = new ConcurrentLinkedQueue<>();

    /**
     * Runs {@code call} as goroutine {@code g}'s operation {@code op}, records it, and returns
     * its result; a {@link GoPanic} becomes the result {@code onPanic} makes of its message.
     */
    R record(int g, O op, Supplier<R> call, Function<String, R> onPanic) {
        long inv = clock.incrementAndGet();
        R result;
        try {
            result = call.get();
        } catch (GoPanic p) {
            result = onPanic.apply(p.getMessage());
        }
        long resp = clock.incrementAndGet();
        entries.add(new Entry<>(g, op, result, inv, resp));
        return result;
    }

    /** The clock's current ticket: moves whenever any operation begins or ends. */
    long now() {
        return clock.get();
    }

    /** The entries so far in invocation order. */
    List<Entry<O, R>> entries() {
        List<Entry<O, R>> l = new ArrayList<>(entries);
        l.sort(Comparator.comparingLong(Entry::inv));
        return l;
    }
}
