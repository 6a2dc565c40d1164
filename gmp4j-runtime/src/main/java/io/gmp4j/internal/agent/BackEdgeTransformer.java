package io.gmp4j.internal.agent;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodTransform;
import java.lang.classfile.Opcode;
import java.lang.classfile.TypeKind;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Inserts the preemption check before every backward branch (goto, if*, switch to a label
 * bound earlier in the method) of application classes, with the JDK's ClassFile API:
 * <pre>
 *   getstatic io/gmp4j/internal/runtime/Preempt.pending:I
 *   ifeq skip
 *   invokestatic io/gmp4j/internal/runtime/Preempt.check:()V
 * skip:
 * </pre>
 * Which classes: not the bootstrap or platform loader's, not gmp4j's runtime, and by name as
 * {@link Filter} says. Classes whose loader cannot see {@code Preempt} are left alone. A class
 * that cannot be rewritten is loaded unchanged; the first such failure prints one line.
 *
 * <p>Innermost counted int loops ({@link #countedLoops}: one back-edge, no loop inside, an exit
 * that compares an int local stepped by one {@code iinc}, not otherwise stored in the loop,
 * with a constant, a local not stored in it, an array's length or zero, the step and the exit
 * on every path through the body, a step of one for an exit at {@code ==}) get no check at their
 * back-edge: any branch there stops C2 unrolling and vectorising them (4-9x, measured, even a
 * branch taken once in 4096 iterations). javac's {@code for (...; i < n; i++)} shape is
 * strip-mined instead ({@link Strip}: the check once per {@link #STRIDE} iterations, outside
 * the inner loop, as C2 strip-mines its own safepoint polls); other counted shapes end within
 * 2^32 iterations and their enclosing loop, if any, has the check (HotSpot's counted loops had
 * no safepoint poll before JDK 10 either); a lone one running for seconds is left to sysmon's
 * hand-off. {@code -Dgmp4j.preempt.countedLoops=true} puts the plain check on every loop.
 */
public final class BackEdgeTransformer implements ClassFileTransformer {
    static final ClassDesc PREEMPT = ClassDesc.of("io.gmp4j.internal.runtime.Preempt");
    private static final MethodTypeDesc VOID = MethodTypeDesc.of(ConstantDescs.CD_void);
    private static final String PREEMPT_INTERNAL = "io/gmp4j/internal/runtime/Preempt";
    /** Whether the one failure line was printed (package-private for tests). */
    static final AtomicBoolean warned = new AtomicBoolean();

    private final Filter filter;
    private final Instrumentation inst; // null in tests: no module wiring
    private final ClassLoader runtimeLoader = io.gmp4j.internal.runtime.Preempt.class.getClassLoader();
    private final Module runtimeModule = io.gmp4j.internal.runtime.Preempt.class.getModule();
    private final Set<Module> wired = ConcurrentHashMap.newKeySet();
    /** {@link #sees}'s answers by loader (weak: loaders come and go). */
    private final Map<ClassLoader, Boolean> seen = Collections.synchronizedMap(new WeakHashMap<>());

    public BackEdgeTransformer(Filter filter, Instrumentation inst) {
        this.filter = filter;
        this.inst = inst;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null || classBeingRedefined != null || loader == null
                || loader == ClassLoader.getPlatformClassLoader() || !filter.instrument(className)
                || !sees(loader)) {
            return null;
        }
        try {
            byte[] out = instrument(classfileBuffer, loader);
            if (out != null && runtimeModule.isNamed() && inst != null) {
                wire(module);
            }
            return out;
        } catch (Throwable e) {
            warnOnce(className.replace('/', '.'), e);
            return null;
        }
    }

    /** The one line for the first class that cannot be rewritten (it loads unchanged). */
    static void warnOnce(String className, Throwable e) {
        if (warned.compareAndSet(false, true)) {
            String msg = e.getMessage() != null ? e.getMessage() : e.toString();
            System.err.println("gmp4j: preempt agent: cannot instrument " + className + ": " + msg);
        }
    }

    /**
     * Whether classes of {@code loader} resolve Preempt to ours: the runtime's loader is it or
     * a parent, and it delegates Preempt there (an isolating loader, one that filters what it
     * takes from its parent, does not: its classes' first check would throw
     * NoClassDefFoundError). Asked once per loader, without holding a lock (the loader may be
     * loading a class on another thread whose transform asks too).
     */
    private boolean sees(ClassLoader loader) {
        if (runtimeLoader == null || loader == runtimeLoader) {
            return true;
        }
        boolean parent = false;
        for (ClassLoader l = loader; l != null && !parent; l = l.getParent()) {
            parent = l == runtimeLoader;
        }
        if (!parent) {
            return false;
        }
        Boolean known = seen.get(loader);
        if (known == null) {
            boolean same;
            try {
                same = Class.forName(io.gmp4j.internal.runtime.Preempt.class.getName(), false, loader)
                        == io.gmp4j.internal.runtime.Preempt.class;
            } catch (ClassNotFoundException | LinkageError e) {
                same = false;
            }
            known = same;
            seen.put(loader, known);
        }
        return known;
    }

    /** The runtime on the module path: export the hook's package to (and be read by) the class's module. */
    private void wire(Module module) {
        if (module == null || !wired.add(module)) {
            return;
        }
        String pkg = "io.gmp4j.internal.runtime";
        if (!runtimeModule.isExported(pkg, module)) {
            inst.redefineModule(runtimeModule, Set.of(), Map.of(pkg, Set.of(module)), Map.of(), Set.of(), Map.of());
        }
        if (module.isNamed() && !module.canRead(runtimeModule)) {
            inst.redefineModule(module, Set.of(runtimeModule), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }

    /**
     * The class with back-edge checks, or null when it has no backward branch (or has them
     * already). Stack maps are recomputed; {@code loader} (may be null) resolves the class
     * hierarchy from its resources, without loading classes.
     */
    public static byte[] instrument(byte[] classfile, ClassLoader loader) {
        return instrument(classfile, loader, CHECK_COUNTED);
    }

    /**
     * {@code -Dgmp4j.preempt.countedLoops=true}: counted loops get the check too, so that every
     * loop of application code is preemptible, at the cost measured in docs/BENCHMARKS.md.
     */
    static final boolean CHECK_COUNTED = Boolean.getBoolean("gmp4j.preempt.countedLoops");

    /** As {@link #instrument(byte[], ClassLoader)}; {@code checkCounted}: counted loops too. */
    public static byte[] instrument(byte[] classfile, ClassLoader loader, boolean checkCounted) {
        ClassLoader resources = loader != null ? loader : ClassLoader.getSystemClassLoader();
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.ofResourceParsing(resources).orElse(ClassHierarchyResolver.defaultResolver())
                        .cached()));
        ClassModel cm = cf.parse(classfile);
        // Before Java 6 the JVM verifies by type inference, which ClassFile.verify cannot check
        // a rewrite against: such classes (asm 3, log4j 1) load unchanged, and that is no failure.
        if (cm.majorVersion() < ClassFile.JAVA_6_VERSION || !hasBackEdge(cm)) {
            return null;
        }
        byte[] out = cf.transformClass(cm, (cb, ce) -> {
            if (ce instanceof MethodModel mm && mm.code().isPresent()) {
                List<CodeElement> els = mm.code().get().elementList();
                Set<Integer> exempt = checkCounted ? Set.of() : countedLoops(els);
                Map<Integer, Strip> strips = new HashMap<>();
                for (int to : exempt) {
                    Strip st = Strip.of(els, to);
                    if (st != null) {
                        strips.put(st.header, st);
                    }
                }
                cb.transformMethod(mm, MethodTransform.transformingCode(new BackEdges(exempt, strips)));
            } else {
                cb.with(ce);
            }
        });
        // A rewrite the JVM would reject must not break the application: the caller loads the
        // original instead (and says so once).
        List<VerifyError> errors = cf.verify(out);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the rewritten class does not verify: " + errors.getFirst().getMessage());
        }
        return out;
    }

    /**
     * The positions (in {@code els}) of the backward branches that close an innermost counted
     * int loop (see the class comment): they get no check.
     */
    static Set<Integer> countedLoops(List<CodeElement> els) {
        Map<Label, Integer> at = new HashMap<>();
        List<int[]> backs = new ArrayList<>(); // {header position or -1 for a switch, branch position}
        for (int k = 0; k < els.size(); k++) {
            CodeElement e = els.get(k);
            if (e instanceof LabelTarget lt) {
                at.put(lt.label(), k);
            } else if (e instanceof BranchInstruction b && at.containsKey(b.target())) {
                backs.add(new int[] {at.get(b.target()), k});
            } else if (isBackward(e, at.keySet())) {
                backs.add(new int[] {-1, k});
            }
        }
        List<ExceptionCatch> catches = new ArrayList<>();
        for (CodeElement e : els) {
            if (e instanceof ExceptionCatch c) {
                catches.add(c);
            }
        }
        Set<Integer> exempt = new HashSet<>();
        for (int[] be : backs) {
            int from = be[0], to = be[1];
            if (from < 0) {
                continue;
            }
            boolean innermost = true;
            for (int[] o : backs) {
                if (o != be && o[1] > from && o[1] <= to) {
                    innermost = false; // a loop inside, or a second back-edge of this one
                }
            }
            if (innermost && counted(els, from, to, at, catches)) { // at: every label's position now
                exempt.add(to);
            }
        }
        return exempt;
    }

    /**
     * Whether els[from..to] (a loop: header label .. back-edge) is a counted int loop: an exit
     * compares an int local with an invariant bound, and the local's one iinc and that exit
     * are on every path through the body (a spin-wait that steps its counter only while a
     * flag is up, or tests it only then, need not end), and an exit taken at {@code ==} has a
     * step of one (a step of 2 can pass it forever).
     */
    private static boolean counted(List<CodeElement> els, int from, int to, Map<Label, Integer> labels,
            List<ExceptionCatch> catches) {
        Map<Integer, Integer> iincs = new HashMap<>(); // slot -> how many iinc
        Map<Integer, int[]> steps = new HashMap<>(); // slot -> {the iinc's constant, its position}
        Set<Integer> stored = new HashSet<>();
        List<Instruction> ins = new ArrayList<>();
        List<Integer> pos = new ArrayList<>();
        List<int[]> jumps = new ArrayList<>(); // forward transfers inside the loop: {from, to}
        for (int k = from; k <= to; k++) {
            if (els.get(k) instanceof Instruction i) {
                ins.add(i);
                pos.add(k);
                if (i instanceof IncrementInstruction inc) {
                    iincs.merge(inc.slot(), inc.constant() != 0 ? 1 : 2, Integer::sum);
                    steps.put(inc.slot(), new int[] {inc.constant(), k});
                } else if (i instanceof StoreInstruction st) {
                    stored.add(st.slot());
                }
                List<Label> targets = switch (i) {
                    case BranchInstruction b -> List.of(b.target());
                    case TableSwitchInstruction t -> caseTargets(t.defaultTarget(), t.cases());
                    case LookupSwitchInstruction l -> caseTargets(l.defaultTarget(), l.cases());
                    default -> List.of();
                };
                for (Label l : targets) {
                    Integer t = labels.get(l);
                    if (t != null && t > k && t <= to) {
                        jumps.add(new int[] {k, t});
                    }
                }
            }
        }
        for (ExceptionCatch c : catches) { // a throw before x to a handler after x skips x
            Integer start = labels.get(c.tryStart()), end = labels.get(c.tryEnd()), h = labels.get(c.handler());
            if (start != null && end != null && h != null && h > from && h <= to && start < to && end > from) {
                jumps.add(new int[] {Math.max(start, from), h});
            }
        }
        for (int n = 0; n < ins.size(); n++) {
            if (!(ins.get(n) instanceof BranchInstruction b) || !isIcmp(b.opcode()) && !isIfZero(b.opcode())) {
                continue;
            }
            boolean exits = pos.get(n) == to || !inside(els, b.target(), from, to);
            if (!exits) {
                continue;
            }
            boolean atBackEdge = pos.get(n) == to;
            if (isIfZero(b.opcode())) { // iload k; if<cond>: a bound of 0
                Integer k = intLoad(ins, n - 1);
                if (k != null && iincs.getOrDefault(k, 0) == 1 && !stored.contains(k)
                        && ends(steps.get(k), pos.get(n), b.opcode(), atBackEdge, jumps)) {
                    return true;
                }
                continue;
            }
            // iload k; <bound>; if_icmp  or  <bound>; iload k; if_icmp
            int boundEnd = n - 1;
            Integer k = intLoad(ins, boundEnd);
            int boundLen;
            if (k != null && iincs.getOrDefault(k, 0) == 1 && !stored.contains(k)) {
                boundLen = invariantBound(ins, boundEnd - 1, stored);
                if (boundLen > 0 && ends(steps.get(k), pos.get(n), b.opcode(), atBackEdge, jumps)) {
                    return true;
                }
            }
            boundLen = invariantBound(ins, boundEnd, stored);
            if (boundLen > 0) {
                k = intLoad(ins, boundEnd - boundLen);
                if (k != null && iincs.getOrDefault(k, 0) == 1 && !stored.contains(k)
                        && ends(steps.get(k), pos.get(n), b.opcode(), atBackEdge, jumps)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether a loop whose counter steps by {@code step} = {constant, position} and that exits
     * at the branch at {@code exit} ({@code op}; the back-edge itself if {@code atBackEdge}, which
     * loops while its condition holds) ends within 2^32 iterations: the step and the exit are
     * on every path (no forward jump in the loop passes over them), and an exit taken at
     * {@code ==} is not stepped over.
     */
    private static boolean ends(int[] step, int exit, Opcode op, boolean atBackEdge, List<int[]> jumps) {
        for (int[] j : jumps) {
            if (j[0] < step[1] && step[1] < j[1] || j[0] < exit && exit < j[1]) {
                return false;
            }
        }
        boolean exitsAtEqual = atBackEdge ? op == Opcode.IF_ICMPNE || op == Opcode.IFNE
                : op == Opcode.IF_ICMPEQ || op == Opcode.IFEQ;
        return !exitsAtEqual || step[0] == 1 || step[0] == -1;
    }

    private static List<Label> caseTargets(Label dflt, List<SwitchCase> cases) {
        List<Label> out = new ArrayList<>(cases.size() + 1);
        out.add(dflt);
        for (SwitchCase c : cases) {
            out.add(c.target());
        }
        return out;
    }

    private static boolean isIcmp(Opcode op) {
        return switch (op) {
            case IF_ICMPEQ, IF_ICMPNE, IF_ICMPLT, IF_ICMPGE, IF_ICMPGT, IF_ICMPLE -> true;
            default -> false;
        };
    }

    private static boolean isIfZero(Opcode op) {
        return switch (op) {
            case IFEQ, IFNE, IFLT, IFGE, IFGT, IFLE -> true;
            default -> false;
        };
    }

    private static boolean inside(List<CodeElement> els, Label l, int from, int to) {
        for (int k = from; k <= to; k++) {
            if (els.get(k) instanceof LabelTarget lt && lt.label().equals(l)) {
                return true;
            }
        }
        return false;
    }

    /** The slot of an int local loaded by ins[n], or null. */
    private static Integer intLoad(List<Instruction> ins, int n) {
        return n >= 0 && ins.get(n) instanceof LoadInstruction ld && ld.typeKind() == TypeKind.INT ? ld.slot() : null;
    }

    /**
     * How many instructions ending at ins[end] push a bound that does not change in the loop:
     * an int constant (1), an int local not stored in it (1), or a local array's length (2);
     * 0 when none.
     */
    private static int invariantBound(List<Instruction> ins, int end, Set<Integer> stored) {
        if (end < 0) {
            return 0;
        }
        Instruction i = ins.get(end);
        if (i instanceof ConstantInstruction c && c.typeKind() == TypeKind.INT) {
            return 1;
        }
        if (i instanceof LoadInstruction ld && ld.typeKind() == TypeKind.INT && !stored.contains(ld.slot())) {
            return 1;
        }
        if (i.opcode() == Opcode.ARRAYLENGTH && end >= 1 && ins.get(end - 1) instanceof LoadInstruction a
                && a.typeKind() == TypeKind.REFERENCE && !stored.contains(a.slot())) {
            return 2;
        }
        return 0;
    }

    private static boolean hasBackEdge(ClassModel cm) {
        boolean found = false;
        for (MethodModel m : cm.methods()) {
            CodeModel code = m.code().orElse(null);
            if (code == null) {
                continue;
            }
            Set<Label> bound = new HashSet<>();
            for (CodeElement e : code) {
                if (e instanceof LabelTarget lt) {
                    bound.add(lt.label());
                } else if (e instanceof FieldInstruction fi && fi.owner().asInternalName().equals(PREEMPT_INTERNAL)) {
                    return false; // instrumented already
                } else if (!found && isBackward(e, bound)) {
                    found = true;
                }
            }
        }
        return found;
    }

    static boolean isBackward(CodeElement e, Set<Label> bound) {
        return switch (e) {
            case BranchInstruction b -> bound.contains(b.target());
            case TableSwitchInstruction t -> bound.contains(t.defaultTarget()) || anyBound(t.cases(), bound);
            case LookupSwitchInstruction l -> bound.contains(l.defaultTarget()) || anyBound(l.cases(), bound);
            default -> false;
        };
    }

    private static boolean anyBound(List<SwitchCase> cases, Set<Label> bound) {
        for (SwitchCase c : cases) {
            if (bound.contains(c.target())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A counted loop in javac's shape, strip-mined as C2 does for its safepoint polls: the
     * header's exit test {@code iload i; <bound>; if_icmpge|if_icmpgt EXIT} (i stepped by
     * {@code iinc i, 1}, the back-edge a {@code goto} to the header) becomes
     * <pre>
     *   OUTER:  lim = (int) Math.min((long) bound, (long) i + STRIDE)
     *   HEAD:   iload i; iload lim; if_icmpge|gt CHECK      (the inner loop: still counted)
     *           body; iinc i, 1; goto HEAD
     *   CHECK:  iload i; <bound>; if_icmpge|gt EXIT
     *           getstatic Preempt.pending; ifeq OUTER; invokestatic Preempt.check; goto OUTER
     * </pre>
     * so the inner loop keeps C2's unrolling and vectorisation and the check runs once per
     * {@link #STRIDE} iterations.
     */
    record Strip(int header, int iload, int boundFrom, int boundTo, int cmp, int backEdge, int slot,
            List<Instruction> bound, Opcode op, Label exit) {
        /** The strip for the counted loop whose back-edge is els[to], or null if not javac's shape. */
        static Strip of(List<CodeElement> els, int to) {
            if (!(els.get(to) instanceof BranchInstruction back) || back.opcode() != Opcode.GOTO) {
                return null;
            }
            int header = -1;
            for (int k = 0; k < to; k++) {
                if (els.get(k) instanceof LabelTarget lt && lt.label().equals(back.target())) {
                    header = k;
                }
            }
            if (header < 0 || enteredElsewhere(els, back.target(), to) || enteredInside(els, header, to)) {
                return null;
            }
            List<Integer> pos = new ArrayList<>();
            for (int k = header + 1; k < to && pos.size() < 4; k++) {
                if (els.get(k) instanceof LabelTarget) {
                    return null; // something jumps into the test
                }
                if (els.get(k) instanceof Instruction i) {
                    pos.add(k);
                    if (i instanceof BranchInstruction) {
                        break; // the test ends here; the body may start with a label
                    }
                }
            }
            if (pos.size() < 3 || !(els.get(pos.get(0)) instanceof LoadInstruction ld) || ld.typeKind() != TypeKind.INT) {
                return null;
            }
            int boundLen = els.get(pos.get(1)) instanceof LoadInstruction a && a.typeKind() == TypeKind.REFERENCE ? 2 : 1;
            if (pos.size() < 2 + boundLen) {
                return null;
            }
            int cmpAt = pos.get(1 + boundLen);
            if (!(els.get(cmpAt) instanceof BranchInstruction cmp)
                    || cmp.opcode() != Opcode.IF_ICMPGE && cmp.opcode() != Opcode.IF_ICMPGT) {
                return null;
            }
            List<Instruction> bound = new ArrayList<>();
            for (int j = 1; j <= boundLen; j++) {
                bound.add((Instruction) els.get(pos.get(j)));
            }
            if (boundLen == 2 && (bound.get(1).opcode() != Opcode.ARRAYLENGTH || rangeAt(els, back.target()))) {
                return null; // a.length, which may throw, where a try starts or ends (see rangeAt)
            }
            if (boundLen == 1 && !(bound.get(0) instanceof ConstantInstruction c && c.typeKind() == TypeKind.INT)
                    && !(bound.get(0) instanceof LoadInstruction bl && bl.typeKind() == TypeKind.INT)) {
                return null;
            }
            int slot = ld.slot();
            int boundSlot = bound.get(0) instanceof LoadInstruction bl ? bl.slot() : -1;
            boolean stepOne = false;
            for (int k = header; k <= to; k++) {
                if (els.get(k) instanceof IncrementInstruction inc && inc.slot() == slot) {
                    stepOne = inc.constant() == 1;
                } else if (els.get(k) instanceof StoreInstruction sti && sti.slot() == boundSlot
                        || els.get(k) instanceof IncrementInstruction inc2 && inc2.slot() == boundSlot) {
                    return null; // the bound moves: lim would go stale
                }
            }
            if (!stepOne || inside(els, cmp.target(), header, to)) {
                return null;
            }
            return new Strip(header, pos.get(0), pos.get(1), pos.get(boundLen), cmpAt, to, slot, bound, cmp.opcode(),
                    cmp.target());
        }
    }

    /**
     * Whether an exception range starts or ends at {@code header}: the strip's limit
     * computation, bound before the header, falls outside the range that covers the header's
     * exit test (a {@code try} whose block starts with {@code for (; i < a.length; i++)}: a null
     * array's NullPointerException escaped its catch), or inside the one that ends there. Only
     * {@code a.length} can throw there; a constant or local bound cannot.
     */
    private static boolean rangeAt(List<CodeElement> els, Label header) {
        for (CodeElement e : els) {
            if (e instanceof ExceptionCatch c && (c.tryStart().equals(header) || c.tryEnd().equals(header))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether anything but the back-edge at els[to] jumps to {@code header} (a branch, a switch,
     * an exception handler): such an entry would skip the strip's limit computation.
     */
    private static boolean enteredElsewhere(List<CodeElement> els, Label header, int to) {
        for (int k = 0; k < els.size(); k++) {
            CodeElement e = els.get(k);
            boolean jumps = switch (e) {
                case BranchInstruction b -> k != to && b.target().equals(header);
                case TableSwitchInstruction t -> t.defaultTarget().equals(header)
                        || t.cases().stream().anyMatch(c -> c.target().equals(header));
                case LookupSwitchInstruction l -> l.defaultTarget().equals(header)
                        || l.cases().stream().anyMatch(c -> c.target().equals(header));
                case ExceptionCatch c -> c.handler().equals(header);
                default -> false;
            };
            if (jumps) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether code outside els[header..to] enters the loop past its header: a branch or a switch
     * to a label inside, or a handler inside for a range that is not. javac emits no such
     * thing, but other bytecode can jump out of a loop's body past its back-edge and back in,
     * running code that {@link Strip#of} does not see (a store to the bound, which the strip's
     * limit would then miss) between two of the inner loop's tests.
     */
    private static boolean enteredInside(List<CodeElement> els, int header, int to) {
        Map<Label, Integer> at = new HashMap<>();
        for (int k = 0; k < els.size(); k++) {
            if (els.get(k) instanceof LabelTarget lt) {
                at.put(lt.label(), k);
            }
        }
        for (int k = 0; k < els.size(); k++) {
            List<Label> targets = switch (els.get(k)) {
                case BranchInstruction b -> List.of(b.target());
                case TableSwitchInstruction t -> caseTargets(t.defaultTarget(), t.cases());
                case LookupSwitchInstruction l -> caseTargets(l.defaultTarget(), l.cases());
                case ExceptionCatch c -> {
                    int start = at.getOrDefault(c.tryStart(), -1), end = at.getOrDefault(c.tryEnd(), -1);
                    yield start >= header && start <= to && end > header && end <= to + 1 ? List.of() : List.of(c.handler());
                }
                default -> List.of();
            };
            boolean outside = k < header || k > to || els.get(k) instanceof ExceptionCatch;
            for (Label l : targets) {
                int t = at.getOrDefault(l, -1);
                if (outside && t > header && t <= to) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * One method body: labels seen so far; a check before each branch to one of them, except
     * the back-edges of counted loops (positions in the body's element list), which are
     * strip-mined ({@link Strip}) where they have javac's shape and left alone otherwise.
     */
    private static final class BackEdges implements CodeTransform {
        private final Set<Label> bound = new HashSet<>();
        private final Set<Integer> exempt;
        private final Map<Integer, Strip> strips; // by header position
        private final Map<Integer, Strip> open = new HashMap<>(); // by any position inside
        private Strip cur;
        private Label outer, check;
        private int lim;
        private int pos;

        BackEdges(Set<Integer> exempt, Map<Integer, Strip> strips) {
            this.exempt = exempt;
            this.strips = strips;
        }

        @Override
        public void accept(CodeBuilder b, CodeElement e) {
            int here = pos++;
            Strip st = strips.get(here);
            if (st != null) { // OUTER: lim = min(bound, i + STRIDE); then the header label
                cur = st;
                outer = b.newLabel();
                check = b.newLabel();
                lim = b.allocateLocal(TypeKind.INT);
                b.labelBinding(outer);
                for (Instruction i : st.bound()) {
                    b.with(i);
                }
                b.i2l();
                b.iload(st.slot());
                b.i2l();
                b.ldc((long) STRIDE);
                b.ladd();
                b.invokestatic(ClassDesc.of("java.lang.Math"), "min",
                        MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long));
                b.l2i();
                b.istore(lim);
            }
            if (cur != null && here >= cur.boundFrom() && here <= cur.boundTo()) {
                if (here == cur.boundFrom()) {
                    b.iload(lim);
                }
                return;
            }
            if (cur != null && here == cur.cmp()) {
                b.branch(cur.op(), check);
                return;
            }
            if (e instanceof LabelTarget lt) {
                bound.add(lt.label());
            } else if (isBackward(e, bound) && !exempt.contains(here)) {
                Label skip = b.newLabel();
                b.getstatic(PREEMPT, "pending", ConstantDescs.CD_int);
                b.ifeq(skip);
                b.invokestatic(PREEMPT, "check", VOID);
                b.labelBinding(skip);
            }
            b.with(e);
            if (cur != null && here == cur.backEdge()) { // CHECK: the real exit, then the check
                b.labelBinding(check);
                b.iload(cur.slot());
                for (Instruction i : cur.bound()) {
                    b.with(i);
                }
                b.branch(cur.op(), cur.exit());
                b.getstatic(PREEMPT, "pending", ConstantDescs.CD_int);
                b.ifeq(outer);
                b.invokestatic(PREEMPT, "check", VOID);
                b.goto_(outer);
                cur = null;
            }
        }
    }

    /** Strip-mined counted loops check once in this many iterations. */
    static final int STRIDE = 4096;

    /**
     * Which classes get checks, by internal-name prefix (dots or slashes): the longest
     * matching prefix of the default excludes and the properties {@code gmp4j.preempt.include}
     * and {@code gmp4j.preempt.exclude} (comma-separated) decides; an include wins a tie; no
     * match instruments. The JDK's packages and gmp4j's runtime are never instrumented.
     */
    public static final class Filter {
        /** Never: the JDK, and the scheduler and this agent (a check inside them could yield holding a runtime lock). */
        static final List<String> NEVER = List.of("java/", "javax/", "jdk/", "sun/", "com/sun/",
                "io/gmp4j/internal/");
        /** By default: gmp4j's API packages, test and build tools, bytecode libraries. */
        static final List<String> DEFAULT_EXCLUDE = List.of(
                "io/gmp4j/Go", "io/gmp4j/MemStats", "io/gmp4j/PanicHandler", "io/gmp4j/PanicNilError",
                "io/gmp4j/chan/", "io/gmp4j/sync/", "io/gmp4j/xsync/", "io/gmp4j/time/", "io/gmp4j/context/",
                "io/gmp4j/debug/", "io/gmp4j/metrics/", "io/gmp4j/trace/",
                "org/junit/", "org/opentest4j/", "org/apiguardian/", "org/apache/maven/", "org/jetbrains/kotlinx/lincheck/",
                "org/jetbrains/lincheck/",
                "kotlin/", "kotlinx/", "net/bytebuddy/", "org/objectweb/asm/", "org/openjdk/jmh/");

        private final List<String> include;
        private final List<String> exclude;

        public Filter(List<String> include, List<String> exclude) {
            this.include = include;
            List<String> ex = new ArrayList<>(DEFAULT_EXCLUDE);
            ex.addAll(exclude);
            this.exclude = ex;
        }

        public static Filter fromProperties() {
            return new Filter(parse(System.getProperty("gmp4j.preempt.include")),
                    parse(System.getProperty("gmp4j.preempt.exclude")));
        }

        static List<String> parse(String s) {
            List<String> out = new ArrayList<>();
            if (s != null) {
                for (String p : s.split(",")) {
                    p = p.trim().replace('.', '/');
                    if (!p.isEmpty()) {
                        out.add(p);
                    }
                }
            }
            return out;
        }

        /** Whether class {@code internalName} (slashes) gets back-edge checks. */
        public boolean instrument(String internalName) {
            for (String p : NEVER) {
                if (internalName.startsWith(p)) {
                    return false;
                }
            }
            if (internalName.contains("/jmh_generated/")) {
                return false; // JMH's measurement loops
            }
            int in = longest(include, internalName);
            int ex = longest(exclude, internalName);
            return in >= ex;
        }

        /**
         * Whether {@link PreemptLoader} leaves class {@code internalName} to its parent, the
         * JDK's application class loader: the JDK, gmp4j's runtime, JMH's stubs, gmp4j's API
         * (which the runtime shares) unless an include names the class (an application package
         * under an API prefix), and the default-excluded tools and libraries whole, includes or
         * not: a library split between two loaders (kotlin/collections here, the rest of kotlin
         * and kotlinx there) gets two copies of what its parent-side classes use. Not the
         * classes only {@code gmp4j.preempt.exclude} names: the loader defines those unchanged,
         * with the rest of the class path, so that they share its classes and their package.
         */
        public boolean shared(String internalName) {
            for (String p : NEVER) {
                if (internalName.startsWith(p)) {
                    return true;
                }
            }
            if (internalName.contains("/jmh_generated/")) {
                return true;
            }
            String lib = null;
            for (String p : DEFAULT_EXCLUDE) {
                if (internalName.startsWith(p) && (lib == null || p.length() > lib.length())) {
                    lib = p;
                }
            }
            if (lib == null) {
                return false;
            }
            return !lib.startsWith("io/gmp4j/") || longest(include, internalName) < lib.length();
        }

        private static int longest(List<String> prefixes, String name) {
            int best = -1;
            for (String p : prefixes) {
                if (p.length() > best && name.startsWith(p)) {
                    best = p.length();
                }
            }
            return best;
        }
    }
}
