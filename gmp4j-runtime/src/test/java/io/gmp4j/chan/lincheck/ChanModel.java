package io.gmp4j.chan.lincheck;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequential specification of a few channels that goroutines may block on (Go spec,
 * "Channel types", "Send statements", "Receive operator", "Close", "Select statements"), and
 * the grouping of a history's operations into the events {@link HistoryChecker} orders.
 *
 * <p>A buffered channel is a FIFO of at most cap values plus a closed flag. An operation takes
 * effect at one instant of its interval, at a state where the case it took was ready: a send
 * when the buffer has room (a send that blocked on a full buffer just takes effect late), a
 * receive when the buffer is non-empty (its head) or the channel is closed and empty (null,
 * false); a send case on a closed channel panics "send on closed channel" and makes a select
 * panic only then; default (a failed trySend, a tryRecv not ready) only when no case was
 * ready; close panics "close of closed channel" when already closed; len is the buffer's size.
 *
 * <p>An unbuffered channel has no buffer: a send and the receive that got its value (values
 * are unique, so the pair is known) are one rendezvous, one event at a single instant in both
 * intervals (their intersection), allowed while the channel is open. Alone, a send or
 * receive case on an open unbuffered channel is never ready, so default is always allowed
 * there: whether a partner was already waiting is not observable from tickets. A select
 * cannot meet itself (Go queues its own sudogs only after polling every case): it takes one
 * case, so its own send is never among the sends that took effect.
 */
final class ChanModel implements HistoryChecker.Model<ChanModel.State> {
    /** Buffers (immutable lists, head first) and closed flags, one per channel. */
    record State(List<List<Integer>> bufs, int closedBits) {
        boolean closed(int ch) {
            return (closedBits & (1 << ch)) != 0;
        }
    }

    /** One event: an operation, or (an unbuffered rendezvous) a sender and the receiver of its value. */
    record Event(int op, int partner) {
        boolean paired() {
            return partner >= 0;
        }
    }

    private final int[] caps;
    private final List<History.Entry<ChanOp, ChanOp.Result>> ops;
    private final List<Event> events = new ArrayList<>();
    private final long[] inv, resp;
    /** Why the history was rejected while pairing, or null. */
    private final String pairingError;

