package org.pretext.runner.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A provider choice in a config: the provider's name and its raw parameters (validated later
 * against the provider's declared parameters).
 *
 * @param name the provider name, e.g. {@code simclr}
 * @param params raw parameter values by key
 */
public record Section(String name, Map<String, Object> params) {
    public Section {
        params = new LinkedHashMap<>(params);
    }

    /** As a config map: {@code name} plus the parameters. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.putAll(params);
        return m;
    }
}
