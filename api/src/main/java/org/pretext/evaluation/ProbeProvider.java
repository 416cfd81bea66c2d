package org.pretext.evaluation;

import org.apiguardian.api.API;
import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;

/**
 * A named evaluation of frozen features, found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.pretext.evaluation.ProbeProvider}: the built-in {@code logistic},
 * {@code knn} and {@code mean} are three of them, and a plug-in jar adds a fourth with no edit to
 * the runner. Users choose probes by name ({@code probe.probes: [logistic, my-probe]}) and give
 * their parameters under {@code probe.params.<name>}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.3")
public interface ProbeProvider extends NamedProvider {
    /** Creates the probe from validated parameters. */
    Probe create(ParamValues params);
}
