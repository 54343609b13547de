package dev.bubblesandbox.server;

import static net.logstash.logback.argument.StructuredArguments.kv;

import ch.qos.logback.classic.Level;
import dev.bubblesandbox.config.Setting;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsTable;
import dev.bubblesandbox.config.TrustChecks;
import dev.bubblesandbox.sandbox.warm.WarmPool;
import dev.bubblesandbox.server.web.LiveSettings;
import dev.bubblesandbox.server.web.ServerContext;
import io.vertx.config.ConfigRetriever;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a changed configuration file in force on a running server, for the settings that only
 * bound what comes next ({@link Setting#reloads()}): the keys, the limits, {@code max_sessions},
 * the warm pool's sizes and the log level. Every other changed setting is logged once as needing
 * a restart and keeps its value. In a cluster each node reloads its own file.
 *
 * <p>The new settings are swapped in whole ({@link LiveSettings}); the session bounds and the
 * warm pool follow on the server's blocking pool, since the pool may be busy starting a sandbox.
 */
final class SettingsReload {

  private static final Logger logger = LoggerFactory.getLogger(SettingsReload.class);

  /**
   * A key-less server and a keyed one install different checks on every request (Host names,
   * JSON only): switching between them waits for a restart, as a listening socket's settings do.
   */
  private static final Set<Setting<?>> KEYS = Set.of(SettingsTable.API_KEY, SettingsTable.API_KEYS);

  private final ServerContext context;
  private final WarmPool warm;
  private final String file;
  /** The values already logged as needing a restart, by key (blocking pool only). */
  private final Map<String, Object> warned = new HashMap<>();
  /** The last refusal logged: a bad file is read again at every scan, and logged once. */
  private volatile String lastRefusal;

  SettingsReload(ServerContext context, WarmPool warm, String file) {
    this.context = context;
    this.warm = warm;
    this.file = file;
  }

  /**
   * Rereads {@code sources} every {@code config_scan_period_ms} and puts what may change while the
   * server runs in force. The environment and the system properties cannot change in a running
   * process: without a file there is nothing to reread, and no retriever.
   */
  static Optional<ConfigRetriever> watch(Vertx vertx, ServerConfig.Sources sources, Settings settings,
      ServerContext context, WarmPool warm) {
    if (sources.file().isEmpty() || settings.configScanPeriodMs() == 0) {
      return Optional.empty();
    }
    SettingsReload reload = new SettingsReload(context, warm, sources.fileName());
    ConfigRetriever retriever = ServerConfig.watch(vertx, sources, settings.configScanPeriodMs());
    retriever.configStream()
        .exceptionHandler(reload::refused)
        .handler(config -> {
          Settings next;
          try {
            next = ServerConfig.settings(config);
          } catch (RuntimeException e) {
            reload.refused(e);
            return;
          }
          reload.offer(next);
        });
    return Optional.of(retriever);
  }

  /**
   * What a server running with {@code current} puts in force of {@code next}: the reloading
   * settings' new values, every other setting as it is.
   */
  static Settings inForce(Settings current, Settings next) {
    boolean keysSwitched = TrustChecks.hasKeys(current) != TrustChecks.hasKeys(next);
    return current.with(next, setting -> setting.reloads() && !(keysSwitched && KEYS.contains(setting)));
  }

  /** A new valid configuration, from the retriever's scan. */
  void offer(Settings next) {
    lastRefusal = null;
    context.blocking().executeBlocking(() -> {
      apply(next);
      return null;
    }).onFailure(failure -> logger.error("configuration file {}: applying the new settings failed", file, failure));
  }

  /** A configuration the retriever's scan refused: the settings in force stay. */
  void refused(Throwable failure) {
    String reason = ServerConfig.refusal(file, failure).getMessage();
    if (!reason.equals(lastRefusal)) {
      lastRefusal = reason;
      logger.error("configuration file {} refused, the settings in force stay: {}", file, reason);
    }
  }

  private synchronized void apply(Settings next) {
    if (emptied()) {
      // An editor that truncates before it writes, caught by a scan: all defaults, not a choice.
      refused(new IllegalStateException("the file is empty; write it whole (a rename, as Kubernetes"
          + " updates a ConfigMap) or leave a comment in it to mean all defaults"));
      return;
    }
    Settings current = context.live().settings();
    Settings taken = inForce(current, next);
    List<Setting<?>> waiting = next.changedFrom(taken);
    warned.keySet().removeIf(key -> waiting.stream().noneMatch(setting -> setting.key().equals(key)));
    for (Setting<?> setting : waiting) {
      Object value = next.get(setting);
      if (!warned.containsKey(setting.key()) || !Objects.equals(warned.get(setting.key()), value)) {
        warned.put(setting.key(), value);
        logger.warn("configuration file {}: {} changed; it takes effect at the next restart{}", file,
            setting.key(), KEYS.contains(setting)
                ? " (a running server takes new keys, but turns keys on or off only when it starts)" : "");
      }
    }
    List<Setting<?>> changed = taken.changedFrom(current);
    if (changed.isEmpty()) {
      return;
    }
    context.live().set(taken);
    context.sessions().rebound(taken.maxSessions(), context.api().tenantBounds());
    context.metrics().tenants(context.api().tenants());
    setLogLevel(taken);
    warm.resize(WorkerSettings.from(taken).warm(), context.limits());
    // Names only: a key's value is never logged.
    logger.info("configuration file {} reloaded", file, kv("changed", changed.stream().map(Setting::key).toList()));
  }

  /** Whether the file has become empty (0 bytes) since the server read it. */
  private boolean emptied() {
    try {
      return Files.size(Path.of(file)) == 0;
    } catch (IOException e) {
      return false; // gone: the file store has already said so, or will at the next scan
    }
  }

  /** Sets the root logger's level from {@code log_level}. */
  static void setLogLevel(Settings settings) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.toLevel(settings.logLevel()));
  }
}
