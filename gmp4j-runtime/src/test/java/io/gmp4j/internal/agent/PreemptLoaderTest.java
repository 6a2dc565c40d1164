package io.gmp4j.internal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gmp4j.testing.GoTesting;
import io.gmp4j.testing.GoTesting.Child;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PreemptLoader as the system class loader: the program must see what it sees without it. */
class PreemptLoaderTest {
    private static final String PROG = "io.gmp4j.testprog.loader.LoaderProg";
    /** The JDK's note that a custom system class loader turns CDS's app classes off (./gmp4j passes it too). */
    private static final String NO_CDS_NOTE = "-Xlog:cds=off";

    private static String run(List<String> opts, String... args) {
        Child c = GoTesting.runChild(PROG, opts, List.of(), 30, args);
        assertEquals(0, c.exitCode(), c.stdout() + c.stderr());
        assertFalse(c.stderr().contains("preempt agent"), c.stderr());
        return c.stdout().strip();
    }

    /**
     * README's {@code -Dgmp4j.preempt.exclude=com.example.hot}: an excluded package or class
     * is not rewritten, but it must still be defined with the rest of the class path, or it
     * gets its own copies of the classes it uses (other static state) and loses
     * package-private access to its package.
     */
    @Test
    void excludedClassesShareTheProgramsClasses() {
        String want = "loop=50 hot=60 sameConfig=true sameLoader=true";
        assertEquals(want, run(List.of()), "without the loader");
        assertEquals(want, run(List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE)));
        assertEquals(want, run(List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE,
                "-Dgmp4j.preempt.exclude=io.gmp4j.testprog.loader.hot,io.gmp4j.testprog.loader.Hot")));
    }

    /**
     * Stack traces read as without the loader: StackTraceElement.toString() prefixes the frames
     * of a named class loader that is not the JDK's with its name ("gmp4j-preempt//..."), which
     * would change every stack trace a program prints or logs.
     */
    @Test
    void stackTracesReadAsWithoutTheLoader() {
        String want = run(List.of(), "trace");
        assertTrue(want.startsWith(PROG + ".main(LoaderProg.java:"), want);
        assertEquals(want, run(List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE), "trace"));
    }

    /**
     * An include inside a library that is excluded by default (the filter's own example,
     * kotlin/collections) must not split the library between two loaders: kotlin.sequences,
     * left to the parent, would return the parent's copy of kotlin.collections' singletons
     * (and kotlinx, lincheck... would load their own kotlin). The loader leaves such a library
     * whole to its parent (the agent, one loader, still rewrites the part).
     */
    @Test
    void includeInsideAnExcludedLibraryDoesNotSplitIt() {
        assertEquals("sameEmptyList=true", run(List.of(), "kotlin"), "without the loader");
        assertEquals("sameEmptyList=true", run(List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE,
                "-Dgmp4j.preempt.include=kotlin.collections"), "kotlin"));
        var f = new BackEdgeTransformer.Filter(BackEdgeTransformer.Filter.parse("kotlin.collections,org.junit"),
                List.of());
        assertTrue(f.shared("kotlin/collections/CollectionsKt"));
        assertTrue(f.shared("org/junit/jupiter/api/Test"));
        assertTrue(f.instrument("kotlin/collections/CollectionsKt"), "the agent still rewrites it");
    }

    @Test
    void onlyTheRuntimeAndDefaultExcludesComeFromTheParent() {
        var f = new BackEdgeTransformer.Filter(BackEdgeTransformer.Filter.parse("io.gmp4j.chan.demo"),
                BackEdgeTransformer.Filter.parse("com.example.hot,com.example.App"));
        assertTrue(f.shared("io/gmp4j/internal/runtime/Proc"));
        assertTrue(f.shared("io/gmp4j/chan/Chan"));
        assertTrue(f.shared("java/util/List"));
        assertTrue(f.shared("org/junit/jupiter/api/Test"));
        assertFalse(f.shared("io/gmp4j/chan/demo/X"));
        assertFalse(f.shared("com/example/hot/Loop"), "excluded by the user: not rewritten, defined by the loader");
        assertFalse(f.instrument("com/example/hot/Loop"));
        assertFalse(f.shared("com/example/App"));
        assertFalse(f.shared("com/example/Other"));
    }

    /**
     * A class from a directory whose file name is percent-encoded in its URL (a name with a
     * space and braces here; any name that is not ASCII too): its code source is the
     * directory, as for the others.
     */
    @Test
    void encodedClassNamesHaveTheirCodeSource(@TempDir Path dir) throws Exception {
        String name = "io.gmp4j.testprog.loader.Odd Name{1}";
        byte[] b = java.lang.classfile.ClassFile.of().build(java.lang.constant.ClassDesc.of(name),
                cb -> cb.withFlags(java.lang.classfile.ClassFile.ACC_PUBLIC).withSuperclass(java.lang.constant.ConstantDescs.CD_Object));
        Path file = dir.resolve(name.replace('.', '/') + ".class");
        Files.createDirectories(file.getParent());
        Files.write(file, b);
        String url = dir.toUri().toURL().toString();
        assertEquals("codeSource=right", runWithFirst(dir, List.of(), "codesource", name, url), "without the loader");
        assertEquals("codeSource=right",
                runWithFirst(dir, List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE), "codesource", name, url));
    }

    /**
     * Any {@code -javaagent} beside the loader (a profiler's, a coverage tool's, gmp4j's own in
     * JAVA_OPTS with ./gmp4j): the JDK appends the agent's jar to the system class path through
     * the system class loader's {@code appendToClassPathForInstrumentation(String)}, and with a
     * custom system class loader that lacks it the JVM stopped at start-up ("FATAL ERROR in
     * native method: processing of -javaagent failed, appending to system class path failed").
     * The agent's premain class, only in its jar, must load from there; so must gmp4j's Agent
     * beside the loader, the program seeing the same as with one of them.
     */
    @Test
    void javaagentsLoadBesideTheLoader(@TempDir Path dir) throws Exception {
        String premain = "agentonly.Premain";
        java.lang.constant.ClassDesc inst = java.lang.constant.ClassDesc.of("java.lang.instrument.Instrumentation");
        byte[] b = java.lang.classfile.ClassFile.of().build(java.lang.constant.ClassDesc.of(premain),
                cb -> cb.withFlags(java.lang.classfile.ClassFile.ACC_PUBLIC).withSuperclass(java.lang.constant.ConstantDescs.CD_Object)
                        .withMethodBody("premain", java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_void,
                                java.lang.constant.ConstantDescs.CD_String, inst),
                                java.lang.classfile.ClassFile.ACC_PUBLIC | java.lang.classfile.ClassFile.ACC_STATIC,
                                code -> code.return_()));
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(new Attributes.Name("Premain-Class"), premain);
        Path jar = dir.resolve("other-agent.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.putNextEntry(new JarEntry(premain.replace('.', '/') + ".class"));
            j.write(b);
            j.closeEntry();
            j.putNextEntry(new JarEntry("agentonly/resource.txt"));
            j.write("from the agent's jar".getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        String url = jar.toUri().toURL().toString();
        List<String> opts = List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE, "-javaagent:" + jar);
        assertEquals("codeSource=right", run(List.of("-javaagent:" + jar), "codesource", premain, url), "without the loader");
        assertEquals("codeSource=right", run(opts, "codesource", premain, url));
        assertEquals("resource=from the agent's jar", run(opts, "resource", "agentonly/resource.txt"));
        // gmp4j's own agent beside the loader: each class rewritten once, the program as without them
        Manifest gm = new Manifest();
        gm.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        gm.getMainAttributes().put(new Attributes.Name("Premain-Class"), Agent.class.getName());
        Path gjar = dir.resolve("gmp4j-agent.jar");
        try (OutputStream out = Files.newOutputStream(gjar); JarOutputStream j = new JarOutputStream(out, gm)) {
            j.flush();
        }
        assertEquals("loop=50 hot=60 sameConfig=true sameLoader=true",
                run(List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE, "-javaagent:" + gjar)));
    }

    /**
     * A package's annotations (its package-info class, which Package finds through
     * ClassLoader.findClass of the loader that defined the package).
     */
    @Test
    void packagesKeepTheirAnnotations() {
        String want = "annotations=[Deprecated] chars=10";
        assertEquals(want, run(List.of(), "annotations"), "without the loader");
        assertEquals(want, run(List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE), "annotations"));
    }

    /**
     * A class from a jar: its package has the jar manifest's attributes (what libraries print as
     * their version: Package.getImplementationVersion), per-package section first, as the
     * JDK's class loader defines it.
     */
    @Test
    void packagesGetTheJarManifestsAttributes(@TempDir Path dir) throws Exception {
        Manifest mf = new Manifest();
        Attributes main = mf.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.IMPLEMENTATION_VERSION, "1.2.3");
        main.put(Attributes.Name.IMPLEMENTATION_TITLE, "loader-test");
        main.put(Attributes.Name.SPECIFICATION_VERSION, "4.5");
        Attributes section = new Attributes();
        section.put(Attributes.Name.IMPLEMENTATION_VENDOR, "the package's own");
        section.put(Attributes.Name.SEALED, "true");
        mf.getEntries().put("io/gmp4j/testprog/loader/pkg/", section);
        Path jar = pkgJar(dir.resolve("versioned.jar"), mf);
        String want = "impl=1.2.3 title=loader-test vendor=the package's own spec=4.5 sealed=true";
        assertEquals(want, runWithFirst(jar, List.of(), "manifest"), "without the loader");
        assertEquals(want, runWithFirst(jar, List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE), "manifest"));
    }

    /** A jar of testprog.loader.pkg's classes with manifest {@code mf}. */
    private static Path pkgJar(Path jar, Manifest mf) throws Exception {
        Path classes = Path.of(PreemptLoaderTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            for (String name : List.of("Versioned.class", "package-info.class")) {
                String entry = "io/gmp4j/testprog/loader/pkg/" + name;
                j.putNextEntry(new JarEntry(entry));
                j.write(Files.readAllBytes(classes.resolve(entry)));
                j.closeEntry();
            }
        }
        return jar;
    }

    /** A signed jar's classes have their signers (Class.getSigners, the code source's signers). */
    @Test
    void signedJarsClassesKeepTheirSigners(@TempDir Path dir) throws Exception {
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        Assumptions.assumeTrue(Files.isExecutable(bin.resolve("keytool")) && Files.isExecutable(bin.resolve("jarsigner")),
                "no keytool and jarsigner in this JDK");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        Path jar = pkgJar(dir.resolve("signed.jar"), mf);
        String ks = dir.resolve("ks.p12").toString();
        tool(dir, bin.resolve("keytool"), "-genkeypair", "-keystore", ks, "-storetype", "PKCS12", "-storepass",
                "changeit", "-alias", "t", "-keyalg", "EC", "-dname", "CN=gmp4j-test", "-validity", "2");
        tool(dir, bin.resolve("jarsigner"), "-keystore", ks, "-storepass", "changeit", jar.toString(), "t");
        assertEquals("signers=1", runWithFirst(jar, List.of(), "signers"), "without the loader");
        assertEquals("signers=1", runWithFirst(jar, List.of(PreemptAgentTest.LOADER_OPT, NO_CDS_NOTE), "signers"));
    }

    private static void tool(Path dir, Path tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool.toString()));
        cmd.addAll(List.of(args));
        Path log = dir.resolve("tool.out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        assertTrue(exited && p.exitValue() == 0, cmd + ": " + Files.readString(log));
    }

    /** LoaderProg with {@code entry} ahead of this class path (GoTesting.runChild's cannot be changed). */
    private static String runWithFirst(Path entry, List<String> opts, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(GoTesting.JVM_FLAGS);
        cmd.addAll(opts);
        cmd.add("-cp");
        cmd.add(entry + File.pathSeparator + System.getProperty("java.class.path"));
        cmd.add(PROG);
        cmd.addAll(List.of(args));
        File log = File.createTempFile("gmp4j-child", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            assertTrue(exited && p.exitValue() == 0, "child failed: " + out);
            return out.strip();
        } finally {
            log.delete();
        }
    }
}
