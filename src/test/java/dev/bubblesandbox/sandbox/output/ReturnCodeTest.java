package dev.bubblesandbox.sandbox.output;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The one conversion between shell-style statuses and return codes. */
class ReturnCodeTest {

  @ParameterizedTest(name = "bwrap status {0} -> return code {1}")
  @CsvSource({
      "0, 0",
      "1, 1",
      "3, 3",
      "128, 128",
      "129, -1",
      "137, -9",
      "143, -15",
      "192, -64",
      "193, 193",
      "255, 255"
  })
  @DisplayName("bwrap's 128+N for a child killed by signal N becomes -N, other statuses stay")
  void returnCodeMapping(int bwrapStatus, int expected) {
    assertThat(ReturnCode.fromShellStatus(bwrapStatus)).isEqualTo(expected);
  }

  @Test
  @DisplayName("The CLI exits with the shell status again: every status 0..255 comes back unchanged")
  void shellStatusRoundTrip() {
    for (int status = 0; status <= 255; status++) {
      assertThat(ReturnCode.toShellStatus(ReturnCode.fromShellStatus(status))).as("status %d", status)
          .isEqualTo(status);
    }
    assertThat(ReturnCode.KILLED).isEqualTo(-9);
    assertThat(ReturnCode.toShellStatus(ReturnCode.KILLED)).isEqualTo(137);
  }
}
