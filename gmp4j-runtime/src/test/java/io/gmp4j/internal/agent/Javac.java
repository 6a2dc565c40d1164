package io.gmp4j.internal.agent;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compiles generated Java sources (javac through java.util.spi.ToolProvider, in this JVM) for
 * the back-edge transformer's tests on generated programs, and loads them as they are or
 * instrumented.
 */
final class Javac {
    private static final java.util.spi.ToolProvider JAVAC = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();

    private Javac() {}

    /** The class files of {@code sources} (simple class name to source, no package) by binary name. */
    static Map<String, byte[]> compile(Map<String, String> sources) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("gmp4j-javac");
            List<String> args = new ArrayList<>(List.of("-g", "-proc:none", "-nowarn", "-d", dir.resolve("out").toString()));
            for (var e : sources.entrySet()) {
                Path f = dir.resolve(e.getKey() + ".java");
                Files.writeString(f, e.getValue());
                args.add(f.toString());
            }
            StringWriter err = new StringWriter();
            int rc = JAVAC.run(new PrintWriter(err), new PrintWriter(err), args.toArray(String[]::new));
            if (rc != 0) {
                throw new IllegalArgumentException("javac: " + err);
            }
            Map<String, byte[]> out = new HashMap<>();
            Path root = dir.resolve("out");
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".class")).toList()) {
                    String n = root.relativize(p).toString().replace(java.io.File.separatorChar, '.');
                    out.put(n.substring(0, n.length() - ".class".length()), Files.readAllBytes(p));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a temp dir left behind
                }
            }
        }
    }

    /** A loader defining {@code classes} from these bytes, the rest from the test's loader. */
    static ClassLoader loader(Map<String, byte[]> classes) {
        return new ClassLoader(Javac.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String n) throws ClassNotFoundException {
                byte[] b = classes.get(n);
                if (b == null) {
                    throw new ClassNotFoundException(n);
                }
                return defineClass(n, b, 0, b.length);
            }
        };
    }

    /** Each class instrumented (as it is where the transformer leaves it alone). */
    static Map<String, byte[]> instrumented(Map<String, byte[]> classes) {
        Map<String, byte[]> out = new HashMap<>();
        classes.forEach((k, v) -> {
            byte[] t = BackEdgeTransformer.instrument(v, Javac.class.getClassLoader());
            out.put(k, t != null ? t : v);
        });
        return out;
    }
}
