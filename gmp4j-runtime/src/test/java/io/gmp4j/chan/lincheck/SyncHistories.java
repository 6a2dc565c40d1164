package io.gmp4j.chan.lincheck;

import java.util.List;

/** The tickets of a sync history as {@link HistoryChecker}'s events (one per operation), and its text for a failure. */
final class SyncHistories {
    private SyncHistories() {}

    static long[] inv(List<History.Entry<SyncOp, Boolean>> ops) {
        return ops.stream().mapToLong(History.Entry::inv).toArray();
    }

    static long[] resp(List<History.Entry<SyncOp, Boolean>> ops) {
        return ops.stream().mapToLong(History.Entry::resp).toArray();
    }

    static String explain(List<History.Entry<SyncOp, Boolean>> ops, HistoryChecker.Result r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ops.size(); i++) {
            sb.append("  op").append(i).append(' ').append(ops.get(i)).append('\n');
        }
        if (r.longestPrefix() != null) {
            sb.append("longest linearizable prefix:");
            r.longestPrefix().forEach(e -> sb.append(" op").append(e));
            sb.append('\n');
        }
        return sb.toString();
    }
}
