package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.HostFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/bubble-sandbox setup} on a machine that lacks a Debian package the server needs, run
 * by a user who cannot install it: it installs nothing, prints the one apt-get line that would,
 * and fails. (As root it installs the package; {@code bin/test} runs it so on CI.)
 */
class MachineSetupIT {

  @TempDir Path temporary;

  @Test
  @DisplayName("Not as root, setup prints the one apt-get line for what is missing and exits 1")
  void printsTheAptGetLine() throws Exception {
    // A PATH of /usr/bin without bwrap: bubblewrap is what this machine "lacks".
    Path tools = Files.createDirectory(temporary.resolve("tools"));
    try (Stream<Path> commands = Files.list(Path.of("/usr/bin"))) {
      for (Path command : (Iterable<Path>) commands::iterator) {
        if (!command.getFileName().toString().equals("bwrap")) {
          Files.createSymbolicLink(tools.resolve(command.getFileName()), command);
        }
      }
    }
    // The launcher and the script it runs, copied where the unprivileged uid can read them.
    Path bin = Files.createDirectories(temporary.resolve("checkout/bin"));
    for (String script : List.of("bubble-sandbox", "machine-setup")) {
      Files.copy(Path.of("bin", script), bin.resolve(script));
    }
    for (Path directory : List.of(temporary, tools, bin.getParent(), bin)) {
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    List<String> command = new ArrayList<>();
    if (HostFiles.currentUid() == 0) {
      command.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    }
    command.addAll(List.of("/usr/bin/env", "-i", "PATH=" + tools + ":/usr/sbin:/sbin", "HOME=" + temporary,
        bin.resolve("bubble-sandbox").toString(), "setup"));
    Process setup = new ProcessBuilder(command).directory(temporary.toFile())
        .redirectError(temporary.resolve("stderr").toFile()).start();
    String stdout = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(setup.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // Removed here: @TempDir would warn about each link to outside it as it deletes it.
    try (Stream<Path> links = Files.list(tools)) {
      for (Path link : (Iterable<Path>) links::iterator) {
        Files.delete(link);
      }
    }
    String stderr = Files.readString(temporary.resolve("stderr"));

    assertThat(setup.exitValue()).as(stderr).isEqualTo(1);
    assertThat(stdout).isEqualTo("apt-get update && apt-get install -y bubblewrap\n");
    assertThat(stderr).contains("missing Debian packages: bubblewrap");
    assertThat(bin.getParent().resolve("target")).as("nothing built").doesNotExist();
  }
}
