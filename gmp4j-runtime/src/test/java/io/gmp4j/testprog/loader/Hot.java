package io.gmp4j.testprog.loader;

/** Excluded by class name in PreemptLoaderTest; LoaderProg calls its package-private method. */
final class Hot {
    private Hot() {}

    static int run() {
        int s = 0;
        for (int i = 0; i < 10; i++) {
            s += i;
        }
        return s + Config.pkg() + Config.x;
    }
}
