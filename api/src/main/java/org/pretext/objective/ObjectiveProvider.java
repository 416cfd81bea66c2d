package org.pretext.objective;

import org.pretext.param.ParamValues;
import org.pretext.registry.NamedProvider;

/**
 * A named self-supervised objective, found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.pretext.objective.ObjectiveProvider}.
 */
public interface ObjectiveProvider extends NamedProvider {
    /** Creates the objective from validated parameters. */
    Objective create(ParamValues params);
}
