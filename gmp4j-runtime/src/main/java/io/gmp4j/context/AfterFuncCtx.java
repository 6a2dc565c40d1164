package io.gmp4j.context;

import io.gmp4j.Go;
import io.gmp4j.sync.Once;

/*
 * context.go: afterFuncCtx, AfterFunc. A CancelCtx registered under ctx whose cancel, instead of
 * (only) closing done, starts f in a goroutine, once. stop() races with that cancel through the
 * same Once: whoever runs it first decides (stop wins -> f never runs, stop returns true).
 */
final class AfterFuncCtx extends CancelCtx {
    private final Once once = new Once();
    private final Runnable f;

    private AfterFuncCtx(Runnable f) {
        this.f = f;
    }

    static Context.StopFunc afterFunc(Context ctx, Runnable f) {
        AfterFuncCtx a = new AfterFuncCtx(f);
        a.propagateCancel(ctx, a);
        return () -> {
            boolean[] stopped = {false};
            a.once.run(() -> stopped[0] = true);
            if (stopped[0]) {
                a.cancel(true, Context.CANCELED, null);
            }
            return stopped[0];
        };
    }

    /** context.go: afterFuncCtx.cancel, after cancelCtx.cancel and removeChild: start f, once. */
    @Override
    void cancelled() {
        once.run(() -> Go.go(f));
    }

    @Override
    String kind() {
        return "AfterFunc";
    }
}
