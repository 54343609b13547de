package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.sandbox.limits.ResourceLimits;
import java.time.Duration;

/**
 * The bounds of one execution.
 *
 * @param timeout wall-clock time after which the whole sandbox is killed
 * @param maxOutputBytes bytes captured (and streamed) per stream; the rest is drained and dropped
 * @param tmpfsSizeBytes size of each of {@code /tmp} and {@code /dev/shm} inside the sandbox
 * @param workspaceBytes size of a scratch work dir (sessions' workspaces are bounded by the server)
 * @param resources memory, task and CPU bounds
 */
public record ExecutionLimits(Duration timeout, long maxOutputBytes, long tmpfsSizeBytes, long workspaceBytes,
    ResourceLimits resources) {

  /** The default size of a scratch work dir. */
  public static final long DEFAULT_WORKSPACE_BYTES = 100L << 20;

  public ExecutionLimits {
    if (timeout.isNegative() || timeout.isZero() || maxOutputBytes <= 0 || tmpfsSizeBytes <= 0
        || workspaceBytes <= 0) {
      throw new IllegalArgumentException("limits must be positive: " + timeout + ", "
          + maxOutputBytes + ", " + tmpfsSizeBytes);
    }
  }

  /** ExecutionLimits with the default resource bounds. */
  public ExecutionLimits(Duration timeout, long maxOutputBytes, long tmpfsSizeBytes) {
    this(timeout, maxOutputBytes, tmpfsSizeBytes, DEFAULT_WORKSPACE_BYTES, ResourceLimits.DEFAULT);
  }

  /** The configured maximum limits. */
  public static ExecutionLimits from(Settings settings) {
    return new ExecutionLimits(
        Duration.ofSeconds(settings.executionTimeoutSeconds()),
        settings.maxOutputBytes(),
        settings.tmpfsSizeBytes(),
        settings.maxWorkspaceBytes(),
        new ResourceLimits(settings.memoryLimitBytes(), settings.pidsLimit(), settings.cpuLimit()));
  }

  public ExecutionLimits withTimeout(Duration newTimeout) {
    return new ExecutionLimits(newTimeout, maxOutputBytes, tmpfsSizeBytes, workspaceBytes, resources);
  }

  public ExecutionLimits withResources(ResourceLimits newResources) {
    return new ExecutionLimits(timeout, maxOutputBytes, tmpfsSizeBytes, workspaceBytes, newResources);
  }
}
