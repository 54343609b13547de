package dev.bubblesandbox.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} is exactly what {@link ConfigurationPage} makes of the settings
 * table. After changing a setting, regenerate the page:
 * {@code mvn -B test -Dtest=ConfigurationPageTest -Dregenerate=true}.
 */
class ConfigurationPageTest {

  private static final Path PAGE = Path.of("docs", "configuration.md");

  @Test
  @DisplayName("docs/configuration.md is what SettingsTable generates (-Dregenerate=true rewrites it)")
  void pageIsGenerated() throws IOException {
    String generated = ConfigurationPage.render();
    if (Boolean.getBoolean("regenerate")) {
      Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(PAGE, StandardCharsets.UTF_8))
        .as("%s is stale: run mvn -B test -Dtest=ConfigurationPageTest -Dregenerate=true", PAGE)
        .isEqualTo(generated);
  }
}
