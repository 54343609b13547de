package dev.bubblesandbox.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Every setting of SPEC §6 plus the sandbox limits, validated. Built by {@link SettingsLoader}
 * from snake_case keys, the same keys as {@code conf/config.yaml} and, upper-cased behind
 * {@code BUBBLE_SANDBOX_}, the environment variables.
 *
 * @param sandboxUid host uid that bwrap runs as when the caller is root (never 0)
 * @param python interpreter that {@code sync-environments} builds venvs from
 * @param shutdownGraceSeconds how long running executions may finish after SIGTERM
 * @param memoryLimitBytes memory of one sandbox (all its processes, tmpfs pages included)
 * @param pidsLimit processes and threads of one sandbox
 * @param cpuLimit CPUs one sandbox may use (1.0 = one core)
 * @param allowUnlimited start even when this host cannot enforce those three limits
 */
public record Settings(
    Path environmentsDir,
    Path workspaceDir,
    long maxUploadSizeBytes,
    List<String> allowedExtensions,
    int executionTimeoutSeconds,
    int sessionIdleTimeoutSeconds,
    int maxSessions,
    boolean allowPersistentSessions,
    String logLevel,
    int httpPort,
    String httpHost,
    long maxOutputBytes,
    long tmpfsSizeBytes,
    int sandboxUid,
    String python,
    int shutdownGraceSeconds,
    long memoryLimitBytes,
    int pidsLimit,
    double cpuLimit,
    boolean allowUnlimited) {

  public Settings {
    allowedExtensions = List.copyOf(allowedExtensions);
  }

  /** The settings with no file and no environment variable. */
  public static Settings defaults() {
    return SettingsLoader.fromMap(SettingsLoader.defaultValues());
  }
}
