package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.config.Settings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run as root, the CLI lends {@code -w DIR} and rw volumes to the sandbox uid and gives them
 * back: afterwards every entry, including what the script created, belongs to the directory's
 * owner as before the run, modes are what the script set, and nothing the script's links point
 * at is touched. Also when the run times out or the CLI is stopped by SIGTERM or SIGINT.
 */
class WorkDirOwnershipIT {

  /** The directories' owner: neither root nor the sandbox uid. */
  private static final int OWNER = 1234;
  private static final int SANDBOX_UID = Settings.defaults().sandboxUid();

  /**
   * Modifies a file, creates files and a directory, chmods a file, makes a setuid file, plants
   * links to /etc/passwd and /, a hard link, and writes into the rw volume; then says so.
   */
  private static final String SCRIPT = String.join("; ",
      "echo more >> modify.txt",
      "echo new > created.txt",
      "mkdir newdir && echo deep > newdir/deep.txt",
      "chmod 600 chmod.txt",
      "cp /bin/true setuid && chmod 4755 setuid",
      "ln -s /etc/passwd passwd-link",
      "ln -s / root-link",
      "ln modify.txt hard-link.txt",
      "echo out > /sandbox/volumes/out/result.txt",
      "echo started");

  @TempDir Path temp;
  private Path work;
  private Path out;
  private Snapshot passwd;
  private Snapshot root;

  /** Owner, mode and content of a file outside the directories. */
  private record Snapshot(Object uid, Object gid, Object mode, byte[] content) {
    static Snapshot of(Path path) throws IOException {
      return new Snapshot(Files.getAttribute(path, "unix:uid"), Files.getAttribute(path, "unix:gid"),
          Files.getAttribute(path, "unix:mode"), Files.isRegularFile(path) ? Files.readAllBytes(path) : new byte[0]);
    }

    void assertSame(Path path) throws IOException {
      Snapshot now = of(path);
      assertThat(now.uid).as(path + " owner").isEqualTo(uid);
      assertThat(now.gid).as(path + " group").isEqualTo(gid);
      assertThat(now.mode).as(path + " mode").isEqualTo(mode);
      assertThat(now.content).as(path + " content").isEqualTo(content);
    }
  }

  @BeforeEach
  void reachableTemp() throws IOException {
    assertThat(Files.getAttribute(Path.of("/proc/self"), "unix:uid")).as("this test runs as root").isEqualTo(0);
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** The script's links out of the temporary directory, removed so that its cleanup need not warn. */
  @AfterEach
  void removePlantedLinks() throws IOException {
    try (Stream<Path> paths = Files.walk(temp)) {
      for (Path path : paths.filter(Files::isSymbolicLink).toList()) {
        Files.delete(path);
      }
    }
  }

  /** A work dir and an rw volume dir under {@code temp/name}, all owned by {@link #OWNER}. */
  private void directories(String name) throws IOException {
    Path base = Files.createDirectory(temp.resolve(name));
    work = Files.createDirectory(base.resolve("work"));
    Files.writeString(work.resolve("modify.txt"), "original\n");
    Files.writeString(work.resolve("chmod.txt"), "c\n");
    Files.createDirectory(work.resolve("sub"));
    Files.writeString(work.resolve("sub/keep.txt"), "keep\n");
    out = Files.createDirectory(base.resolve("out"));
    for (Path dir : List.of(work, out)) {
      for (Path path : entries(dir)) {
        chown(path, OWNER);
      }
    }
    passwd = Snapshot.of(Path.of("/etc/passwd"));
    root = Snapshot.of(Path.of("/"));
  }

  private static List<Path> entries(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return new ArrayList<>(paths.toList());
    }
  }

