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
      3. the command line's own options, such as `serve --port N` for `http_port`.

      The server layers them with vertx-config; the CLI reads the same file and variables without
      starting Vert.x. An invalid value, or an unknown key in the file, stops start-up with one line
      naming it. An unknown `BUBBLE_SANDBOX_*` variable is only a warning, with the setting it may
      have meant (`did you mean BUBBLE_SANDBOX_MAX_SESSIONS?`), since other programs share the
      environment. A relative path is taken from the install directory, not the current one (see
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
