/**
 * The settings: their table (SettingsTable), parsers and checks, and loading them from the
 * YAML file, the environment and the command line.
 *
 * <p>May import only the root package.
 */
package dev.bubblesandbox.config;
