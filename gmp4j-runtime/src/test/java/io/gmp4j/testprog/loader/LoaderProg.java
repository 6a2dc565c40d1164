package io.gmp4j.testprog.loader;

import io.gmp4j.testprog.loader.hot.Loop;

/**
 * Run by PreemptLoaderTest in a child JVM with PreemptLoader as the system class loader:
 * prints what the program sees, which must not depend on the loader or on its options.
 */
public final class LoaderProg {
    private LoaderProg() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("manifest")) {
            System.out.println(io.gmp4j.testprog.loader.pkg.Versioned.manifest());
            return;
        }
        if (args.length > 1 && args[0].equals("codesource")) { // args[1]: a class, args[2]: the URL it should have
            java.security.CodeSource cs;
            try {
                cs = Class.forName(args[1]).getProtectionDomain().getCodeSource();
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            System.out.println("codeSource=" + (cs == null ? "null" : cs.getLocation().toString().equals(args[2])
                    ? "right" : cs.getLocation()));
            return;
        }
        if (args.length > 1 && args[0].equals("resource")) { // a system resource, from wherever the system loader finds it
            try (java.io.InputStream in = ClassLoader.getSystemResourceAsStream(args[1])) {
                System.out.println("resource=" + (in == null ? "null" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return;
        }
        if (args.length > 0 && args[0].equals("trace")) { // what printStackTrace and logs show of a frame
            System.out.println(new Throwable().getStackTrace()[0]);
            return;
        }
        if (args.length > 0 && args[0].equals("kotlin")) { // one kotlin stdlib: its EmptyList singleton is one object
            Object mine = kotlin.collections.CollectionsKt.emptyList();
            Object theirs = kotlin.sequences.SequencesKt.toList(kotlin.sequences.SequencesKt.emptySequence());
            System.out.println("sameEmptyList=" + (mine == theirs));
            return;
        }
        if (args.length > 0 && args[0].equals("signers")) {
            Object[] signers = io.gmp4j.testprog.loader.pkg.Versioned.class.getSigners();
            System.out.println("signers=" + (signers == null ? 0 : signers.length));
            return;
        }
        if (args.length > 0 && args[0].equals("annotations")) {
            System.out.println(io.gmp4j.testprog.loader.pkg.Versioned.annotations());
            return;
        }
        Config.x = 5;
        int hot;
        try {
            hot = Hot.run();
        } catch (IllegalAccessError e) {
            hot = -1;
        }
        System.out.println("loop=" + Loop.run() + " hot=" + hot + " sameConfig="
                + (Loop.configLoader() == Config.class.getClassLoader()) + " sameLoader="
                + (Loop.class.getClassLoader() == LoaderProg.class.getClassLoader()));
    }
}
