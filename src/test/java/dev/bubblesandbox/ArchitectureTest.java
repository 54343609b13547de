package dev.bubblesandbox;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.bubblesandbox.server.bus.ClientExecution;
import dev.bubblesandbox.server.bus.SandboxClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shape of the product's packages, read from its classes: each package imports only the
 * project packages its {@code package-info.java} names, no cycle between any two packages, and no
 * blocking call in the code that runs on the event loop. File calls are not in the last rule: the
 * routes make them in code handed to the blocking pool, which ArchUnit counts as the enclosing
 * method's.
 */
class ArchitectureTest {

  private static final String ROOT = "";

  /**
   * For each package (relative to {@code dev.bubblesandbox}, the root package as ""), the other
   * project packages it may import: the "May import" sentence of its package-info.java (up to its
   * first semicolon or full stop), which {@link #packageInfoSaysTheSame()} holds to this table.
   */
  private static final Map<String, Set<String>> MAY_IMPORT = Map.ofEntries(
      Map.entry("cli", Set.of("server", "cluster", "cli.repl", "cli.handover", "cli.mcp", "session",
          "session.workspace", "sandbox", "sandbox.warm", "sandbox.output", "sandbox.limits",
          "environment", "config", ROOT)),
      Map.entry("cli.repl", Set.of("cli.handover", "sandbox", "sandbox.kernel", "sandbox.output",
          "environment", "config", ROOT)),
      Map.entry("cli.handover", Set.of()),
      Map.entry("cli.mcp", Set.of("server", ROOT)),
      Map.entry("server", Set.of("server.routes", "server.console", "server.forward", "server.mcp",
          "server.execution", "server.web", "server.bus", "server.metrics", "server.kernel", "cluster",
          "session", "session.workspace", "sandbox", "sandbox.warm", "sandbox.output", "sandbox.limits",
          "sandbox.kernel", "environment", "config", ROOT)),
      Map.entry("server.routes", Set.of("server.execution", "server.web", "server.bus",
          "server.metrics", "server.kernel", "cluster", "session", "session.workspace", "sandbox",
          "sandbox.output", "sandbox.limits", "sandbox.kernel", "environment", ROOT)),
      Map.entry("server.console", Set.of("server.execution", "server.web", "server.bus",
          "server.kernel", "session", "sandbox", "sandbox.output", "sandbox.kernel", "environment", ROOT)),
      Map.entry("server.forward", Set.of("server.web", "cluster", "session", "sandbox", ROOT)),
      Map.entry("server.execution", Set.of("server.web", "server.bus", "server.metrics",
          "server.kernel", "session", "session.workspace", "sandbox", "sandbox.output", "sandbox.limits",
          "sandbox.kernel", "environment", ROOT)),
      Map.entry("server.web", Set.of("server.bus", "server.metrics", "server.kernel", "cluster",
          "session", "session.workspace", "sandbox", "sandbox.output", "environment", "config", ROOT)),
      Map.entry("server.mcp", Set.of(ROOT)),
      Map.entry("server.kernel", Set.of("sandbox", "sandbox.output", "sandbox.kernel", ROOT)),
      Map.entry("server.bus", Set.of("sandbox", "sandbox.output", ROOT)),
      Map.entry("server.metrics", Set.of("session", "sandbox", "sandbox.output", "sandbox.kernel", ROOT)),
      Map.entry("cluster", Set.of("session", "config", ROOT)),
      Map.entry("session", Set.of("session.workspace", "sandbox", "config", ROOT)),
      Map.entry("session.workspace", Set.of("sandbox", "config", ROOT)),
      Map.entry("sandbox.warm", Set.of("sandbox", "sandbox.output", "sandbox.limits", "environment",
          ROOT)),
      Map.entry("sandbox.kernel", Set.of("sandbox", "sandbox.warm", "sandbox.output",
          "sandbox.limits", "environment", "config", ROOT)),
      Map.entry("sandbox", Set.of("sandbox.output", "sandbox.limits", "environment", "config", ROOT)),
      Map.entry("sandbox.output", Set.of("sandbox.limits", ROOT)),
      Map.entry("sandbox.limits", Set.of(ROOT)),
      Map.entry("environment", Set.of(ROOT)),
      Map.entry("config", Set.of(ROOT)),
      Map.entry(ROOT, Set.of()));

  /** The packages whose code runs on an event loop: handlers, the console, forwarding. */
  private static final String[] EVENT_LOOP = {"dev.bubblesandbox.server.routes..",
      "dev.bubblesandbox.server.console..", "dev.bubblesandbox.server.forward..",
      "dev.bubblesandbox.server.web..", "dev.bubblesandbox.server.execution..", "dev.bubblesandbox.server.mcp.."};

  /**
   * The bus classes of the API side, on its event loop; the rest of server.bus are values and
   * codecs, or WorkerExecution, which runs on the worker's threads.
   */
  private static final Class<?>[] EVENT_LOOP_BUS = {SandboxClient.class, ClientExecution.class};

  private static final Path SOURCES = Path.of("src/main/java/dev/bubblesandbox");
  private static final Pattern MAY_IMPORT_SENTENCE = Pattern.compile("May import(.*?)(;|\\.(\\s|$))", Pattern.DOTALL);
  private static final Pattern PACKAGE_NAME = Pattern.compile("[a-z]+(\\.[a-z]+)*");

  private static JavaClasses product;

  @BeforeAll
  static void importProduct() {
    product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.bubblesandbox");
  }

