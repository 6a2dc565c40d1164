package io.gmp4j.internal.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random Java programs full of loops, for {@link BackEdgeFuzzTest}: for/while/do loops, nested
 * and labelled, with break/continue, counters and bounds the body moves, int overflow at the
 * bounds, {@code !=} exits, negative steps, long counters, try/catch/finally, switch,
 * synchronized, lambdas, a constructor (its prologue too), a static initialiser, a switch
 * expression under {@code new}. Every loop body starts with {@code g()}, which counts
 * iterations and throws at a cap, so that every program ends (the transformed one must end at
 * the same point) without a branch that would change the loop's shape.
 */
final class LoopGen {
    static final int CAP = 30_000;
    private static final String[] BIG = {"Integer.MAX_VALUE", "Integer.MIN_VALUE", "(Integer.MAX_VALUE - 3)",
        "(Integer.MIN_VALUE + 2)", "(Integer.MAX_VALUE - 4100)", "(Integer.MIN_VALUE + 5000)"};

    private final Random r;
    private final StringBuilder sb = new StringBuilder();
    private int ids;

    /** Names in scope where statements are generated. */
    private static final class Ctx {
        final String h, a, b, arr;
        final List<String> ints = new ArrayList<>();
        final List<String> labels = new ArrayList<>();
        int loops; // enclosing loops (break/continue allowed when > 0)
        boolean mayReturn;
        boolean noTry; // in a switch expression under new: javac (25) crashes spilling its stack for a try
        int depth;

        Ctx(String h, String a, String b, String arr, boolean mayReturn) {
            this.h = h;
            this.a = a;
            this.b = b;
            this.arr = arr;
            this.mayReturn = mayReturn;
            ints.add(a);
            ints.add(b);
        }

        Ctx sub() { // a nested scope: same names, its own locals list
            Ctx c = new Ctx(h, a, b, arr, mayReturn);
            c.ints.clear();
            c.ints.addAll(ints);
            c.labels.addAll(labels);
            c.loops = loops;
            c.depth = depth;
            c.noTry = noTry;
            return c;
        }
    }

    LoopGen(long seed) {
        r = new Random(seed);
    }

    /** Class {@code name}: run(int, int, int[]) and new name(int, int, int[]).hv and static S. */
    String program(String name) {
        sb.setLength(0);
        sb.append("import java.util.function.*;\n");
        sb.append("public class ").append(name).append(" {\n");
        sb.append("  public static int steps; public static long T; public static int F; public final long hv;\n");
        sb.append("  static final Object LOCK = new Object();\n");
        sb.append("  record Box(long v) {}\n");
        sb.append("  static void g() { if (++steps > ").append(CAP).append(") throw new IllegalStateException(\"cap\"); }\n");
        sb.append("  public static long S;\n  static {\n    long h = 1; int a = ").append(r.nextInt(20) - 5)
                .append(", b = ").append(r.nextInt(9000)).append("; int[] arr = new int[").append(r.nextInt(9)).append("];\n");
        block(new Ctx("h", "a", "b", "arr", false), 2, "    ");
        sb.append("    S = h + steps * 7L + T; steps = 0; T = 0;\n  }\n");
        sb.append("  public static long run(int a, int b, int[] arr) {\n    long h = 1;\n");
        block(new Ctx("h", "a", "b", "arr", true), 3 + r.nextInt(3), "    ");
        sb.append("    return h;\n  }\n");
        sb.append("  public ").append(name).append("(int a, int b, int[] arr) {\n    long h = 3;\n");
        boolean prologue = r.nextBoolean();
        if (!prologue) {
            sb.append("    super();\n");
        }
        block(new Ctx("h", "a", "b", "arr", false), 2, "    ");
        if (prologue) {
            sb.append("    super();\n");
        }
        sb.append("    this.hv = h;\n  }\n}\n");
        return sb.toString();
    }

    private void block(Ctx c, int n, String ind) {
        for (int k = 0; k < n; k++) {
            stmt(c, ind);
        }
    }

    private String var(Ctx c) {
        return c.ints.get(r.nextInt(c.ints.size()));
    }

    private String konst() {
        return switch (r.nextInt(8)) {
            case 0 -> BIG[r.nextInt(BIG.length)];
            case 1 -> String.valueOf(r.nextInt(10000) - 100);
            case 2 -> String.valueOf(4096 * (1 + r.nextInt(3)) + r.nextInt(3) - 1);
            default -> String.valueOf(r.nextInt(40) - 10);
        };
    }

