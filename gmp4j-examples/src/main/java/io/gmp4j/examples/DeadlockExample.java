package io.gmp4j.examples;

import io.gmp4j.chan.Chan;
import java.io.PrintStream;

/*
 * The first bug every Go programmer meets: a send on an unbuffered channel with no receiver.
 *
 *     func main() { ch := make(chan int); ch <- 1; fmt.Println(<-ch) }
 *
 * The main goroutine parks in [chan send] and nothing can ever wake it. gmp4j's checkdead (run
 * by sysmon, proc.go: checkdead) sees every goroutine parked on a gmp4j primitive, no timer, no
 * running M, and ends the program as Go does: "fatal error: all goroutines are asleep -
 * deadlock!", the goroutine dump ("goroutine 1 [chan send]:"), exit status 2.
 * Fix: a buffered channel (make(chan int, 1)), or receive in another goroutine.
 */
final class DeadlockExample implements Example {
    @Override
    public String name() {
        return "deadlock";
    }

    @Override
    public String summary() {
        return "unbuffered send with no receiver: Go's \"all goroutines are asleep - deadlock!\", exit 2 [--fixed]";
    }

    @Override
    public int run(String[] args, PrintStream out) {
        boolean fixed = args.length > 0 && args[0].equals("--fixed");
        Chan<Integer> ch = Chan.make(fixed ? 1 : 0);
        out.println(fixed ? "ch := make(chan int, 1); ch <- 1" : "ch := make(chan int); ch <- 1   // blocks forever");
        out.flush();
        ch.send(1);
        out.println("received " + ch.recv());
        return 0;
    }
}
