package org.pretext.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;

class DeviceSetTest {
    @Test
    void aCountIsReplicasOnTheCpuOrTheFirstGpus() {
        assertThat(DeviceSet.parse("3").resolve(Device.cpu(), 0)).containsExactly(Device.cpu(), Device.cpu(),
                Device.cpu());
        assertThat(DeviceSet.parse("2").resolve(Device.gpu(), 4)).containsExactly(Device.gpu(0), Device.gpu(1));
        assertThat(DeviceSet.ONE.resolve(Device.cpu(), 0)).containsExactly(Device.cpu());
    }

    @Test
    void autoTakesEveryGpuElseTheCpu() {
        assertThat(DeviceSet.parse("auto").resolve(Device.gpu(), 3)).containsExactly(Device.gpu(0), Device.gpu(1),
                Device.gpu(2));
        assertThat(DeviceSet.parse("AUTO").resolve(Device.cpu(), 0)).containsExactly(Device.cpu());
    }

    @Test
    void idsNameGpusInTheirOrder() {
        assertThat(DeviceSet.parse("3, 0,1").resolve(Device.gpu(), 4)).isEqualTo(List.of(Device.gpu(3),
                Device.gpu(0), Device.gpu(1)));
    }

    @Test
    void badValuesAreNamedWithWhatWasExpected() {
        for (String bad : new String[] {"0", "-1", "two", "0,,1", "1,1", ""}) {
            assertThatThrownBy(() -> DeviceSet.parse(bad)).as(bad).isInstanceOf(PretextException.class)
                    .hasMessageContaining("Invalid devices '" + bad + "'").hasMessageContaining("0,1,3");
        }
        assertThatThrownBy(() -> DeviceSet.parse("0,1").resolve(Device.cpu(), 0))
                .hasMessageContaining("names GPUs by id, but training runs on cpu");
        assertThatThrownBy(() -> DeviceSet.parse("0,5").resolve(Device.gpu(), 2))
                .hasMessageContaining("needs GPU 5 but the engine sees 2 GPUs (ids 0 to 1)");
        assertThatThrownBy(() -> DeviceSet.parse("4").resolve(Device.gpu(), 2))
                .hasMessageContaining("needs GPU 2");
    }
}
