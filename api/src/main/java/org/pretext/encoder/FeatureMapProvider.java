package org.pretext.encoder;

import org.apiguardian.api.API;
import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;

/**
 * A named feature map for text probes, found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.pretext.encoder.FeatureMapProvider}.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface FeatureMapProvider extends NamedProvider {
    /** Creates the feature map from validated parameters. */
    FeatureMap create(ParamValues params);
}
