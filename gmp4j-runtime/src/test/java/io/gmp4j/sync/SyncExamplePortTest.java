package io.gmp4j.sync;

import static io.gmp4j.testing.GoTesting.runG;
import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.Go;
import io.gmp4j.chan.Chan;
import io.gmp4j.testing.GoLeakCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Go's sync/example_test.go and example_pool_test.go (Go 1.21's ExampleOnceValue and
 * ExampleOnceValues included) as tests: each example's "// Output:" becomes the assertion, on
 * the lines the example printed (a synchronized list stands for os.Stdout).
 */
@ExtendWith(GoLeakCheck.class)
class SyncExamplePortTest {

    /**
     * example_test.go: ExampleWaitGroup (Go 1.19's; Go 1.25's ExampleWaitGroup_addAndDone). The
     * fake http.Get is called once per URL before Wait returns.
     */
    @Test
    void exampleWaitGroup() {
        runG(2, () -> {
            List<String> fetched = Collections.synchronizedList(new ArrayList<>());
            WaitGroup wg = new WaitGroup();
            List<String> urls = List.of("http://www.golang.org/", "http://www.google.com/", "http://www.somestupidname.com/");
            for (String url : urls) {
                // Increment the WaitGroup counter.
                wg.add(1);
                // Launch a goroutine to fetch the URL.
                Go.go(() -> {
                    try {
                        fetched.add(url); // http.Get(url)
                    } finally {
                        // Decrement the counter when the goroutine completes.
                        wg.done();
                    }
                });
            }
            // Wait for all HTTP fetches to complete.
            wg.await();
            assertEquals(urls.size(), fetched.size());
            assertTrue(fetched.containsAll(urls));
        });
    }

    /** example_test.go: ExampleWaitGroup in Go 1.25's form, with WaitGroup.Go. */
    @Test
    void exampleWaitGroupGo() {
        runG(2, () -> {
            List<String> fetched = Collections.synchronizedList(new ArrayList<>());
            WaitGroup wg = new WaitGroup();
            List<String> urls = List.of("http://www.golang.org/", "http://www.google.com/", "http://www.example.com/");
            for (String url : urls) {
                // Launch a goroutine to fetch the URL.
                wg.go(() -> fetched.add(url)); // http.Get(url)
            }
            // Wait for all HTTP fetches to complete.
            wg.await();
            assertEquals(urls.size(), fetched.size());
            assertTrue(fetched.containsAll(urls));
        });
    }

    /** example_test.go: ExampleOnce. Output: "Only once". */
    @Test
    void exampleOnce() {
        runG(2, () -> {
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            Once once = new Once();
            Runnable onceBody = () -> out.add("Only once");
            Chan<Boolean> done = Chan.make(0);
            for (int i = 0; i < 10; i++) {
                Go.go(() -> {
                    once.run(onceBody);
                    done.send(true);
                });
            }
            for (int i = 0; i < 10; i++) {
                done.recv();
            }
            assertEquals(List.of("Only once"), out);
        });
    }

    /** example_test.go: ExampleOnceValue (Go 1.21). Output: "Computed once: 499500". */
    @Test
    void exampleOnceValue() {
        runG(2, () -> {
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            Supplier<Integer> once = Once.onceValue(() -> {
                int sum = 0;
                for (int i = 0; i < 1000; i++) {
                    sum += i;
                }
                out.add("Computed once: " + sum);
                return sum;
            });
            Chan<Boolean> done = Chan.make(0);
            for (int i = 0; i < 10; i++) {
                Go.go(() -> {
                    int want = 499500;
                    int got = once.get();
                    if (got != want) {
                        out.add("want " + want + " got " + got);
                    }
                    done.send(true);
                });
            }
            for (int i = 0; i < 10; i++) {
                done.recv();
            }
            assertEquals(List.of("Computed once: 499500"), out);
        });
    }

    /**
     * example_test.go: ExampleOnceValues (Go 1.21), which reads its own source file once; here
     * this class's source, (data, error) as a {@link Once.Values}. Output: "Reading file once".
     */
    @Test
    void exampleOnceValues() {
        runG(2, () -> {
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            Path self = Path.of("src/test/java/io/gmp4j/sync/SyncExamplePortTest.java");
            Supplier<Once.Values<byte[], IOException>> once = Once.onceValues(() -> {
                out.add("Reading file once");
                try {
                    return new Once.Values<>(Files.readAllBytes(self), null);
                } catch (IOException e) {
                    return new Once.Values<>(null, e);
                }
            });
            Chan<Boolean> done = Chan.make(0);
            for (int i = 0; i < 10; i++) {
                Go.go(() -> {
                    Once.Values<byte[], IOException> r = once.get();
                    if (r.v2() != null) {
                        out.add("error: " + r.v2());
                    }
                    done.send(true);
                });
            }
            for (int i = 0; i < 10; i++) {
                done.recv();
            }
            assertEquals(List.of("Reading file once"), out);
        });
    }

    /** example_pool_test.go: bufPool, a pool of byte buffers (Go: *bytes.Buffer). */
    private static final Pool<StringBuilder> BUF_POOL = new Pool<>(StringBuilder::new);

    /** example_pool_test.go: timeNow, fixed for the example. */
    static Instant timeNow() {
        return Instant.ofEpochSecond(1136214245);
    }

    /** example_pool_test.go: Log. */
    static void log(StringBuilder w, String key, String val) {
        StringBuilder b = BUF_POOL.get();
        b.setLength(0); // b.Reset()
        // Replace this with time.Now() in a real logger.
        b.append(DateTimeFormatter.ISO_INSTANT.format(timeNow()));
        b.append(' ');
        b.append(key);
        b.append('=');
        b.append(val);
        w.append(b);
        BUF_POOL.put(b);
    }

    /** example_pool_test.go: ExamplePool. Output: "2006-01-02T15:04:05Z path=/search?q=flowers". */
    @Test
    void examplePool() {
        runG(2, () -> {
            StringBuilder stdout = new StringBuilder();
            log(stdout, "path", "/search?q=flowers");
            assertEquals("2006-01-02T15:04:05Z path=/search?q=flowers", stdout.toString());
            // The second call may reuse the pooled buffer: its old content must not leak out.
            StringBuilder again = new StringBuilder();
            log(again, "k", "v");
            assertEquals("2006-01-02T15:04:05Z k=v", again.toString());
        });
    }
}
