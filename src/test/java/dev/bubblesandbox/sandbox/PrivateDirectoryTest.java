package dev.bubblesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.sandbox.limits.RunOwner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up removes crashed runs' private directories, and nothing it could be tricked into. */
class PrivateDirectoryTest {

  private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
  /** A pid above Linux's pid_max: never a live process. */
  private static final String CRASHED = "bubble-sandbox-99999999.170000-";

  @Test
  @DisplayName("A crashed run's directory goes; a live run's, a foreign-mode one and a link stay")
  void removesOnlyWhatIsSafelyStale(@TempDir Path elsewhere) throws Exception {
    Path crashed = privateDir(CRASHED + "1", "rwx------");
    Files.writeString(crashed.resolve("l1.sh"), "exec true\n");
    Path open = privateDir(CRASHED + "2", "rwxr-xr-x");
    Path live = privateDir("bubble-sandbox-" + RunOwner.TOKEN + "-3", "rwx------");
    Path victim = Files.writeString(elsewhere.resolve("keep"), "data");
    Path link = Files.createSymbolicLink(TMP.resolve(CRASHED + "4"), elsewhere);
    try {
      PrivateDirectory.removeStale();
      assertThat(crashed).doesNotExist();
      assertThat(open).isDirectory();
      assertThat(live).isDirectory();
      assertThat(link).isSymbolicLink();
      assertThat(victim).hasContent("data");
    } finally {
      for (Path path : new Path[] {crashed, open, live, link}) {
        if (Files.isSymbolicLink(path)) {
          Files.delete(path);
        } else {
          HostFiles.deleteRecursively(path);
        }
      }
    }
  }

  @Test
  @DisplayName("Names without a run token are never taken for stale")
  void tokens() {
    assertThat(RunOwner.tokenOf("bubble-sandbox-test-123", "bubble-sandbox-")).isEmpty();
    assertThat(RunOwner.tokenOf("l12.34-5", "l")).contains("12.34");
    assertThat(RunOwner.tokenOf("stale-group", "l")).isEmpty();
    assertThat(RunOwner.alive(RunOwner.TOKEN)).isTrue();
    assertThat(RunOwner.alive("99999999.170000")).isFalse();
    assertThat(RunOwner.alive(ProcessHandle.current().pid() + ".1")).isFalse();
  }

  private static Path privateDir(String name, String mode) throws Exception {
    return Files.createDirectory(TMP.resolve(name),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
  }
}
