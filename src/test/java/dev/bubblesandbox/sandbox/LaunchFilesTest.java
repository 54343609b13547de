package dev.bubblesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchFilesTest {

  @TempDir
  Path directory;

  @Test
  @DisplayName("writes the command and the source as new files, reads bwrap's status, deletes all three")
  void lifecycle() throws Exception {
    LaunchFiles files = LaunchFiles.in(directory, "l1");
    files.write(Optional.of("print(1)"), "exec true\n");
    assertThat(Files.readString(files.command())).isEqualTo("exec true\n");
    assertThat(Files.readString(files.source())).isEqualTo("print(1)");
    assertThat(files.programExecuted()).as("no status yet").isFalse();
    Files.writeString(files.status(), "{\"child-pid\": 5}");
    assertThat(files.programExecuted()).isFalse();
    Files.writeString(files.status(), "{\"child-pid\": 5}\n{\"exit-code\": 0}");
    assertThat(files.programExecuted()).isTrue();
    // A launch's files are never reused: a leftover one is an error, not overwritten.
    assertThatThrownBy(() -> files.write(Optional.empty(), "again")).isInstanceOf(FileAlreadyExistsException.class);
    files.delete();
    try (var left = Files.list(directory)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  @DisplayName("a program without a source writes no source file")
  void noSource() throws Exception {
    LaunchFiles files = LaunchFiles.in(directory, "l2");
    files.write(Optional.empty(), "exec true\n");
    assertThat(files.source()).doesNotExist();
    files.delete();
  }
}
