package org.pretext.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pretext.param.Param;

class ProviderBaseTest {
    static final Param<Integer> A = Param.ofInt("a", 1, "first");
    static final Param<Double> B = Param.ofDouble("b", 2, "second");

    static final class Toy extends ProviderBase {
        Toy(String name) {
            super(7, name, "a toy", join(List.of(A), List.of(B)));
        }
    }

    @Test
    void everythingFollowsFromTheConstructor() {
        Toy t = new Toy("toy-1");
        assertThat(t.name()).isEqualTo("toy-1");
        assertThat(t.description()).isEqualTo("a toy");
        assertThat(t.parameters()).containsExactly(A, B);
        assertThat(t.spiVersion()).as("the subclass's compile-time SPI version, not the running api's").isEqualTo(7);
    }

    @Test
    void refusesANameUsersCouldNotTypeAsDocumented() {
        assertThatThrownBy(() -> new Toy("My Objective")).hasMessageContaining("provider name 'My Objective'");
    }
}
