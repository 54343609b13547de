package dev.bubblesandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The import graph of {@code src/main/java} between packages has no cycle, so that each package
 * can be read, tested and replaced above the ones it uses. A package's references are every
 * {@code dev.bubblesandbox...} name its code spells (imports, static imports and qualified names
 * in the code; comments and string literals do not count); a cycle fails the test with its path.
 */
class PackageCyclesTest {

  private static final Path SOURCES = Path.of("src/main/java");
  /** A qualified name in the project: its package, then a type (capitalised) or a wildcard. */
  private static final Pattern REFERENCE =
      Pattern.compile("\\bdev\\.bubblesandbox((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

  @Test
  @DisplayName("src/main/java: no cycle between packages")
  void noCycleInTheProduct() throws IOException {
    Map<String, Set<String>> graph = packageGraph(SOURCES);
    assertThat(graph).as("packages found under " + SOURCES.toAbsolutePath())
        .containsKeys("dev.bubblesandbox", "dev.bubblesandbox.cli", "dev.bubblesandbox.server");
    assertThat(cycle(graph)).as("a cycle between packages").isEmpty();
  }

  @Test
  @DisplayName("the check finds a cycle through several packages and names its path")
  void findsACycle() {
    Map<String, Set<String>> graph = new TreeMap<>(Map.of(
        "root", Set.of(),
        "cli", Set.of("server", "root"),
        "server", Set.of("session", "root"),
        "session", Set.of("root")));
    assertThat(cycle(graph)).isEmpty();
    graph.put("root", Set.of("cli"));
    List<String> found = cycle(graph);
    assertThat(found).contains("root", "cli");
    assertThat(found.get(0)).isEqualTo(found.get(found.size() - 1));
    for (int i = 0; i + 1 < found.size(); i++) {
      assertThat(graph.get(found.get(i))).as("an edge of the cycle").contains(found.get(i + 1));
    }
  }

  @Test
  @DisplayName("references are read from code only: not from comments or string literals")
  void codeOnly() {
    String source = "package dev.bubblesandbox.a;\n"
        + "import dev.bubblesandbox.b.B;\n"
        + "import static dev.bubblesandbox.c.C.helper;\n"
        + "/** See {@link dev.bubblesandbox.d.D}. */\n"
        + "class A { // dev.bubblesandbox.e.E\n"
        + "  String s = \"dev.bubblesandbox.f.F // \\\" dev.bubblesandbox.g.G\";\n"
        + "  char c = '\"'; Object o = new dev.bubblesandbox.h.H(); /* dev.bubblesandbox.i.I */\n"
        + "  String t = \"\"\"\n      dev.bubblesandbox.j.J\n      \"\"\";\n"
        + "  Object p = dev.bubblesandbox.K.of();\n"
        + "}\n";
    assertThat(references(source)).containsExactlyInAnyOrder(
        "dev.bubblesandbox.b", "dev.bubblesandbox.c", "dev.bubblesandbox.h", "dev.bubblesandbox");
  }

  /** Package to the other packages its files refer to. */
  static Map<String, Set<String>> packageGraph(Path sources) throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher declared = PACKAGE.matcher(source);
        assertThat(declared.find()).as("package declaration of " + file).isTrue();
        String own = declared.group(1);
        graph.computeIfAbsent(own, p -> new TreeSet<>()).addAll(references(source));
      }
    }
    return graph;
  }

  /** The packages of the project's qualified names in {@code source}'s code. */
  static Set<String> references(String source) {
    Set<String> packages = new TreeSet<>();
    Matcher matcher = REFERENCE.matcher(codeOnly(source));
    while (matcher.find()) {
      packages.add("dev.bubblesandbox" + matcher.group(1));
    }
    packages.remove(packageOf(source));
    return packages;
  }

  private static String packageOf(String source) {
    Matcher declared = PACKAGE.matcher(source);
    return declared.find() ? declared.group(1) : "";
  }

  /** {@code source} with comments, string literals, text blocks and char literals blanked. */
  static String codeOnly(String source) {
    StringBuilder code = new StringBuilder(source.length());
    int i = 0;
    while (i < source.length()) {
      if (source.startsWith("//", i)) {
        int newline = source.indexOf('\n', i);
        i = newline < 0 ? source.length() : newline;
      } else if (source.startsWith("/*", i)) {
        int close = source.indexOf("*/", i + 2);
        i = close < 0 ? source.length() : close + 2;
      } else if (source.startsWith("\"\"\"", i)) {
        i = closing(source, i + 3, "\"\"\"");
      } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
        i = closing(source, i + 1, String.valueOf(source.charAt(i)));
      } else {
        code.append(source.charAt(i));
        i++;
        continue;
      }
      code.append(' ');
    }
    return code.toString();
  }

  /** The index after the unescaped {@code quote} that closes a literal opened before {@code from}. */
  private static int closing(String source, int from, String quote) {
    int i = from;
    while (i < source.length() && !source.startsWith(quote, i)) {
      i += source.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(source.length(), i + quote.length());
  }

  /** One cycle of {@code graph} as a path that ends where it starts, or empty when there is none. */
  static List<String> cycle(Map<String, Set<String>> graph) {
    Set<String> done = new TreeSet<>();
    for (String start : graph.keySet()) {
      List<String> found = cycleFrom(start, graph, done, new ArrayDeque<>());
      if (!found.isEmpty()) {
        return found;
      }
    }
    return List.of();
  }

  private static List<String> cycleFrom(String node, Map<String, Set<String>> graph, Set<String> done,
      Deque<String> path) {
    if (path.contains(node)) {
      List<String> cycle = new ArrayList<>(path);
      cycle = new ArrayList<>(cycle.subList(cycle.indexOf(node), cycle.size()));
      cycle.add(node);
      return cycle;
    }
    if (!done.add(node)) {
      return List.of();
    }
    path.addLast(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      List<String> found = cycleFrom(next, graph, done, path);
      if (!found.isEmpty()) {
        return found;
      }
    }
    path.removeLast();
    return List.of();
  }
}
