package io.gmp4j;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module {@code io.gmp4j} exports exactly the API packages; everything else is under
 * {@code io.gmp4j.internal} and stays unexported, but for the agent's package, exported to
 * {@code java.instrument} only (the JDK calls its premain). Reads the compiled descriptor
 * (target/classes/module-info.class), the same one {@code jar --describe-module} shows.
 */
class ModuleBoundaryTest {
    static final Set<String> API = Set.of(
            "io.gmp4j", "io.gmp4j.chan", "io.gmp4j.sync", "io.gmp4j.xsync", "io.gmp4j.time",
            "io.gmp4j.context", "io.gmp4j.debug", "io.gmp4j.metrics", "io.gmp4j.trace", "io.gmp4j.pprof");

    private static ModuleDescriptor descriptor() throws Exception {
        Path classes = Path.of(Go.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path info = classes.resolve("module-info.class");
        if (Files.isDirectory(classes)) {
            try (InputStream in = Files.newInputStream(info)) {
                return ModuleDescriptor.read(in, () -> packagesUnder(classes));
            }
        }
        try (var jar = new java.util.jar.JarFile(classes.toFile())) {
            try (InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
                return ModuleDescriptor.read(in);
            }
        }
    }

    /** The packages with a class file under {@code root} (javac records them only in jars). */
    private static Set<String> packagesUnder(Path root) {
        try (var files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().equals("module-info.class"))
                    .map(f -> root.relativize(f.getParent()).toString().replace(root.getFileSystem().getSeparator(), "."))
                    .filter(p -> !p.isEmpty())
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void exportsExactlyTheApiPackages() throws Exception {
        ModuleDescriptor d = descriptor();
        assertEquals("io.gmp4j", d.name());
        Set<String> exported = d.exports().stream()
                .filter(e -> !isAgentExport(e))
                .peek(e -> assertFalse(e.isQualified(), () -> "qualified export " + e))
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(API), exported);
        assertTrue(d.opens().isEmpty(), () -> "opens " + d.opens());
    }

    /** The one qualified export: the agent's Premain-Class to the JDK's instrumentation. */
    private static boolean isAgentExport(ModuleDescriptor.Exports e) {
        return e.source().equals("io.gmp4j.internal.agent") && e.targets().equals(Set.of("java.instrument"));
    }

    @Test
    void agentPackageIsExportedOnlyToJavaInstrument() throws Exception {
        assertTrue(descriptor().exports().stream().anyMatch(ModuleBoundaryTest::isAgentExport));
    }

    @Test
    void everyOtherPackageIsInternal() throws Exception {
        ModuleDescriptor d = descriptor();
        assertTrue(d.packages().contains("io.gmp4j.internal.runtime"), () -> "packages " + d.packages());
        for (String p : d.packages()) {
            assertTrue(API.contains(p) || p.startsWith("io.gmp4j.internal."),
                    () -> p + " is neither an API package nor under io.gmp4j.internal");
        }
    }
}
