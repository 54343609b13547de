package dev.bubblesandbox.server.web;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The settings in force, with the slices the API reads made from them: replaced whole, in one
 * step, when the server's settings reload takes a new configuration file, so that a request sees
 * either the old settings or the new ones, never half of each.
 */
public final class LiveSettings {

  private record InForce(Settings settings, ApiSettings api, ExecutionLimits limits) {}

  private final AtomicReference<InForce> current = new AtomicReference<>();

  public LiveSettings(Settings settings) {
    set(settings);
  }

  public Settings settings() {
    return current.get().settings();
  }

  public ApiSettings api() {
    return current.get().api();
  }

  public ExecutionLimits limits() {
    return current.get().limits();
  }

  public void set(Settings settings) {
    current.set(new InForce(settings, ApiSettings.from(settings), ExecutionLimits.from(settings)));
  }
}
