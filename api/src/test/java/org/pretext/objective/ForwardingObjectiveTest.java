package org.pretext.objective;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForwardingObjectiveTest {
    private static List<Method> objectiveMethods() {
        return Arrays.stream(Objective.class.getMethods()).filter(m -> !Modifier.isStatic(m.getModifiers())).toList();
    }

    @Test
    void declaresEveryMethodOfObjective() {
        List<String> missing = new ArrayList<>();
        for (Method m : objectiveMethods()) {
            try {
                Method own = ForwardingObjective.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                assertThat(Modifier.isFinal(own.getModifiers())).as(own + " may be overridden").isFalse();
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
        }
        assertThat(missing).as("methods of Objective that ForwardingObjective does not forward").isEmpty();
    }

    @Test
    void forwardsEveryCallToTheWrappedObjective() throws Exception {
        List<String> received = new ArrayList<>();
        Objective inner = (Objective) Proxy.newProxyInstance(Objective.class.getClassLoader(),
                new Class<?>[] {Objective.class}, (proxy, method, args) -> {
                    received.add(method.getName() + Arrays.toString(method.getParameterTypes()));
                    Class<?> r = method.getReturnType();
                    return r == Optional.class ? Optional.empty() : r == Map.class ? Map.of()
                            : r == List.class ? List.of() : null;
                });
        Objective wrapper = new ForwardingObjective(inner) {};
        List<String> called = new ArrayList<>();
        for (Method m : objectiveMethods()) {
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                Class<?> t = m.getParameterTypes()[i];
                args[i] = t == long.class ? 0L : t == int.class ? 0 : t == double.class ? 0.0 : t == boolean.class ? false : null;
            }
            m.invoke(wrapper, args);
            called.add(m.getName() + Arrays.toString(m.getParameterTypes()));
        }
        assertThat(received).containsExactlyElementsOf(called);
    }
}
