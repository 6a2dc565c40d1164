/**
 * Go's channels and {@code select}: {@link io.gmp4j.chan.Chan} and {@link io.gmp4j.chan.Select}.
 *
 * <p>Memory-ordering legend for the private accessors in this package (JCTools style):
 * <ul>
 *   <li>{@code lv} – load with acquire (VarHandle {@code getAcquire}); a racy read whose
 *       partner is an {@code so} store;</li>
 *   <li>{@code so} – store with release (VarHandle {@code setRelease}, "store ordered");</li>
 *   <li>{@code cas} – compare-and-set with volatile semantics.</li>
 * </ul>
 * A field without an accessor is read and written in one mode only: under its channel's
 * lock (plain), or final.
 */
package io.gmp4j.chan;
