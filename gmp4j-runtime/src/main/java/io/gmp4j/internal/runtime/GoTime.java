package io.gmp4j.internal.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Go's text for times and durations, where gmp4j prints what Go prints (a context's name).
 * time.go: Duration.String ("1h2m3.5s", "1.5ms", "0s") and Time.String without the monotonic
 * clock's " m=+..." (a Java Instant carries none).
 */
public final class GoTime {
    private GoTime() {}

    private static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter ZONE = DateTimeFormatter.ofPattern(" xx z");

    /** time.go: Duration.String of d, saturated to Go's int64 nanoseconds. */
    public static String duration(Duration d) {
        long n;
        try {
            n = d.toNanos();
        } catch (ArithmeticException overflow) {
            n = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return duration(n);
    }

    /** time.go: Duration.String of n nanoseconds. */
    public static String duration(long n) {
        if (n == 0) {
            return "0s";
        }
        // |n| as an unsigned value: Long.MIN_VALUE's magnitude does not fit a long.
        long u = n < 0 ? -n : n;
        StringBuilder sb = new StringBuilder(32);
        if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
            // Under a second: the largest unit that keeps the integer part non-zero.
            String unit;
            int prec;
            if (u < 1_000L) {
                unit = "ns";
                prec = 0;
            } else if (u < 1_000_000L) {
                unit = "µs";
                prec = 3;
            } else {
                unit = "ms";
                prec = 6;
            }
            appendScaled(sb, u, prec);
            sb.append(unit);
        } else {
            long secs = Long.divideUnsigned(u, 1_000_000_000L);
            long frac = Long.remainderUnsigned(u, 1_000_000_000L);
            long h = secs / 3600, m = secs / 60 % 60, s = secs % 60;
            if (h > 0) {
                sb.append(h).append('h');
            }
            if (h > 0 || m > 0) {
                sb.append(m).append('m');
            }
            appendScaled(sb, s * 1_000_000_000L + frac, 9);
            sb.append('s');
        }
        return n < 0 ? "-" + sb : sb.toString();
    }

    /** v / 10^prec with its fraction's trailing zeros (and a bare point) left out. */
    private static void appendScaled(StringBuilder sb, long v, int prec) {
        long scale = 1;
        for (int i = 0; i < prec; i++) {
            scale *= 10;
        }
        sb.append(v / scale);
        appendFraction(sb, v % scale, scale);
    }

    /** "." and frac's prec = log10(scale) digits, without trailing zeros; nothing for 0. */
    private static void appendFraction(StringBuilder sb, long frac, long scale) {
        if (frac != 0) {
            String digits = Long.toString(frac + scale).substring(1); // zero-padded
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(digits, 0, end);
        }
    }

    /** time.go: Time.String in the JVM's zone, e.g. "2026-12-06 11:25:02.1234 +0000 UTC". */
    public static String time(Instant t) {
        return time(t, ZoneId.systemDefault());
    }

    /** time.go: Time.String of t.In(zone). */
    static String time(Instant t, ZoneId zone) {
        if (t.equals(Instant.MAX) || t.equals(Instant.MIN)) {
            return t.toString(); // past any zone's date range
        }
        ZonedDateTime z = t.atZone(zone);
        StringBuilder sb = new StringBuilder(40).append(WALL.format(z));
        appendFraction(sb, z.getNano(), 1_000_000_000L);
        return sb.append(ZONE.format(z)).toString();
    }
}
