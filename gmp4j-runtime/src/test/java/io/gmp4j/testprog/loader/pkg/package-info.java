/** A package with an annotation and, in PreemptLoaderTest's jar, a manifest's attributes. */
@Deprecated
package io.gmp4j.testprog.loader.pkg;
