package io.gmp4j.chan.lincheck;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a complete concurrent history is linearizable against a sequential model
 * (Herlihy and Wing's definition), by Wing and Gong's search with Lowe's just-in-time pruning
 * and memoisation ("Testing for linearizability", 2016): each event has an invocation and a
 * response ticket from one global clock; an event may come next in the linearization only if
 * it was invoked before every remaining event's response (otherwise that event, which
 * returned before this one began, would have to come first). The search tries each such event
 * the model accepts from the current state, and remembers the (set of events done, model
 * state) pairs it has already failed from, so a history of ~25 events is decided in at most
 * (subsets reachable in real-time order) x (model states) steps.
 *
 * <p>An event is usually one operation; a caller may merge operations that must take effect
 * at one instant (an unbuffered channel's send and the receive that got its value) into one
 * event whose interval is the intersection of theirs. Histories must be complete: every
 * operation responded (the test ends every blocked operation, e.g. by a close).
 */
final class HistoryChecker {
    private HistoryChecker() {}

    /** A sequential specification over immutable states with value equality. */
    interface Model<S> {
        S initial();

        /** The state after {@code event} takes effect in {@code s}, or null if the model forbids it there (result included). */
        S step(S s, int event);
    }

    /** The largest history the search takes: the set of events done is a long's bits. */
    static final int MAX_EVENTS = 63;

    /**
     * A linearization of events {@code 0 .. inv.length - 1} (their order), or null if there is
     * none. {@code inv[i] < resp[i]} for every event; an event with {@code inv[i] > resp[i]} (an
     * empty intersection of merged operations) makes the history non-linearizable at once.
     */
    static <S> Result linearize(long[] inv, long[] resp, Model<S> model) {
        int n = inv.length;
        if (n > MAX_EVENTS || resp.length != n) {
            throw new IllegalArgumentException("linearize: " + n + " events (at most " + MAX_EVENTS + "), " + resp.length + " responses");
        }
        for (int i = 0; i < n; i++) {
            if (inv[i] > resp[i]) {
                return new Result(null, List.of(), "event " + i + " has an empty interval [" + inv[i] + ", " + resp[i] + "]");
            }
        }
        Search<S> s = new Search<>(inv, resp, model);
        boolean ok = s.dfs(0L, model.initial(), 0);
        if (ok) {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = s.path[i];
            }
            return new Result(order, null, null);
        }
        List<Integer> longest = new ArrayList<>();
        for (int i = 0; i < s.longestLen; i++) {
            longest.add(s.longest[i]);
        }
        return new Result(null, longest, null);
    }

    /**
     * The search's answer: {@code order} (a linearization) or, when there is none, the longest
     * prefix the model accepted (where the history went wrong, for the failure message) or the
     * reason it was rejected before the search.
     */
    record Result(int[] order, List<Integer> longestPrefix, String rejectedBecause) {
        boolean linearizable() {
            return order != null;
        }
    }

    private static final class Search<S> {
        private final long[] inv, resp;
        private final Model<S> model;
        private final int n;
        private final long all;
        private final Set<Key<S>> failed = new HashSet<>();
        private final int[] path, longest;
        private int longestLen;

        Search(long[] inv, long[] resp, Model<S> model) {
            this.inv = inv;
            this.resp = resp;
            this.model = model;
            this.n = inv.length;
            this.all = (1L << n) - 1; // n <= 63
            this.path = new int[n];
            this.longest = new int[n];
        }

        private record Key<S>(long done, S state) {}

        boolean dfs(long done, S state, int depth) {
            if (done == all) {
                return true;
            }
            if (depth > longestLen) {
                longestLen = depth;
                System.arraycopy(path, 0, longest, 0, depth);
            }
            Key<S> key = new Key<>(done, state);
            if (failed.contains(key)) {
                return false;
            }
            // Lowe's just-in-time rule: only events invoked before the earliest pending response.
            long minResp = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                if ((done & (1L << i)) == 0 && resp[i] < minResp) {
                    minResp = resp[i];
                }
            }
            for (int i = 0; i < n; i++) {
                if ((done & (1L << i)) != 0 || inv[i] > minResp) {
                    continue;
                }
                S next = model.step(state, i);
                if (next != null) {
                    path[depth] = i;
                    if (dfs(done | (1L << i), next, depth + 1)) {
                        return true;
                    }
                }
            }
            failed.add(key);
            return false;
        }
    }
}
