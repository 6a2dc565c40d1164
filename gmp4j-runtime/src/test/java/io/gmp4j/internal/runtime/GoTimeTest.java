package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Go's texts for durations and times; each expected string is what go1.19 printed for the same value. */
class GoTimeTest {

    // time_test.go: durationTests, and a few more
    @Test
    void durationString() {
        long[] ns = {0, 1, 999, 1000, 1100, 2_200_000, 1_000_000, 1_500_000_000, 1_000_000_000, 59_999_000_000L,
                60_000_000_000L, 3_600_000_000_000L, 10_921_000_000_005L, -1, -1_500_000_000, Long.MAX_VALUE,
                Long.MIN_VALUE, 360_000_000_000_000L};
        String[] go = {"0s", "1ns", "999ns", "1µs", "1.1µs", "2.2ms", "1ms", "1.5s", "1s", "59.999s", "1m0s", "1h0m0s",
                "3h2m1.000000005s", "-1ns", "-1.5s", "2562047h47m16.854775807s", "-2562047h47m16.854775808s", "100h0m0s"};
        for (int i = 0; i < ns.length; i++) {
            assertEquals(go[i], GoTime.duration(ns[i]), "Duration(" + ns[i] + ")");
            if (ns[i] != Long.MIN_VALUE) {
                assertEquals(go[i], GoTime.duration(Duration.ofNanos(ns[i])));
            }
        }
        // Beyond int64 nanoseconds: Go's time.Until saturates
        assertEquals("2562047h47m16.854775807s", GoTime.duration(Duration.ofDays(1_000_000)));
        assertEquals("-2562047h47m16.854775808s", GoTime.duration(Duration.ofDays(-1_000_000)));
    }

    @Test
    void timeString() {
        ZoneId utc = ZoneId.of("UTC");
        assertEquals("2026-12-06 11:25:02.1234 +0000 UTC",
                GoTime.time(LocalDateTime.of(2026, 12, 6, 11, 25, 2, 123_400_000).toInstant(ZoneOffset.UTC), utc));
        assertEquals("2026-12-06 11:25:02 +0000 UTC",
                GoTime.time(LocalDateTime.of(2026, 12, 6, 11, 25, 2).toInstant(ZoneOffset.UTC), utc));
        assertEquals("2026-01-02 03:04:05.000000006 +0100 CET",
                GoTime.time(LocalDateTime.of(2026, 1, 2, 3, 4, 5, 6).toInstant(ZoneOffset.ofHours(1)), ZoneId.of("Europe/Paris")));
        assertEquals(Instant.MAX.toString(), GoTime.time(Instant.MAX, utc));
    }
}
