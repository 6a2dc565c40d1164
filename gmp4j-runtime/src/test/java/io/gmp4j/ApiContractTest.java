package io.gmp4j;

import static org.junit.jupiter.api.Assertions.*;

import io.gmp4j.chan.Chan;
import io.gmp4j.chan.Select;
import io.gmp4j.context.Context;
import io.gmp4j.debug.Debug;
import io.gmp4j.sync.Cond;
import io.gmp4j.sync.Mutex;
import io.gmp4j.sync.Once;
import io.gmp4j.sync.Pool;
import io.gmp4j.sync.RWMutex;
import io.gmp4j.sync.WaitGroup;
import io.gmp4j.time.Ticker;
import io.gmp4j.time.Time;
import io.gmp4j.time.Timer;
import io.gmp4j.trace.Trace;
import io.gmp4j.xsync.SingleFlight;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The fixed public names of the project's API.md, each with the exact signature written there:
 * examples, benchmarks and outside test suites compile against them, so a rename, a changed
 * return type, a lost {@code static} or a widened generic breaks them. Each entry is checked by
 * reflection (modifiers, erased and generic types), so the failure names the signature that
 * moved rather than a compile error in someone else's build.
 */
class ApiContractTest {

    /** A public method {@code owner.name(params)} returning {@code ret} (a generic type's text where it has one). */
    private static void method(Class<?> owner, boolean isStatic, String ret, String name, Class<?>... params) {
        Method m;
        try {
            m = owner.getMethod(name, params);
        } catch (NoSuchMethodException e) {
            fail("missing " + owner.getSimpleName() + "." + name + Arrays.toString(params));
            return;
        }
        String sig = owner.getSimpleName() + "." + name + Arrays.toString(params);
        assertTrue(Modifier.isPublic(m.getModifiers()), sig + " is not public");
        assertEquals(isStatic, Modifier.isStatic(m.getModifiers()), sig + (isStatic ? " must be static" : " must not be static"));
        assertEquals(ret, typeName(m.getGenericReturnType()), sig + " returns the wrong type");
    }

    private static String typeName(Type t) {
        return t.getTypeName().replace("java.lang.", "").replace("java.time.", "").replace("java.util.function.", "").replace("java.util.", "")
                .replace("io.gmp4j.chan.", "").replace("io.gmp4j.time.", "").replace("io.gmp4j.context.", "").replace("io.gmp4j.pprof.", "")
                .replace("io.gmp4j.", "").replace("java.net.", "");
    }

    private static void genericParams(Class<?> owner, String name, String... params) {
        Method m = Arrays.stream(owner.getMethods()).filter(x -> x.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("missing " + owner.getSimpleName() + "." + name));
        assertArrayEquals(params, Arrays.stream(m.getGenericParameterTypes()).map(ApiContractTest::typeName).toArray(),
                owner.getSimpleName() + "." + name + "'s parameter types");
    }

    /** A public constructor that {@code new Owner(args of types params)} compiles against (a wider parameter type is fine). */
    private static void constructor(Class<?> owner, Class<?>... params) {
        for (Constructor<?> c : owner.getConstructors()) {
            Class<?>[] p = c.getParameterTypes();
            if (p.length == params.length && java.util.stream.IntStream.range(0, p.length).allMatch(i -> p[i].isAssignableFrom(params[i]))) {
                return;
            }
        }
        fail("missing public constructor " + owner.getSimpleName() + Arrays.toString(params));
    }

    @Test
    void goStatementAndPackageRuntime() {
        assertTrue(Modifier.isPublic(Go.class.getModifiers()));
        method(Go.class, true, "void", "go", Runnable.class);
        method(Go.class, true, "void", "run", Runnable.class);
        method(Go.class, true, "void", "gosched");
        method(Go.class, true, "void", "goexit");
        method(Go.class, true, "int", "gomaxprocs", int.class);
        method(Go.class, true, "int", "numGoroutine");
        method(Go.class, true, "int", "numCPU");
        method(Go.class, true, "void", "lockOSThread");
        method(Go.class, true, "void", "unlockOSThread");
        method(Go.class, true, "void", "gc");
        method(Go.class, true, "String", "stack", boolean.class);
        method(Go.class, true, "MemStats", "readMemStats");
    }

