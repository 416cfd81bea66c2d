package org.example.pretext;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pretext.probe.ProbeResult;

/** The Java example compiles against the published artifacts and does what its Javadoc says. */
class PretrainAndProbeTest {
    @Test
    void pretrainedFeaturesBeatTheUntrainedEncoderAtTenLabelsPerClass() {
        List<ProbeResult> r = PretrainAndProbe.run(150, 42, 2000, 1000);
        assertThat(r).extracting(ProbeResult::features).containsExactly("pretrained", "random-encoder");
        // paired over the same five draws of 10 labels per class
        double[] pretrained = r.get(0).drawAccuracies();
        double[] untrained = r.get(1).drawAccuracies();
        int wins = 0;
        for (int i = 0; i < pretrained.length; i++) {
            wins += pretrained[i] > untrained[i] ? 1 : 0;
        }
        // measured: 74.5 77.1 77.0 75.9 71.8 % against 61.7 65.9 65.4 65.8 63.3 %
        assertThat(wins).as("draws the pretrained features win").isGreaterThanOrEqualTo(4);
        assertThat(r.get(0).accuracy() - r.get(1).accuracy()).as("mean margin").isGreaterThan(0.03);
    }
}
