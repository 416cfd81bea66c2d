package org.pretext.runner.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pretext.param.ParamValues;

/**
 * A resolved, validated run configuration: defaults, then the config file, then command-line
 * flags and {@code --set} overrides. Provider sections are validated against their providers'
 * parameters when the run is wired.
 *
 * @param tree the merged configuration as plain data, saved as the run's {@code config.yaml}
 * @param seed run seed
 * @param device auto, cpu or gpu
 * @param threads engine threads (0: default)
 * @param dataset dataset provider and parameters
 * @param encoder encoder provider and parameters
 * @param objective objective provider and parameters
 * @param training validated {@code training:} values
 * @param probe validated {@code probe:} values
 */
public record RunConfig(Map<String, Object> tree, long seed, String device, String devices, int threads, Section dataset,
        Section encoder, Section objective, ParamValues training, ParamValues probe) {

    /** The training values as a plain map, for provenance. */
    public Map<String, Object> trainingMap() {
        return new LinkedHashMap<>(training.asMap());
    }
}
