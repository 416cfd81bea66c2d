package org.pretext.encoder;

import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;

/**
 * A named feature map for text probes, found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.pretext.encoder.FeatureMapProvider}.
 */
public interface FeatureMapProvider extends NamedProvider {
    /** Creates the feature map from validated parameters. */
    FeatureMap create(ParamValues params);
}
