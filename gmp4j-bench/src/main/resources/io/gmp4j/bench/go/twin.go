// The Go twins of gmp4j's benchmark workloads (docs/BENCHMARKS.md, shared/ANCHORS.md).
//
// Standard library only. The Java harness (io.gmp4j.bench.GoTwin) builds this file with
// `go build` and drives the binary with the same line protocol as its child JVMs:
//
//	twin <workload> key=value ...   start; prints "READY go=<version> gomaxprocs=<n>"
//	stdin "run"                     one run; prints "RESULT value=<v> [key=<v> ...]"
//	stdin "quit" or EOF             exit
//
// Every workload mirrors its Java versions (io.gmp4j.bench.GmpWorkloads): the same sizes,
// the same shape, main being a goroutine as in Java's Go.run.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var params = map[string]string{}

func param(key string, def int) int {
	if v, ok := params[key]; ok {
		n, err := strconv.Atoi(v)
		if err == nil {
			return n
		}
	}
	return def
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: twin <workload> key=value ...")
		os.Exit(2)
	}
	workload := os.Args[1]
	for _, kv := range os.Args[2:] {
		if i := strings.IndexByte(kv, '='); i > 0 {
			params[kv[:i]] = kv[i+1:]
		}
	}
	run, ok := workloads[workload]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown workload", workload)
		os.Exit(2)
	}
	fmt.Printf("READY go=%s gomaxprocs=%d\n", runtime.Version(), runtime.GOMAXPROCS(0))
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch strings.TrimSpace(in.Text()) {
		case "run":
			metrics := run()
			runtime.GC() // quiet before the parent runs the next system (as the Java children do)
			fmt.Println("RESULT " + metrics)
		case "quit":
			return
		}
	}
}

var workloads = map[string]func() string{
	"W1":  w1Spawn,
	"W2":  w2PingPong,
	"W3":  w3Stream,
	"W4":  w4FanIn,
	"W4s": w4sShardedFanIn,
	"W5":  w5CPUBound,
	"W6":  w6Sleep,
	"W7":  w7Select,
	"W8":  w8Mutex,
	"W9":  w9Latency,
	"W10": w10WakeLateness,
	"mem": memParked,
}

func perOp(start time.Time, ops int) string {
	return fmt.Sprintf("value=%.3f", float64(time.Since(start).Nanoseconds())/float64(ops))
}

func w1Spawn() string {
	n := param("n", 100000)
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
	return perOp(start, n)
}

func w2PingPong() string {
	n := param("n", 1000000)
	ping, pong := make(chan int), make(chan int)
	start := time.Now()
	go func() {
		for i := 0; i < n; i++ {
			pong <- <-ping
		}
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	return perOp(start, n)
}

func w3Stream() string {
	n := param("n", 10000000)
	ch := make(chan int, param("cap", 1024))
	start := time.Now()
	go func() {
		for i := 0; i < n; i++ {
			ch <- i
		}
		close(ch)
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	r := perOp(start, n)
	sink(sum)
	return r
}

func w4FanIn() string {
	producers, msgs := param("producers", 1000), param("msgs", 100)
	ch := make(chan int, param("cap", 100))
	start := time.Now()
	for p := 0; p < producers; p++ {
		go func() {
			for i := 0; i < msgs; i++ {
				ch <- i
			}
		}()
	}
	sum := 0
	for i := 0; i < producers*msgs; i++ {
		sum += <-ch
	}
	r := perOp(start, producers*msgs)
	sink(sum)
	return r
}

func w4sShardedFanIn() string {
	producers, msgs, shards := param("producers", 1000), param("msgs", 100), param("shards", 8)
	chans := make([]chan int, shards)
	for i := range chans {
		chans[i] = make(chan int, param("cap", 100))
	}
	var wg sync.WaitGroup
	start := time.Now()
	for p := 0; p < producers; p++ {
		ch := chans[p%shards]
		go func() {
			for i := 0; i < msgs; i++ {
				ch <- i
			}
		}()
	}
	wg.Add(shards)
	for s := 0; s < shards; s++ {
		expect := ((producers - s + shards - 1) / shards) * msgs
		ch := chans[s]
		go func() {
			sum := 0
			for i := 0; i < expect; i++ {
				sum += <-ch
			}
			sink(sum)
			wg.Done()
		}()
	}
	wg.Wait()
	return perOp(start, producers*msgs)
}

func lcgJobs(jobs, steps, workers int) (time.Duration, int64) {
	var next int64 = -1
	var total int64
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			var sum int64
			for {
				job := atomic.AddInt64(&next, 1)
				if job >= int64(jobs) {
					break
				}
				x := job
				for i := 0; i < steps; i++ {
					x = (x*1103515245 + 12345) & 0x7fffffff
				}
				sum += x
			}
			atomic.AddInt64(&total, sum)
			wg.Done()
		}()
	}
	wg.Wait()
	return time.Since(start), total
}

