package org.pretext.contrastive;

import org.pretext.adversarial.Pgd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pretext.PretextException;
import org.pretext.Versions;
import org.pretext.objective.Objective;
import org.pretext.objective.ObjectiveProvider;
import org.pretext.param.Param;
import org.pretext.param.ParamException;
import org.pretext.param.ParamValues;
import org.pretext.registry.ProviderRegistry;
import org.pretext.registry.UnknownProviderException;

class ObjectiveProvidersTest {
    private static final String[] NAMES = {"simclr", "contrastive-k", "moco", "byol", "simsiam", "barlow-twins",
        "vicreg", "spectral", "adversarial", "nnclr", "dcl", "dclw", "tico", "lejepa", "moco-v3", "dino", "swav", "mmcr", "msn"};

    private static ProviderRegistry<ObjectiveProvider> registry() {
        return ProviderRegistry.load(ObjectiveProvider.class, "objective");
    }

    @Test
    void everyObjectiveIsFoundByNameWithDocumentedParameters() {
        ProviderRegistry<ObjectiveProvider> r = registry();
        assertThat(r.problems()).isEmpty();
        assertThat(r.all().keySet()).contains(NAMES);
        for (String name : NAMES) {
            ObjectiveProvider p = r.get(name);
            assertThat(p.description()).as(name).isNotBlank();
            assertThat(p.spiVersion()).isEqualTo(Versions.SPI_VERSION);
            for (Param<?> param : p.parameters()) {
                assertThat(param.description()).as(name + "." + param.name()).isNotBlank();
            }
            Objective o = p.create(ParamValues.defaults("objective '" + name + "'", p.parameters()));
            assertThat(o).isNotNull();
        }
    }

    @Test
    void paperDefaults() {
        Map<String, Object> byol = ParamValues.defaults("byol", registry().get("byol").parameters()).asMap();
        assertThat(byol).containsEntry("base-momentum", 0.996).containsEntry("target", "ema");
        Map<String, Object> moco = ParamValues.defaults("moco", registry().get("moco").parameters()).asMap();
        assertThat(moco).containsEntry("temperature", 0.2).containsEntry("momentum", 0.999)
                .containsEntry("projection-dim", 128);
        Map<String, Object> vicreg = ParamValues.defaults("vicreg", registry().get("vicreg").parameters()).asMap();
        assertThat(vicreg).containsEntry("invariance-weight", 25.0).containsEntry("variance-weight", 25.0)
                .containsEntry("covariance-weight", 1.0);
        Map<String, Object> bt = ParamValues.defaults("bt", registry().get("barlow-twins").parameters()).asMap();
        assertThat(bt).containsEntry("lambda", 5e-3);
        Map<String, Object> simsiam = ParamValues.defaults("s", registry().get("simsiam").parameters()).asMap();
        assertThat(simsiam).containsEntry("stop-gradient", true);
        Map<String, Object> nnclr = ParamValues.defaults("n", registry().get("nnclr").parameters()).asMap();
        assertThat(nnclr).containsEntry("temperature", 0.1);
        Map<String, Object> dino = ParamValues.defaults("d", registry().get("dino").parameters()).asMap();
        assertThat(dino).containsEntry("student-temperature", 0.1).containsEntry("teacher-temperature", 0.07)
                .containsEntry("warmup-teacher-temperature", 0.04).containsEntry("centre-momentum", 0.9)
                .containsEntry("base-momentum", 0.996).containsEntry("local-crop-min-scale", 0.05)
                .containsEntry("local-crop-max-scale", 0.4).containsEntry("local-crops", 0);
        Map<String, Object> swav = ParamValues.defaults("s", registry().get("swav").parameters()).asMap();
        assertThat(swav).containsEntry("temperature", 0.1).containsEntry("epsilon", 0.05)
                .containsEntry("sinkhorn-iterations", 3).containsEntry("projection-dim", 128);
        Map<String, Object> msn = ParamValues.defaults("m", registry().get("msn").parameters()).asMap();
        assertThat(msn).containsEntry("temperature", 0.1).containsEntry("target-temperature", 0.025)
                .containsEntry("sinkhorn-iterations", 3).containsEntry("me-max-weight", 1.0)
                .containsEntry("base-momentum", 0.996).containsEntry("mask-ratio", 0.15).containsEntry("local-crops", 0);
        Map<String, Object> dclw = ParamValues.defaults("d", registry().get("dclw").parameters()).asMap();
        assertThat(dclw).containsEntry("temperature", 0.1).containsEntry("sigma", 0.5);
        Map<String, Object> tico = ParamValues.defaults("t", registry().get("tico").parameters()).asMap();
        assertThat(tico).containsEntry("beta", 0.9).containsEntry("rho", 20.0);
        Map<String, Object> lejepa = ParamValues.defaults("l", registry().get("lejepa").parameters()).asMap();
        assertThat(lejepa).containsEntry("lambda", 0.05).containsEntry("slices", 256);
        Map<String, Object> mmcr = ParamValues.defaults("m", registry().get("mmcr").parameters()).asMap();
        assertThat(mmcr).containsEntry("lambda", 0.0).containsEntry("views", 2).containsEntry("projection-dim", 128);
        Map<String, Object> mocoV3 = ParamValues.defaults("m", registry().get("moco-v3").parameters()).asMap();
        assertThat(mocoV3).containsEntry("temperature", 0.2).containsEntry("base-momentum", 0.99);
        Map<String, Object> adv = ParamValues.defaults("a", registry().get("adversarial").parameters()).asMap();
        assertThat(adv).containsEntry("epsilon", 8.0 / 255).containsEntry("step-size", 2.0 / 255)
                .containsEntry("steps", 5);
    }

