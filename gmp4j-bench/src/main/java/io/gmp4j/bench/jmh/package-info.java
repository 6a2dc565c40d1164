/**
 * JMH micro-benchmarks of gmp4j's hot paths, through the public API (one exception below).
 *
 * <p>Each benchmark method runs a batch of operations inside one {@code Go.run} (the API has
 * no way to enter a goroutine per JMH invocation cheaply) and reports per operation with
 * {@code @OperationsPerInvocation}; the {@code Go.run} start-up is amortised over the batch.
 * Where the JDK has an equivalent, a {@code jdk*} method measures it the same way on
 * virtual threads, as a same-run baseline.
 *
 * <p>The exception is {@link io.gmp4j.bench.jmh.RunQueueBench}: run-queue put/get/steal are
 * package-private in {@code io.gmp4j.internal.runtime}, so it goes through
 * {@code io.gmp4j.internal.runtime.BenchHooks} on detached Ps, one op per invocation.
 */
package io.gmp4j.bench.jmh;
