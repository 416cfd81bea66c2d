package org.pretext.objective;

import org.apiguardian.api.API;
import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;

/**
 * A named self-supervised objective, found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.pretext.objective.ObjectiveProvider}.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface ObjectiveProvider extends NamedProvider {
    /** Creates the objective from validated parameters. */
    Objective create(ParamValues params);
}
