/**
 * Go's package {@code context}: cancellation, deadlines and request-scoped values across
 * goroutines. See {@link io.gmp4j.context.Context}.
 */
package io.gmp4j.context;
