package io.gmp4j.internal.agent;

import io.gmp4j.internal.runtime.Preempt;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLConnection;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.Manifest;

/**
 * The back-edge checks without an agent: a system class loader
 * ({@code -Djava.system.class.loader=io.gmp4j.internal.agent.PreemptLoader}, which
 * {@code ./gmp4j} passes) that defines the application's classes from the class path itself,
 * rewritten by {@link BackEdgeTransformer}, and leaves everything else to the JDK's
 * application class loader, its parent.
 *
 * <p>Why not only the agent: any JVMTI environment, the one {@code -javaagent} creates
 * included, makes every virtual-thread mount and unmount a JVMTI "VTMS transition"
 * (JDK-8304303); measured on 2 CPUs, an unbuffered ping-pong (W2) went from ~410 to ~620 ns a
 * round trip with the agent loaded, even with nothing installed. A class loader costs nothing
 * per switch.
 *
 * <p>What it covers: classes the application class loader would load from the class path
 * (the main class and everything it reaches), filtered as the agent's are
 * ({@link BackEdgeTransformer.Filter}). The JDK, gmp4j's runtime and the default excludes stay
 * with the parent ({@link BackEdgeTransformer.Filter#shared}), so their package-private access
 * is intact and the runtime and its API are one copy; what only {@code gmp4j.preempt.exclude}
 * names is defined here unchanged, so that it shares the program's classes and packages.
 * Classes of other loaders (a framework's own class loaders) are not rewritten; for those use
 * the agent. A class that cannot be rewritten is defined as it is. Packages, code sources and
 * signers are as the JDK's loader gives them. {@code GODEBUG=asyncpreemptoff=1}: everything
 * goes to the parent, unchanged.
 *
 * <p>A {@code -javaagent} jar (any agent's) is appended to the system class path through
 * {@link #appendToClassPathForInstrumentation}; its classes are defined here as the class
 * path's are, its resources found here.
 */
