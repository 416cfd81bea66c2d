package org.pretext.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pretext.PretextException;

/** The evaluations of frozen features, by their report names. */
public enum ProbeKind {
    /** Multinomial logistic regression (the linear probe), see {@link LogisticProbe}. */
    LOGISTIC("logistic"),
    /** Weighted cosine k-nearest-neighbours, see {@link KnnClassifier}. */
    KNN("knn"),
    /** Nearest normalised class mean (Arora et al. 2019), see {@link MeanClassifier}. */
    MEAN("mean");

    private final String id;

    ProbeKind(String id) {
        this.id = id;
    }

    /** The name used in reports and on the command line. */
    public String id() {
        return id;
    }

    /** Parses {@code logistic}, {@code knn} or {@code mean}. */
    public static ProbeKind parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (ProbeKind k : values()) {
            if (k.id.equals(t)) {
                return k;
            }
        }
        throw new PretextException("Unknown probe '" + text + "': expected logistic, knn or mean");
    }

    /** Parses a comma-separated list such as {@code logistic,knn}. */
    public static List<ProbeKind> parseList(String text) {
        List<ProbeKind> out = new ArrayList<>();
        for (String part : (text == null ? "" : text).split(",")) {
            ProbeKind k = parse(part);
            if (!out.contains(k)) {
                out.add(k);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return id;
    }
}
