package org.pretext.data;

import org.apiguardian.api.API;
import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;

/** A named source of datasets, found by {@link java.util.ServiceLoader}. */
@API(status = API.Status.STABLE, since = "0.1")
public interface DatasetProvider extends NamedProvider {
    /**
     * Opens the dataset. Files are checked here, so bad input fails before anything trains.
     *
     * @throws org.pretext.PretextException naming the file and what was wrong
     */
    Dataset open(ParamValues params);
}
