package dev.bubblesandbox.sandbox.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The runner's event lines, well-formed and hostile: user code can write any bytes there. */
class KernelProtocolTest {

  @Test
  @DisplayName("each event type parses")
  void parsesEvents() throws Exception {
    assertThat(KernelProtocol.parse("{\"type\":\"ready\",\"ipython\":true}").ipython()).isTrue();
    KernelEvent stream = KernelProtocol.parse("{\"type\":\"stream\",\"name\":\"stderr\",\"text\":\"é\\n\"}");
    assertThat(stream.stderr()).isTrue();
    assertThat(stream.text()).isEqualTo("é\n");
    KernelEvent display = KernelProtocol.parse(
        "{\"type\":\"display\",\"data\":{\"text/plain\":\"1\",\"application/json\":{\"a\":[1,2]}}}");
    assertThat(display.type()).isEqualTo(KernelEvent.Type.DISPLAY);
    assertThat(display.bundle()).containsEntry("text/plain", "1")
        .containsEntry("application/json", Map.of("a", List.of(1, 2)));
    KernelEvent error = KernelProtocol.parse(
        "{\"type\":\"error\",\"name\":\"E\",\"value\":\"v\",\"traceback\":[\"a\",\"b\"]}");
    assertThat(error.error()).isEqualTo(new KernelError("E", "v", List.of("a", "b")));
    assertThat(KernelProtocol.parse("{\"type\":\"done\",\"execution_count\":7}").executionCount()).isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{\"type\":\"done\"", "[1,2]", "42", "null",
      "{\"type\":\"nope\"}", "{\"type\":7}", "{}", "{\"type\":\"stream\",\"name\":\"stdin\",\"text\":\"x\"}",
      "{\"type\":\"stream\",\"name\":\"stdout\"}", "{\"type\":\"display\",\"data\":\"x\"}",
      "{\"type\":\"error\",\"name\":\"E\",\"value\":\"v\",\"traceback\":[1]}",
      "{\"type\":\"done\",\"execution_count\":-1}", "{\"type\":\"done\",\"execution_count\":1.5}",
      "{\"type\":\"done\",\"execution_count\":99999999999}", "{\"type\":\"done\",\"execution_count\":\"1\"}",
      "{\"type\":\"result\",\"data\":{\"x\":NaN}}", "\u0000\u0001\u00ff"})
  @DisplayName("a line that is no well-formed event is a violation, never another exception")
  void refusesMalformedLines(String line) {
    assertThatThrownBy(() -> KernelProtocol.parse(line)).isInstanceOf(KernelProtocol.Violation.class);
  }

  @Test
  @DisplayName("JSON nested deeper than a bundle needs is a violation")
  void refusesDeepNesting() {
    String deep = "{\"type\":\"result\",\"data\":{\"application/json\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}}";
    assertThatThrownBy(() -> KernelProtocol.parse(deep)).isInstanceOf(KernelProtocol.Violation.class);
  }

  @Test
  @DisplayName("lines are split at newlines; a partial last line is dropped")
  void splitsLines() throws Exception {
    KernelProtocol.Lines lines = new KernelProtocol.Lines(input("a\n\nbé\npartial"), 100);
    assertThat(lines.next()).isEqualTo("a");
    assertThat(lines.next()).isEqualTo("");
    assertThat(lines.next()).isEqualTo("bé");
    assertThat(lines.next()).isNull();
  }

  @Test
  @DisplayName("a line longer than the bound is a violation, found without holding it whole")
  void refusesHugeLine() throws Exception {
    KernelProtocol.Lines lines = new KernelProtocol.Lines(input("ok\n" + "x".repeat(1_000_000) + "\n"), 1000);
    assertThat(lines.next()).isEqualTo("ok");
    assertThatThrownBy(lines::next).isInstanceOf(KernelProtocol.Violation.class).hasMessageContaining("1000");
  }

  @Test
  @DisplayName("a line exactly at the bound passes")
  void acceptsLineAtBound() throws Exception {
    KernelProtocol.Lines lines = new KernelProtocol.Lines(input("y".repeat(70_000) + "\n"), 70_000);
    assertThat(lines.next()).hasSize(70_000);
  }

  @Test
  @DisplayName("the bound of a line follows max_inline_result_bytes: 2 x + 64 KiB")
  void boundFollowsSetting() {
    assertThat(KernelProtocol.maxLineBytes(1 << 20)).isEqualTo(2L * (1 << 20) + 65536);
  }

  @Test
  @DisplayName("the execute command is one line of JSON, whatever the code holds")
  void executeIsOneLine() throws IOException {
    String line = KernelProtocol.execute("print('a')\n\"\u2028\u0000", null);
    assertThat(line).endsWith("\n").doesNotContain("\n\"");
    assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
    JsonNode parsed = new ObjectMapper().readTree(line);
    assertThat(parsed.get("code").asText()).isEqualTo("print('a')\n\"\u2028\u0000");
    assertThat(parsed.get("stdin").isNull()).isTrue();
  }

  @Test
  @DisplayName("a kernel result is the execution's fields, unwrapped, plus results, error, execution_count and kernel")
  void resultJson() throws IOException {
    ExecutionResult execution = new ExecutionResult("out", "", 0, false, false, 5, null, 1L, 2L,
        ExecutionResult.START_WARM);
    KernelResult result = new KernelResult(execution, List.of(Map.of("text/plain", "42", "is_main_result", true)),
        null, 2, KernelState.PRESERVED);
    JsonNode json = new ObjectMapper().valueToTree(result);
    assertThat(json.get("stdout").asText()).isEqualTo("out");
    assertThat(json.get("return_code").asInt()).isZero();
    assertThat(json.get("start").asText()).isEqualTo("warm");
    assertThat(json.has("execution")).isFalse();
    assertThat(json.get("results").get(0).get("text/plain").asText()).isEqualTo("42");
    assertThat(json.get("error").isNull()).isTrue();
    assertThat(json.get("execution_count").asInt()).isEqualTo(2);
    assertThat(json.get("kernel").asText()).isEqualTo("preserved");
    assertThat(new ObjectMapper().valueToTree(KernelState.RESTARTED).asText()).isEqualTo("restarted");
  }

  private static ByteArrayInputStream input(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
