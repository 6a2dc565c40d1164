/**
 * Go's package {@code time} for goroutines: {@link io.gmp4j.time.Time#sleep},
 * {@link io.gmp4j.time.Time#after}, {@link io.gmp4j.time.Timer}, {@link io.gmp4j.time.Ticker},
 * {@link io.gmp4j.time.Time#afterFunc}, {@link io.gmp4j.time.Time#tick}, on the runtime's
 * per-P timer heaps ({@link io.gmp4j.internal.runtime.RuntimeTimer}), with Go 1.23's timer-channel
 * semantics: after {@code stop} or {@code reset} returns, no stale value is received.
 */
package io.gmp4j.time;
