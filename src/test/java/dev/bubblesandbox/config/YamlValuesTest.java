package dev.bubblesandbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

class YamlValuesTest {

  private static Object read(String document) {
    return YamlValues.read(new StringReader(document));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "a: 0", "a: 12", "a: -12", "a: +12", "a: 1_000_000", "a: 0b1010", "a: -0b1", "a: 0x1F", "a: 0x_ff",
      "a: -0x10", "a: 017", "a: 190:20:30", "a: -1:30", "a: 2147483647", "a: 2147483648", "a: -2147483648",
      "a: -2147483649", "a: 9223372036854775807", "a: 9223372036854775808", "a: 123456789012345678901234567890",
      "a: 1.0", "a: -1.5", "a: +12.5", "a: 1_000.25", "a: 6.8523015e+5", "a: .5", "a: .inf", "a: -.Inf",
      "a: +.INF", "a: .NaN", "a: 190:20:30.15",
      "a: yes", "a: No", "a: TRUE", "a: off", "a: On", "a: false",
      "a:", "a: ~", "a: null", "a: Null",
      "a: hello", "a: '12'", "a: \"\"", "a: 127.0.0.1", "a: 1e3", "a: 0o17", "a: .", "a: 1_", "a: 12 # a comment",
      "a: !!str 12", "a: !!int '12'", "a: !!float '1'", "a: !!bool 'yes'",
      "a: [\".txt\", 1, true, null, 2.5]", "a:\n  - x\n  - 2\n  - [3, {b: c}]", "a: {b: 1, c: [d]}",
      "x: &anchor 5\ny: *anchor", "- a\n- b", "just text", "42", "", "# only a comment\n",
      "max_sessions: 50\nhttp_host: 127.0.0.1\ncpu_limit: 1.0\napi_key: \"\"\nallowed_extensions: [\".txt\", \".csv\"]\n",
  })
  @DisplayName("a document reads to what SnakeYAML's safe constructor makes of it")
  void sameAsSafeConstructor(String document) {
    Object expected = new Yaml(new SafeConstructor(new LoaderOptions())).load(document);
    assertThat(read(document)).isEqualTo(expected);
    if (expected instanceof Map<?, ?> map && map.get("a") != null) {
      assertThat(((Map<?, ?>) read(document)).get("a")).hasSameClassAs(map.get("a"));
    }
  }

  @Test
  @DisplayName("a date or other typed scalar is kept as its text")
  void otherTagsAsText() {
    assertThat(read("a: 2001-12-14\nb: !!binary aGk=")).isEqualTo(Map.of("a", "2001-12-14", "b", "aGk="));
  }

  @Test
  @DisplayName("a self-referencing alias is refused, not followed forever")
  void recursionRefused() {
    assertThatThrownBy(() -> read("&a [*a]")).isInstanceOf(YAMLException.class).hasMessageContaining("nested deeper");
  }

  @Test
  @DisplayName("what is not YAML is refused as the parser says")
  void notYaml() {
    assertThatThrownBy(() -> read("a: [1, 2")).isInstanceOf(YAMLException.class);
    assertThat(read("a:\n  - 1\n  - 2")).isEqualTo(Map.of("a", List.of(1, 2)));
  }
}
