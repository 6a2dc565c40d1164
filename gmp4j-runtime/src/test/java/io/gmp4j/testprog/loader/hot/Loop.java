package io.gmp4j.testprog.loader.hot;

import io.gmp4j.testprog.loader.Config;

/** Excluded by package in PreemptLoaderTest; reads the state LoaderProg set. */
public final class Loop {
    private Loop() {}

    public static int run() {
        int s = 0;
        for (int i = 0; i < 10; i++) {
            s += i;
        }
        return s + Config.x;
    }

    public static ClassLoader configLoader() {
        return Config.class.getClassLoader();
    }
}
