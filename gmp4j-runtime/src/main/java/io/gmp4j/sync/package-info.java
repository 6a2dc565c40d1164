/**
 * Go's package {@code sync} for goroutines: {@link io.gmp4j.sync.WaitGroup},
 * {@link io.gmp4j.sync.Mutex}, {@link io.gmp4j.sync.RWMutex}, {@link io.gmp4j.sync.Once},
 * {@link io.gmp4j.sync.Cond}, {@link io.gmp4j.sync.Pool}, {@link io.gmp4j.sync.Map}. The
 * semaphore, the error group and singleflight of {@code golang.org/x/sync} are in
 * {@link io.gmp4j.xsync}.
 *
 * <p>Every type also works from plain platform threads: they park as threads.
 *
 * <p>Memory-ordering legend (one style for the whole package: VarHandle mode words). A field
 * touched in more than one mode is only reached through its VarHandle, named after the field
 * in capitals:
 * <ul>
 *   <li>{@code getVolatile}/{@code setVolatile}, {@code compareAndSet}, {@code getAndAdd},
 *       {@code getAndSet}: sequentially consistent, Go's {@code sync/atomic} (every Go atomic is
 *       seq-cst, and the Dekker-style rechecks copied from Go rely on it).</li>
 *   <li>{@code getAcquire}/{@code setRelease}: one-way publication; each use names its partner
 *       at the end of the line.</li>
 *   <li>{@code getOpaque}/plain: a racy hint; each use says why the race is benign.</li>
 * </ul>
 * Fields protected by a {@link io.gmp4j.internal.runtime.RuntimeMutex} are plain and say so.
 */
package io.gmp4j.sync;
