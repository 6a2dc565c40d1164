package io.gmp4j.chan;

/**
 * A blocking select's sudog for one case (select.go: sg.isSelect): the plain {@link Sudog}
 * plus the select's waiter, which the waker completes through {@code param} instead of
 * {@code done}, the case index, and the link of the select's sudogs in lock order. Allocated
 * per blocking select, never cached (Select's pass 2 says why).
 */
final class SelectSudog extends Sudog {
    /** The select this sudog belongs to (Go: g.selectDone and g.param live on the g). */
    final Select.Waiter sel;
    /** The select case index (select.go caps cases at 65536). */
    final char casi;
    /** The next of the select's sudogs in lock order, for pass 3 (select.go: sg.waitlink). Only its own G. */
    SelectSudog waitlink;

    SelectSudog(Object elem, Select.Waiter sel, int casi) {
        this.thread = Thread.currentThread();
        this.elem = elem;
        this.sel = sel;
        this.casi = (char) casi;
    }
}
