package dev.bubblesandbox.environment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PEP 621 {@code [project]} table of an environment's {@code pyproject.toml}, and the
 * modules its {@code [tool.bubble-sandbox] preload} list asks warm sandboxes to import ahead.
 */
public record PyProject(String name, String description, List<String> dependencies,
    List<String> preload) {

  public PyProject {
    dependencies = List.copyOf(dependencies);
    preload = List.copyOf(preload);
  }

  /**
   * Reads the {@code [project]} table; a missing description or dependency list is empty.
   *
   * @throws EnvironmentSyncException when the file is not valid TOML, naming the file, the line
   *     and the parser's message
   */
  public static PyProject read(Path file) {
    JsonNode root;
    try {
      root = new TomlMapper().readTree(file.toFile());
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null || at.getLineNr() < 1 ? "" : ", line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new EnvironmentSyncException(file + where + ": not valid TOML: "
          + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new EnvironmentSyncException(file + ": cannot be read: " + e.getMessage());
    }
    JsonNode project = root.path("project");
    List<String> dependencies = new ArrayList<>();
    project.path("dependencies").forEach(node -> dependencies.add(node.asText()));
    List<String> preload = new ArrayList<>();
    root.path("tool").path("bubble-sandbox").path("preload").forEach(node -> preload.add(node.asText()));
    return new PyProject(project.path("name").asText(""), project.path("description").asText(""),
        dependencies, preload);
  }
}
