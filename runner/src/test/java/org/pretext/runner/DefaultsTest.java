package org.pretext.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.param.ParamValues;
import org.pretext.runner.config.ConfigLoader;
import org.pretext.runner.config.ProbeSettings;
import org.pretext.runner.config.RunConfig;
import org.pretext.training.PretrainConfig;
import org.pretext.training.TrainingSettings;

/** One source of defaults: what `list` prints, what `run` uses and what the Java API starts from agree. */
class DefaultsTest {
    @Test
    void theDefaultRunUsesTheDefaultsListShows() {
        RunConfig c = ConfigLoader.resolve(ConfigLoader.defaults());
        assertThat(c.training().asMap()).isEqualTo(ParamValues.defaults("training", TrainingSettings.ALL).asMap());
        assertThat(c.probe().asMap()).isEqualTo(ParamValues.defaults("probe", ProbeSettings.ALL).asMap());
    }

    @Test
    void theJavaApiStartsFromTheSameDefaults() {
        PretrainConfig java = PretrainConfig.builder().build();
        PretrainConfig fromKeys = TrainingSettings.toBuilder(ParamValues.defaults("training", TrainingSettings.ALL)).build();
        assertThat(java.epochs()).isEqualTo(fromKeys.epochs()).isEqualTo(90);
        assertThat(java.finalLearningRateFraction()).isEqualTo(fromKeys.finalLearningRateFraction()).isEqualTo(1.0);
        assertThat(java.logEvery()).isEqualTo(fromKeys.logEvery());
        assertThat(java.checkpointEvery()).isEqualTo(fromKeys.checkpointEvery());
        assertThat(java.learningRate()).isEqualTo(fromKeys.learningRate());
        assertThat(java.optimizer()).isEqualTo(fromKeys.optimizer()).isEqualTo("adamw");
        assertThat(java.batchSize()).isEqualTo(fromKeys.batchSize());
        assertThat(java.keepCheckpoints()).isEqualTo(fromKeys.keepCheckpoints());
    }

    @Test
    void oldCamelCaseKeysStillWorkWithAWarning() {
        List<String> warnings = new ArrayList<>();
        ParamValues.deprecationWarnings(warnings::add);
        try {
            Map<String, Object> tree = ConfigLoader.defaults();
            ConfigLoader.set(tree, "training.learningRate=0.003");
            RunConfig c = ConfigLoader.resolve(tree);
            assertThat(c.training().get(TrainingSettings.LEARNING_RATE)).isEqualTo(0.003);
            assertThat(warnings).anySatisfy(w -> assertThat(w).contains("'training.learningRate'").contains("'training.learning-rate'"));
        } finally {
            ParamValues.deprecationWarnings(m -> System.err.println("warning: " + m));
        }
    }
}
