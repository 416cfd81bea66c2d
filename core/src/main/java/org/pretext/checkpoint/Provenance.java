package org.pretext.checkpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pretext.Versions;

/**
 * Where a trained model came from: objective and encoder with their parameters, the data read and
 * its checksums, the seed, the training settings and the versions of everything involved. Carried
 * by every checkpoint, exported encoder and report.
 *
 * @param objective objective provider name
 * @param objectiveVersion the provider's version
 * @param objectiveParams resolved objective parameters
 * @param encoder encoder provider name
 * @param encoderParams resolved encoder parameters
 * @param dataset dataset name
 * @param datasetInfo files read with SHA-256, or generator settings
 * @param seed run seed
 * @param training resolved training settings (batch size, learning rate, ...)
 * @param versions Pretext, SPI, DJL, PyTorch and Java versions
 * @param plugins the providers of this run that came from plug-in jars, with each jar's SHA-256
 *     (empty when every provider is built in)
 */
public record Provenance(String objective, String objectiveVersion, Map<String, Object> objectiveParams,
        String encoder, Map<String, Object> encoderParams, String dataset, Map<String, String> datasetInfo,
        long seed, Map<String, Object> training, Map<String, String> versions, List<PluginJar> plugins) {

    /**
     * A provider of the run that came from a plug-in jar.
     *
     * @param kind "objective", "encoder", "dataset", "probe", ...
     * @param provider the provider's name
     * @param version the provider's own version
     * @param jar the jar's absolute path when the run was made
     * @param sha256 the jar's SHA-256, hex
     */
    public record PluginJar(String kind, String provider, String version, String jar, String sha256) {}

    /** A provenance of built-in providers only. */
    public Provenance(String objective, String objectiveVersion, Map<String, Object> objectiveParams,
            String encoder, Map<String, Object> encoderParams, String dataset, Map<String, String> datasetInfo,
            long seed, Map<String, Object> training, Map<String, String> versions) {
        this(objective, objectiveVersion, objectiveParams, encoder, encoderParams, dataset, datasetInfo, seed, training,
                versions, List.of());
    }

    public Provenance {
        plugins = plugins == null ? List.of() : List.copyOf(plugins);
        objectiveParams = copy(objectiveParams);
        encoderParams = copy(encoderParams);
        datasetInfo = datasetInfo == null ? Map.of() : new LinkedHashMap<>(datasetInfo);
        training = copy(training);
        versions = versions == null ? Versions.all() : new LinkedHashMap<>(versions);
    }

    private static Map<String, Object> copy(Map<String, Object> m) {
        return m == null ? Map.of() : new LinkedHashMap<>(m);
    }
}
