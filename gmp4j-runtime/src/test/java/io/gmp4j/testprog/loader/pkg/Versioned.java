package io.gmp4j.testprog.loader.pkg;

import java.util.Arrays;

/** What a program can learn about its package: the manifest's attributes and its annotations. */
public final class Versioned {
    private Versioned() {}

    public static String manifest() {
        Package p = Versioned.class.getPackage();
        return "impl=" + p.getImplementationVersion() + " title=" + p.getImplementationTitle() + " vendor="
                + p.getImplementationVendor() + " spec=" + p.getSpecificationVersion() + " sealed=" + p.isSealed();
    }

    public static String annotations() {
        String[] names = Arrays.stream(Versioned.class.getPackage().getAnnotations())
                .map(a -> a.annotationType().getSimpleName()).toArray(String[]::new);
        int n = 0;
        for (int i = 0; i < names.length; i++) {
            n += names[i].length();
        }
        return "annotations=" + Arrays.toString(names) + " chars=" + n;
    }
}
