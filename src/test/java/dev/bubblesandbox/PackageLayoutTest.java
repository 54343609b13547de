package dev.bubblesandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Packages a reader can take in: each says what it owns, and none holds too many classes. */
class PackageLayoutTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/bubblesandbox");
  /** The most source files (package-info.java not counted) a package may hold. */
  private static final int MAX_FILES = 20;

  @Test
  @DisplayName("every main package has a package-info.java")
  void everyPackageIsDescribed() throws IOException {
    Map<Path, List<Path>> packages = packages();
    assertThat(packages).hasSizeGreaterThan(10);
    assertThat(packages.keySet().stream()
        .filter(directory -> !Files.exists(directory.resolve("package-info.java"))))
        .as("packages without package-info.java").isEmpty();
  }

  @Test
  @DisplayName("no main package holds more than 20 source files, package-info.java not counted")
  void noPackageIsTooBig() throws IOException {
    Map<Path, Long> tooBig = new TreeMap<>();
    packages().forEach((directory, files) -> {
      long count = files.stream().filter(file -> !file.getFileName().toString().equals("package-info.java")).count();
      if (count > MAX_FILES) {
        tooBig.put(directory, count);
      }
    });
    assertThat(tooBig).as("packages over " + MAX_FILES + " files").isEmpty();
  }

  /** Each directory holding .java files, with them. */
  private static Map<Path, List<Path>> packages() throws IOException {
    Map<Path, List<Path>> packages = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      for (Path file : walk.filter(path -> path.toString().endsWith(".java")).toList()) {
        packages.computeIfAbsent(file.getParent(), directory -> new java.util.ArrayList<>()).add(file);
      }
    }
    return packages;
  }
}
