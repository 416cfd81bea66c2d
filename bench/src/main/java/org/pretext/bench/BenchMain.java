package org.pretext.bench;

import java.util.Arrays;

/**
 * Entry point of the benchmark jar: {@code java -jar bench/target/pretext-bench.jar BENCHMARK [options]}.
 * Benchmarks:
 * <ul>
 *   <li>{@code probe-vs-sklearn}: {@link ProbeBenchmark}.
 * </ul>
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: java -jar pretext-bench.jar probe-vs-sklearn [options]");
            System.out.println(ProbeBenchmark.USAGE);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "probe-vs-sklearn" -> ProbeBenchmark.main(rest);
            default -> {
                System.err.println("Unknown benchmark '" + args[0] + "': expected probe-vs-sklearn");
                System.exit(2);
            }
        }
    }
}
