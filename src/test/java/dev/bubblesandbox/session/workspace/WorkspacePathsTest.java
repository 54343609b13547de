package dev.bubblesandbox.session.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.BubbleSandboxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Client-given paths resolved inside a workspace: names checked, links and FIFOs never followed. */
class WorkspacePathsTest {

  @TempDir Path workspace;

  @Test
  @DisplayName("a relative path splits into its names, UTF-8 names up to 255 bytes included")
  void names() {
    assertThat(WorkspacePaths.names("a/b c/d.txt")).containsExactly("a", "b c", "d.txt");
    assertThat(WorkspacePaths.names("ü".repeat(127) + "x")).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/etc/passwd", "../x", "a/../x", "./x", "a//b", "a/", "a\0b"})
  @DisplayName("empty, absolute, '..', '.', empty names and NUL bytes are refused as invalid paths")
  void refusedNames(String relative) {
    assertThatThrownBy(() -> WorkspacePaths.names(relative)).isInstanceOf(BubbleSandboxException.class)
        .hasMessageContaining("file path");
  }

  @Test
  @DisplayName("a name over 255 bytes is refused, counted in UTF-8 bytes, not characters")
  void longName() {
    assertThatThrownBy(() -> WorkspacePaths.names("ü".repeat(128)))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("255 bytes");
    assertThatThrownBy(() -> WorkspacePaths.names(null)).isInstanceOf(BubbleSandboxException.class);
  }

  @Test
  @DisplayName("an existing regular file is found through real directories")
  void existingFile() throws Exception {
    Path file = Files.writeString(Files.createDirectories(workspace.resolve("out")).resolve("r.txt"), "x");
    assertThat(WorkspacePaths.existingFile(workspace, "out/r.txt")).isEqualTo(file);
    assertThatThrownBy(() -> WorkspacePaths.existingFile(workspace, "out/missing.txt"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("No file 'out/missing.txt'");
    assertThatThrownBy(() -> WorkspacePaths.existingFile(workspace, "out"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("not a regular file");
  }

  @Test
  @DisplayName("a planted link is never followed: not as the file, not as a directory on the way")
  void links(@TempDir Path outside) throws Exception {
    Files.writeString(outside.resolve("secret"), "host data");
    Files.createSymbolicLink(workspace.resolve("out.txt"), outside.resolve("secret"));
    Files.createSymbolicLink(workspace.resolve("up"), outside);
    assertThatThrownBy(() -> WorkspacePaths.existingFile(workspace, "out.txt"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> WorkspacePaths.existingFile(workspace, "up/secret"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("symbolic link");
    assertThatThrownBy(() -> WorkspacePaths.targetForWrite(workspace, "up/new.txt", dir -> { }))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("symbolic link");
    assertThat(outside.resolve("new.txt")).doesNotExist();
    // the final link itself is returned as the link, for deletion
    assertThat(WorkspacePaths.existing(workspace, "out.txt")).isEqualTo(workspace.resolve("out.txt"));
  }

  @Test
  @DisplayName("a FIFO is not a regular file: never opened for reading")
  void fifo() throws Exception {
    Process mkfifo = new ProcessBuilder("mkfifo", workspace.resolve("pipe").toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    assertThatThrownBy(() -> WorkspacePaths.existingFile(workspace, "pipe"))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("not a regular file");
  }

  @Test
  @DisplayName("writing creates the missing directories, reports each one, and refuses a directory target")
  void targetForWrite() throws Exception {
    List<Path> created = new ArrayList<>();
    Path target = WorkspacePaths.targetForWrite(workspace, "a/b/c.txt", created::add);
    assertThat(target).isEqualTo(workspace.resolve("a/b/c.txt")).doesNotExist();
    assertThat(created).containsExactly(workspace.resolve("a"), workspace.resolve("a/b"));
    assertThat(workspace.resolve("a/b")).isDirectory();
    created.clear();
    WorkspacePaths.targetForWrite(workspace, "a/b/d.txt", created::add);
    assertThat(created).isEmpty();
    assertThatThrownBy(() -> WorkspacePaths.targetForWrite(workspace, "a/b", dir -> { }))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("is a directory");
    Files.writeString(workspace.resolve("file"), "x");
    assertThatThrownBy(() -> WorkspacePaths.targetForWrite(workspace, "file/x.txt", dir -> { }))
        .isInstanceOf(BubbleSandboxException.class).hasMessageContaining("a file");
  }
}
