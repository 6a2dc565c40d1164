package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoLeakCheck;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** /debug/pprof/threadcreate: the creation stacks of the runtime's threads (Go's threadcreate profile). */
@ExtendWith(GoLeakCheck.class)
class ThreadCreateProfileTest extends DebugServerFixture {
    @Test
    void listsTheRuntimesThreadsWithTheirCreationStacks() throws Exception {
        Chan<Void> done = Chan.make(0);
        Go.go(done::close); // the runtime runs: sysmon and at least one M exist
        done.recv();
        String text = getText("/debug/pprof/threadcreate?debug=1");
        Matcher m = Pattern.compile("\\Athreadcreate profile: total (\\d+)\n").matcher(text);
        assertTrue(m.find(), text);
        int total = Integer.parseInt(m.group(1));
        // At least sysmon and the one M that runs this test's goroutines.
        assertTrue(total >= 2, text);
        int sum = 0;
        Matcher g = Pattern.compile("(?m)^(\\d+) @$").matcher(text);
        while (g.find()) {
            sum += Integer.parseInt(g.group(1));
        }
        assertEquals(total, sum, text);
        assertTrue(text.contains("#\tio.gmp4j.internal.runtime.Proc.startm\t"), text);
        assertTrue(text.contains("#\tio.gmp4j.internal.runtime.Sysmon.start\t"), text);

        String index = getText("/debug/pprof/");
        assertTrue(index.contains("<a href='threadcreate?debug=1'>threadcreate</a>"), index);

        byte[] gz = get("/debug/pprof/threadcreate");
        assertEquals(0x1f, gz[0] & 0xff);
        String raw = pprof("-raw", gz);
        if (raw == null) {
            return;
        }
        assertTrue(raw.contains("threadcreate/count"), raw);
        assertTrue(raw.contains("io.gmp4j.internal.runtime.Proc.startm"), raw);
    }
}
