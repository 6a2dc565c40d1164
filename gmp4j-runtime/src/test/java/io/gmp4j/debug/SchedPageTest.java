package io.gmp4j.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.testing.GoLeakCheck;
import io.gmp4j.testing.GoTesting;
import io.gmp4j.time.Time;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live scheduler page ({@code /debug/sched}): its JSON is the scheduler's state, and the page
 * itself, loaded in headless Chromium, fills its P table from it (a screenshot goes to
 * {@code docs/sched-page.png}). The browser checks are skipped, with a message, where Debian's
 * {@code chromium} is not installed ({@code .ci/run} installs it).
 */
@ExtendWith(GoLeakCheck.class)
class SchedPageTest {
    @TempDir
    Path tmp;

    /** A known load at GOMAXPROCS=2: 8 goroutines in chan receive, 2 asleep, one worker that runs and sleeps. */
    private static void withLoad(Body body) throws Exception {
        Chan<Integer> never = Chan.make();
        AtomicBoolean stop = new AtomicBoolean();
        WaitGroup wg = new WaitGroup();
        int[] procs = {0};
        GoTesting.withProcs(2, () -> {
            procs[0] = Go.gomaxprocs(0);
            wg.add(11);
            for (int i = 0; i < 8; i++) {
                Go.go(() -> {
                    never.recv();
                    wg.done();
                });
            }
            for (int i = 0; i < 2; i++) {
                Go.go(() -> {
                    while (!stop.get()) {
                        Time.sleep(Duration.ofMillis(50));
                    }
                    wg.done();
                });
            }
            Go.go(() -> {
                long x = 0;
                while (!stop.get()) {
                    long end = System.nanoTime() + 1_000_000;
                    while (System.nanoTime() < end) {
                        x += System.nanoTime() & 7;
                    }
                    Time.sleep(Duration.ofMillis(3));
                }
                wg.done();
                if (x == 42) {
                    System.out.print("");
                }
            });
            try {
                body.run(procs[0]);
            } catch (Exception e) {
                throw new RuntimeException(e);
            } finally {
                stop.set(true);
                never.close();
                wg.await();
            }
        });
    }

    interface Body {
        void run(int procs) throws Exception;
    }

