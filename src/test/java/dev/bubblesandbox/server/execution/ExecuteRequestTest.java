package dev.bubblesandbox.server.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.limits.ResourceLimits;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An execute request's validation: one program, known fields, limits that only go down. */
class ExecuteRequestTest {

  private static final ExecutionLimits MAX = new ExecutionLimits(Duration.ofSeconds(30), 1 << 20, 64L << 20, 100L << 20,
      new ResourceLimits(512L << 20, 128, 1.0));

  private static ExecuteRequest parse(String json) {
    return ExecuteRequest.parse(new JsonObject(json), MAX, false, Set.of());
  }

  private static ExecuteRequest parseOneShot(String json) {
    return ExecuteRequest.parse(new JsonObject(json), MAX, true, Set.of());
  }

  @Test
  @DisplayName("a script alone takes the configured limits, empty stdin and no environment")
  void defaults() {
    ExecuteRequest request = parse("{\"script\": \"print(1)\"}");
    assertThat(request.stdin()).isEmpty();
    assertThat(request.limits()).isEqualTo(MAX);
    assertThat(request.environment()).isEmpty();
  }

  @Test
  @DisplayName("timeout, memory, pids and cpu may be lowered")
  void lowered() {
    ExecuteRequest request = parse("{\"shell\": \"true\", \"stdin\": \"in\", \"timeout_seconds\": 5,"
        + " \"memory_limit_bytes\": 1048576, \"pids_limit\": 8, \"cpu_limit\": 0.5}");
    assertThat(request.stdin()).isEqualTo("in");
    assertThat(request.limits().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(request.limits().resources()).isEqualTo(new ResourceLimits(1 << 20, 8, 0.5));
    assertThat(request.limits().maxOutputBytes()).isEqualTo(MAX.maxOutputBytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"script\": \"1\", \"timeout_seconds\": 31}",
      "{\"script\": \"1\", \"memory_limit_bytes\": 536870913}",
      "{\"script\": \"1\", \"pids_limit\": 129}",
      "{\"script\": \"1\", \"cpu_limit\": 1.5}"})
  @DisplayName("a limit above the configured maximum is refused, not capped")
  void neverRaised(String json) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(BubbleSandboxException.class)
        .hasMessageContaining("may lower, never raise");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"script\": \"1\", \"timeout_seconds\": 0}",
      "{\"script\": \"1\", \"timeout_seconds\": -3}",
      "{\"script\": \"1\", \"timeout_seconds\": 1.5}",
      "{\"script\": \"1\", \"timeout_seconds\": \"5\"}",
      "{\"script\": \"1\", \"cpu_limit\": 0}",
      "{\"script\": \"1\", \"cpu_limit\": \"all\"}"})
  @DisplayName("a limit that is not a positive number is refused")
  void notPositive(String json) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(BubbleSandboxException.class)
        .hasMessageContaining("must be a positive");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"script\": \"1\", \"shell\": \"true\"}",
      "{\"shell\": \"true\", \"command\": [\"true\"]}"})
  @DisplayName("exactly one of script, shell or command")
  void exactlyOneProgram(String json) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(BubbleSandboxException.class)
        .hasMessageContaining("exactly one of");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"command\": []}", "{\"command\": \"ls -l\"}", "{\"command\": [\"ls\", 1]}"})
  @DisplayName("command is a non-empty array of strings")
  void commandShape(String json) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(BubbleSandboxException.class)
        .hasMessageContaining("non-empty array of strings");
  }

  @Test
  @DisplayName("strings: the program may not hold NUL characters, stdin may; other types are refused")
  void strings() {
    assertThatThrownBy(() -> parse("{\"script\": \"print(1)\\u0000\"}"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("NUL");
    assertThat(parse("{\"script\": \"1\", \"stdin\": \"a\\u0000b\"}").stdin()).isEqualTo("a\0b");
    assertThatThrownBy(() -> parse("{\"script\": 1}"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("'script' must be a string");
  }

  @Test
  @DisplayName("unknown fields are refused; environment only where the caller allows it; extra fields by name")
  void fields() {
    assertThatThrownBy(() -> parse("{\"script\": \"1\", \"scirpt\": \"1\"}"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("Unknown field 'scirpt'");
    assertThatThrownBy(() -> parse("{\"script\": \"1\", \"environment\": \"bare\"}"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("Unknown field 'environment'");
    assertThat(parseOneShot("{\"script\": \"1\", \"environment\": \"bare\"}").environment())
        .isEqualTo(Optional.of("bare"));
    assertThat(ExecuteRequest.parse(new JsonObject("{\"type\": \"execute\", \"script\": \"1\"}"), MAX, false,
        Set.of("type")).stdin()).isEmpty();
  }

  @Test
  @DisplayName("a NUL in a command argument is the client's mistake, said as such (not a launch failure)")
  void nulInCommand() {
    assertThatThrownBy(() -> parse("{\"command\": [\"echo\", \"a\\u0000b\"]}"))
        .isInstanceOf(dev.bubblesandbox.RefusedException.class)
        .hasMessage("'command' arguments may not contain NUL characters.");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 4096, (1 << 20) - 1})
  @DisplayName("a memory limit too small for any sandbox is refused with the minimum, not tried")
  void memoryFloor(long bytes) {
    assertThatThrownBy(() -> parse("{\"script\": \"1\", \"memory_limit_bytes\": " + bytes + "}"))
        .isInstanceOf(BubbleSandboxException.class)
        .satisfies(e -> assertThat(((BubbleSandboxException) e).code()).isEqualTo(dev.bubblesandbox.ErrorCode.INVALID_REQUEST))
        .hasMessageContaining("at least " + ExecuteRequest.MIN_MEMORY_BYTES);
    assertThat(parse("{\"script\": \"1\", \"memory_limit_bytes\": 1048576}").limits().resources().memoryBytes())
        .isEqualTo(ExecuteRequest.MIN_MEMORY_BYTES);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  @DisplayName("a pids limit too small for bwrap and its init is refused with the minimum, not tried")
  void pidsFloor(int pids) {
    assertThatThrownBy(() -> parse("{\"script\": \"1\", \"pids_limit\": " + pids + "}"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("at least " + ExecuteRequest.MIN_PIDS);
    assertThat(parse("{\"script\": \"1\", \"pids_limit\": 4}").limits().resources().maxTasks()).isEqualTo(4);
  }
}
