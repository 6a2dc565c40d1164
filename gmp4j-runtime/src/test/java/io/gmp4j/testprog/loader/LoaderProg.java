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
