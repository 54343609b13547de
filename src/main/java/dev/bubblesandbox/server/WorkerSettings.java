package dev.bubblesandbox.server;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.sandbox.warm.WarmSettings;
import dev.bubblesandbox.server.web.ServerContext;

/**
 * What the sandbox worker verticle takes from {@link Settings}, once.
 *
 * @param readyLaunches how many launches to keep ready ahead of requests
 * @param warm how many warm sandboxes to keep, and their memory
 */
record WorkerSettings(int readyLaunches, WarmSettings warm) {

  /**
   * Launches kept ready (each an idle shell, a thread and a cgroup): enough for the bursts a
   * few cores can run at once; past them a launch is made on the spot and waits for its cgroup join.
   */
  private static final int READY_LAUNCHES = 4;

  static WorkerSettings from(Settings settings) {
    return new WorkerSettings(Math.min(READY_LAUNCHES, settings.maxSessions()),
        new WarmSettings(ServerContext.DEFAULT_ENVIRONMENT, settings.warmSandboxes(),
            settings.warmSandboxesOtherEnvironments(), settings.warmSandboxesMemoryBytes(),
            settings.warmSessionSandboxes()));
  }
}
