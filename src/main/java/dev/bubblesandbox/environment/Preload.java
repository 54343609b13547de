package dev.bubblesandbox.environment;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The modules an environment's warm sandboxes import before they wait for code
 * ({@code [tool.bubble-sandbox] preload = [...]} in its {@code pyproject.toml}), and whether they
 * import in its venv. A list that fails is reported ({@code list-environments}, {@code doctor},
 * {@code GET /v1/info}) and not preloaded: executions run as without it.
 *
 * @param modules the declared module names
 * @param error why importing them fails, empty when they import (or none is declared)
 */
public record Preload(List<String> modules, Optional<String> error) {

  /** A dotted Python module name: nothing else may reach the warm sandbox's bootstrap. */
  private static final Pattern MODULE_NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

  public static final Preload NONE = new Preload(List.of(), Optional.empty());

  public Preload {
    modules = List.copyOf(modules);
  }

  /** The modules to import ahead: the declared ones when they import, else none. */
  public List<String> usable() {
    return error.isPresent() ? List.of() : modules;
  }

  /** The first declared name that is not a module name, if any. */
  static Optional<String> invalidName(List<String> modules) {
    return modules.stream().filter(name -> !MODULE_NAME.matcher(name).matches()).findFirst();
  }
}
