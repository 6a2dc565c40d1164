/**
 * Go's package {@code runtime/pprof}: the program's own CPU profile
 * ({@link io.gmp4j.pprof.Pprof#startCPUProfile}), the named profiles (goroutine, heap, allocs,
 * block, mutex, threadcreate, and the program's own: {@link io.gmp4j.pprof.Pprof#newProfile}),
 * written as the debug server serves them, and profiler labels
 * ({@link io.gmp4j.pprof.Pprof#run}), which a goroutine passes on to the goroutines it starts
 * and which the CPU and goroutine profiles carry.
 */
package io.gmp4j.pprof;
