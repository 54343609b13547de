package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.config.InvalidSettingException;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The server's settings: the same layers, lookup and validation as the CLI's, through vertx-config. */
@ExtendWith(VertxExtension.class)
class ServerConfigTest {

  @TempDir Path dir;

  @Test
  @DisplayName("defaults, then the file, then BUBBLE_SANDBOX_* variables, then the command line's overrides")
  void layers(Vertx vertx, VertxTestContext testContext) throws IOException {
    Path file = Files.writeString(dir.resolve("config.yaml"),
        "max_sessions: 7\nexecution_timeout_seconds: 9\nhttp_port: 9000\n");

    ServerConfig.load(vertx, Optional.of(file), Map.of("BUBBLE_SANDBOX_MAX_SESSIONS", "3",
            "BUBBLE_SANDBOX_HTTP_PORT", "9001", "UNRELATED_VARIABLE", "ignored"), Map.of("http_port", 0))
        .onComplete(testContext.succeeding(settings -> testContext.verify(() -> {
          assertThat(settings.maxSessions()).isEqualTo(3);
          assertThat(settings.executionTimeoutSeconds()).isEqualTo(9);
          assertThat(settings.httpPort()).isZero();
          assertThat(settings.sessionIdleTimeoutSeconds()).isEqualTo(Settings.defaults().sessionIdleTimeoutSeconds());
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("each store over the one below: file < BUBBLE_SANDBOX_* < bubble-sandbox.* property < command line, as in the CLI")
  void precedence(Vertx vertx, VertxTestContext testContext) throws IOException {
    // Each setting is named by every store up to the one that must win.
    Path file = Files.writeString(dir.resolve("config.yaml"),
        "execution_timeout_seconds: 1\nmax_sessions: 1\npids_limit: 1\nhttp_port: 1\n");
    Map<String, String> environment = Map.of("BUBBLE_SANDBOX_MAX_SESSIONS", "2", "BUBBLE_SANDBOX_PIDS_LIMIT", "2",
        "BUBBLE_SANDBOX_HTTP_PORT", "2");
    Properties properties = new Properties();
    properties.setProperty("bubble-sandbox.pids_limit", "3");
    properties.setProperty("bubble-sandbox.http_port", "3");
    properties.setProperty("java.version", "not a setting: other properties are left alone");
    Settings cli = SettingsLoader.load(Optional.of(file), environment, properties);

    ServerConfig.load(vertx, Optional.of(file), environment, properties, Map.of("http_port", 4))
        .onComplete(testContext.succeeding(settings -> testContext.verify(() -> {
          assertThat(settings.executionTimeoutSeconds()).isEqualTo(1);
          assertThat(settings.maxSessions()).isEqualTo(2);
          assertThat(settings.pidsLimit()).isEqualTo(3);
          assertThat(settings.httpPort()).isEqualTo(4);
          assertThat(List.of(cli.executionTimeoutSeconds(), cli.maxSessions(), cli.pidsLimit())).containsExactly(1, 2, 3);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a file that is not YAML, or not a mapping, is refused with one line naming it")
  void notYaml(Vertx vertx, VertxTestContext testContext) throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "max_sessions: [1\n");
    Path list = Files.writeString(dir.resolve("list.yaml"), "- max_sessions\n");

    ServerConfig.load(vertx, Optional.of(broken), Map.of(), Map.of())
        .onComplete(testContext.failing(failure -> testContext.verify(() ->
            assertThat(failure).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Configuration file " + broken + " is not a YAML mapping: ")
                .hasMessageNotContaining("\n"))))
        .recover(ignored -> ServerConfig.load(vertx, Optional.of(list), Map.of(), Map.of()))
        .onComplete(testContext.failing(failure -> testContext.verify(() -> {
          assertThat(failure).isInstanceOf(InvalidSettingException.class)
              .hasMessage("Configuration file " + list + " is not a YAML mapping: the document is not a mapping "
                  + "of setting names to values");
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("the server reads a file and variables into exactly the settings the CLI reads")
  void sameAsCli(Vertx vertx, VertxTestContext testContext) throws IOException {
    Path file = Files.writeString(dir.resolve("config.yaml"), """
        allowed_extensions: [".CSV", ".png"]
        cpu_limit: 0.5
        max_upload_size_bytes: 4294967296
        allow_persistent_sessions: false
        api_key: "0123456789abcdef"
        log_level: debug
        python: 2020-01-01
        """);
    Map<String, String> environment = Map.of("BUBBLE_SANDBOX_CORS_ALLOWED_ORIGINS", "[\"https://a.example\"]",
        "BUBBLE_SANDBOX_ALLOW_UNLIMITED", "TRUE");
    Settings cli = SettingsLoader.load(Optional.of(file), environment);

    ServerConfig.load(vertx, Optional.of(file), environment, Map.of())
        .onComplete(testContext.succeeding(settings -> testContext.verify(() -> {
          assertThat(settings).isEqualTo(cli);
          assertThat(settings.allowedExtensions()).isEqualTo(List.of(".csv", ".png"));
          assertThat(settings.corsAllowedOrigins()).isEqualTo(List.of("https://a.example"));
          assertThat(settings.maxUploadSizeBytes()).isEqualTo(4_294_967_296L);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("conf/config.yaml gives the built-in defaults")
  void shippedFileIsTheDefaults(Vertx vertx, VertxTestContext testContext) {
    ServerConfig.load(vertx, Optional.of(Path.of("conf", "config.yaml")), Map.of(), Map.of())
        .onComplete(testContext.succeeding(settings -> testContext.verify(() -> {
          assertThat(settings).isEqualTo(Settings.defaults());
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("an unknown BUBBLE_SANDBOX_ variable does not stop the server (it logs a warning, as the CLI prints one)")
  void unknownVariable(Vertx vertx, VertxTestContext testContext) {
    ServerConfig.load(vertx, Optional.empty(), Map.of("BUBBLE_SANDBOX_MAX_SESION", "3",
            "BUBBLE_SANDBOX_URL", "http://127.0.0.1:8080"), Map.of())
        .onComplete(testContext.succeeding(settings -> testContext.verify(() -> {
          assertThat(settings.maxSessions()).isEqualTo(Settings.defaults().maxSessions());
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a -c file that does not exist, or a value out of range, fails with the CLI's one line")
  void sameRefusals(Vertx vertx, VertxTestContext testContext) throws IOException {
    Path missing = dir.resolve("absent.yaml");
    Path huge = Files.writeString(dir.resolve("config.yaml"), "max_output_bytes: 18446744073709551621\n");

    ServerConfig.load(vertx, Optional.of(missing), Map.of(), Map.of())
        .onComplete(testContext.failing(failure -> testContext.verify(() ->
            assertThat(failure).isInstanceOf(InvalidSettingException.class)
                .hasMessage("Configuration file " + missing + " does not exist."))))
        .recover(ignored -> ServerConfig.load(vertx, Optional.of(huge), Map.of(), Map.of()))
        .onComplete(testContext.failing(failure -> testContext.verify(() -> {
          assertThat(failure).isInstanceOf(InvalidSettingException.class)
              .hasMessageContaining("max_output_bytes (BUBBLE_SANDBOX_MAX_OUTPUT_BYTES)")
              .hasMessageContaining("18446744073709551621");
          testContext.completeNow();
        })));
  }
}
