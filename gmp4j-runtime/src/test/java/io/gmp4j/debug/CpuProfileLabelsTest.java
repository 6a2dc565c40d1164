package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoLeakCheck;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The CPU profile's goroutine labels: a sample taken on a goroutine carries {@code goroutine} = its goid. */
@ExtendWith(GoLeakCheck.class)
class CpuProfileLabelsTest extends DebugServerFixture {
    static long sink;

    static void spinLabelled(AtomicBoolean stop) {
        long x = 0;
        while (!stop.get()) {
            for (int i = 0; i < 100_000; i++) {
                x = x * 31 + i;
            }
        }
        sink = x;
    }

    @Test
    void busyGoroutinesSamplesCarryItsGoid() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong goid = new AtomicLong();
        Chan<Void> started = Chan.make(0), done = Chan.make(0);
        Go.go(() -> {
            goid.set(io.gmp4j.internal.runtime.Park.goid());
            started.close();
            spinLabelled(stop);
            done.close();
        });
        started.recv();
        byte[] gz;
        try {
            gz = get("/debug/pprof/profile?seconds=1");
        } finally {
            stop.set(true);
            done.recv();
        }
        assertTrue(goid.get() > 0);
        String g = Long.toString(goid.get());
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            String raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(raw.contains("goroutine") && raw.contains(g), "the label's key and value are in the string table");
        }
        // -raw prints each sample's values and location ids, then its labels on the next line:
        //          17  170000000: 1 2 3 4 5
        //                 goroutine:[2]
        String raw = pprof("-raw", gz);
        if (raw == null) {
            return;
        }
        java.util.Set<String> labelledLocs = new java.util.HashSet<>();
        String[] lines = raw.split("\n");
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].trim().equals("goroutine:[" + g + "]")) {
                String sample = lines[i - 1];
                labelledLocs.addAll(java.util.List.of(sample.substring(sample.indexOf(':') + 1).trim().split("\\s+")));
            }
        }
        assertTrue(!labelledLocs.isEmpty(), "no sample labelled goroutine:[" + g + "]:\n" + raw);
        boolean named = false;
        for (String l : lines) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*(\\d+): .*CpuProfileLabelsTest\\.spinLabelled ").matcher(l);
            named |= m.find() && labelledLocs.contains(m.group(1));
        }
        assertTrue(named, "the labelled samples are the busy goroutine's: " + raw);
        String tags = pprof("-tags", gz);
        assertTrue(tags.contains("goroutine: Total"), tags);
    }
}
