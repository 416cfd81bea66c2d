package org.pretext.architecture;

import org.pretext.blocks.EmaTarget;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering the README's architecture section describes, checked on the compiled classes of
 * every module: {@code api} is engine-free and knows nothing of {@code core}; objectives use
 * {@code api} (and the shared encoders) only and never each other; no package cycles; no DJL
 * constant arithmetic ({@code NDArray.mul(Number)} and the like) in code that builds a loss.
 */
class ArchitectureTest {
    /** The packages of the pretext-api artifact. */
    static final String[] API = {"org.pretext", "org.pretext.param..", "org.pretext.registry..",
        "org.pretext.objective..", "org.pretext.encoder..", "org.pretext.data..", "org.pretext.text..",
        "org.pretext.engine..", "org.pretext.transform..", "org.pretext.adversarial..",
        "org.pretext.blocks.."};
    /** The packages of pretext-core. */
    static final String[] CORE = {"org.pretext.training..", "org.pretext.checkpoint..", "org.pretext.runtime..", "org.pretext.model.."};
    static final String[] OBJECTIVES = {"org.pretext.contrastive..", "org.pretext.lm..", "org.pretext.selfpredict.."};

    /**
     * Methods allowed a DJL constant: in-place updates run under {@code NoGradient}, where no graph
     * keeps the constant for a backward pass.
     */
    static final java.util.Set<String> IN_PLACE_WITHOUT_GRAPH = java.util.Set.of("org.pretext.blocks.EmaTarget.update");

    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("org.pretext");
    }

    @Test
    void apiIsEngineFreeAndKnowsNothingOfCore() {
        noClasses().that().resideInAnyPackage(API)
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl.pytorch..", "com.sun.jna..")
                .orShould().dependOnClassesThat().resideInAnyPackage(CORE)
                .orShould().dependOnClassesThat().resideInAnyPackage(OBJECTIVES)
                .orShould().dependOnClassesThat().resideInAnyPackage("org.pretext.encoders..", "org.pretext.datasets..",
                        "org.pretext.probe..", "org.pretext.runner..")
                .because("a plug-in compiles against pretext-api alone, and api depends on DJL's api artifact only")
                .check(classes);
    }

    @Test
    void coreKnowsNoBuiltInProvider() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage(OBJECTIVES)
                .orShould().dependOnClassesThat().resideInAnyPackage("org.pretext.encoders..", "org.pretext.datasets..",
                        "org.pretext.probe..", "org.pretext.runner..")
                .because("the loop knows nothing about any particular objective, encoder or dataset")
                .check(classes);
    }

    @Test
    void objectivesUseTheApiOnlyAndNeverEachOther() {
        DescribedPredicate<JavaClass> readsCheckpoints = DescribedPredicate.describe("reads checkpoints back for sampling",
                c -> c.getName().equals("org.pretext.lm.CausalLmCheckpoint") || c.getName().equals("org.pretext.lm.SampleText"));
        noClasses().that().resideInAnyPackage(OBJECTIVES).and(DescribedPredicate.not(readsCheckpoints))
                .should().dependOnClassesThat().resideInAnyPackage(CORE)
                .orShould().dependOnClassesThat().resideInAnyPackage("ai.djl.pytorch..")
                .because("built-in objectives are written as plug-ins are: against api")
                .check(classes);
        for (String own : OBJECTIVES) {
            String[] others = java.util.Arrays.stream(OBJECTIVES).filter(o -> !o.equals(own)).toArray(String[]::new);
            noClasses().that().resideInAPackage(own).should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("objectives never import each other").check(classes);
        }
    }

    @Test
    void everyPublicApiTypeStatesItsStability() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes().that().resideInAnyPackage(API).and().arePublic()
                .and().areTopLevelClasses().should().beAnnotatedWith(org.apiguardian.api.API.class)
                .because("plug-in authors read @API(status = STABLE | EXPERIMENTAL | INTERNAL) to know what they may rely on")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.pretext.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noConstantArithmeticWhereLossesAreBuilt() {
        noClasses().that().resideInAnyPackage(OBJECTIVES).or().resideInAnyPackage("org.pretext.blocks..", "org.pretext.encoders..")
                .should(callNdArrayConstantArithmetic())
                .because("DJL frees the constant of NDArray.mul(Number) and the like before backward reads it:"
                        + " use org.pretext.engine.Scalars")
                .check(classes);
    }

    @Test
    void theConstantArithmeticRuleSeesAMulByANumber() {
        JavaClasses fixture = new ClassFileImporter().importClasses(UnsafeLoss.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> noClasses().should(callNdArrayConstantArithmetic()).check(fixture))
                .hasMessageContaining("NDArray.mul(java.lang.Number)");
    }

    /** A loss written the way the rule forbids. */
    static final class UnsafeLoss {
        ai.djl.ndarray.NDArray twice(ai.djl.ndarray.NDArray x) {
            return x.mul(2f);
        }
    }

    private static ArchCondition<JavaClass> callNdArrayConstantArithmetic() {
        java.util.Set<String> names = java.util.Set.of("mul", "div", "pow", "maximum", "minimum", "muli", "divi", "powi");
        return new ArchCondition<>("call NDArray arithmetic with a Number constant") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                for (JavaMethodCall call : item.getMethodCallsFromSelf()) {
                    if (IN_PLACE_WITHOUT_GRAPH.contains(call.getOriginOwner().getName() + "." + call.getOrigin().getName())) {
                        continue;
                    }
                    var target = call.getTarget();
                    if (target.getOwner().isAssignableTo("ai.djl.ndarray.NDArray") && names.contains(target.getName())
                            && target.getRawParameterTypes().size() == 1
                            && target.getRawParameterTypes().get(0).getName().equals("java.lang.Number")) {
                        events.add(SimpleConditionEvent.satisfied(call, call.getDescription()));
                    }
                }
            }
        };
    }
}