  private static void chown(Path path, int id) throws IOException {
    Files.setAttribute(path, "unix:uid", id, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", id, LinkOption.NOFOLLOW_LINKS);
  }

  /** {@code exec-command -w WORK -v out,OUT,rw OPTIONS SCRIPT}, sleeping at the end when asked. */
  private String[] args(boolean sleep, String... options) {
    List<String> args = new ArrayList<>(List.of("exec-command", "-w", work.toString(),
        "-v", "out," + out + ",rw"));
    args.addAll(List.of(options));
    args.add(sleep ? SCRIPT + "; sleep 60" : SCRIPT);
    return args.toArray(String[]::new);
  }

  private void assertGivenBack() throws IOException {
    for (Path dir : List.of(work, out)) {
      for (Path path : entries(dir)) {
        assertThat(Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(path + " owner").isEqualTo(OWNER);
        assertThat(Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS)).as(path + " group").isEqualTo(OWNER);
      }
    }
    assertThat(work.resolve("modify.txt")).hasContent("original\nmore");
    assertThat(work.resolve("created.txt")).hasContent("new");
    assertThat(work.resolve("newdir/deep.txt")).hasContent("deep");
    assertThat(out.resolve("result.txt")).hasContent("out");
    assertThat(mode(work.resolve("chmod.txt"))).isEqualTo(0600);
    assertThat(mode(work.resolve("created.txt"))).isEqualTo(0644);
    // setuid as the directory's owner would be a gift: the bit goes, the rest of the mode stays.
    assertThat(mode(work.resolve("setuid"))).isEqualTo(0755);
    assertThat(Files.readSymbolicLink(work.resolve("passwd-link"))).isEqualTo(Path.of("/etc/passwd"));
    assertThat((Integer) Files.getAttribute(work.resolve("modify.txt"), "unix:nlink")).isEqualTo(2);
    passwd.assertSame(Path.of("/etc/passwd"));
    root.assertSame(Path.of("/"));
  }

  private static int mode(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  @Test
  @DisplayName("after a normal run: everything belongs to the owner again, modes as the script set, /etc/passwd untouched")
  void normalRun() throws Exception {
    directories("normal");
    CliProcess.Outcome outcome = CliProcess.run(args(false, "-a"));

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(outcome.stdout()).isEqualTo("started\n");
    assertGivenBack();
  }

  @Test
  @DisplayName("a file of the work dir hard-linked from outside it is not lent: the sandbox cannot write through it")
  void hardLinkFromOutside() throws Exception {
    directories("hardlink");
    Path outside = temp.resolve("hardlink/outside.txt");
    Files.writeString(outside, "outside\n");
    chown(outside, OWNER);
    Files.createLink(work.resolve("linked.txt"), outside);
    Snapshot before = Snapshot.of(outside);

    CliProcess.Outcome outcome = CliProcess.run("exec-command", "-a", "-w", work.toString(),
        "echo tampered >> linked.txt");

    assertThat(outcome.exitCode()).isNotZero();
    assertThat(outcome.stderr()).contains("Permission denied");
    before.assertSame(outside);
  }

  @Test
  @DisplayName("after a timeout: the same")
  void timeout() throws Exception {
    directories("timeout");
    CliProcess.Outcome outcome = CliProcess.run(Map.of(), args(true, "-a", "-t", "3"));

    assertThat(outcome.exitCode()).as(outcome.stderr()).isEqualTo(128 + 9);
    assertGivenBack();
  }

  @Test
  @DisplayName("after SIGTERM and after SIGINT to the CLI mid-run: the same")
  void killed() throws Exception {
    for (String signal : new String[] {"TERM", "INT"}) {
      directories(signal);
      ProcessBuilder builder = CliProcess.interruptibleBuilder(args(true));
      Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectErrorStream(true).start();
      BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      assertThat(stdout.readLine()).contains("Running shell command");
      assertThat(stdout.readLine()).isEqualTo("started");
      // Mid-run, the directory is the sandbox uid's: the restore has something to do.
      assertThat(Files.getAttribute(work, "unix:uid")).isEqualTo(SANDBOX_UID);
      assertThat(Files.getAttribute(work.resolve("created.txt"), "unix:uid")).isEqualTo(SANDBOX_UID);

      new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();

      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits after SIG" + signal).isTrue();
      assertThat(process.exitValue()).isEqualTo(signal.equals("INT") ? 130 : 143);
      assertGivenBack();
      assertThat(CliLeftovers.of(process.pid())).isEmpty();
    }
  }
}
