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
 * @param maxWorkspaceBytes size of a session's workspace and of a one-shot's scratch work dir
 * @param apiKey when not empty, every /v1 request needs {@code Authorization: Bearer <key>}
 * @param corsAllowedOrigins browser origins allowed to call the API and open consoles (none by default)
 * @param websocketMessagesPerSecond messages a console client may send per second
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
    boolean allowUnlimited,
    String apiKey,
    long maxWorkspaceBytes,
    List<String> corsAllowedOrigins,
    int websocketMessagesPerSecond) {

  public Settings {
    allowedExtensions = List.copyOf(allowedExtensions);
    corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
  }

  /** Never shows the API key. */
  @Override
  public String toString() {
    return "Settings[port=" + httpPort + ", workspace=" + workspaceDir + ", apiKey="
        + (apiKey.isEmpty() ? "none" : "set") + "]";
  }

  /** The settings with no file and no environment variable. */
  public static Settings defaults() {
    return SettingsLoader.fromMap(SettingsLoader.defaultValues());
  }
}
