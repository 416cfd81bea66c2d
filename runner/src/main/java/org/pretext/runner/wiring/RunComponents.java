package org.pretext.runner.wiring;

import org.pretext.evaluation.ProbeProvider;
import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.Optional;
import java.util.function.Supplier;
import org.pretext.data.Split;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Dataset;
import org.pretext.encoder.Encoder;
import org.pretext.objective.Objective;
import org.pretext.registry.ProviderRegistry;
import org.pretext.runner.config.RunConfig;
import org.pretext.encoder.FeatureMapProvider;

/**
 * The resolved pieces of one run, built by {@link RunModule} from a validated config: the data,
 * a fresh objective, a factory of encoders of the chosen architecture, the device and the
 * provenance every output carries.
 *
 * @param config the run configuration
 * @param dataset the opened dataset
 * @param objectives creates the objective (a new instance per call)
 * @param encoders creates uninitialised encoders of the configured architecture
 * @param encoderInputShape the shape of one example the encoder sees
 * @param device the training device
 * @param provenance where the model comes from
 * @param pretrain what pretraining reads (for text: windows of the encoder's context + 1 tokens)
 * @param validation held-out examples of the same kind for the objective's validation measure, if any
 * @param featureMaps the feature maps the text probes apply (discovered with the run's plug-in loader)
 * @param probes the probe providers (discovered with the run's plug-in loader)
 * @param encoderInit loads the weights the run starts from ({@code encoder.init}) into a freshly
 *     initialised encoder, if the config names any
 */
public record RunComponents(RunConfig config, Dataset dataset, Supplier<Objective> objectives,
        Supplier<Encoder> encoders, Shape encoderInputShape, Device device, Provenance provenance, Split pretrain,
        Optional<Split> validation, ProviderRegistry<FeatureMapProvider> featureMaps,
        ProviderRegistry<ProbeProvider> probes, Optional<java.util.function.Consumer<Encoder>> encoderInit) {}