    private String expr(Ctx c, int d) {
        int k = d > 1 ? 5 + r.nextInt(7) : r.nextInt(12);
        return switch (k) {
            case 0 -> "(" + expr(c, d + 1) + " + " + expr(c, d + 1) + ")";
            case 1 -> "(" + expr(c, d + 1) + " * " + (r.nextInt(9) - 3) + ")";
            case 2 -> "(" + expr(c, d + 1) + " ^ " + expr(c, d + 1) + ")";
            case 3 -> "(" + expr(c, d + 1) + " >> " + r.nextInt(4) + ")";
            case 4 -> "(" + expr(c, d + 1) + " - " + expr(c, d + 1) + ")";
            case 5 -> c.arr + ".length";
            case 6 -> "F";
            case 7 -> r.nextInt(6) == 0 ? c.arr + "[" + var(c) + " & 7]" : c.arr + "[(" + var(c) + " & 0x7fffffff) % (" + c.arr + ".length + 1) & 0]";
            case 8 -> r.nextInt(5) == 0 ? "(" + var(c) + " / (" + var(c) + " & 3))" : konst();
            default -> var(c);
        };
    }

    private String cond(Ctx c) {
        String[] ops = {"<", "<=", ">", ">=", "==", "!="};
        return switch (r.nextInt(4)) {
            case 0 -> "((" + var(c) + " & " + (1 + r.nextInt(7)) + ") == 0)";
            case 1 -> "(F > " + r.nextInt(300) + ")";
            default -> "(" + var(c) + " " + ops[r.nextInt(ops.length)] + " " + expr(c, 1) + ")";
        };
    }