    @Test
    void dataIsTheSchedulersState() throws Exception {
        InetSocketAddress addr = Debug.serve("localhost:0");
        withLoad(procs -> {
            assertEquals(2, procs);
            String html = GoToolPprof.getText(addr, "/debug/sched");
            assertTrue(html.contains("<table id=\"ps\">"), html);
            assertFalse(Pattern.compile("<script[^>]+src=|https?://(?!www\\.w3\\.org/2000/svg)").matcher(html).find(),
                    "the page loads nothing from elsewhere");
            GoTesting.awaitTrue("8 goroutines in chan receive", () -> {
                try {
                    return GoToolPprof.getText(addr, "/debug/sched/data").contains("\"chan receive\":8");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            String d = GoToolPprof.getText(addr, "/debug/sched/data");
            assertTrue(d.contains("\"gomaxprocs\":2,"), d);
            Matcher ps = Pattern.compile("\\{\"id\":(\\d+),\"status\":\"(idle|running|retiring|dead)\",\"runqsize\":\\d+,\"runnext\":(null|\\d+),\"curg\":(null|\\d+),\"m\":(null|\\d+),").matcher(d);
            List<String> ids = new ArrayList<>();
            while (ps.find()) {
                ids.add(ps.group(1));
            }
            assertEquals(List.of("0", "1"), ids, d);
            assertTrue(Pattern.compile("\"ms\":\\[\\{\"id\":\\d+,\"p\":(null|\\d+),\"curg\":(null|\\d+),\"spinning\":(true|false),\"blocked\":(true|false),").matcher(d).find(), d);
            Matcher total = Pattern.compile("\"gs\":\\{\"total\":(\\d+),\"runnable\":\\d+,\"running\":\\d+,\"waiting\":(\\d+),").matcher(d);
            assertTrue(total.find(), d);
            assertTrue(Integer.parseInt(total.group(1)) >= 11 && Integer.parseInt(total.group(2)) >= 8, d);
            // The history: rows of [ms, the nine figures], growing with the sampler.
            Matcher seq = Pattern.compile("\"seq\":(\\d+)\\}$").matcher(d);
            assertTrue(seq.find(), d);
            long s0 = Long.parseLong(seq.group(1));
            assertTrue(Pattern.compile("\"history\":\\[\\[\\d+(,\\d+){9}\\]").matcher(d).find(), d);
            GoTesting.awaitTrue("a new history row", () -> {
                try {
                    String later = GoToolPprof.getText(addr, "/debug/sched/data?since=" + s0);
                    return Pattern.compile("\"history\":\\[\\[\\d+,2(,\\d+){8}\\]").matcher(later).find();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            String index = GoToolPprof.getText(addr, "/debug/pprof/");
            assertTrue(index.contains("<a href=\"/debug/sched\">"), index);
        });
    }

    /**
     * Where the screenshot goes: target/, and the checkout's docs/ (the one the README shows)
     * with -Dgmp4j.updateDocs=true, so that a test run leaves the work tree clean.
     */
    private static Path screenshotPath() {
        for (Path d = Path.of("").toAbsolutePath(); d != null && Boolean.getBoolean("gmp4j.updateDocs"); d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("docs/DIVERGENCES.md"))) {
                return d.resolve("docs/sched-page.png");
            }
        }
        return Path.of("target/sched-page.png").toAbsolutePath();
    }

    @Test
    void pageFillsInHeadlessChromium() throws Exception {
        String bin = HeadlessChromium.find();
        Assumptions.assumeTrue(bin != null, HeadlessChromium.MISSING);
        InetSocketAddress addr = Debug.serve("localhost:0");
        String url = "http://127.0.0.1:" + addr.getPort() + "/debug/sched";
        withLoad(procs -> {
            GoTesting.awaitTrue("8 goroutines in chan receive", () -> {
                try {
                    return GoToolPprof.getText(addr, "/debug/sched/data").contains("\"chan receive\":8");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // The DOM after the page's script ran: virtual time lets its first polls complete.
            String dom = HeadlessChromium.run(bin, tmp.resolve("dom"), List.of("--virtual-time-budget=3000", "--dump-dom", url));
            Matcher rows = Pattern.compile("<tr[^>]* id=\"p-(\\d+)\"[^>]*><td>P(\\d+)</td><td>(idle|running|retiring)</td>").matcher(dom);
            List<String> ps = new ArrayList<>();
            while (rows.find()) {
                assertEquals(rows.group(1), rows.group(2));
                ps.add(rows.group(1));
            }
            assertEquals(List.of("0", "1"), ps, dom);
            assertTrue(dom.contains("<span id=\"pcount\">2</span>"), dom);
            assertTrue(dom.contains("<span id=\"state\" class=\"live\">live</span>"), dom);
            Matcher gs = Pattern.compile("<span id=\"gcount\">(\\d+)</span>").matcher(dom);
            assertTrue(gs.find() && Integer.parseInt(gs.group(1)) >= 11, dom);
            assertTrue(dom.contains("<td>chan receive</td><td>8</td>"), dom);
            assertTrue(Pattern.compile("<tr[^>]* id=\"m-\\d+\"").matcher(dom).find(), dom);
            assertTrue(dom.contains("<polyline points=\""), "the chart has lines: " + dom);

            Path png = screenshotPath();
            Files.createDirectories(png.getParent());
            Path shot = tmp.resolve("sched-page.png");
            HeadlessChromium.run(bin, tmp.resolve("shot"), List.of("--virtual-time-budget=3000", "--hide-scrollbars",
                    "--window-size=1280,900", "--screenshot=" + shot, url));
            byte[] b = Files.readAllBytes(shot);
            assertTrue(b.length > 10_000 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', "not a PNG: " + b.length + " bytes");
            Files.copy(shot, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        });
    }
}
