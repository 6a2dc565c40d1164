package io.gmp4j.examples;

import java.util.Arrays;

/** The seed scenarios' command line: {@code [--fixed] [N ...]}, numbers by position among the non-flags. */
final class Args {
    private final boolean fixed;
    private final String[] nums;

    Args(String[] args) {
        fixed = Arrays.asList(args).contains("--fixed");
        nums = Arrays.stream(args).filter(a -> !a.startsWith("--")).toArray(String[]::new);
    }

    /** Whether {@code --fixed} asked for the fixed variant. */
    boolean fixed() {
        return fixed;
    }

    /** The {@code i}th number, or {@code def} when there are fewer. */
    long num(int i, long def) {
        return nums.length > i ? Long.parseLong(nums[i]) : def;
    }

    int intNum(int i, int def) {
        return nums.length > i ? Integer.parseInt(nums[i]) : def;
    }
}