    private void stmt(Ctx c, String ind) {
        int k = r.nextInt(c.depth >= 3 ? 9 : 22);
        switch (k) {
            case 0, 1, 2 -> sb.append(ind).append(c.h).append(" = ").append(c.h).append(" * 31 + ").append(expr(c, 0)).append(";\n");
            case 3 -> sb.append(ind).append("T += ").append(expr(c, 1)).append(";\n");
            case 4 -> { // modify a variable (a counter or a bound, perhaps)
                String v = var(c);
                String rhs = switch (r.nextInt(5)) {
                    case 0 -> v + " + " + (r.nextInt(7) - 3);
                    case 1 -> expr(c, 1);
                    case 2 -> v + " - 1";
                    default -> v + " + 1";
                };
                sb.append(ind).append("if ").append(cond(c)).append(" ").append(v).append(" = ").append(rhs).append(";\n");
            }
            case 5 -> { // an exit
                if (c.loops > 0) {
                    String what = r.nextBoolean() ? "break" : "continue";
                    if (!c.labels.isEmpty() && r.nextBoolean()) {
                        what += " " + c.labels.get(r.nextInt(c.labels.size()));
                    }
                    sb.append(ind).append("if ").append(cond(c)).append(" ").append(what).append(";\n");
                } else if (c.mayReturn) {
                    sb.append(ind).append("if ").append(cond(c)).append(" return ").append(c.h).append(";\n");
                } else {
                    sb.append(ind).append("F += 3;\n");
                }
            }
            case 6 -> sb.append(ind).append("if ").append(cond(c)).append(" throw new IllegalArgumentException(\"x\" + ")
                    .append(var(c)).append(");\n");
            case 7 -> sb.append(ind).append("F = F + ").append(r.nextInt(5) - 1).append(";\n");
            case 8 -> { // the array reassigned
                sb.append(ind).append("if ").append(cond(c)).append(" ").append(c.arr).append(" = ")
                        .append(r.nextInt(6) == 0 ? "null" : "new int[" + (r.nextBoolean() ? "(" + var(c) + " & 15)" : c.arr + ".length + 1") + "]")
                        .append(";\n");
            }
            case 9, 10 -> {
                Ctx s = c.sub();
                s.depth++;
                sb.append(ind).append("if ").append(cond(c)).append(" {\n");
                block(s, 1 + r.nextInt(2), ind + "  ");
                sb.append(ind).append("} else {\n");
                block(c.sub(), 1, ind + "  ");
                sb.append(ind).append("}\n");
            }
            case 11, 12, 13, 14, 15, 16 -> loop(c, ind);
            case 17 -> { // switch statement
                Ctx s = c.sub();
                s.depth++;
                sb.append(ind).append("switch (").append(var(c)).append(" & 3) {\n");
                for (int q = 0; q < 3; q++) {
                    sb.append(ind).append("  case ").append(q).append(": {\n");
                    block(s.sub(), 1, ind + "    ");
                    if (r.nextBoolean()) {
                        sb.append(ind).append("    break;\n");
                    }
                    sb.append(ind).append("  }\n");
                }
                sb.append(ind).append("  default: ").append(c.h).append(" ^= 5;\n").append(ind).append("}\n");
            }
            case 18 -> { // try
                if (c.noTry) {
                    sb.append(ind).append("T ^= 9;\n");
                    return;
                }
                Ctx s = c.sub();
                s.depth++;
                sb.append(ind).append("try {\n");
                block(s, 1 + r.nextInt(2), ind + "  ");
                sb.append(ind).append("} catch (ArithmeticException | ArrayIndexOutOfBoundsException | IllegalArgumentException | NullPointerException e")
                        .append(ids).append(") {\n");
                sb.append(ind).append("  ").append(c.h).append(" += e").append(ids++).append(".getClass().getSimpleName().length();\n");
                if (r.nextBoolean()) {
                    block(c.sub(), 1, ind + "  ");
                }
                sb.append(ind).append("}");
                if (r.nextBoolean()) {
                    sb.append(" finally {\n");
                    block(c.sub(), 1, ind + "  ");
                    sb.append(ind).append("}");
                }
                sb.append("\n");
            }
            case 19 -> {
                if (c.noTry) {
                    sb.append(ind).append("T ^= 10;\n");
                    return;
                }
                Ctx s = c.sub();
                s.depth++;
                sb.append(ind).append("synchronized (LOCK) {\n");
                block(s, 1 + r.nextInt(2), ind + "  ");
                sb.append(ind).append("}\n");
            }
            case 20 -> { // a lambda with loops
                String id = "" + ids++;
                Ctx s = new Ctx("lh" + id, "la" + id, "lb" + id, "larr" + id, false);
                s.depth = c.depth + 1;
                sb.append(ind).append(c.h).append(" += ((IntUnaryOperator) (la").append(id).append(") -> {\n");
                sb.append(ind).append("  long lh").append(id).append(" = 5; int lb").append(id).append(" = la").append(id)
                        .append(" ^ ").append(r.nextInt(5000)).append("; int[] larr").append(id).append(" = new int[la")
                        .append(id).append(" & 7];\n");
                loop(s, ind + "  ");
                block(s, r.nextInt(2), ind + "  ");
                sb.append(ind).append("  return (int) lh").append(id).append(";\n");
                sb.append(ind).append("}).applyAsInt(").append(expr(c, 1)).append(");\n");
            }
            default -> { // a loop inside a switch expression under new: an uninitialised object on the stack
                String id = "" + ids++;
                Ctx s = new Ctx(c.h, c.a, c.b, c.arr, false);
                s.ints.clear();
                s.ints.addAll(c.ints);
                s.depth = c.depth + 1;
                s.noTry = true;
                sb.append(ind).append(c.h).append(" += new Box(switch (").append(var(c)).append(" & 1) {\n");
                sb.append(ind).append("  case 0 -> {\n");
                loop(s, ind + "    ");
                sb.append(ind).append("    yield ").append(c.h).append(" + ").append(id).append(";\n");
                sb.append(ind).append("  }\n").append(ind).append("  default -> 7L;\n").append(ind).append("}).v();\n");
            }
        }
    }

