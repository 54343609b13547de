package dev.bubblesandbox.session.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.sandbox.SandboxUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload is on disk before it is acknowledged: {@link WorkspaceFiles#place} fsyncs the file's
 * data and then the directory that names it. A power cut cannot be staged in a test, so the
 * system calls are watched instead, with strace, in a JVM of their own.
 */
class UploadDurabilityIT {

  @TempDir Path dir;

  /** Run under strace by the test: places {@code args[0]} at {@code args[1]}. */
  public static void main(String[] args) {
    new WorkspaceFiles(SandboxUser.forCurrentProcess(65534), List.of(".txt"))
        .place(Path.of(args[0]), Path.of(args[1]));
  }

  @Test
  @DisplayName("place() fsyncs the received file and then the target's directory")
  void placeSyncs() throws Exception {
    Path received = Files.writeString(dir.resolve(".upload-1"), "data").toRealPath();
    Path workspace = Files.createDirectories(dir.resolve("workspace")).toRealPath();
    Path target = workspace.resolve("data.txt");
    Path trace = dir.resolve("strace.txt");
    Process process = new ProcessBuilder("strace", "-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2",
        "-o", trace.toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), UploadDurabilityIT.class.getName(),
        received.toString(), target.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
    assertThat(target).hasContent("data");

    String root = dir.toRealPath().toString();
    List<String> calls = Files.readAllLines(trace).stream()
        .map(line -> line.replaceFirst("^\\d+ +", ""))
        .filter(line -> line.contains(root))
        .toList();
    int fileSynced = indexOf(calls, "fsync(", received + ">");
    int renamed = indexOf(calls, "rename", "data.txt");
    int directorySynced = indexOf(calls, "fsync(", workspace + ">");
    assertThat(fileSynced).as("the data synced: %s", calls).isNotNegative();
    assertThat(renamed).as("moved into place after: %s", calls).isGreaterThan(fileSynced);
    assertThat(directorySynced).as("its directory synced after: %s", calls).isGreaterThan(renamed);
  }

  private static int indexOf(List<String> calls, String call, String argument) {
    for (int i = 0; i < calls.size(); i++) {
      if (calls.get(i).startsWith(call) && calls.get(i).contains(argument)) {
        return i;
      }
    }
    return -1;
  }
}
