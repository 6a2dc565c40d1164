package io.gmp4j.chan.lincheck;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The sequential specification of {@link SelectLincheckTest}: two channels of capacities
 * CAP_A and CAP_B, no waiting goroutines (every operation is non-blocking). Go's select
 * chooses uniformly among its ready cases (select.go: pass 1 polls in a random order and
 * completes the first ready one; a send case on a closed channel is "ready" and panics), so a
 * select may lead to several states. This specification keeps the set of states the history
 * so far allows and returns the set of results any of them allows. It does not learn which
 * case the implementation chose, so after a select with two ready cases it accepts either
 * continuation: weaker than one fixed state, never a false alarm. Where exactly one case is
 * ready, or none, the set stays a single state and the check is exact.
 */
public final class SelectSpec {
    /**
     * One sequential state: both buffers and closed flags. A class, not a record: lincheck's
     * model checking reads fields through Unsafe, which refuses record fields.
     */
    private static final class State {
        private final List<Integer> a, b;
        private final boolean closedA, closedB;

        State(List<Integer> a, List<Integer> b, boolean closedA, boolean closedB) {
            this.a = a;
            this.b = b;
            this.closedA = closedA;
            this.closedB = closedB;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && a.equals(s.a) && b.equals(s.b) && closedA == s.closedA && closedB == s.closedB;
        }

        @Override
        public int hashCode() {
            return Objects.hash(a, b, closedA, closedB);
        }

        List<Integer> buf(char c) {
            return c == 'a' ? a : b;
        }

        boolean closed(char c) {
            return c == 'a' ? closedA : closedB;
        }

        int cap(char c) {
            return c == 'a' ? SelectLincheckTest.CAP_A : SelectLincheckTest.CAP_B;
        }

        State with(char c, List<Integer> buf, boolean closed) {
            return c == 'a' ? new State(buf, b, closed, closedB) : new State(a, buf, closedA, closed);
        }
    }

    /** A result and the state it leaves. */
    private static final class Step {
        private final String result;
        private final State next;

        Step(String result, State next) {
            this.result = result;
            this.next = next;
        }

        String result() {
            return result;
        }

        State next() {
            return next;
        }
    }

    private Set<State> states = new LinkedHashSet<>(List.of(new State(List.of(), List.of(), false, false)));

    private interface Op {
        void apply(State s, List<Step> out);
    }

    private Outcome run(Op op) {
        Set<String> results = new TreeSet<>();
        Set<State> next = new LinkedHashSet<>();
        List<Step> steps = new ArrayList<>();
        for (State s : states) {
            steps.clear();
            op.apply(s, steps);
            for (Step st : steps) {
                results.add(st.result());
                next.add(st.next());
            }
        }
        states = next;
        return Outcome.anyOf(results);
    }

    private static List<Integer> plus(List<Integer> l, int v) {
        List<Integer> r = new ArrayList<>(l);
        r.add(v);
        return List.copyOf(r);
    }

    /** chan.go: chansend with block == false. */
    private static void trySend(State s, char c, int v, List<Step> out) {
        if (s.closed(c)) {
            out.add(new Step("panic: send on closed channel", s));
        } else if (s.buf(c).size() < s.cap(c)) {
            out.add(new Step("true", s.with(c, plus(s.buf(c), v), false)));
        } else {
            out.add(new Step("false", s));
        }
    }

    /** chan.go: chanrecv with block == false: data first, then closed, else not ready. */
    private static void tryRecv(State s, char c, List<Step> out) {
        List<Integer> buf = s.buf(c);
        if (!buf.isEmpty()) {
            out.add(new Step(buf.get(0) + "/true", s.with(c, List.copyOf(buf.subList(1, buf.size())), s.closed(c))));
        } else if (s.closed(c)) {
            out.add(new Step("null/false", s));
        } else {
            out.add(new Step("not ready", s));
        }
    }

    private static void close(State s, char c, List<Step> out) {
        if (s.closed(c)) {
            out.add(new Step("panic: close of closed channel", s));
        } else {
            out.add(new Step("ok", s.with(c, s.buf(c), true)));
        }
    }

    public Outcome trySendA(int v) {
        return run((s, out) -> trySend(s, 'a', v, out));
    }

    public Outcome trySendB(int v) {
        return run((s, out) -> trySend(s, 'b', v, out));
    }

    public Outcome tryRecvA() {
        return run((s, out) -> tryRecv(s, 'a', out));
    }

    public Outcome tryRecvB() {
        return run((s, out) -> tryRecv(s, 'b', out));
    }

    public Outcome closeA() {
        return run((s, out) -> close(s, 'a', out));
    }

    public Outcome closeB() {
        return run((s, out) -> close(s, 'b', out));
    }

    /** Case 0 receives from a, case 1 from b, case 2 is the default: any ready receive, else the default. */
    public Outcome selectRecv() {
        return run((s, out) -> {
            int k = 0;
            for (char c : new char[] {'a', 'b'}) {
                List<Step> one = new ArrayList<>();
                tryRecv(s, c, one);
                Step st = one.get(0);
                if (!st.result().equals("not ready")) {
                    out.add(new Step(k + "=" + c + ":" + st.result(), st.next()));
                }
                k++;
            }
            if (out.isEmpty()) {
                out.add(new Step("2=default", s));
            }
        });
    }

    /** Case 0 sends to a, case 1 to b, case 2 is the default: any case with room, or a closed one (which panics), else the default. */
    public Outcome selectSend(int v) {
        return run((s, out) -> {
            int k = 0;
            for (char c : new char[] {'a', 'b'}) {
                List<Step> one = new ArrayList<>();
                trySend(s, c, v, one);
                Step st = one.get(0);
                if (st.result().equals("true")) {
                    out.add(new Step(k + "=" + c, st.next()));
                } else if (!st.result().equals("false")) {
                    out.add(st); // the panic
                }
                k++;
            }
            if (out.isEmpty()) {
                out.add(new Step("2=default", s));
            }
        });
    }
}
