package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pretext.PretextException;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.runner.config.RunConfig;
import org.pretext.training.TrainingSettings;

class ConfigLoaderTest {
    @Test
    void defaultsAreTheDocumentedDefaultRun() {
        RunConfig c = ConfigLoader.resolve(ConfigLoader.defaults());
        assertThat(c.objective().name()).isEqualTo("simclr");
        assertThat(c.dataset().name()).isEqualTo("mnist");
        assertThat(c.encoder().name()).isEqualTo("mlp");
        assertThat(c.seed()).isEqualTo(42);
        assertThat(c.device()).isEqualTo("auto");
        assertThat(c.devices()).isEqualTo("1");
        assertThat(c.objective().params()).containsEntry("temperature", 0.5);
    }

    @Test
    void fileThenSetOverridesMergeInOrder(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "seed: 7\nobjective:\n  name: simclr\n  params:\n    temperature: 0.3\ntraining:\n  steps: 50\n");
        Map<String, Object> tree = ConfigLoader.defaults();
        ConfigLoader.merge(tree, ConfigLoader.read(f));
        ConfigLoader.set(tree, "objective.temperature=0.2");
        ConfigLoader.set(tree, "training.learningRate=3e-4");
        ConfigLoader.set(tree, "probe.labelsPerClass=[1, 5, all]");
        RunConfig c = ConfigLoader.resolve(tree);
        assertThat(c.seed()).isEqualTo(7);
        assertThat(c.objective().params()).containsEntry("temperature", 0.2);
        assertThat(c.training().get(TrainingSettings.STEPS)).isEqualTo(50L);
        assertThat(c.training().get(TrainingSettings.LEARNING_RATE)).isEqualTo(3e-4);
        assertThat(c.probe().asMap()).containsEntry("labels-per-class", "1,5,all");
    }

    @Test
    void probesAreChosenByNameWithTheirParametersFromFileOrSet(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "probe:\n  probes: [logistic, knn]\n  params:\n    knn: {k: 5}\n    logistic: {folds: 4}\n");
        Map<String, Object> tree = ConfigLoader.defaults();
        ConfigLoader.merge(tree, ConfigLoader.read(f));
        ConfigLoader.set(tree, "probe.params.knn.temperature=0.2");
        var registry = org.pretext.registry.ProviderRegistry.load(org.pretext.evaluation.ProbeProvider.class, "probe",
                getClass().getClassLoader(), java.util.List.of());
        var options = org.pretext.runner.config.ProbeSettings.options(ConfigLoader.resolve(tree).probe(), 1,
                ai.djl.Device.cpu(), registry);
        assertThat(options.probes()).extracting(org.pretext.probe.NamedProbe::name).containsExactly("logistic", "knn");
        assertThat(options.probes().get(1).settings()).containsEntry("k", 5).containsEntry("temperature", 0.2);
        assertThat(options.probes().get(0).settings()).containsEntry("folds", 4);

        ConfigLoader.set(tree, "probe.params.mean.batch-size=8");
        assertThatThrownBy(() -> org.pretext.runner.config.ProbeSettings.options(ConfigLoader.resolve(tree).probe(), 1,
                ai.djl.Device.cpu(), registry)).isInstanceOf(PretextException.class)
                .hasMessage("Config key 'probe.params.mean' names no probe of probe.probes [logistic, knn]: expected"
                        + " parameters of a probe that runs");
        Map<String, Object> t2 = ConfigLoader.defaults();
        ConfigLoader.set(t2, "probe.probes=[logistic, knm]");
        assertThatThrownBy(() -> org.pretext.runner.config.ProbeSettings.options(ConfigLoader.resolve(t2).probe(), 1,
                ai.djl.Device.cpu(), registry)).isInstanceOf(PretextException.class)
                .hasMessageContaining("knm").hasMessageContaining("knn");
    }

    @Test
    void probeParamFlagsBecomeTheParamsSectionOrAreRefusedByName() {
        assertThat(org.pretext.runner.config.ProbeSettings.parseProbeParams(java.util.List.of("knn.k=5",
                "knn.temperature=0.2", "logistic.folds=4"))).isEqualTo(Map.of("knn", Map.of("k", "5",
                "temperature", "0.2"), "logistic", Map.of("folds", "4")));
        assertThatThrownBy(() -> org.pretext.runner.config.ProbeSettings.parseProbeParams(java.util.List.of("k=5")))
                .isInstanceOf(PretextException.class)
                .hasMessage("Invalid --probe-param 'k=5': expected PROBE.KEY=VALUE, e.g. knn.k=5");
    }

    @Test
    void theWeightDecayScheduleIsSetFromTheCommandLineAndABadEndIsRefusedAtLoad() {
        Map<String, Object> tree = ConfigLoader.defaults();
        assertThat(TrainingSettings.toBuilder(ConfigLoader.resolve(tree).training()).build().weightDecayScheduled())
                .isFalse();
        ConfigLoader.set(tree, "training.weight-decay=0.04");
        ConfigLoader.set(tree, "training.weight-decay-end=0.4");
        org.pretext.training.PretrainConfig c = TrainingSettings.toBuilder(ConfigLoader.resolve(tree).training()).build();
        assertThat(c.weightDecay()).isEqualTo(0.04);
        assertThat(c.weightDecayEnd()).isEqualTo(0.4);
        assertThat(c.weightDecayScheduled()).isTrue();
        ConfigLoader.set(tree, "training.weight-decay-end=-0.5");
        assertThatThrownBy(() -> ConfigLoader.resolve(tree)).isInstanceOf(PretextException.class)
                .hasMessage("Invalid value '-0.5' for parameter 'weight-decay-end' of config section 'training':"
                        + " expected a number >= 0 (the weight decay at the last step), or -1 for a constant weight"
                        + " decay");
    }

    @Test
    void changingTheProviderDropsTheOldProvidersParameters() {
        Map<String, Object> tree = ConfigLoader.defaults();
        ConfigLoader.set(tree, "objective=byol");
        RunConfig c = ConfigLoader.resolve(tree);
        assertThat(c.objective().name()).isEqualTo("byol");
        assertThat(c.objective().params()).isEmpty();
    }

    @Test
    void unknownKeysAndWrongTypesAreNamed() {
        Map<String, Object> t1 = ConfigLoader.defaults();
        ConfigLoader.set(t1, "trainig.steps=5");
        assertThatThrownBy(() -> ConfigLoader.resolve(t1)).isInstanceOf(PretextException.class)
                .hasMessageContaining("Unknown config key 'trainig': did you mean 'training'?");
        Map<String, Object> t2 = ConfigLoader.defaults();
        ConfigLoader.set(t2, "training.learning-rate=fast");
        assertThatThrownBy(() -> ConfigLoader.resolve(t2))
                .hasMessage("Invalid value 'fast' for parameter 'learning-rate' of config section 'training': expected"
                        + " a number > 0");
        Map<String, Object> t3 = ConfigLoader.defaults();
        ConfigLoader.set(t3, "training.batchsize=64");
        assertThatThrownBy(() -> ConfigLoader.resolve(t3))
                .hasMessageContaining("Unknown parameter 'batchsize' for config section 'training': did you mean"
                        + " 'batch-size'?");
        Map<String, Object> t4 = ConfigLoader.defaults();
        ConfigLoader.set(t4, "probe.labelsPerClass=[10, most]");
        assertThatThrownBy(() -> ConfigLoader.resolve(t4)).hasMessageContaining("'most' in probe.labels-per-class");
        assertThatThrownBy(() -> ConfigLoader.set(ConfigLoader.defaults(), "seed"))
                .hasMessageContaining("expected key.path=value");
    }

    @Test
    void malformedYamlNamesTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "seed: 1\nobjective: [unclosed\n");
        assertThatThrownBy(() -> ConfigLoader.read(f)).hasMessageContaining("Config file " + f + " is not valid YAML");
        Path g = dir.resolve("dup.yaml");
        Files.writeString(g, "seed: 1\nseed: 2\n");
        assertThatThrownBy(() -> ConfigLoader.read(g)).hasMessageContaining(g.toString());
        Path h = dir.resolve("object.yaml");
        Files.writeString(h, "seed: !!java.io.File /etc/passwd\n");
        assertThatThrownBy(() -> ConfigLoader.read(h)).hasMessageContaining(h.toString());
    }

    @Test
    void savedConfigReadsBackTheSame(@TempDir Path dir) throws IOException {
        Map<String, Object> tree = ConfigLoader.defaults();
        ConfigLoader.set(tree, "objective.temperature=0.2");
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, ConfigLoader.toYaml(tree));
        assertThat(ConfigLoader.resolve(ConfigLoader.read(f)).toString()).isEqualTo(ConfigLoader.resolve(tree).toString());
    }

    @Test
    void devicesAreACountAutoOrAListOfGpuIds(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "devices: [0, 1, 3]\n");
        Map<String, Object> tree = ConfigLoader.defaults();
        ConfigLoader.merge(tree, ConfigLoader.read(f));
        assertThat(ConfigLoader.resolve(tree).devices()).isEqualTo("0,1,3");
        Files.writeString(f, "devices: 2\n");
        tree = ConfigLoader.defaults();
        ConfigLoader.merge(tree, ConfigLoader.read(f));
        assertThat(ConfigLoader.resolve(tree).devices()).isEqualTo("2");
        ConfigLoader.set(tree, "devices=two");
        Map<String, Object> bad = tree;
        assertThatThrownBy(() -> ConfigLoader.resolve(bad)).isInstanceOf(PretextException.class)
                .hasMessageContaining("Config key 'devices': Invalid devices 'two'");
    }
}
