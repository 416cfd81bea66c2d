package org.pretext.data;

import org.apiguardian.api.API;
import java.util.Map;
import java.util.Optional;

/**
 * A named source of data: an unlabelled split for pretraining and, where labels exist, a labelled
 * training split (the probe's labels are drawn from it) and a test split.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface Dataset {
    /** A short name for reports, e.g. "mnist" or the folder read. */
    String name();

    /** What pretraining reads; its labels, if any, are never used. */
    Split pretrain();

    /** Labelled examples for fitting probes; empty when the data has no labels. */
    Optional<Split> train();

    /** Labelled examples for reporting accuracy; empty when the data has no labels. */
    Optional<Split> test();

    /** What the data is, for provenance: files read with their SHA-256, generator settings. */
    Map<String, String> provenance();
}
