/**
 * Python environments: reading their pyproject.toml, readiness, syncing and preload checks
 * (EnvironmentCatalog).
 *
 * <p>May import only the root package.
 */
package dev.bubblesandbox.environment;
