package io.gmp4j.chan.lincheck;

import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;

import java.util.List;

/**
 * One operation of a goroutine history on a few channels of Integer (named a, b, ...): a
 * blocking or non-blocking send or receive, a select over its cases (with or without
 * default), close or len. Sends, receives and trySend/tryRecv are selects of one case for the
 * model (Go compiles them to chansend/chanrecv, selectnbsend/selectnbrecv, which behave as
 * such); {@link #perform} calls the API each kind names.
 *
 * @param kind which API call
 * @param cases the cases in source order (one for send, recv, trySend, tryRecv)
 * @param ch the channel of close and len (-1 otherwise)
 */
record ChanOp(Kind kind, List<Case> cases, int ch) {
    enum Kind { SEND, RECV, TRY_SEND, TRY_RECV, SELECT, SELECT_DEFAULT, CLOSE, LEN }

    /** {@code ch <- value} when {@code send}, else {@code <-ch}. */
    record Case(boolean send, int ch, int value) {
        @Override
        public String toString() {
            return send ? name(ch) + "<-" + value : "<-" + name(ch);
        }
    }

    /**
     * What an operation returned: the case taken ({@code chosen}, -1 for default, a failed
     * trySend or a tryRecv that was not ready; 0 for close and len), the value and ok of a
     * receive (len's length in {@code value}), or the message it panicked with.
     */
    record Result(int chosen, Integer value, boolean ok, String panic) {
        static final Result DEFAULT = new Result(-1, null, false, null);

        static Result sent(int chosen) {
            return new Result(chosen, null, true, null);
        }

        static Result received(int chosen, Integer v, boolean ok) {
            return new Result(chosen, v, ok, null);
        }

        static Result panicked(String message) {
            return new Result(0, null, false, message);
        }

        @Override
        public String toString() {
            if (panic != null) {
                return "panic: " + panic;
            }
            if (chosen < 0) {
                return "default";
            }
            return "case " + chosen + (value != null || !ok ? " " + value + "," + ok : "");
        }
    }

    static ChanOp send(int ch, int v) {
        return new ChanOp(Kind.SEND, List.of(new Case(true, ch, v)), -1);
    }

    static ChanOp recv(int ch) {
        return new ChanOp(Kind.RECV, List.of(new Case(false, ch, 0)), -1);
    }

    static ChanOp trySend(int ch, int v) {
        return new ChanOp(Kind.TRY_SEND, List.of(new Case(true, ch, v)), -1);
    }

    static ChanOp tryRecv(int ch) {
        return new ChanOp(Kind.TRY_RECV, List.of(new Case(false, ch, 0)), -1);
    }

    static ChanOp select(boolean withDefault, Case... cases) {
        return new ChanOp(withDefault ? Kind.SELECT_DEFAULT : Kind.SELECT, List.of(cases), -1);
    }

    static ChanOp close(int ch) {
        return new ChanOp(Kind.CLOSE, List.of(), ch);
    }

    static ChanOp len(int ch) {
        return new ChanOp(Kind.LEN, List.of(), ch);
    }

    /** Whether the operation may take the default path (a trySend, tryRecv or select with default). */
    boolean hasDefault() {
        return kind == Kind.TRY_SEND || kind == Kind.TRY_RECV || kind == Kind.SELECT_DEFAULT;
    }

    /** Runs the operation on {@code chans} (a panic propagates: {@link History#record} keeps it). */
    Result perform(List<Chan<Integer>> chans) {
        return switch (kind) {
            case SEND -> {
                chans.get(cases.get(0).ch).send(cases.get(0).value);
                yield Result.sent(0);
            }
            case RECV -> {
                Chan.Recv<Integer> r = chans.get(cases.get(0).ch).recvOk();
                yield Result.received(0, r.value(), r.ok());
            }
            case TRY_SEND -> chans.get(cases.get(0).ch).trySend(cases.get(0).value) ? Result.sent(0) : Result.DEFAULT;
            case TRY_RECV -> {
                Chan.Recv<Integer> r = chans.get(cases.get(0).ch).tryRecv();
                yield r == null ? Result.DEFAULT : Result.received(0, r.value(), r.ok());
            }
            case SELECT, SELECT_DEFAULT -> performSelect(chans);
            case CLOSE -> {
                chans.get(ch).close();
                yield Result.sent(0);
            }
            case LEN -> new Result(0, chans.get(ch).len(), true, null);
        };
    }

    private Result performSelect(List<Chan<Integer>> chans) {
        int n = cases.size();
        Select.Case[] sc = new Select.Case[n + (kind == Kind.SELECT_DEFAULT ? 1 : 0)];
        Object[] got = new Object[2];
        for (int i = 0; i < n; i++) {
            Case c = cases.get(i);
            sc[i] = c.send ? chans.get(c.ch).onSend(c.value, null) : chans.get(c.ch).onRecvOk((v, ok) -> {
                got[0] = v;
                got[1] = ok;
            });
        }
        if (kind == Kind.SELECT_DEFAULT) {
            sc[n] = Select.onDefault(null);
        }
        int chosen = Select.select(sc);
        if (chosen == n) {
            return Result.DEFAULT;
        }
        return cases.get(chosen).send ? Result.sent(chosen) : Result.received(chosen, (Integer) got[0], (Boolean) got[1]);
    }

    static String name(int ch) {
        return String.valueOf((char) ('a' + ch));
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SEND, RECV, TRY_SEND, TRY_RECV -> kind.name().toLowerCase().replace("_s", "S").replace("_r", "R") + " " + cases.get(0);
            case SELECT -> "select " + cases;
            case SELECT_DEFAULT -> "select " + cases + "+default";
            case CLOSE -> "close " + name(ch);
            case LEN -> "len " + name(ch);
        };
    }
}