    ChanModel(int[] caps, List<History.Entry<ChanOp, ChanOp.Result>> ops) {
        this.caps = caps.clone();
        this.ops = List.copyOf(ops);
        this.pairingError = pair();
        inv = new long[events.size()];
        resp = new long[events.size()];
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            History.Entry<ChanOp, ChanOp.Result> a = this.ops.get(e.op);
            inv[i] = a.inv();
            resp[i] = a.resp();
            if (e.paired()) {
                History.Entry<ChanOp, ChanOp.Result> b = this.ops.get(e.partner);
                inv[i] = Math.max(inv[i], b.inv());
                resp[i] = Math.min(resp[i], b.resp());
            }
        }
    }

    /**
     * Whether the history is linearizable; when it is not, {@link HistoryChecker.Result}
     * carries the longest accepted prefix (see {@link #explain}).
     */
    HistoryChecker.Result check() {
        if (pairingError != null) {
            return new HistoryChecker.Result(null, List.of(), pairingError);
        }
        return HistoryChecker.linearize(inv, resp, this);
    }

    /** How many events are unbuffered rendezvous (a send and a receive merged). */
    int rendezvousCount() {
        return (int) events.stream().filter(Event::paired).count();
    }

    /** The history, the events and, for a rejected one, where the search got furthest. */
    String explain(HistoryChecker.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("caps ");
        for (int i = 0; i < caps.length; i++) {
            sb.append(ChanOp.name(i)).append('=').append(caps[i]).append(' ');
        }
        sb.append('\n');
        for (int i = 0; i < ops.size(); i++) {
            sb.append("  op").append(i).append(' ').append(ops.get(i)).append('\n');
        }
        if (r.rejectedBecause() != null) {
            sb.append("rejected: ").append(r.rejectedBecause()).append('\n');
        }
        if (r.longestPrefix() != null && r.rejectedBecause() == null) {
            sb.append("longest linearizable prefix:");
            if (r.longestPrefix().isEmpty()) {
                sb.append(" (none)");
            }
            for (int e : r.longestPrefix()) {
                sb.append(' ').append(describe(events.get(e)));
            }
            sb.append('\n');
        }
        if (r.order() != null) {
            sb.append("linearization:");
            for (int e : r.order()) {
                sb.append(' ').append(describe(events.get(e)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String describe(Event e) {
        return e.paired() ? "(op" + e.op + "+op" + e.partner + ")" : "op" + e.op;
    }

    /** The case an operation took, or null (default, panic, close, len). */
    private ChanOp.Case taken(History.Entry<ChanOp, ChanOp.Result> e) {
        ChanOp.Result r = e.result();
        if (r.panic() != null || r.chosen() < 0 || e.op().cases().isEmpty()) {
            return null;
        }
        return e.op().cases().get(r.chosen());
    }

    /** Builds {@link #events}: each unbuffered transfer merged with its partner. Returns why that failed, or null. */
    private String pair() {
        Map<Long, Integer> sends = new HashMap<>(); // (ch, value) -> op, for sends that took effect on an unbuffered channel
        List<Integer> recvs = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            ChanOp.Case c = taken(ops.get(i));
            if (c == null || caps[c.ch()] != 0) {
                events.add(new Event(i, -1));
            } else if (c.send()) {
                if (sends.put(key(c.ch(), c.value()), i) != null) {
                    return "value " + c.value() + " sent twice on " + ChanOp.name(c.ch());
                }
            } else if (ops.get(i).result().ok()) {
                recvs.add(i);
            } else {
                events.add(new Event(i, -1)); // received (null, false): closed
            }
        }
        for (int r : recvs) {
            ChanOp.Case c = taken(ops.get(r));
            Integer v = ops.get(r).result().value();
            Integer s = v == null ? null : sends.remove(key(c.ch(), v));
            if (s == null) {
                return "op" + r + " received " + v + " from unbuffered " + ChanOp.name(c.ch()) + ", which no send left unreceived";
            }
            events.add(new Event(s, r));
        }
        if (!sends.isEmpty()) {
            return "sends completed on an unbuffered channel that nobody received: ops " + sends.values();
        }
        return null;
    }

    private static long key(int ch, int value) {
        return ((long) ch << 32) | (value & 0xffffffffL);
    }

    @Override
    public State initial() {
        List<List<Integer>> bufs = new ArrayList<>();
        for (int i = 0; i < caps.length; i++) {
            bufs.add(List.of());
        }
        return new State(List.copyOf(bufs), 0);
    }

    @Override
    public State step(State s, int event) {
        Event e = events.get(event);
        if (e.paired()) {
            int ch = taken(ops.get(e.op)).ch();
            return s.closed(ch) ? null : s; // a rendezvous on an open channel changes no state
        }
        History.Entry<ChanOp, ChanOp.Result> entry = ops.get(e.op);
        ChanOp op = entry.op();
        ChanOp.Result r = entry.result();
        switch (op.kind()) {
            case CLOSE -> {
                if (r.panic() != null) {
                    return r.panic().equals("close of closed channel") && s.closed(op.ch()) ? s : null;
                }
                return s.closed(op.ch()) ? null : new State(s.bufs(), s.closedBits() | (1 << op.ch()));
            }
            case LEN -> {
                return r.value() != null && r.value() == s.bufs().get(op.ch()).size() ? s : null;
            }
            default -> {
                return stepCases(s, op, r);
            }
        }
    }

    private State stepCases(State s, ChanOp op, ChanOp.Result r) {
        if (r.panic() != null) {
            if (!r.panic().equals("send on closed channel")) {
                return null;
            }
            for (ChanOp.Case c : op.cases()) {
                if (c.send() && s.closed(c.ch())) {
                    return s; // select.go pass 1 may poll this case first (or it is the only one)
                }
            }
            return null;
        }
        if (r.chosen() < 0) {
            if (!op.hasDefault()) {
                return null;
            }
            for (ChanOp.Case c : op.cases()) {
                if (ready(s, c)) {
                    return null;
                }
            }
            return s;
        }
        ChanOp.Case c = op.cases().get(r.chosen());
        List<Integer> buf = s.bufs().get(c.ch());
        boolean closed = s.closed(c.ch());
        if (c.send()) {
            // An unbuffered send that took effect is always paired; alone it is never allowed.
            if (closed || caps[c.ch()] == 0 || buf.size() >= caps[c.ch()]) {
                return null;
            }
            List<Integer> nb = new ArrayList<>(buf);
            nb.add(c.value());
            return with(s, c.ch(), nb);
        }
        if (!r.ok()) {
            return closed && buf.isEmpty() && r.value() == null ? s : null;
        }
        if (buf.isEmpty() || !buf.get(0).equals(r.value())) {
            return null;
        }
        return with(s, c.ch(), buf.subList(1, buf.size()));
    }

    /** Whether a case could proceed alone in {@code s} (a send to a closed channel "proceeds" by panicking). */
    private boolean ready(State s, ChanOp.Case c) {
        List<Integer> buf = s.bufs().get(c.ch());
        if (s.closed(c.ch())) {
            return true;
        }
        return c.send() ? buf.size() < caps[c.ch()] : !buf.isEmpty();
    }

    private static State with(State s, int ch, List<Integer> buf) {
        List<List<Integer>> bufs = new ArrayList<>(s.bufs());
        bufs.set(ch, List.copyOf(buf));
        return new State(List.copyOf(bufs), s.closedBits());
    }
}
