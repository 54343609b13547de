package dev.bubblesandbox;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shape of the product's packages, read from its classes: layers from the command line down
 * to the root package, no cycle between any two packages, and no blocking call in the packages
 * whose code runs on the event loop. File calls are not in the last rule: the routes make them
 * in code handed to the blocking pool, which ArchUnit counts as the enclosing method's.
 */
class ArchitectureTest {

  /**
   * The layers, top first; a layer may use only the layers of the levels below its own, never
   * one above or beside it.
   */
  private static final List<List<String>> LEVELS = List.of(
      List.of("cli"),
      List.of("server"),
      List.of("server.routes", "server.console", "server.forward"),
      List.of("server.execution"),
      List.of("server.web"),
      List.of("server.bus", "server.metrics"),
      List.of("cluster"),
      List.of("session"),
      List.of("session.workspace"),
      List.of("sandbox.warm"),
      List.of("sandbox"),
      List.of("sandbox.output"),
      List.of("sandbox.limits", "environment"),
      List.of("config"),
      List.of(""));

  /** The packages whose code runs on an event loop: handlers, the console, forwarding. */
  private static final String[] EVENT_LOOP = {"dev.bubblesandbox.server.routes..",
      "dev.bubblesandbox.server.console..", "dev.bubblesandbox.server.forward..",
      "dev.bubblesandbox.server.web..", "dev.bubblesandbox.server.execution.."};

  private static JavaClasses product;

  @BeforeAll
  static void importProduct() {
    product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.bubblesandbox");
  }

  @Test
  @DisplayName("each layer uses only the layers below it")
  void layers() {
    layered().check(product);
  }

  @Test
  @DisplayName("no cycle between any two packages")
  void noCycles() {
    slices().matching("dev.bubblesandbox.(**)").should().beFreeOfCycles().check(product);
  }

  @Test
  @DisplayName("event-loop packages start no process, never sleep, and reach sandboxes only through the bus")
  void eventLoopStartsNothing() {
    noClasses().that().resideInAnyPackage(EVENT_LOOP)
        .should().dependOnClassesThat().belongToAnyOf(Process.class, ProcessBuilder.class, ProcessHandle.class)
        .orShould().callMethod(Thread.class, "sleep", long.class)
        .orShould().callMethod(Object.class, "wait")
        .orShould().dependOnClassesThat().resideInAnyPackage("dev.bubblesandbox.sandbox.warm..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.bubblesandbox.sandbox.SandboxExecution")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.bubblesandbox.sandbox.LauncherPool")
        .because("a blocked event loop stalls every connection it serves")
        .check(product);
  }

  static Architectures.LayeredArchitecture layered() {
    Architectures.LayeredArchitecture layers = Architectures.layeredArchitecture()
        .consideringOnlyDependenciesInLayers();
    for (List<String> level : LEVELS) {
      for (String name : level) {
        layers = layers.layer(layer(name)).definedBy(name.isEmpty() ? "dev.bubblesandbox"
            : "dev.bubblesandbox." + name);
      }
    }
    for (int i = 0; i < LEVELS.size(); i++) {
      List<String> below = new ArrayList<>();
      for (List<String> level : LEVELS.subList(i + 1, LEVELS.size())) {
        level.forEach(name -> below.add(layer(name)));
      }
      for (String name : LEVELS.get(i)) {
        layers = below.isEmpty() ? layers.whereLayer(layer(name)).mayNotAccessAnyLayer()
            : layers.whereLayer(layer(name)).mayOnlyAccessLayers(below.toArray(String[]::new));
      }
    }
    return layers;
  }

  private static String layer(String name) {
    return name.isEmpty() ? "root" : name;
  }
}
