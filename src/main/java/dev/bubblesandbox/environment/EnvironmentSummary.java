package dev.bubblesandbox.environment;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An environment as {@code list-environments --json} and {@code GET /v1/environments} show it;
 * {@code preload_error} says why its preload modules do not import (null when they do), and
 * {@code error} why its {@code pyproject.toml} is invalid (null when it is not).
 */
public record EnvironmentSummary(
    String name,
    String description,
    List<String> dependencies,
    @JsonProperty("python_version") String pythonVersion,
    boolean ready,
    List<String> preload,
    @JsonProperty("preload_error") String preloadError,
    String error) {

  public static EnvironmentSummary of(Environment environment) {
    return new EnvironmentSummary(
        environment.name(),
        environment.description(),
        environment.dependencies(),
        environment.pythonVersion().orElse(null),
        environment.ready(),
        environment.preload().modules(),
        environment.preload().error().orElse(null),
        environment.error().orElse(null));
  }
}