public final class PreemptLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final BackEdgeTransformer.Filter filter = BackEdgeTransformer.Filter.fromProperties();
    private final boolean off = Preempt.asyncPreemptOff();
    private final Map<CodeSource, ProtectionDomain> domains = new ConcurrentHashMap<>();
    private final Map<String, Optional<Manifest>> manifests = new ConcurrentHashMap<>();

    /** Called by the JDK with its application class loader as the parent. */
    public PreemptLoader(ClassLoader parent) {
        super(parent); // unnamed: StackTraceElement.toString() would prefix every frame with a name
        if (!off) {
            Preempt.agentInstalled();
        }
    }

    /**
     * Jars appended to the system class path: each {@code -javaagent}'s, and
     * Instrumentation.appendToSystemClassLoaderSearch's. Only a place to find class files and
     * resources in (no parent, never asked to load).
     */
    private volatile URLClassLoader appended;

    /**
     * java.lang.instrument's contract for a custom system class loader: the JDK (libinstrument,
     * through JNI) appends each {@code -javaagent} jar here. Without this method the JVM
     * stopped at start-up whenever an agent was given beside the loader ("FATAL ERROR in native
     * method: processing of -javaagent failed, appending to system class path failed").
     */
    @SuppressWarnings("unused")
    private synchronized void appendToClassPathForInstrumentation(String path) throws MalformedURLException {
        URL u = java.nio.file.Path.of(path).toAbsolutePath().toUri().toURL();
        URLClassLoader old = appended;
        URL[] urls = old == null ? new URL[] {u} : Arrays.copyOf(old.getURLs(), old.getURLs().length + 1);
        urls[urls.length - 1] = u;
        appended = new URLClassLoader(urls, null);
    }

    @Override
    protected URL findResource(String name) {
        URLClassLoader a = appended;
        return a == null ? null : a.findResource(name);
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        URLClassLoader a = appended;
        return a == null ? Collections.emptyEnumeration() : a.findResources(name);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (off) {
            return super.loadClass(name, resolve);
        }
        String internal = name.replace('.', '/');
        if (filter.shared(internal)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = defineRewritten(name, internal, filter.instrument(internal));
            }
            if (c == null) {
                return super.loadClass(name, resolve);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    /**
     * A class this loader defines, not yet loaded. The JDK asks here directly, not through
     * loadClass, for a package's package-info class (Package.getAnnotations: the package's
     * defining loader's findClass); the caller holds the class's loading lock.
     */
    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String internal = name.replace('.', '/');
        boolean mine = !off && !filter.shared(internal);
        if (mine) {
            Class<?> c = defineRewritten(name, internal, filter.instrument(internal));
            if (c != null) {
                return c;
            }
        }
        // not on the class path (the parent failed): an appended agent jar's class
        URLClassLoader a = appended;
        URL url = a == null ? null : a.findResource(internal + ".class");
        if (url != null) {
            Class<?> c = define(name, internal, mine && filter.instrument(internal), url);
            if (c != null) {
                return c;
            }
        }
        throw new ClassNotFoundException(name);
    }

    /**
     * The class from the parent's class path, rewritten if {@code rewrite}; null when the parent
     * does not have it there.
     */
    private Class<?> defineRewritten(String name, String internal, boolean rewrite) {
        URL url = getParent().getResource(internal + ".class");
        return url == null ? null : define(name, internal, rewrite, url);
    }

    /** The class from its class file at {@code url}, rewritten if {@code rewrite}; null when unreadable. */
    private Class<?> define(String name, String internal, boolean rewrite, URL url) {
        if (!("file".equals(url.getProtocol()) || "jar".equals(url.getProtocol()))) {
            return null;
        }
        byte[] bytes;
        URLConnection conn;
        try {
            conn = url.openConnection();
            try (InputStream in = conn.getInputStream()) {
                bytes = in.readAllBytes();
            }
        } catch (IOException e) {
            return null;
        }
        byte[] out = null;
        try {
            out = rewrite ? BackEdgeTransformer.instrument(bytes, getParent()) : null;
        } catch (Throwable e) {
            BackEdgeTransformer.warnOnce(name, e);
        }
        byte[] b = out != null ? out : bytes;
        String root = root(url, internal);
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String pkg = name.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                try {
                    definePackage(pkg, conn instanceof JarURLConnection jar ? manifest(root, jar) : null, root);
                } catch (IllegalArgumentException raced) {
                    // defined meanwhile by another thread: fine
                }
            }
        }
        // a signed jar's entry: its signers, known once its bytes were read (as the JDK's loader has them)
        CodeSigner[] signers = null;
        if (conn instanceof JarURLConnection jar) {
            try {
                JarEntry entry = jar.getJarEntry();
                signers = entry != null ? entry.getCodeSigners() : null;
            } catch (IOException e) {
                signers = null;
            }
        }
        return defineClass(name, b, 0, b.length, domain(root, signers));
    }

    /**
     * The class-path entry (jar or directory URL) that {@code url}, the class file of
     * {@code internal}, is in. A directory's is {@code url} less one path segment per segment
     * of the name: the URL is percent-encoded, so a name that is not ASCII is longer there.
     */
    private static String root(URL url, String internal) {
        String s = url.toString();
        if ("jar".equals(url.getProtocol())) {
            return s.substring(4, s.indexOf("!/"));
        }
        int end = s.length();
        for (int seg = internal.split("/").length; seg > 0 && end > 0; seg--) {
            end = s.lastIndexOf('/', end - 1);
        }
        return s.substring(0, end + 1);
    }

    /** The manifest of the jar at {@code root}, or null; read once per jar. */
    private Manifest manifest(String root, JarURLConnection jar) {
        return manifests.computeIfAbsent(root, r -> {
            try {
                return Optional.ofNullable(jar.getManifest());
            } catch (IOException e) {
                return Optional.empty();
            }
        }).orElse(null);
    }

    /**
     * Defines package {@code pn} as the JDK's application class loader does
     * (BuiltinClassLoader.definePackage): the attributes of the manifest's section for the
     * package, else its main attributes (a library's version, what Package.getImplementationVersion
     * reports), sealed at {@code root} if the manifest says so.
     */
    private void definePackage(String pn, Manifest man, String root) {
        String[] v = new String[7];
        Attributes.Name[] names = {Attributes.Name.SPECIFICATION_TITLE, Attributes.Name.SPECIFICATION_VERSION,
                Attributes.Name.SPECIFICATION_VENDOR, Attributes.Name.IMPLEMENTATION_TITLE,
                Attributes.Name.IMPLEMENTATION_VERSION, Attributes.Name.IMPLEMENTATION_VENDOR, Attributes.Name.SEALED};
        if (man != null) {
            for (Attributes attr : new Attributes[] {man.getAttributes(pn.replace('.', '/').concat("/")),
                    man.getMainAttributes()}) {
                for (int i = 0; attr != null && i < names.length; i++) {
                    if (v[i] == null) {
                        v[i] = attr.getValue(names[i]);
                    }
                }
            }
        }
        URL sealBase = null;
        if ("true".equalsIgnoreCase(v[6])) {
            try {
                sealBase = new URI(root).toURL();
            } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
                // not sealed, as a jar the JDK could not name
            }
        }
        definePackage(pn, v[0], v[1], v[2], v[3], v[4], v[5], sealBase);
    }

    /**
     * One protection domain per class-path entry (the jar or directory the class came from)
     * and signers, as the JDK's loader has: Class.getSigners comes from its code source.
     */
    private ProtectionDomain domain(String root, CodeSigner[] signers) {
        URL location;
        try {
            location = new URI(root).toURL();
        } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
            return domains.computeIfAbsent(new CodeSource(null, (CodeSigner[]) null),
                    cs -> new ProtectionDomain(null, null, this, null));
        }
        return domains.computeIfAbsent(new CodeSource(location, signers), cs -> new ProtectionDomain(cs, null, this, null));
    }
}
