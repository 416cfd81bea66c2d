package org.pretext.data;

import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;

/** A named source of datasets, found by {@link java.util.ServiceLoader}. */
public interface DatasetProvider extends NamedProvider {
    /**
     * Opens the dataset. Files are checked here, so bad input fails before anything trains.
     *
     * @throws org.pretext.PretextException naming the file and what was wrong
     */
    Dataset open(ParamValues params);
}
