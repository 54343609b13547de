package dev.bubblesandbox.environment;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A synced environment, resolved for a launch.
 *
 * @param venv the venv directory, bound read-only at {@code /sandbox/venv}
 * @param basePrefix the base interpreter prefix, bound read-only where it lies outside /usr
 */
public record ReadyEnvironment(String name, Path venv, Optional<Path> basePrefix) {}
