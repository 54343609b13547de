package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The hand-written --json line is, byte for byte, what Jackson writes for the same result. */
class ResultJsonTest {

  static Stream<ExecutionResult> results() {
    StringBuilder controls = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      controls.append(c);
    }
    return Stream.of(
        new ExecutionResult("hello\n", "", 0, false, false, 21, null, null, null),
        new ExecutionResult("", "Traceback\n\t\"x\" \\ y\r\n", 1, false, false, 5, null, 12L, 3_710_976L),
        new ExecutionResult("partial", "", -9, true, true, 30_000, ExecutionResult.LIMIT_TIMEOUT, 29_000L, null),
        new ExecutionResult(controls + "\u007f", "café ☃ 😀 \u2028 </script>", 137, false, true, 0,
            ExecutionResult.LIMIT_OUTPUT, null, 1L).asWarm(null),
        new ExecutionResult("\uD800 lone", "\uDFFF", 0, false, false, Long.MAX_VALUE, "memory",
            Long.MAX_VALUE, Long.MIN_VALUE, null));
  }

  @ParameterizedTest
  @MethodSource("results")
  @DisplayName("same text as Jackson's ObjectMapper")
  void sameAsJackson(ExecutionResult result) throws Exception {
    assertThat(ResultJson.of(result)).isEqualTo(new ObjectMapper().writeValueAsString(result));
  }
}
