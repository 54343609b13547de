package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a plain run loads: its start-up is most of a CLI run's time, so the fast path must not
 * pull in picocli or the logging framework (starting logback made a 270 ms run take 450 ms).
 */
class CliStartupIT {

  @Test
  @DisplayName("execute-python -a -s 'print(1)' loads neither picocli nor logback")
  void plainRunLoadsNoFramework() throws Exception {
    Path classLog = Files.createTempFile("cli-classes", ".log");
    try {
      CliProcess.Outcome outcome = LauncherShell.run(LauncherShell.PROJECT,
          Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog),
          "bubble-sandbox execute-python -a -s 'print(1)'");
      assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
      assertThat(outcome.stdout()).isEqualTo("1\n");
      List<String> loaded = Files.readAllLines(classLog);
      assertThat(loaded).as("classes loaded").hasSizeGreaterThan(100);
      assertThat(loaded).noneMatch(line -> line.contains(" picocli.") || line.contains(" ch.qos.logback.")
          || line.contains(" org.slf4j."));
    } finally {
      Files.deleteIfExists(classLog);
    }
  }
}
