package dev.bubblesandbox.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvironmentNameTest {

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"bare", "pandas-only", "py3.12", "data_science", "A1", "x"})
  @DisplayName("names of letters, digits, '.', '_' and '-' are accepted as they are")
  void goodNames(String name) {
    assertThat(EnvironmentName.validate(name)).isEqualTo(name);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "..", "../etc", "a/b", "/abs", ".venv", ".", "a..b", "bare ",
      "ba\u0000re", "b\u00e4re", "a\\b"})
  @DisplayName("names that are empty, contain '..' or '/', or start with a dot are refused")
  void badNames(String name) {
    assertThatThrownBy(() -> EnvironmentName.validate(name))
        .isInstanceOf(InvalidEnvironmentNameException.class)
        .hasMessageContaining("Invalid environment name");
  }

  @Test
  @DisplayName("a null name and a name over 64 characters are refused")
  void nullAndTooLong() {
    assertThatThrownBy(() -> EnvironmentName.validate(null))
        .isInstanceOf(InvalidEnvironmentNameException.class);
    assertThatThrownBy(() -> EnvironmentName.validate("a".repeat(65)))
        .isInstanceOf(InvalidEnvironmentNameException.class);
    assertThat(EnvironmentName.validate("a".repeat(64))).hasSize(64);
  }
}
