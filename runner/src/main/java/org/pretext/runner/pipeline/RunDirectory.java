package org.pretext.runner.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pretext.PretextException;
import org.pretext.engine.FileTrees;

/**
 * The folder a run writes: {@code config.yaml}, {@code checkpoints/}, {@code metrics.jsonl},
 * {@code report.json}, {@code report.html} and {@code plots/}, and {@value RunLock#NAME}, the lock a
 * run holds for its life ({@link RunLock}). A folder holding a finished run (one with a report) is
 * never reused without {@code --force}; an unfinished one is resumed with {@code --resume}.
 */
public record RunDirectory(Path root) {
    public Path config() {
        return root.resolve("config.yaml");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path metrics() {
        return root.resolve("metrics.jsonl");
    }

    public Path reportJson() {
        return root.resolve("report.json");
    }

    public Path reportHtml() {
        return root.resolve("report.html");
    }

    public Path plots() {
        return root.resolve("plots");
    }

    /** Whether a finished run (a report) is there. */
    public boolean finished() {
        return Files.exists(reportJson());
    }

    /**
     * Prepares the folder for a new run or a resume.
     *
     * @param resume continue the run in this folder
     * @param force reuse a folder that holds another run, deleting its outputs
     */
    public void prepare(boolean resume, boolean force) {
        checkUsable(resume, force);
        try {
            boolean occupied = Files.isDirectory(root) && (finished() || Files.exists(checkpoints())
                    || Files.exists(metrics()));
            if (occupied && !resume) {
                for (Path p : new Path[] {reportJson(), reportHtml(), metrics(), config()}) {
                    Files.deleteIfExists(p);
                }
                FileTrees.delete(checkpoints());
                FileTrees.delete(plots());
            }
            Files.createDirectories(checkpoints());
            Files.createDirectories(plots());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare run folder " + root, e);
        }
    }

    /** Refuses, without writing anything, a folder that cannot take this run. */
    public void checkUsable(boolean resume, boolean force) {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new PretextException("Output path " + root + " exists and is not a folder");
        }
        boolean occupied = Files.isDirectory(root) && (finished() || Files.exists(checkpoints())
                || Files.exists(metrics()));
        if (resume) {
            if (!Files.isDirectory(checkpoints())) {
                throw new PretextException("Cannot resume: " + root + " holds no checkpoints/ folder of a run");
            }
            if (finished() && !force) {
                throw new PretextException("Run " + root + " already finished (it has report.json); use --force"
                        + " to run it again");
            }
        } else if (occupied && !force) {
            throw new PretextException("Output folder " + root + " already holds a "
                    + (finished() ? "finished run" : "run that did not finish (resume it with --resume " + root + ")")
                    + "; choose another --out, or add --force to overwrite it");
        }
    }
}
