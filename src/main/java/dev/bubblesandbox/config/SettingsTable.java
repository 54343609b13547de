package dev.bubblesandbox.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every setting, declared once: key, default, parser and description. {@link Settings} is built
 * from this table, the environment variables are derived from it, {@code conf/config.yaml} is
 * checked against it by {@code SettingsTableTest}, and {@code docs/configuration.md} is generated
 * from it ({@code ConfigurationPageTest}).
 */
public final class SettingsTable {

  // Filled by define() in declaration order: it must stay above the settings.
  private static final List<Setting<?>> declared = new ArrayList<>();

  /** How the description of a {@link Setting#reloads() reloaded} setting ends. */
  public static final String RELOADS = " (reloads without a restart)";

  public static final Setting<Path> ENVIRONMENTS_DIR = define("environments_dir", "environments",
      SettingParsers::path, "one directory per environment: NAME/pyproject.toml and NAME/.venv");
  public static final Setting<Path> WORKSPACE_DIR = define("workspace_dir", "workspace_data",
      SettingParsers::path, "session workspaces (sessions/), their images (images/), records (records/), volumes/, tmp/");
  public static final Setting<Long> MAX_UPLOAD_SIZE_BYTES = define("max_upload_size_bytes", 10_485_760L,
      SettingParsers::positiveLong, "max total size of one upload request");
  public static final Setting<List<String>> ALLOWED_EXTENSIONS = define("allowed_extensions",
      List.of(".txt", ".csv", ".md", ".json", ".yaml", ".yml", ".tsv", ".xml"),
      SettingParsers::extensions, "file name extensions an upload may have");
  public static final Setting<Integer> EXECUTION_TIMEOUT_SECONDS = defineReloadable("execution_timeout_seconds", 30,
      SettingParsers::positiveInt, "wall-clock limit of one execution (requests may lower it)");
  public static final Setting<Integer> SESSION_IDLE_TIMEOUT_SECONDS = define("session_idle_timeout_seconds",
      3600, SettingParsers::positiveInt, "idle sessions are ended, their data cleared");
  public static final Setting<Integer> MAX_SESSIONS = defineReloadable("max_sessions", 50,
      SettingParsers::positiveInt, "sessions plus running one-shot executions (sessions restored at "
          + "start-up all come back, even past it)");
  public static final Setting<Boolean> ALLOW_PERSISTENT_SESSIONS = define("allow_persistent_sessions", true,
      SettingParsers::bool, "allow DELETE ...?clear_data=false");
  public static final Setting<String> LOG_LEVEL = defineReloadable("log_level", "INFO",
      SettingParsers::logLevel, "JSON log lines on stdout: " + LogLevel.names());
  public static final Setting<Integer> HTTP_PORT = define("http_port", 8080,
      SettingParsers::port, "port the server listens on (0: any free port)");
  public static final Setting<String> HTTP_HOST = define("http_host", "127.0.0.1",
      SettingParsers::text, "loopback only; a container sets BUBBLE_SANDBOX_HTTP_HOST=0.0.0.0");
  public static final Setting<Long> MAX_OUTPUT_BYTES = defineReloadable("max_output_bytes", 1_048_576L,
      SettingParsers::positiveLong, "captured and streamed bytes per stream per execution");
  public static final Setting<Long> TMPFS_SIZE_BYTES = define("tmpfs_size_bytes", 67_108_864L,
      SettingParsers::positiveLong, "size of /tmp and of /dev/shm inside each sandbox");
  public static final Setting<Integer> SANDBOX_UID = define("sandbox_uid", 64_000,
      SettingParsers::positiveInt, "host uid sandboxes run as when the server runs as root");
  // A prefix under /usr is already in every sandbox; a private one (pyenv in /root, mode 0700)
  // cannot even be reached by the unprivileged sandbox uid.
  public static final Setting<String> PYTHON = define("python",
      Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3",
      SettingParsers::text, "interpreter sync-environments builds venvs from (python3 on PATH "
          + "when /usr/bin/python3 is missing)");
  public static final Setting<Integer> SHUTDOWN_GRACE_SECONDS = define("shutdown_grace_seconds", 10,
      SettingParsers::positiveInt, "running executions may finish this long after SIGTERM");
  public static final Setting<Long> MEMORY_LIMIT_BYTES = defineReloadable("memory_limit_bytes", 536_870_912L,
      SettingParsers::positiveLong, "memory of one sandbox, tmpfs pages included (cgroup; per "
          + "process under rlimits)");
  public static final Setting<Integer> PIDS_LIMIT = defineReloadable("pids_limit", 128,
      SettingParsers::positiveInt, "processes and threads of one sandbox (cgroup)");
  public static final Setting<Double> CPU_LIMIT = defineReloadable("cpu_limit", 1.0,
      SettingParsers::positiveDecimal, "CPUs one sandbox may use (cgroup cpu.max / CFS quota)");
  public static final Setting<Boolean> ALLOW_UNLIMITED = define("allow_unlimited", false,
      SettingParsers::bool, "start even where the limits above cannot be enforced");
  public static final Setting<String> API_KEY = defineReloadable("api_key", "",
      SettingParsers::secret, "when set (16 characters or more, never logged), every /v1 request "
          + "needs it as a Bearer token");
  public static final Setting<List<ApiKey>> API_KEYS = defineReloadable("api_keys", List.of(),
      SettingParsers::apiKeys, "tenants: a list of {tenant, key_sha256, max_sessions} (the key's SHA-256 "
          + "in hex; max_sessions optional); each tenant sees only its own sessions");
  public static final Setting<Boolean> ALLOW_UNAUTHENTICATED = define("allow_unauthenticated", false,
      SettingParsers::bool, "serve without a key off loopback or in a cluster (logged as a warning at "
          + "every start)");
  public static final Setting<List<String>> ALLOWED_HOSTS = define("allowed_hosts", List.of(),
      SettingParsers::hosts, "Host names a key-less server answers (DNS rebinding); empty: localhost, "
          + "127.0.0.1, [::1] and http_host");
  public static final Setting<Long> MAX_WORKSPACE_BYTES = define("max_workspace_bytes", 104_857_600L,
      SettingParsers::positiveLong, "size of a session's workspace and a one-shot's scratch dir");
  public static final Setting<List<String>> CORS_ALLOWED_ORIGINS = define("cors_allowed_origins", List.of(),
      SettingParsers::origins, "browser origins allowed to call the API and open consoles");
  public static final Setting<Integer> WEBSOCKET_MESSAGES_PER_SECOND = define(
      "websocket_messages_per_second", 20,
      SettingParsers::positiveInt, "console messages a client may send per second");
  public static final Setting<Boolean> CLUSTER_ENABLED = define("cluster_enabled", false,
      SettingParsers::bool, "join a cluster of servers (Hazelcast); off: one node, no cluster machinery");
  public static final Setting<String> CLUSTER_HOST = define("cluster_host", "127.0.0.1",
      SettingParsers::text, "address this node advertises to the cluster and binds the event bus to "
          + "(in Kubernetes the pod IP)");
  public static final Setting<Integer> CLUSTER_PORT = define("cluster_port", 5701,
      SettingParsers::memberPort, "Hazelcast member port of this node");
  public static final Setting<List<String>> CLUSTER_MEMBERS = define("cluster_members", "",
      SettingParsers::hostPorts, "comma-separated host:port list of members to join over TCP/IP "
          + "(loopback, bare hosts)");
  public static final Setting<String> CLUSTER_KUBERNETES_SERVICE_DNS = define("cluster_kubernetes_service_dns", "",
      SettingParsers::dnsName, "headless Service DNS name for Hazelcast's Kubernetes discovery "
          + "(instead of cluster_members)");
  public static final Setting<String> CLUSTER_NAME = define("cluster_name", "bubble-sandbox",
      SettingParsers::clusterName, "nodes join only a cluster of the same name");
  public static final Setting<String> CLUSTER_SECRET = define("cluster_secret", "",
      SettingParsers::clusterSecret, "shared by every node (32 characters or more, never logged): "
          + "membership, signed directory entries and hop tokens; required with cluster_enabled");
  public static final Setting<String> CLUSTER_TLS_DIR = define("cluster_tls_dir", "",
      SettingParsers::optionalPath, "directory with ca.crt, node.crt and node.key (PEM) for "
          + "node-to-node TLS (bubble-sandbox cluster-certs makes them); required with cluster_enabled");
  public static final Setting<Integer> CLUSTER_BUS_PORT = define("cluster_bus_port", 5711,
      SettingParsers::memberPort, "event bus port of this node (TLS, cluster certificates only)");
  public static final Setting<Integer> CLUSTER_HTTP_PORT = define("cluster_http_port", 8443,
      SettingParsers::memberPort, "port other nodes forward requests to (TLS, cluster certificates "
          + "only, hop tokens only)");
  public static final Setting<Integer> WARM_SANDBOXES = defineReloadable("warm_sandboxes", 2,
      SettingParsers::nonNegativeInt, "sandboxes kept started ahead for the default environment "
          + "(bare), each used once; 0 turns warm sandboxes off");
  public static final Setting<Integer> WARM_SANDBOXES_OTHER_ENVIRONMENTS = defineReloadable(
      "warm_sandboxes_other_environments", 1,
      SettingParsers::nonNegativeInt, "sandboxes kept started ahead for each other ready environment");
  public static final Setting<Long> WARM_SANDBOXES_MEMORY_BYTES = defineReloadable("warm_sandboxes_memory_bytes",
      1_073_741_824L, SettingParsers::positiveLong, "memory the waiting warm sandboxes may hold "
          + "together (their preloaded modules); none is started past it");
  public static final Setting<Integer> WARM_SESSION_SANDBOXES = defineReloadable("warm_session_sandboxes", 8,
      SettingParsers::nonNegativeInt, "sessions that keep their next sandbox started (the most "
          + "recently used); 0 turns it off");
  public static final Setting<Long> MAX_INLINE_RESULT_BYTES = define("max_inline_result_bytes", 1_048_576L,
      SettingParsers::positiveLong, "a kernel session's result value larger than this is written to "
          + ".results/ in its workspace and named in the result instead");
  public static final Setting<Integer> KERNEL_INTERRUPT_GRACE_MS = define("kernel_interrupt_grace_ms", 2000,
      SettingParsers::positiveInt, "a kernel execution past its timeout is interrupted, and killed this "
          + "long after");

