package io.gmp4j.testprog.loader;

/** State and a package-private method that LoaderProg's excluded classes share with it. */
public final class Config {
    private Config() {}

    public static int x;

    static int pkg() {
        int s = 0;
        for (int i = 0; i < 5; i++) {
            s += i;
        }
        return s;
    }
}