    private void loop(Ctx c, String ind) {
        String i = "i" + ids++;
        Ctx s = c.sub();
        s.depth++;
        s.loops++;
        String label = null;
        if (r.nextInt(3) == 0) {
            label = "L" + ids++;
            s.labels.add(label);
        }
        String pre = label != null ? label + ": " : "";
        String[] ops = {"<", "<", "<", "<=", ">", ">=", "!=", "<="};
        String op = ops[r.nextInt(ops.length)];
        String init = switch (r.nextInt(6)) {
            case 0 -> konst();
            case 1 -> var(c);
            case 2 -> "0";
            default -> String.valueOf(r.nextInt(10) - 2);
        };
        String bound = switch (r.nextInt(8)) {
            case 0 -> c.arr + ".length";
            case 1 -> "F";
            case 2 -> konst();
            case 3 -> var(c);
            default -> {
                String n = "n" + ids++;
                String v = switch (r.nextInt(4)) {
                    case 0 -> konst();
                    case 1 -> var(c);
                    case 2 -> "(int) Math.min((long) " + var(c) + ", (long) " + init + " + " + r.nextInt(13000) + ")";
                    default -> String.valueOf(r.nextInt(13000));
                };
                sb.append(ind).append("int ").append(n).append(" = ").append(v).append(";\n");
                c.ints.add(n);
                s.ints.add(n);
                yield n;
            }
        };
        int[] steps = {1, 1, 1, 1, -1, 2, -2, 3, -1};
        int st = steps[r.nextInt(steps.length)];
        if ((op.equals(">") || op.equals(">=")) && r.nextInt(4) != 0) {
            st = -Math.abs(st);
        }
        String step = st == 1 ? (r.nextBoolean() ? i + "++" : "++" + i) : st == -1 ? i + "--" : i + " += " + st;
        s.ints.add(i);
        switch (r.nextInt(9)) {
            case 8 -> { // for with no init (the loop's header starts a try block, perhaps)
                sb.append(ind).append("int ").append(i).append(" = ").append(init).append(";\n");
                c.ints.add(i);
                boolean t = !c.noTry && r.nextBoolean();
                String in = t ? ind + "  " : ind;
                if (t) {
                    if (r.nextBoolean()) {
                        sb.append(ind).append("if ").append(cond(c)).append(" ").append(c.arr).append(" = null;\n");
                    }
                    sb.append(ind).append("try {\n");
                }
                sb.append(in).append(pre).append("for (; ").append(i).append(" ").append(op).append(" ").append(bound)
                        .append("; ").append(step).append(") {\n");
                body(s, in);
                sb.append(in).append("}\n");
                if (t) {
                    sb.append(ind).append("} catch (NullPointerException e").append(ids++).append(") {\n").append(ind).append("  ").append(c.h)
                            .append(" += 11;\n").append(ind).append("}\n");
                }
            }
            case 0, 1, 2, 3 -> { // for
                sb.append(ind).append(pre).append("for (int ").append(i).append(" = ").append(init).append("; ").append(i)
                        .append(" ").append(op).append(" ").append(bound).append("; ").append(step).append(") {\n");
                body(s, ind);
                sb.append(ind).append("}\n");
            }
            case 4 -> { // while, the step last or conditional
                sb.append(ind).append("int ").append(i).append(" = ").append(init).append(";\n");
                c.ints.add(i);
                sb.append(ind).append(pre).append("while (").append(i).append(" ").append(op).append(" ").append(bound)
                        .append(") {\n");
                body(s, ind);
                if (r.nextInt(4) == 0) {
                    sb.append(ind).append("  if ").append(cond(s)).append(" ").append(step).append(";\n");
                    sb.append(ind).append("  else ").append(step).append(";\n");
                } else {
                    sb.append(ind).append("  ").append(step).append(";\n");
                }
                sb.append(ind).append("}\n");
            }
            case 5 -> { // do-while
                sb.append(ind).append("int ").append(i).append(" = ").append(init).append(";\n");
                c.ints.add(i);
                sb.append(ind).append(pre).append("do {\n");
                body(s, ind);
                sb.append(ind).append("  ").append(step).append(";\n");
                sb.append(ind).append("} while (").append(i).append(" ").append(op).append(" ").append(bound).append(");\n");
            }
            case 6 -> { // a long counter
                String l = "l" + ids++;
                sb.append(ind).append(pre).append("for (long ").append(l).append(" = ").append(init).append("; ").append(l)
                        .append(" ").append(op).append(" ").append(bound).append(" + ").append(r.nextInt(3)).append("L; ")
                        .append(l).append(st > 0 ? " += " : " -= ").append(Math.abs(st)).append(") {\n");
                sb.append(ind).append("  int ").append(i).append(" = (int) ").append(l).append(";\n");
                body(s, ind);
                sb.append(ind).append("}\n");
            }
            default -> { // while (true) with an exit in the body
                sb.append(ind).append("int ").append(i).append(" = ").append(init).append(";\n");
                c.ints.add(i);
                sb.append(ind).append(pre).append("while (true) {\n");
                sb.append(ind).append("  g();\n");
                sb.append(ind).append("  if (").append(i).append(" ").append(op).append(" ").append(bound).append(") break;\n");
                block(s, 1 + r.nextInt(2), ind + "  ");
                sb.append(ind).append("  ").append(step).append(";\n");
                sb.append(ind).append("}\n");
            }
        }
    }

    private void body(Ctx s, String ind) {
        sb.append(ind).append("  g();\n");
        block(s, 1 + r.nextInt(3), ind + "  ");
    }
}
