package dev.bubblesandbox.server;

import dev.bubblesandbox.config.Settings;

/**
 * What the sandbox worker verticle takes from {@link Settings}, once.
 *
 * @param readyLaunches how many launches to keep ready ahead of requests
 */
record WorkerSettings(int readyLaunches) {

  /**
   * Launches kept ready (each an idle shell, a thread and a cgroup): enough for the bursts a
   * few cores can run at once; past them a launch is made on the spot, a few ms slower.
   */
  private static final int READY_LAUNCHES = 4;

  static WorkerSettings from(Settings settings) {
    return new WorkerSettings(Math.min(READY_LAUNCHES, settings.maxSessions()));
  }
}