    @Test
    void aBadParameterNamesTheKeyTheValueAndWhatWasExpected() {
        ObjectiveProvider moco = registry().get("moco");
        assertThatThrownBy(() -> ParamValues.resolve("objective 'moco'", moco.parameters(), Map.of("momentum", "1.5")))
                .isInstanceOf(ParamException.class)
                .hasMessage("Invalid value '1.5' for parameter 'momentum' of objective 'moco': expected a number >= 0"
                        + " and <= 1");
        ObjectiveProvider byol = registry().get("byol");
        assertThatThrownBy(() -> ParamValues.resolve("objective 'byol'", byol.parameters(), Map.of("target", "none")))
                .hasMessageContaining("parameter 'target' of objective 'byol': expected one of [ema,"
                        + " online-stop-gradient, online]");
    }

    @Test
    void adversarialPassesTheInnerParametersThrough() {
        ObjectiveProvider adv = registry().get("adversarial");
        Objective o = adv.create(ParamValues.resolve("objective 'adversarial'", adv.parameters(),
                Map.of("objective", "byol", "objective-params", "target=online-stop-gradient, base-momentum=0.99",
                        "epsilon", 0.1, "steps", 3)));
        assertThat(o).isInstanceOf(AdversarialObjective.class);
        AdversarialObjective a = (AdversarialObjective) o;
        assertThat(a.innerName()).isEqualTo("byol");
        assertThat(a.inner()).isInstanceOf(ByolObjective.class);
        assertThat(((ByolObjective) a.inner()).targetMode()).isEqualTo(ByolObjective.Target.ONLINE_STOP_GRADIENT);
        assertThat(a.attack()).isEqualTo(new Pgd.Settings(0.1, 2.0 / 255, 3, true, 0, 1));
        // ';' separates when values hold commas (the older text form)
        assertThat(AdversarialObjectiveProvider.OBJECTIVE_PARAMS.parse("x", "a=1,2; b = c")).containsExactly(
                Map.entry("a", "1,2"), Map.entry("b", "c"));
    }

    @Test
    void adversarialTakesTheInnerParametersAsANestedSection() {
        ObjectiveProvider adv = registry().get("adversarial");
        AdversarialObjective a = (AdversarialObjective) adv.create(ParamValues.resolve("objective 'adversarial'",
                adv.parameters(), Map.of("objective", "byol",
                        "objective-params", Map.of("target", "online-stop-gradient", "base-momentum", 0.99))));
        assertThat(((ByolObjective) a.inner()).targetMode()).isEqualTo(ByolObjective.Target.ONLINE_STOP_GRADIENT);
        assertThatThrownBy(() -> adv.create(ParamValues.resolve("objective 'adversarial'", adv.parameters(),
                Map.of("objective", "simclr", "objective-params", Map.of("temperatur", 0.2)))))
                .hasMessageContaining("Unknown parameter 'temperatur' for objective 'simclr' (wrapped by 'adversarial'):"
                        + " did you mean 'temperature'?");
    }

    @Test
    void adversarialNamesTheInnerObjectiveInItsErrors() {
        ObjectiveProvider adv = registry().get("adversarial");
        assertThatThrownBy(() -> adv.create(ParamValues.resolve("objective 'adversarial'", adv.parameters(),
                Map.of("objective", "nope"))))
                .isInstanceOf(UnknownProviderException.class)
                .hasMessageContaining("Unknown objective 'nope'. Available objectives:")
                .hasMessageContaining("simclr");
        assertThatThrownBy(() -> adv.create(ParamValues.resolve("objective 'adversarial'", adv.parameters(),
                Map.of("objective", "simclr", "objective-params", "temperature=-1"))))
                .isInstanceOf(ParamException.class)
                .hasMessage("Invalid value '-1' for parameter 'temperature' of objective 'simclr' (wrapped by"
                        + " 'adversarial'): expected a number > 0");
        assertThatThrownBy(() -> adv.create(ParamValues.resolve("objective 'adversarial'", adv.parameters(),
                Map.of("objective", "simclr", "objective-params", "temperature"))))
                .isInstanceOf(PretextException.class)
                .hasMessage("Invalid value 'temperature' for parameter 'objective-params' of objective 'adversarial':"
                        + " expected key=value pairs separated by ',', or a section of key: value pairs");
        assertThatThrownBy(() -> adv.create(ParamValues.resolve("objective 'adversarial'", adv.parameters(),
                Map.of("objective", "simclr", "objective-params", "warmth=3"))))
                .hasMessageContaining("Unknown parameter 'warmth' for objective 'simclr' (wrapped by 'adversarial')");
        assertThatThrownBy(() -> adv.create(ParamValues.resolve("objective 'adversarial'", adv.parameters(),
                Map.of("min-value", 1, "max-value", 0))))
                .hasMessage("Invalid value '0.0' for parameter 'max-value' of objective 'adversarial': expected a"
                        + " number > min-value (1.0)");
    }
}