    @Test
    void channelsAndSelect() {
        assertTrue(Modifier.isFinal(Chan.class.getModifiers()), "Chan is final");
        assertTrue(Iterable.class.isAssignableFrom(Chan.class), "Chan implements Iterable");
        assertEquals("Iterable<T>", typeName(Chan.class.getGenericInterfaces()[0]));
        method(Chan.class, true, "Chan<T>", "make", int.class);
        method(Chan.class, true, "Chan<T>", "nil");
        method(Chan.class, false, "void", "send", Object.class);
        method(Chan.class, false, "T", "recv");
        method(Chan.class, false, "Chan$Recv<T>", "recvOk");
        method(Chan.class, false, "void", "close");
        method(Chan.class, false, "int", "len");
        method(Chan.class, false, "int", "cap");
        method(Chan.class, false, "Select$Case", "onRecv", Consumer.class);
        method(Chan.class, false, "Select$Case", "onRecvOk", BiConsumer.class);
        method(Chan.class, false, "Select$Case", "onSend", Object.class, Runnable.class);
        genericParams(Chan.class, "onRecv", "Consumer<? super T>");
        genericParams(Chan.class, "onRecvOk", "BiConsumer<? super T, Boolean>");
        genericParams(Chan.class, "onSend", "T", "Runnable");

        assertTrue(Chan.Recv.class.isRecord(), "Chan.Recv is a record");
        assertEquals(List.of("value", "ok"), Arrays.stream(Chan.Recv.class.getRecordComponents())
                .map(c -> c.getName()).toList());
        assertEquals(boolean.class, Chan.Recv.class.getRecordComponents()[1].getType());

        assertTrue(Modifier.isFinal(Select.class.getModifiers()), "Select is final");
        method(Select.class, true, "int", "select", Select.Case[].class);
        method(Select.class, true, "Select$Case", "onDefault", Runnable.class);
        try {
            assertTrue(Select.class.getMethod("select", Select.Case[].class).isVarArgs(), "select(Case...) is varargs");
        } catch (NoSuchMethodException e) {
            fail(e);
        }
    }

    @Test
    void packageSync() {
        constructor(WaitGroup.class);
        method(WaitGroup.class, false, "void", "add", int.class);
        method(WaitGroup.class, false, "void", "done");
        method(WaitGroup.class, false, "void", "await");
        constructor(Mutex.class);
        method(Mutex.class, false, "void", "lock");
        method(Mutex.class, false, "void", "unlock");
        method(Mutex.class, false, "boolean", "tryLock");
        constructor(RWMutex.class);
        for (String m : new String[] {"lock", "unlock", "rLock", "rUnlock"}) {
            method(RWMutex.class, false, "void", m);
        }
        method(RWMutex.class, false, "boolean", "tryLock");
        method(RWMutex.class, false, "boolean", "tryRLock");
        constructor(Once.class);
        method(Once.class, false, "void", "run", Runnable.class);
        constructor(Cond.class, Mutex.class);
        method(Cond.class, false, "void", "await");
        method(Cond.class, false, "void", "signal");
        method(Cond.class, false, "void", "broadcast");
        constructor(Pool.class, Supplier.class);
        method(Pool.class, false, "T", "get");
        method(Pool.class, false, "void", "put", Object.class);

        // sync.Map (Go 1.23's methods); Go's (value, ok) and (actual, loaded) as Map.Loaded.
        Class<?> map = io.gmp4j.sync.Map.class;
        constructor(map);
        method(map, false, "sync.Map$Loaded<V>", "load", Object.class);
        method(map, false, "void", "store", Object.class, Object.class);
        method(map, false, "sync.Map$Loaded<V>", "loadOrStore", Object.class, Object.class);
        method(map, false, "sync.Map$Loaded<V>", "loadAndDelete", Object.class);
        method(map, false, "void", "delete", Object.class);
        method(map, false, "sync.Map$Loaded<V>", "swap", Object.class, Object.class);
        method(map, false, "boolean", "compareAndSwap", Object.class, Object.class, Object.class);
        method(map, false, "boolean", "compareAndDelete", Object.class, Object.class);
        method(map, false, "void", "range", BiPredicate.class);
        genericParams(map, "range", "BiPredicate<? super K, ? super V>");
        method(map, false, "void", "clear");
        assertTrue(io.gmp4j.sync.Map.Loaded.class.isRecord(), "Map.Loaded is a record");
        assertEquals(List.of("value", "loaded"), Arrays.stream(io.gmp4j.sync.Map.Loaded.class.getRecordComponents())
                .map(c -> c.getName()).toList());
    }

    @Test
    void packageXsync() {
        // x/sync/singleflight.Group: Do is run (do is a keyword), as Once.run.
        constructor(SingleFlight.class);
        method(SingleFlight.class, false, "xsync.SingleFlight$Result<V>", "run", Object.class, Callable.class);
        genericParams(SingleFlight.class, "run", "K", "concurrent.Callable<? extends V>");
        method(SingleFlight.class, false, "Chan<xsync.SingleFlight$Result<V>>", "doChan", Object.class, Callable.class);
        method(SingleFlight.class, false, "void", "forget", Object.class);
        assertTrue(SingleFlight.Result.class.isRecord(), "SingleFlight.Result is a record");
        assertEquals(List.of("val", "err", "shared"), Arrays.stream(SingleFlight.Result.class.getRecordComponents())
                .map(c -> c.getName()).toList());
    }

