package org.pretext.datasets.image;

import java.util.ArrayList;
import java.util.List;
import org.pretext.PretextException;

/**
 * The files of an image folder that are not readable images, handled by the {@code on-bad-file}
 * policy: {@code stop} throws at the first, naming it; {@code skip} counts them and names the first
 * few in one warning. Thread-safe.
 */
final class BadFiles {
    /** How many names a warning shows. */
    static final int SHOWN = 5;
    private final boolean stop;
    private final String root;
    private final List<String> entries = new ArrayList<>();

    BadFiles(boolean stop, String root) {
        this.stop = stop;
        this.root = root;
    }

    /** The dataset folder, for messages. */
    String root() {
        return root;
    }

    /** Reports a file (its name relative to the dataset folder) and what is wrong with it. */
    synchronized void report(String relative, String reason) {
        if (stop) {
            throw new PretextException("Image file " + relative + " in " + root + " " + reason
                    + ". Remove it, or set the dataset parameter on-bad-file=skip to skip such files");
        }
        entries.add(relative + " (" + reason + ")");
    }

    /** How many were skipped. */
    synchronized int count() {
        return entries.size();
    }

    /** The first few, for messages. */
    synchronized List<String> first() {
        List<String> sorted = new ArrayList<>(entries);
        java.util.Collections.sort(sorted);
        return sorted.subList(0, Math.min(SHOWN, sorted.size()));
    }

    /** The one-line warning for skipped files, or null if none were skipped. */
    synchronized String warning(int total) {
        if (entries.isEmpty()) {
            return null;
        }
        return "warning: dataset " + root + ": skipped " + entries.size() + " of " + total
                + " files that are not readable images: " + String.join("; ", first())
                + (entries.size() > SHOWN ? "; ... (" + (entries.size() - SHOWN) + " more)" : "")
                + ". Set on-bad-file=stop to stop at the first one instead";
    }
}
