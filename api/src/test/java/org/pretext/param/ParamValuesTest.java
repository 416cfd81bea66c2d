package org.pretext.param;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamValuesTest {
    static final Param<Double> TEMPERATURE = Param.ofDouble("temperature", 0.5, "softmax temperature").above(0);
    static final Param<Integer> DIM = Param.ofInt("projection-dim", 64, "output width").atLeast(1);
    static final Param<String> MODE = Param.ofChoice("mode", "fast", List.of("fast", "exact"), "how");
    static final List<Param<?>> ALL = List.of(TEMPERATURE, DIM, MODE);

    @Test
    void fillsDefaultsAndParsesStringsAndNumbers() {
        ParamValues v = ParamValues.resolve("objective 'x'", ALL, Map.of("temperature", "0.2", "projection-dim", 32));
        assertThat(v.get(TEMPERATURE)).isEqualTo(0.2);
        assertThat(v.get(DIM)).isEqualTo(32);
        assertThat(v.get(MODE)).isEqualTo("fast");
    }

    @Test
    void unknownKeyListsTheKnownOnes() {
        assertThatThrownBy(() -> ParamValues.resolve("objective 'simclr'", ALL, Map.of("temprature", "0.2")))
                .isInstanceOf(ParamException.class)
                .hasMessageContaining("Unknown parameter 'temprature' for objective 'simclr'")
                .hasMessageContaining("[mode, projection-dim, temperature]");
    }

    @Test
    void outOfRangeValueNamesKeyValueAndExpectation() {
        assertThatThrownBy(() -> ParamValues.resolve("objective 'simclr'", ALL, Map.of("temperature", "-1")))
                .isInstanceOf(ParamException.class)
                .hasMessage("Invalid value '-1' for parameter 'temperature' of objective 'simclr': expected a number > 0");
    }

    @Test
    void wrongTypeNamesKeyValueAndExpectation() {
        assertThatThrownBy(() -> ParamValues.resolve("objective 'simclr'", ALL, Map.of("projection-dim", "wide")))
                .hasMessage("Invalid value 'wide' for parameter 'projection-dim' of objective 'simclr':"
                        + " expected an integer >= 1");
        assertThatThrownBy(() -> ParamValues.resolve("objective 'simclr'", ALL, Map.of("projection-dim", 2.5)))
                .hasMessageContaining("expected an integer >= 1");
        assertThatThrownBy(() -> ParamValues.resolve("objective 'simclr'", ALL, Map.of("mode", "slow")))
                .hasMessageContaining("expected one of [fast, exact]");
    }

    @Test
    void nanIsRejected() {
        assertThatThrownBy(() -> ParamValues.resolve("o", ALL, Map.of("temperature", "NaN")))
                .hasMessageContaining("temperature");
    }
}
