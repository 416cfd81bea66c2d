package org.pretext.runner.wiring;

import org.pretext.runner.config.ProbeSettings;
import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pretext.data.Split;
import org.pretext.text.TextDataset;
import java.util.function.Supplier;
import org.pretext.Versions;
import org.pretext.checkpoint.Provenance;
import org.pretext.data.Dataset;
import org.pretext.data.DatasetProvider;
import org.pretext.encoder.Encoder;
import org.pretext.encoder.EncoderProvider;
import org.pretext.runtime.DeviceChoice;
import org.pretext.runtime.DeviceSet;
import org.pretext.runtime.EngineSetup;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.ParamValues;
import org.pretext.runner.config.RunConfig;

/**
 * Guice wiring of a run: config → providers found by ServiceLoader (through the plug-in class
 * loader) → validated parameters → dataset, objective, encoder factory, device, provenance. All
 * parameters are validated here, before anything trains.
 */
public final class RunModule extends AbstractModule {
    private static final String CACHE_DIR = "cache-dir";
    private final RunConfig config;
    private final ClassLoader pluginLoader;
    private final Path runFolder;

    /**
     * @param runFolder the run's folder: datasets that cache decoded data ({@code cache-dir}) cache
     *     it there unless told otherwise, so a run writes nowhere else
     */
    public RunModule(RunConfig config, ClassLoader pluginLoader, Path runFolder) {
        this.config = config;
        this.pluginLoader = pluginLoader;
        this.runFolder = runFolder;
    }

    @Override
    protected void configure() {
        bind(RunConfig.class).toInstance(config);
    }

    @Provides
    @Singleton
    Registries registries() {
        Registries r = Registries.load(pluginLoader);
        for (String problem : r.problems()) {
            System.err.println("warning: " + problem);
        }
        return r;
    }

    @Provides
    @Singleton
    Device device(RunConfig c) {
        EngineSetup.configureThreads(c.threads());
        // what other processes do while the engine loads (not the load average, which still counts a run
        // that ended a minute ago)
        org.pretext.runtime.OtherWork.Window window = org.pretext.runtime.OtherWork.start();
        // replica 0's device: with --devices 1,3 the model lives on gpu 1
        Device device = DeviceSet.parse(c.devices()).resolve(DeviceChoice.parse(c.device()).resolve()).get(0);
        if (c.threads() != 1) {
            window.busyMachineWarning().ifPresent(w -> System.err.println("warning: " + w));
        }
        return device;
    }

    /**
     * The encoder key naming weights to start from: a folder written by {@code export --format
     * safetensors} or a {@code .safetensors} PyTorch state dict of the same architecture.
     */
    public static final String ENCODER_INIT = "init";

