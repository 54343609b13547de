package dev.bubblesandbox.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of {@link SettingsTable}, validated: one typed accessor per setting, named after
 * its key ({@code max_sessions} → {@link #maxSessions()}). Built by {@link SettingsLoader} from
 * layered raw values; what each setting means is written in the table.
 */
public final class Settings {

  /** Parsed values by key, in table order. */
  private final Map<String, Object> values;

  private Settings(Map<String, Object> values) {
    this.values = values;
  }

  /**
   * Validates raw values keyed like {@code conf/config.yaml}; a setting without a value gets its
   * default.
   *
   * @throws InvalidSettingException naming the first invalid setting, or an unknown key
   */
  static Settings parse(Map<String, ?> raw) {
    for (String key : raw.keySet()) {
      if (SettingsTable.byKey(key).isEmpty()) {
        throw new InvalidSettingException("Unknown setting " + Setting.describe(key) + "; known settings: "
            + String.join(", ", SettingsTable.ALL.stream().map(Setting::key).toList()) + ".");
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Setting<?> setting : SettingsTable.ALL) {
      values.put(setting.key(),
          setting.parse(raw.containsKey(setting.key()) ? raw.get(setting.key()) : setting.defaultValue()));
    }
    return new Settings(values);
  }

  /** The settings with no file and no environment variable. */
  public static Settings defaults() {
    return parse(Map.of());
  }

  /** The value of {@code setting}. */
  @SuppressWarnings("unchecked") // parse() stored the value its setting's parser returned
  public <T> T get(Setting<T> setting) {
    return (T) values.get(setting.key());
  }

  public Path environmentsDir() {
    return get(SettingsTable.ENVIRONMENTS_DIR);
  }

  public Path workspaceDir() {
    return get(SettingsTable.WORKSPACE_DIR);
  }

  public long maxUploadSizeBytes() {
    return get(SettingsTable.MAX_UPLOAD_SIZE_BYTES);
  }

  public List<String> allowedExtensions() {
    return get(SettingsTable.ALLOWED_EXTENSIONS);
  }

  public int executionTimeoutSeconds() {
    return get(SettingsTable.EXECUTION_TIMEOUT_SECONDS);
  }

  public int sessionIdleTimeoutSeconds() {
    return get(SettingsTable.SESSION_IDLE_TIMEOUT_SECONDS);
  }

  public int maxSessions() {
    return get(SettingsTable.MAX_SESSIONS);
  }

  public boolean allowPersistentSessions() {
    return get(SettingsTable.ALLOW_PERSISTENT_SESSIONS);
  }

  public String logLevel() {
    return get(SettingsTable.LOG_LEVEL);
  }

  public int httpPort() {
    return get(SettingsTable.HTTP_PORT);
  }

  public String httpHost() {
    return get(SettingsTable.HTTP_HOST);
  }

  public long maxOutputBytes() {
    return get(SettingsTable.MAX_OUTPUT_BYTES);
  }

  public long maxInlineResultBytes() {
    return get(SettingsTable.MAX_INLINE_RESULT_BYTES);
  }

  public int kernelInterruptGraceMs() {
    return get(SettingsTable.KERNEL_INTERRUPT_GRACE_MS);
  }

  public long tmpfsSizeBytes() {
    return get(SettingsTable.TMPFS_SIZE_BYTES);
  }

  public int sandboxUid() {
    return get(SettingsTable.SANDBOX_UID);
  }

  public String python() {
    return get(SettingsTable.PYTHON);
  }

  public int shutdownGraceSeconds() {
    return get(SettingsTable.SHUTDOWN_GRACE_SECONDS);
  }

  public long memoryLimitBytes() {
    return get(SettingsTable.MEMORY_LIMIT_BYTES);
  }

  public int pidsLimit() {
    return get(SettingsTable.PIDS_LIMIT);
  }

  public double cpuLimit() {
    return get(SettingsTable.CPU_LIMIT);
  }

  public boolean allowUnlimited() {
    return get(SettingsTable.ALLOW_UNLIMITED);
  }

  public String apiKey() {
    return get(SettingsTable.API_KEY);
  }

  public List<ApiKey> apiKeys() {
    return get(SettingsTable.API_KEYS);
  }

  public boolean allowUnauthenticated() {
    return get(SettingsTable.ALLOW_UNAUTHENTICATED);
  }

  public List<String> allowedHosts() {
    return get(SettingsTable.ALLOWED_HOSTS);
  }

  public long maxWorkspaceBytes() {
    return get(SettingsTable.MAX_WORKSPACE_BYTES);
  }

  public List<String> corsAllowedOrigins() {
    return get(SettingsTable.CORS_ALLOWED_ORIGINS);
  }

  public int websocketMessagesPerSecond() {
    return get(SettingsTable.WEBSOCKET_MESSAGES_PER_SECOND);
  }

  public boolean clusterEnabled() {
    return get(SettingsTable.CLUSTER_ENABLED);
  }

  public String clusterHost() {
    return get(SettingsTable.CLUSTER_HOST);
  }

  public int clusterPort() {
    return get(SettingsTable.CLUSTER_PORT);
  }

  public List<String> clusterMembers() {
    return get(SettingsTable.CLUSTER_MEMBERS);
  }

  public String clusterKubernetesServiceDns() {
    return get(SettingsTable.CLUSTER_KUBERNETES_SERVICE_DNS);
  }

  public String clusterName() {
    return get(SettingsTable.CLUSTER_NAME);
  }

  public String clusterSecret() {
    return get(SettingsTable.CLUSTER_SECRET);
  }

  /** Empty when not set. */
  public String clusterTlsDir() {
    return get(SettingsTable.CLUSTER_TLS_DIR);
  }

  public int clusterBusPort() {
    return get(SettingsTable.CLUSTER_BUS_PORT);
  }

  public int clusterHttpPort() {
    return get(SettingsTable.CLUSTER_HTTP_PORT);
  }

  public int warmSandboxes() {
    return get(SettingsTable.WARM_SANDBOXES);
  }

  public int warmSandboxesOtherEnvironments() {
    return get(SettingsTable.WARM_SANDBOXES_OTHER_ENVIRONMENTS);
  }

  public long warmSandboxesMemoryBytes() {
    return get(SettingsTable.WARM_SANDBOXES_MEMORY_BYTES);
  }

  public int warmSessionSandboxes() {
    return get(SettingsTable.WARM_SESSION_SANDBOXES);
  }

  /** 0: the configuration file is read at start-up only. */
  public int configScanPeriodMs() {
    return get(SettingsTable.CONFIG_SCAN_PERIOD_MS);
  }

  /**
   * These settings with {@code next}'s values for the settings {@code taken} accepts: what a
   * running server puts in force from a reloaded file.
   */
  public Settings with(Settings next, java.util.function.Predicate<Setting<?>> taken) {
    Map<String, Object> merged = new LinkedHashMap<>(values);
    SettingsTable.ALL.stream().filter(taken).forEach(setting -> merged.put(setting.key(), next.get(setting)));
    return new Settings(merged);
  }

  /** The settings whose values differ between this and {@code other}, in table order. */
  public java.util.List<Setting<?>> changedFrom(Settings other) {
    return SettingsTable.ALL.stream()
        .filter(setting -> !java.util.Objects.equals(get(setting), other.get(setting)))
        .toList();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Settings settings && values.equals(settings.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Never shows a key or the cluster secret. */
  @Override
  public String toString() {
    return "Settings[port=" + httpPort() + ", workspace=" + workspaceDir() + ", apiKey="
        + (apiKey().isEmpty() ? "none" : "set") + "]";
  }
}