  public static final Setting<Integer> CONFIG_SCAN_PERIOD_MS = define("config_scan_period_ms", 5000,
      SettingParsers::nonNegativeInt, "how often a running server rereads its configuration file "
          + "(a ConfigMap update) for the settings marked as reloading; others are logged as needing "
          + "a restart; 0: never");

  /** Every setting, in declaration order. */
  public static final List<Setting<?>> ALL = List.copyOf(declared);

  private SettingsTable() {}

  /** The setting with this key, if there is one. */
  public static Optional<Setting<?>> byKey(String key) {
    return ALL.stream().filter(setting -> setting.key().equals(key)).findFirst();
  }

  private static <T> Setting<T> define(String key, Object defaultValue, SettingParser<T> parser,
      String description) {
    return declare(new Setting<>(key, defaultValue, parser, description, false));
  }

  /**
   * A setting a running server takes from its edited file within {@code config_scan_period_ms}:
   * one that only bounds what comes next (a key, a limit, a pool size), never one a listening
   * socket, a cluster membership or the data on disk was made from. Its description says so.
   */
  private static <T> Setting<T> defineReloadable(String key, Object defaultValue, SettingParser<T> parser,
      String description) {
    return declare(new Setting<>(key, defaultValue, parser, description + RELOADS, true));
  }

  private static <T> Setting<T> declare(Setting<T> setting) {
    declared.add(setting);
    return setting;
  }
}
