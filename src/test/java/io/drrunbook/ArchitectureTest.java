package io.drrunbook;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import io.drrunbook.common.UpwardImportFixture;
import io.drrunbook.core.RunMode;
import io.drrunbook.runs.RunStarter;
import org.junit.jupiter.api.Test;

/**
 * The packages form layers that only point down: a class may use the layers below its own, never
 * one above. From the bottom: {@code common} (problems, secret masking, group names, free text),
 * {@code topology}, {@code connectors}, {@code core} (run concepts: mode, variables, the procedure
 * catalog), {@code engine} (the step worker and the gates it asks), then {@code approval} and
 * {@code prechecks}, {@code plans}, and at the top the doors and the lab: {@code runs} (REST API),
 * {@code operations}, {@code security}, {@code lab}. The one sideways use allowed at the top: the
 * lab's users join the groups {@code security} creates.
 */
class ArchitectureTest {

  static LayeredArchitecture layers() {
    return layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("common").definedBy("io.drrunbook.common..")
        .layer("topology").definedBy("io.drrunbook.topology..")
        .layer("connectors").definedBy("io.drrunbook.connectors..")
        .layer("core").definedBy("io.drrunbook.core..")
        .layer("engine").definedBy("io.drrunbook.engine..")
        .layer("approval").definedBy("io.drrunbook.approval..")
        .layer("prechecks").definedBy("io.drrunbook.prechecks..")
        .layer("plans").definedBy("io.drrunbook.plans..")
        .layer("runs").definedBy("io.drrunbook.runs..")
        .layer("operations").definedBy("io.drrunbook.operations..")
        .layer("security").definedBy("io.drrunbook.security..")
        .layer("lab").definedBy("io.drrunbook.lab..")
        .whereLayer("common").mayNotAccessAnyLayer()
        .whereLayer("topology").mayOnlyAccessLayers("common")
        .whereLayer("connectors").mayOnlyAccessLayers("common", "topology")
        .whereLayer("core").mayOnlyAccessLayers("common", "topology", "connectors")
        .whereLayer("engine").mayOnlyAccessLayers("common", "topology", "connectors", "core")
        .whereLayer("approval").mayOnlyAccessLayers("common", "topology", "connectors", "core", "engine")
        .whereLayer("prechecks").mayOnlyAccessLayers("common", "topology", "connectors", "core", "engine")
        .whereLayer("plans")
        .mayOnlyAccessLayers("common", "topology", "connectors", "core", "engine", "prechecks")
        .whereLayer("runs").mayOnlyAccessLayers("common", "topology", "connectors", "core", "engine",
            "approval", "prechecks", "plans")
        .whereLayer("operations").mayOnlyAccessLayers("common", "topology", "connectors", "core", "engine",
            "approval", "prechecks", "plans")
        .whereLayer("security").mayOnlyAccessLayers("common", "topology", "connectors", "core", "engine")
        .whereLayer("lab")
        .mayOnlyAccessLayers("common", "topology", "connectors", "core", "engine", "security");
  }

  @Test
  void shouldOnlyPointDownTheLayersInTheApplicationCode() {
    JavaClasses main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.drrunbook");
    assertThat(main.contain(RunStarter.class)).as("the application's classes were imported").isTrue();

    EvaluationResult result = layers().evaluate(main);

    assertThat(result.getFailureReport().getDetails()).isEmpty();
  }

  @Test
  void shouldNameTheClassAndTheLayerOfAnUpwardImport() {
    JavaClasses classes = new ClassFileImporter()
        .importClasses(UpwardImportFixture.class, RunStarter.class, RunMode.class);

    EvaluationResult result = layers().evaluate(classes);

    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().getDetails())
        .anySatisfy(line -> assertThat(line)
            .contains(UpwardImportFixture.class.getName())
            .contains(RunStarter.class.getName()));
  }
}