func w5CPUBound() string {
	jobs, steps := param("jobs", 1000), param("steps", 1000000)
	cpus := runtime.NumCPU()
	t1, s1 := lcgJobs(jobs, steps, cpus)
	t4, s4 := lcgJobs(jobs, steps, 4*cpus)
	if s1 != s4 {
		panic("W5: checksums differ")
	}
	return fmt.Sprintf("value=%.4f ms_1x=%.3f ms_4x=%.3f", float64(t4)/float64(t1),
		float64(t1.Microseconds())/1000, float64(t4.Microseconds())/1000)
}

func w6Sleep() string {
	n := param("n", 100000)
	sleep := time.Duration(param("sleepMs", 10)) * time.Millisecond
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			time.Sleep(sleep)
			wg.Done()
		}()
	}
	wg.Wait()
	return fmt.Sprintf("value=%.3f", float64(time.Since(start).Microseconds())/1000)
}

func w7Select() string {
	n := param("n", 1000000)
	a, b := make(chan int), make(chan int)
	start := time.Now()
	for _, ch := range []chan int{a, b} {
		ch := ch
		go func() {
			for i := 0; i < n/2; i++ {
				ch <- i
			}
		}()
	}
	sum := 0
	for i := 0; i < n/2*2; i++ {
		select {
		case v := <-a:
			sum += v
		case v := <-b:
			sum -= v
		}
	}
	r := perOp(start, n/2*2)
	sink(sum)
	return r
}

func w8Mutex() string {
	workers, iters := param("workers", 8), param("iters", 125000)
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	start := time.Now()
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			for i := 0; i < iters; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	r := perOp(start, workers*iters)
	if counter != workers*iters {
		panic("W8: lost updates")
	}
	return r
}

// W9: GOMAXPROCS=1. One goroutine spins in a loop without calls; main sleeps until the
// 100 ms mark and then starts a second goroutine; the figure is how late, after the mark,
// that second goroutine first runs. Under GODEBUG=asyncpreemptoff=1 the spinner is never
// preempted and main never wakes: the harness times the process out.
var w9Done int32

func w9Latency() string {
	mark := time.Duration(param("markMs", 100)) * time.Millisecond
	atomic.StoreInt32(&w9Done, 0)
	start := time.Now()
	spinning := make(chan struct{})
	go func() {
		close(spinning)
		x := 1
		for atomic.LoadInt32(&w9Done) == 0 { // intrinsic: no call, no preemption point
			x = (x*1103515245 + 12345) & 0x7fffffff
		}
		sink(x)
	}()
	<-spinning
	time.Sleep(mark - time.Since(start))
	ran := make(chan time.Duration)
	go func() {
		late := time.Since(start) - mark
		atomic.StoreInt32(&w9Done, 1)
		ran <- late
	}()
	late := <-ran
	return fmt.Sprintf("value=%.3f", float64(late.Microseconds())/1000)
}

// W10: GOMAXPROCS=P. 2P goroutines spin for a fixed time; one goroutine sleeps 1 ms in a loop
// until they are done and records how late each wake-up is.
func w10WakeLateness() string {
	duration := time.Duration(param("durationMs", 2000)) * time.Millisecond
	sleep := time.Duration(param("sleepMs", 1)) * time.Millisecond
	spinners := 2 * runtime.GOMAXPROCS(0)
	var finished int32
	var wg sync.WaitGroup
	var late []float64
	wg.Add(spinners + 1)
	sleeping := make(chan struct{})
	go func() {
		close(sleeping)
		for atomic.LoadInt32(&finished) < int32(spinners) {
			t0 := time.Now()
			time.Sleep(sleep)
			late = append(late, float64((time.Since(t0)-sleep).Microseconds())/1000)
		}
		wg.Done()
	}()
	<-sleeping // the sleeper is in its loop before the spinners start (as in the Java versions)
	start := time.Now()
	for s := 0; s < spinners; s++ {
		go func() {
			x := 1
			for time.Since(start) < duration {
				for i := 0; i < 1000; i++ {
					x = (x*1103515245 + 12345) & 0x7fffffff
				}
			}
			sink(x)
			atomic.AddInt32(&finished, 1)
			wg.Done()
		}()
	}
	wg.Wait()
	sort.Float64s(late)
	q := func(p float64) float64 {
		i := int(p*float64(len(late))+0.999999) - 1
		if i < 0 {
			i = 0
		}
		return late[i]
	}
	return fmt.Sprintf("value=%.3f p50=%.3f max=%.3f samples=%d", q(0.99), q(0.50), late[len(late)-1], len(late))
}

// mem: n goroutines parked on an unbuffered channel receive; bytes per goroutine from the
// growth of heap plus stacks in use after a GC.
func memParked() string {
	n := param("n", 100000)
	ch := make(chan int)
	var parked int64
	var wg sync.WaitGroup
	before := inUse()
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			atomic.AddInt64(&parked, 1)
			<-ch
			wg.Done()
		}()
	}
	for atomic.LoadInt64(&parked) < int64(n) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	after := inUse()
	close(ch)
	wg.Wait()
	return fmt.Sprintf("value=%.1f", float64(after-before)/float64(n))
}

func inUse() int64 {
	var ms runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc + ms.StackInuse)
}

var sinkValue int64

func sink(v int) { atomic.AddInt64(&sinkValue, int64(v)) }
