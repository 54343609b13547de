package dev.bubblesandbox.sandbox.warm;

/**
 * How many warm sandboxes a server keeps ({@link WarmPool}).
 *
 * @param defaultEnvironment the environment executions get when they name none
 * @param forDefault warm sandboxes for it; 0 turns warm sandboxes off altogether
 * @param forOthers warm sandboxes for each other ready environment
 * @param memoryBytes the memory the waiting warm sandboxes may hold together
 * @param sessions sessions that keep a warm sandbox for their next execution
 */
public record WarmSettings(String defaultEnvironment, int forDefault, int forOthers, long memoryBytes,
    int sessions) {

  /** No warm sandboxes. */
  public static final WarmSettings OFF = new WarmSettings("bare", 0, 0, 1, 0);

  public boolean enabled() {
    return forDefault > 0;
  }

  /** How many to keep for {@code environment}. */
  int countFor(String environment) {
    return !enabled() ? 0 : environment.equals(defaultEnvironment) ? forDefault : forOthers;
  }
}
