package dev.bubblesandbox.cli.repl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the repl's history goes, and that it goes nowhere rather than fail. */
class HistoryFileTest {

  @TempDir Path dir;

  @Test
  @DisplayName("XDG_STATE_HOME first, then ~/.local/state; the directory is made")
  void stateDirectory() {
    assertThat(HistoryFile.in(Map.of("XDG_STATE_HOME", dir.resolve("state").toString(), "HOME", "/nonexistent")))
        .contains(dir.resolve("state/bubble-sandbox/repl_history"));
    assertThat(HistoryFile.in(Map.of("HOME", dir.toString())))
        .contains(dir.resolve(".local/state/bubble-sandbox/repl_history"));
    assertThat(dir.resolve(".local/state/bubble-sandbox")).isDirectory();
  }

  @Test
  @DisplayName("no history file without a home, or where the directory cannot be made")
  void none() throws Exception {
    assertThat(HistoryFile.in(Map.of())).isEmpty();
    assertThat(HistoryFile.in(Map.of("HOME", "relative"))).isEmpty();
    Files.writeString(dir.resolve("file"), "");
    assertThat(HistoryFile.in(Map.of("XDG_STATE_HOME", dir.resolve("file").toString()))).isEmpty();
  }
}