    @Provides
    @Singleton
    RunComponents components(RunConfig c, Registries r, Device device) {
        ObjectiveProvider op = r.objectives().get(c.objective().name());
        ParamValues objectiveParams = ParamValues.resolve("objective '" + op.name() + "'", op.parameters(),
                c.objective().params());
        EncoderProvider ep = r.encoders().get(c.encoder().name());
        Map<String, Object> rawEncoderParams = new LinkedHashMap<>(c.encoder().params());
        Optional<java.nio.file.Path> encoderInit = Optional.ofNullable(rawEncoderParams.remove(ENCODER_INIT))
                .map(v -> java.nio.file.Path.of(String.valueOf(v)));
        ParamValues encoderParams = ParamValues.resolve("encoder '" + ep.name() + "'", ep.parameters(),
                rawEncoderParams);
        DatasetProvider dp = r.datasets().get(c.dataset().name());
        Dataset dataset = openDataset(dp, c.dataset().params(), runFolder);
        Optional<ParamValues> mining = org.pretext.runner.mining.MiningSettings.of(c.tree());
        if (mining.isPresent()) {
            if (!(dataset instanceof TextDataset text)) {
                throw new org.pretext.PretextException("Config section 'mining' mines labelled sentences, but dataset '"
                        + dataset.name() + "' is not text: use a text dataset such as 'sst2' or 'sentences'");
            }
            dataset = org.pretext.runner.mining.MinedTextDataset.mine(text, ParamValues.resolve("dataset '" + dp.name()
                    + "'", dp.parameters(), c.dataset().params()).asMap(), mining.get(), c.seed());
        }
        Supplier<Objective> objectives = () -> op.create(objectiveParams);
        Supplier<Encoder> encoders;
        Shape inputShape;
        Split pretrain;
        Optional<Split> validation = Optional.empty();
        if (dataset instanceof TextDataset text) {
            // the encoder is sized by the tokenizer fitted on the text; windows by the encoder's context
            encoders = () -> ep.createForTokens(encoderParams, text.tokenizer());
            inputShape = encoders.get().inputShape();
            pretrain = text.pretrainWindows((int) inputShape.get(0));
            validation = text.validationWindows((int) inputShape.get(0)).map(v -> v);
            Shape fed = objectives.get().encoderInputShape(pretrain.exampleShape());
            if (!fed.equals(inputShape)) {
                throw new org.pretext.PretextException("Objective '" + op.name() + "' feeds the encoder inputs of shape "
                        + fed + " but encoder '" + ep.name() + "' takes " + inputShape);
            }
        } else {
            pretrain = dataset.pretrain();
            Shape shape = objectives.get().encoderInputShape(pretrain.exampleShape());
            inputShape = shape;
            encoders = () -> ep.create(encoderParams, shape);
            encoders.get(); // fail now, not after pretraining, if the shape does not suit the encoder
        }
        Map<String, String> versions = new LinkedHashMap<>(Versions.all());
        versions.put("device", org.pretext.runtime.Devices.name(device));
        List<Device> replicas = DeviceSet.parse(c.devices()).resolve(device);
        versions.put("devices", replicas.size() + " " + replicas.stream().map(org.pretext.runtime.Devices::name)
                .toList());
        // the configured count (0: libtorch's default, one per core); asking libtorch for its count here
        // initialises its thread pool early, which changed the default job's numbers and slowed it by a quarter
        versions.put("engine-threads", Integer.toString(c.threads()));
        versions.put("omp-wait", org.pretext.runtime.OpenMpWaiting.status());
        // libtorch's own convolution kernels, or oneDNN's (which got some channel counts wrong: NativeConvolutions)
        versions.put("convolutions", org.pretext.runtime.NativeConvolutions.mode());
        // convolution weights' layout (ChannelsLast), from the setting: loading its module here would start libtorch early
        versions.put("memory-format", org.pretext.runtime.ChannelsLast.setting());
        // glibc's allocator: mallopt's settings, and the start-up ones of the command line's child JVM
        versions.put("allocator", org.pretext.runtime.MallocTuning.describe());
        Map<String, List<? extends org.pretext.registry.NamedProvider>> used = new LinkedHashMap<>();
        used.put("objective", List.of(op));
        used.put("encoder", List.of(ep));
        used.put("dataset", List.of(dp));
        used.put("probe", ProbeSettings.probeNames(c.probe()).stream().filter(n -> r.probes().all().containsKey(n))
                .map(n -> r.probes().get(n)).toList());
        Provenance provenance = new Provenance(op.name(), op.version(), objectiveParams.asMap(), ep.name(),
                encoderParams.asMap(), dataset.name(), dataset.provenance(), c.seed(), c.trainingMap(), versions,
                RunPlugins.of(used));
        // every probe named and its parameters valid before anything is written
        ProbeSettings.options(c.probe(), c.seed(), device, r.probes());
        return new RunComponents(c, dataset, objectives, encoders, inputShape, device, provenance, pretrain, validation,
                r.featureMaps(), r.probes(), encoderInit.map(p -> (java.util.function.Consumer<Encoder>) e ->
                        org.pretext.runner.interop.TorchWeights.load(p, e, ep, encoderParams.asMap())));
    }

    /**
     * Opens a dataset with its configured parameters; a dataset that caches decoded data
     * ({@code cache-dir}) caches it in {@code folder}/cache unless told otherwise, so a command writes
     * nowhere else.
     */
    public static Dataset openDataset(DatasetProvider dp, Map<String, Object> params, java.nio.file.Path folder) {
        Map<String, Object> raw = new LinkedHashMap<>(params);
        if (dp.parameters().stream().anyMatch(p -> p.name().equals(CACHE_DIR)) && !raw.containsKey(CACHE_DIR)) {
            raw.put(CACHE_DIR, folder.resolve("cache").toAbsolutePath().toString());
        }
        return dp.open(ParamValues.resolve("dataset '" + dp.name() + "'", dp.parameters(), raw));
    }
}
