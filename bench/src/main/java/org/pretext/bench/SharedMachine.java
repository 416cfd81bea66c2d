package org.pretext.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The default job on a shared machine: 500 default pretraining steps (the runner's
 * {@code pretrain}, SimCLR on the bundled MNIST, each in a fresh JVM) alone, beside one
 * CPU-bound process, and beside one per core, for each setting of engine threads and OpenMP
 * waiting given. The competing load is this class's own busy loop ({@code --burn}), started before
 * and stopped after each measurement. Prints a Markdown table of pretraining seconds and the
 * slowdown against the same setting alone; the goal (issue 18) is at most 1.5× beside one process
 * and at most 2.5× beside one per core.
 *
 * <pre>java -cp bench/target/pretext-bench.jar org.pretext.bench.SharedMachine [--runner runner/target/pretext.jar]
 *     [--steps 500] [--reps 2] [--settings "default;threads=1;ompWait=library;ompWait=active"]</pre>
 */
public final class SharedMachine {
    private static final Pattern DONE = Pattern.compile("pretraining done: (\\d+) steps in ([0-9.]+) s");

    private SharedMachine() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--burn")) {
            burn();
            return;
        }
        Map<String, String> a = Args.parse(args);
        Path runner = Path.of(a.getOrDefault("runner", "runner/target/pretext.jar"));
        if (!Files.exists(runner)) {
            throw new IllegalArgumentException(runner + " does not exist: build it with mvn -B -q package -DskipTests");
        }
        long steps = Args.longValue(a, "steps", 500);
        int reps = Args.integer(a, "reps", 2);
        int cores = Runtime.getRuntime().availableProcessors();
        List<String> settings = List.of(a.getOrDefault("settings", "default;threads=1;ompWait=library").split(";"));
        int[] loads = {0, 1, cores};
        Map<String, double[]> best = new LinkedHashMap<>();
        for (int r = 0; r < reps; r++) {
            for (String setting : settings) {
                for (int load : loads) {
                    double s = measure(runner, steps, setting, load);
                    System.out.printf(Locale.ROOT, "rep %d  %-18s beside %d busy: %.1f s%n", r + 1, setting, load, s);
                    double[] b = best.computeIfAbsent(setting, k -> new double[] {1e9, 1e9, 1e9});
                    int i = load == 0 ? 0 : load == 1 ? 1 : 2;
                    b[i] = Math.min(b[i], s);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n%d pretraining steps (best of %d), %d cores%n%n", steps, reps, cores);
        System.out.println("| setting | alone (s) | beside 1 busy process (s) | × | beside " + cores
                + " busy processes (s) | × |");
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, double[]> e : best.entrySet()) {
            double[] b = e.getValue();
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2f | %.1f | %.2f |%n", e.getKey(), b[0], b[1],
                    b[1] / b[0], b[2], b[2] / b[0]);
        }
    }

    /** Seconds of pretraining of one fresh runner process with the setting, beside {@code load} busy processes. */
    private static double measure(Path runner, long steps, String setting, int load)
            throws IOException, InterruptedException {
        List<Process> burners = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String self = System.getProperty("java.class.path");
        try {
            for (int i = 0; i < load; i++) {
                burners.add(new ProcessBuilder(java, "-cp", self, SharedMachine.class.getName(), "--burn")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            Thread.sleep(load > 0 ? 1000 : 0);
            Path out = Files.createTempDirectory("pretext-shared");
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g"));
            List<String> runArgs = new ArrayList<>();
            if (setting.startsWith("ompWait=")) {
                cmd.add("-Dpretext.ompWait=" + setting.substring("ompWait=".length()));
            } else if (setting.startsWith("threads=")) {
                runArgs.addAll(List.of("--threads", setting.substring("threads=".length())));
            } else if (!setting.equals("default")) {
                throw new IllegalArgumentException("unknown setting '" + setting + "': expected default, threads=N or"
                        + " ompWait=passive|active|library");
            }
            cmd.addAll(List.of("-jar", runner.toString(), "pretrain", "--steps", Long.toString(steps), "--out",
                    out.resolve("run").toString(), "--set", "training.checkpoint-every=0"));
            cmd.addAll(runArgs);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().remove("OMP_WAIT_POLICY");
            pb.environment().remove("GOMP_SPINCOUNT");
            Process p = pb.start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("runner failed:\n" + text);
            }
            Matcher m = DONE.matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("no 'pretraining done' line in:\n" + text);
            }
            return Double.parseDouble(m.group(2));
        } finally {
            for (Process b : burners) {
                b.destroyForcibly().waitFor();
            }
        }
    }

    /** A CPU-bound loop that never ends: the competing load. */
    private static void burn() {
        double x = 1;
        while (true) {
            x = Math.sin(x) + 1.000001;
            if (x == 0) {
                System.out.println(x);
            }
        }
    }
}
