package org.pretext.runner.wiring;

import org.pretext.evaluation.ProbeProvider;
import java.util.ArrayList;
import java.util.List;
import org.pretext.data.DatasetProvider;
import org.pretext.encoder.EncoderProvider;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.registry.ProviderRegistry;
import org.pretext.encoder.FeatureMapProvider;

/**
 * Every kind of provider the runner knows, discovered once with one class loader.
 *
 * @param objectives objective providers
 * @param encoders encoder providers
 * @param datasets dataset providers
 * @param featureMaps feature maps that turn a sequence encoder's hidden states into sentence features
 * @param probes evaluations of frozen features
 * @param jarProblems plug-in jars that could not be read ({@link PluginClassLoader#problems})
 */
public record Registries(ProviderRegistry<ObjectiveProvider> objectives, ProviderRegistry<EncoderProvider> encoders,
        ProviderRegistry<DatasetProvider> datasets, ProviderRegistry<FeatureMapProvider> featureMaps,
        ProviderRegistry<ProbeProvider> probes, List<String> jarProblems) {

    /** Discovers all providers visible to a class loader. */
    public static Registries load(ClassLoader loader) {
        List<String> jars = PluginClassLoader.problems(loader);
        return new Registries(ProviderRegistry.load(ObjectiveProvider.class, "objective", loader, jars),
                ProviderRegistry.load(EncoderProvider.class, "encoder", loader, jars),
                ProviderRegistry.load(DatasetProvider.class, "dataset", loader, jars),
                ProviderRegistry.load(FeatureMapProvider.class, "feature map", loader, jars),
                ProviderRegistry.load(ProbeProvider.class, "probe", loader, jars), jars);
    }

    /** Plug-in jars that could not be read, and providers that failed to load, by jar and class. */
    public List<String> problems() {
        List<String> all = new ArrayList<>(jarProblems);
        all.addAll(objectives.problems());
        all.addAll(encoders.problems());
        all.addAll(datasets.problems());
        all.addAll(featureMaps.problems());
        all.addAll(probes.problems());
        return all;
    }
}
