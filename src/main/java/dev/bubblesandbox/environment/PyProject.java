package dev.bubblesandbox.environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The PEP 621 {@code [project]} table of an environment's {@code pyproject.toml}. */
public record PyProject(String name, String description, List<String> dependencies) {

  public PyProject {
    dependencies = List.copyOf(dependencies);
  }

  /** Reads the {@code [project]} table; a missing description or dependency list is empty. */
  public static PyProject read(Path file) {
    JsonNode project;
    try {
      project = new TomlMapper().readTree(file.toFile()).path("project");
    } catch (IOException e) {
      throw new EnvironmentSyncException(
          file + " is not valid TOML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    List<String> dependencies = new ArrayList<>();
    project.path("dependencies").forEach(node -> dependencies.add(node.asText()));
    return new PyProject(
        project.path("name").asText(""), project.path("description").asText(""), dependencies);
  }
}