  @Test
  @DisplayName("the table of allowed imports names every product package, and only those")
  void tableCoversEveryPackage() {
    Set<String> packages = new TreeSet<>();
    product.forEach(type -> packages.add(relative(type.getPackageName())));
    assertThat(new TreeSet<>(MAY_IMPORT.keySet())).isEqualTo(packages);
    MAY_IMPORT.values().forEach(allowed -> assertThat(packages).containsAll(allowed));
  }

  @Test
  @DisplayName("each package imports only the project packages its package-info.java names")
  void eachPackageImportsOnlyWhatItsPackageInfoNames() {
    List<String> violations = new ArrayList<>();
    for (Map.Entry<String, Set<String>> entry : new TreeMap<>(MAY_IMPORT).entrySet()) {
      String[] forbidden = MAY_IMPORT.keySet().stream()
          .filter(other -> !other.equals(entry.getKey()) && !entry.getValue().contains(other))
          .map(ArchitectureTest::absolute).sorted().toArray(String[]::new);
      ArchRule rule = noClasses().that().resideInAPackage(absolute(entry.getKey()))
          .should().dependOnClassesThat().resideInAnyPackage(forbidden)
          .as(display(entry.getKey()) + " imports only " + names(entry.getValue()))
          .allowEmptyShould(true);
      EvaluationResult result = rule.evaluate(product);
      if (result.hasViolation()) {
        violations.add(rule.getDescription() + ", as its package-info.java says, but:\n  "
            + String.join("\n  ", result.getFailureReport().getDetails()));
      }
    }
    assertThat(violations).as("imports that package-info.java does not allow").isEmpty();
  }

  @Test
  @DisplayName("each package-info.java's \"May import\" sentence names exactly the packages of the table")
  void packageInfoSaysTheSame() throws IOException {
    List<String> mismatches = new ArrayList<>();
    for (String name : new TreeSet<>(MAY_IMPORT.keySet())) {
      Path file = SOURCES.resolve(name.replace('.', '/')).resolve("package-info.java");
      Matcher sentence = MAY_IMPORT_SENTENCE.matcher(Files.readString(file));
      assertThat(sentence.find()).as("%s has a \"May import ...\" sentence", file).isTrue();
      String text = sentence.group(1).replaceAll("\\s*\\*\\s*", " ");
      Set<String> names = new TreeSet<>();
      Matcher word = PACKAGE_NAME.matcher(text);
      while (word.find()) {
        if (MAY_IMPORT.containsKey(word.group())) {
          names.add(word.group());
        }
      }
      if (text.contains("root package")) {
        names.add(ROOT);
      }
      names.remove(name);
      if (!names.equals(new TreeSet<>(MAY_IMPORT.get(name)))) {
        mismatches.add(file + " names " + names(names) + "; the table: " + names(MAY_IMPORT.get(name)));
      }
    }
    assertThat(mismatches).isEmpty();
  }

  @Test
  @DisplayName("no cycle between any two packages")
  void noCycles() {
    slices().matching("dev.bubblesandbox.(**)").should().beFreeOfCycles().check(product);
  }

  @Test
  @DisplayName("event-loop code starts no process, never sleeps or waits, and reaches sandboxes only through the bus")
  void eventLoopStartsNothing() {
    DescribedPredicate<JavaClass> eventLoop = JavaClass.Predicates.resideInAnyPackage(EVENT_LOOP)
        .or(JavaClass.Predicates.belongToAnyOf(EVENT_LOOP_BUS));
    noClasses().that(eventLoop.as("are event-loop code"))
        .should().dependOnClassesThat().belongToAnyOf(Process.class, ProcessBuilder.class, ProcessHandle.class)
        .orShould().callMethodWhere(call(Thread.class, "sleep"))
        .orShould().callMethodWhere(call(Thread.class, "join"))
        .orShould().callMethodWhere(call(Object.class, "wait"))
        .orShould().callMethodWhere(call(Future.class, "get"))
        .orShould().callMethodWhere(call(CompletableFuture.class, "join"))
        .orShould().callMethodWhere(call(CountDownLatch.class, "await"))
        .orShould().callMethodWhere(call(io.vertx.core.Future.class, "await"))
        .orShould().dependOnClassesThat().resideInAnyPackage("dev.bubblesandbox.sandbox.warm..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.bubblesandbox.sandbox.SandboxExecution")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.bubblesandbox.sandbox.LauncherPool")
        .because("a blocked event loop stalls every connection it serves")
        .check(product);
  }

  /** A call, with any arguments, to the method {@code name} of {@code owner} or a subtype. */
  private static DescribedPredicate<JavaMethodCall> call(Class<?> owner, String name) {
    return DescribedPredicate.describe(owner.getName() + "." + name + "(..)",
        call -> call.getName().equals(name) && call.getTargetOwner().isAssignableTo(owner));
  }

  private static String absolute(String name) {
    return name.isEmpty() ? "dev.bubblesandbox" : "dev.bubblesandbox." + name;
  }

  private static String relative(String packageName) {
    return packageName.equals("dev.bubblesandbox") ? ROOT : packageName.substring("dev.bubblesandbox.".length());
  }

  private static String display(String name) {
    return name.isEmpty() ? "the root package" : name;
  }

  private static String names(Set<String> allowed) {
    return allowed.isEmpty() ? "nothing of the project"
        : String.join(", ", new TreeSet<>(allowed.stream().map(ArchitectureTest::display).toList()));
  }
}
