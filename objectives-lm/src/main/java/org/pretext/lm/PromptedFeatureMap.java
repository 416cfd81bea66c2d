package org.pretext.lm;

import org.pretext.registry.ProviderBase;
import java.util.List;
import org.pretext.Versions;
import org.pretext.param.Param;
import org.pretext.param.ParamValues;
import org.pretext.encoder.FeatureMap;
import org.pretext.encoder.FeatureMapProvider;

/**
 * What the language-model feature maps share: each is its own provider, found by name, with one
 * parameter, the prompt appended to every sentence before the encoder runs. Subclasses say what
 * the map computes ({@link FeatureMap#apply}, {@link FeatureMap#featureSize}) and how to make one
 * with a prompt.
 */
public abstract class PromptedFeatureMap extends ProviderBase implements FeatureMap, FeatureMapProvider {
    /** Text appended to each sentence. */
    public static final Param<String> PROMPT = Param.ofString("prompt", "",
            "text appended to every sentence before the encoder runs, e.g. ' this movie is' (empty: none)");

    private final String prompt;

    /**
     * @param name the map's stable name
     * @param description one line for {@code list}
     * @param prompt text appended to every sentence (null or empty: none)
     */
    protected PromptedFeatureMap(String name, String description, String prompt) {
        super(Versions.SPI_VERSION, name, description, List.of(PROMPT));
        this.prompt = prompt == null ? "" : prompt;
    }

    /** The same map with another prompt. */
    protected abstract FeatureMap withPrompt(String prompt);

    @Override
    public final String prompt() {
        return prompt;
    }

    @Override
    public final FeatureMap create(ParamValues params) {
        return withPrompt(params.get(PROMPT));
    }
}