    @Test
    void packageTime() {
        method(Time.class, true, "void", "sleep", Duration.class);
        method(Time.class, true, "Chan<Instant>", "after", Duration.class);
        method(Time.class, true, "Timer", "newTimer", Duration.class);
        method(Time.class, true, "Ticker", "newTicker", Duration.class);
        method(Time.class, true, "Timer", "afterFunc", Duration.class, Runnable.class);
        method(Timer.class, false, "Chan<Instant>", "c");
        method(Timer.class, false, "boolean", "stop");
        method(Timer.class, false, "boolean", "reset", Duration.class);
        method(Ticker.class, false, "Chan<Instant>", "c");
        method(Ticker.class, false, "void", "stop");
        method(Ticker.class, false, "void", "reset", Duration.class);
    }

    @Test
    void packageContext() throws Exception {
        assertTrue(Context.class.isInterface(), "Context is an interface");
        method(Context.class, false, "Chan<Void>", "done");
        method(Context.class, false, "Throwable", "err");
        method(Context.class, false, "Optional<Instant>", "deadline");
        method(Context.class, false, "Object", "value", Object.class);
        method(Context.class, true, "Context", "background");
        method(Context.class, true, "Context", "todo");
        method(Context.class, true, "Context$WithCancel", "withCancel", Context.class);
        method(Context.class, true, "Context$WithCancel", "withTimeout", Context.class, Duration.class);
        method(Context.class, true, "Context$WithCancel", "withDeadline", Context.class, Instant.class);
        method(Context.class, true, "Context", "withValue", Context.class, Object.class, Object.class);
        assertTrue(Context.WithCancel.class.isRecord());
        assertEquals(Context.class, Context.WithCancel.class.getRecordComponents()[0].getType());
        assertEquals("ctx", Context.WithCancel.class.getRecordComponents()[0].getName());
        assertEquals(Runnable.class, Context.WithCancel.class.getRecordComponents()[1].getType());
        assertEquals("cancel", Context.WithCancel.class.getRecordComponents()[1].getName());
        for (String name : new String[] {"CANCELED", "DEADLINE_EXCEEDED"}) {
            Field f = Context.class.getField(name);
            assertTrue(Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers()), name);
            assertTrue(Throwable.class.isAssignableFrom(f.getType()), name + " is what err() returns");
        }
        assertEquals("context canceled", Context.CANCELED.getMessage());
        assertEquals("context deadline exceeded", Context.DEADLINE_EXCEEDED.getMessage());
    }

    @Test
    void panicsObservabilityAndBoundary() {
        assertTrue(RuntimeException.class.isAssignableFrom(GoPanic.class), "GoPanic extends RuntimeException");
        method(Debug.class, true, "InetSocketAddress", "serve", String.class);
        method(Debug.class, true, "int", "setMutexProfileFraction", int.class);
        method(Debug.class, true, "int", "setBlockProfileRate", int.class);
        method(Debug.class, true, "int", "setGCPercent", int.class);
        method(Debug.class, true, "long", "setMemoryLimit", long.class);
        method(Debug.class, true, "void", "freeOSMemory");
        method(Debug.class, true, "void", "setTraceback", String.class);
        method(Debug.class, true, "void", "printStack");
        method(Trace.class, true, "void", "start", OutputStream.class);
        method(Trace.class, true, "void", "stop");
        method(Trace.class, true, "boolean", "isEnabled");
    }

    /** io.gmp4j.trace's user annotations (annotation.go): NewTask's record, Task, Region (AutoCloseable), logs. */
    @Test
    void traceAnnotations() {
        Class<?> T = io.gmp4j.trace.Task.class, R = io.gmp4j.trace.Region.class;
        assertTrue(Modifier.isFinal(T.getModifiers()) && Modifier.isFinal(R.getModifiers()));
        assertTrue(AutoCloseable.class.isAssignableFrom(R), "Region is AutoCloseable");
        method(Trace.class, true, "trace.Trace$NewTask", "newTask", Context.class, String.class);
        assertEquals(List.of("ctx", "task"), Arrays.stream(Trace.NewTask.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName).toList());
        assertEquals(Context.class, Trace.NewTask.class.getRecordComponents()[0].getType());
        assertEquals(T, Trace.NewTask.class.getRecordComponents()[1].getType());
        method(T, false, "void", "end");
        method(Trace.class, true, "trace.Region", "startRegion", Context.class, String.class);
        method(R, false, "void", "end");
        method(R, false, "void", "close");
        method(Trace.class, true, "void", "withRegion", Context.class, String.class, Runnable.class);
        method(Trace.class, true, "void", "log", Context.class, String.class, String.class);
        method(Trace.class, true, "void", "logf", Context.class, String.class, String.class, Object[].class);
        for (String name : new String[] {"io.gmp4j.xsync.Semaphore", "io.gmp4j.xsync.ErrGroup"}) {
            assertDoesNotThrow(() -> Class.forName(name), name);
        }
        for (String moved : new String[] {"io.gmp4j.sync.Semaphore", "io.gmp4j.sync.ErrGroup"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(moved), moved + " moved to io.gmp4j.xsync");
        }
    }

    /** io.gmp4j.pprof: Go's runtime/pprof (pprof.Do is run: do is a keyword). */
    @Test
    void packagePprof() {
        Class<?> P = io.gmp4j.pprof.Pprof.class, Prof = io.gmp4j.pprof.Profile.class, L = io.gmp4j.pprof.LabelSet.class;
        assertTrue(Modifier.isFinal(P.getModifiers()) && Modifier.isFinal(Prof.getModifiers()) && Modifier.isFinal(L.getModifiers()));
        method(P, true, "void", "startCPUProfile", java.io.OutputStream.class);
        method(P, true, "void", "stopCPUProfile");
        method(P, true, "void", "writeHeapProfile", java.io.OutputStream.class);
        method(P, true, "Profile", "lookup", String.class);
        method(P, true, "List<Profile>", "profiles");
        method(P, true, "Profile", "newProfile", String.class);
        method(P, true, "LabelSet", "labels", String[].class);
        method(P, true, "Context", "withLabels", Context.class, L);
        method(P, true, "Optional<String>", "label", Context.class, String.class);
        method(P, true, "void", "forLabels", Context.class, java.util.function.BiPredicate.class);
        method(P, true, "void", "setGoroutineLabels", Context.class);
        method(P, true, "void", "run", Context.class, L, Consumer.class);
        method(Prof, false, "String", "name");
        method(Prof, false, "int", "count");
        method(Prof, false, "void", "add", Object.class, int.class);
        method(Prof, false, "void", "remove", Object.class);
        method(Prof, false, "void", "writeTo", java.io.OutputStream.class, int.class);
    }

    /** The API as its users write it: compiles only while the generic shapes of API.md hold. */
    @SuppressWarnings("unused")
    private static void compilesAsWritten(Chan<String> ch, Context parent) {
        Chan<String> made = Chan.make(0);
        Chan<String> nil = Chan.nil();
        Chan.Recv<String> r = ch.recvOk();
        String v = r.value();
        boolean ok = r.ok();
        for (String s : ch) {
            v = s;
        }
        int chosen = Select.select(ch.onRecv((String s) -> {}), ch.onRecvOk((String s, Boolean o) -> {}),
                ch.onSend("x", () -> {}), Select.onDefault(() -> {}));
        Chan<Instant> after = Time.after(Duration.ZERO);
        Chan<Instant> tc = Time.newTimer(Duration.ZERO).c();
        Chan<Instant> kc = Time.newTicker(Duration.ofSeconds(1)).c();
        Chan<Void> done = parent.done();
        Optional<Instant> deadline = parent.deadline();
        Context.WithCancel wc = Context.withTimeout(parent, Duration.ZERO);
        Runnable cancel = wc.cancel();
        Pool<StringBuilder> pool = new Pool<>(StringBuilder::new);
        StringBuilder sb = pool.get();
        Throwable err = Context.CANCELED;
        err = Context.DEADLINE_EXCEEDED;
        InetSocketAddress at = Debug.serve("127.0.0.1:0");
        io.gmp4j.sync.Map<String, Integer> m = new io.gmp4j.sync.Map<>();
        io.gmp4j.sync.Map.Loaded<Integer> l = m.loadOrStore("k", 1);
        Integer value = l.value();
        boolean loaded = l.loaded();
        m.range((String k, Integer x) -> true);
        SingleFlight<String, Integer> g = new SingleFlight<>();
        SingleFlight.Result<Integer> res = g.run("k", () -> 1);
        Chan<SingleFlight.Result<Integer>> resCh = g.doChan("k", () -> 1);
        Trace.NewTask nt = Trace.newTask(parent, "task");
        Context taskCtx = nt.ctx();
        try (io.gmp4j.trace.Region region = Trace.startRegion(taskCtx, "region")) {
            Trace.withRegion(taskCtx, "inner", () -> {});
            Trace.log(taskCtx, "category", "message");
            Trace.logf(taskCtx, "category", "%d %s", 1, "x");
        }
        nt.task().end();
    }
}
