package dev.bubblesandbox.config;

import java.util.stream.Collectors;

/**
 * {@code docs/configuration.md}, written from {@link SettingsTable}: the page is generated so that
 * it cannot drift from the settings the server reads. {@code ConfigurationPageTest} holds the file
 * to this text and rewrites it when run with {@code -Dregenerate=true}.
 */
final class ConfigurationPage {

  private static final String HEAD = """
      # Configuration

      <!-- Generated from config/SettingsTable by ConfigurationPageTest; do not edit by hand.
           Regenerate: mvn -B test -Dtest=ConfigurationPageTest -Dregenerate=true -->

      Every setting has a built-in default. Then, each over the one before:

      1. the YAML file: `conf/config.yaml` in the install directory, or the file given with
         `-c FILE`;
      2. `BUBBLE_SANDBOX_*` environment variables: the upper-cased key, e.g.
         `BUBBLE_SANDBOX_MAX_SESSIONS=10`; lists in JSON, `'[".txt", ".csv"]'`;
      3. `bubble-sandbox.*` system properties, e.g. `-Dbubble-sandbox.max_sessions=10` in
         `JAVA_OPTS`;
      4. the command line's own options, such as `serve --port N` for `http_port`.

      The server reads them through vertx-config's stores; the CLI layers the same sources in the
      same order without starting Vert.x. An invalid value, or an unknown key in the file, stops
      start-up with one line naming it.

      A running server rereads its file every `config_scan_period_ms` (a Kubernetes ConfigMap
      update reaches it so). The settings marked *reloads without a restart* below take effect at
      once: API keys and tenants, `max_sessions`, the limits and their maximums, warm pool sizes
      and the log level. Any other change is logged once as needing a restart, and a bad edit is
      refused with one log line while the settings in force stay, and so is a file left empty
      (write the file whole, by a rename, as Kubernetes does). Turning keys on or off needs a
      restart. A removed key is refused from the next request on; a console it opened stays open
      until it closes. A setting given by a variable or a property beats the file, so a key from a
      Kubernetes Secret (`BUBBLE_SANDBOX_API_KEY`) is not rotated by the ConfigMap: rotate keys
      with `api_keys` in the file.

      An unknown `BUBBLE_SANDBOX_*` variable or `bubble-sandbox.*` property is only a warning, with
      the setting it may have meant (`did you mean BUBBLE_SANDBOX_MAX_SESSIONS?`), since other
      programs share the environment. A relative path is taken from the install directory, not the current one (see
      [Command line](cli.md#paths)). `conf/config.yaml` writes every setting out with its default;
      a test checks it, and this page, against the one table the settings are declared in,
      `config/SettingsTable`.

      | setting | default | what |
      |---|---|---|
      """;

  private ConfigurationPage() {}

  /** The whole page, one table row per setting in the table's order. */
  static String render() {
    return HEAD + SettingsTable.ALL.stream()
        .map(setting -> "| `" + setting.key() + "` | `" + setting.defaultText() + "` | "
            + setting.description() + " |\n")
        .collect(Collectors.joining());
  }
}
