/**
 * Go's {@code golang.org/x/sync} for goroutines: {@link io.gmp4j.xsync.Semaphore}
 * ({@code semaphore.Weighted}), {@link io.gmp4j.xsync.ErrGroup} ({@code errgroup.Group}) and
 * {@link io.gmp4j.xsync.SingleFlight} ({@code singleflight.Group}).
 *
 * <p>Built only on the public {@link io.gmp4j.sync}, {@link io.gmp4j.chan} and
 * {@link io.gmp4j.context} types (plus {@code io.gmp4j.internal.runtime.Park} for the semaphore's
 * waiters, and {@code ChanBridge} for singleflight's receive-only result channels, as a
 * context's done channel), as x/sync is built on Go's standard library. {@code sync} does not import this
 * package or {@code context}, so the API packages form no cycle (checked by
 * {@code PackageCycleTest}).
 */
package io.gmp4j.xsync;
