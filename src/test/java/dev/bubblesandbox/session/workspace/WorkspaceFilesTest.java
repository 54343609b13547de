package dev.bubblesandbox.session.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.sandbox.SandboxUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files API's rules inside one workspace, on a temporary directory, without bwrap. */
class WorkspaceFilesTest {

  private final WorkspaceFiles files =
      new WorkspaceFiles(SandboxUser.forCurrentProcess(65534), List.of(".py", ".csv"));

  @TempDir Path workspace;

  @Test
  @DisplayName("Extensions are checked case-insensitively against the allowed list")
  void extensions() {
    files.checkExtension("data.csv");
    files.checkExtension("MAIN.PY");
    assertThatThrownBy(() -> files.checkExtension("run.sh"))
        .isInstanceOfSatisfying(BubbleSandboxException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_EXTENSION))
        .hasMessageContaining("'.sh'").hasMessageContaining(".csv, .py");
    assertThatThrownBy(() -> files.checkExtension("Makefile"))
        .isInstanceOfSatisfying(BubbleSandboxException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_EXTENSION))
        .hasMessageContaining("'Makefile'");
  }

  @Test
  @DisplayName("A full disk anywhere in the cause chain reads as payload_too_large")
  void outOfSpace() {
    IOException full = new IOException("write failed: No space left on device");
    assertThat(WorkspaceFiles.outOfSpace(new UncheckedIOException(full))).isTrue();
    assertThat(WorkspaceFiles.outOfSpace(new IOException("Permission denied"))).isFalse();
    assertThat(WorkspaceFiles.quotaExceeded().code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
  }

  @Test
  @DisplayName("Listing gives regular files sorted by path; deleting a link leaves its target")
  void listAndDelete() throws IOException {
    Files.createDirectories(workspace.resolve("sub"));
    Files.writeString(workspace.resolve("sub/b.py"), "print(2)");
    Files.writeString(workspace.resolve("a.csv"), "x");
    Files.createSymbolicLink(workspace.resolve("link.py"), workspace.resolve("a.csv"));

    assertThat(files.list(workspace)).extracting(FileEntry::path).containsExactly("a.csv", "sub/b.py");

    files.delete(workspace, "link.py");
    assertThat(workspace.resolve("link.py")).doesNotExist();
    assertThat(workspace.resolve("a.csv")).exists();
    files.delete(workspace, "sub");
    assertThat(workspace.resolve("sub")).doesNotExist();
  }
}
