package dev.bubblesandbox.sandbox.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.sandbox.limits.ResourceControl;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ResultAssemblerTest {

  private static OutputCapture captured(String text, long maxBytes) {
    OutputCapture capture = new OutputCapture(maxBytes);
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    capture.accept(bytes, bytes.length);
    capture.finish();
    return capture;
  }

  @Test
  @DisplayName("a program that exited by itself: its status, no limit, the group's measurements")
  void exited() {
    ExecutionResult result = ResultAssembler.result(captured("out", 100), captured("err", 100), 3,
        false, 42, new ResourceControl.Usage(7L, 1024L, null));
    assertThat(result).isEqualTo(new ExecutionResult("out", "err", 3, false, false, 42, null, 7L, 1024L));
  }

  @Test
  @DisplayName("a timeout wins over a limit the group hit and over cut output, and reads as killed")
  void timeoutFirst() {
    ExecutionResult result = ResultAssembler.result(captured("0123456789", 4), captured("", 100), 137,
        true, 1000, new ResourceControl.Usage(null, null, "memory"));
    assertThat(result.limit()).isEqualTo(ExecutionResult.LIMIT_TIMEOUT);
    assertThat(result.returnCode()).isEqualTo(ReturnCode.KILLED);
    assertThat(result.timedOut()).isTrue();
    assertThat(result.truncated()).isTrue();
  }

  @Test
  @DisplayName("the group's limit comes before cut output; cut output is the limit when it is all")
  void limitOrder() {
    assertThat(ResultAssembler.result(captured("0123456789", 4), captured("", 100), 137, false, 5,
        new ResourceControl.Usage(null, null, "pids")).limit()).isEqualTo("pids");
    ExecutionResult cut = ResultAssembler.result(captured("", 100), captured("0123456789", 4), 0, false, 5,
        ResourceControl.Usage.NONE);
    assertThat(cut.limit()).isEqualTo(ExecutionResult.LIMIT_OUTPUT);
    assertThat(cut.stderr()).isEqualTo("0123");
  }

  @Test
  @DisplayName("status 128+N is read as signal N, once")
  void signal() {
    assertThat(ResultAssembler.result(captured("", 10), captured("", 10), 128 + 15, false, 1,
        ResourceControl.Usage.NONE).returnCode()).isEqualTo(-15);
  }

  @Test
  @DisplayName("only a launch that exited by itself without executing the program did not start")
  void notStarted() {
    assertThat(ResultAssembler.notStarted(false, 1, false)).isTrue();
    assertThat(ResultAssembler.notStarted(false, 1, true)).isFalse();
    assertThat(ResultAssembler.notStarted(true, 1, false)).isFalse();
    assertThat(ResultAssembler.notStarted(false, 137, false)).isFalse();
    assertThat(ResultAssembler.notStartedFailure(125, captured("bwrap: no\n", 100)))
        .hasMessage("The sandbox could not be started (exit 125): bwrap: no");
  }
}
