package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines of the original Python CLI's README and of its agent skill, typed into a
 * shell as written (only {@code uv run} dropped and {@code /tmp/...} paths moved into a
 * temporary directory), run by the {@code bubble-sandbox} launcher on PATH.
 */
class DropInCommandLinesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The owner the README's listings show; not root and not the sandbox uid. */
  private static final int USER_UID = 1000;

  @TempDir Path temp;

  @BeforeEach
  void reachableTemp() throws IOException {
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static List<String> lines(String text) {
    return text.lines().toList();
  }

  /** A directory like the README's /tmp/test: two files, all owned by uid 1000. */
  private Path userDirectory(String name) throws IOException {
    Path dir = Files.createDirectory(temp.resolve(name));
    Files.writeString(dir.resolve("baz.txt"), "baz\n");
    Files.writeString(dir.resolve("script.py"), "import sys; print(sys.version_info)\n");
    for (Path path : List.of(dir, dir.resolve("baz.txt"), dir.resolve("script.py"))) {
      Files.setAttribute(path, "unix:uid", USER_UID);
      Files.setAttribute(path, "unix:gid", USER_UID);
    }
    return dir;
  }

  private static void assertOwnedByUser(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.toList()) {
        assertThat((Integer) Files.getAttribute(path, "unix:uid")).as(path.toString()).isEqualTo(USER_UID);
        assertThat((Integer) Files.getAttribute(path, "unix:gid")).as(path.toString()).isEqualTo(USER_UID);
      }
    }
  }

  @Test
  @DisplayName("README quick start (its quoting repaired): exec-script --environment=bare --script='print(\"hello world\")'")
  void quickStart() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run(
        "bubble-sandbox exec-script --environment=bare --script='print(\"hello world\")'");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(lines(outcome.stdout()).get(0)).startsWith("─").contains("Running script: 'print(\"hello world\")'");
    assertThat(lines(outcome.stdout())).endsWith("hello world");
  }

  @Test
  @DisplayName("the quick start's JSON shape: exec-script --json | jq -r .stdout")
  void quickStartJson() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run(
        "bubble-sandbox exec-script --environment=bare --json --script='print(\"hello world\")' "
            + "| jq -r '.stdout, .stderr, .return_code'");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(lines(outcome.stdout())).containsExactly("hello world", "", "", "0");
  }

  @Test
  @DisplayName("README: list-environments lists bare and pandas-only")
  void listEnvironments() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run("bubble-sandbox list-environments");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(outcome.stdout()).contains("bare").contains("pandas-only");
  }

  @Test
  @DisplayName("README: exec-script --environment=\"bare\" --script=\"import sys; print(sys.version_info)\"")
  void inlineScript() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run(
        "bubble-sandbox exec-script \\\n  --environment=\"bare\" \\\n  --script=\"import sys; print(sys.version_info)\"");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(lines(outcome.stdout()).get(0)).contains("Running script: 'import sys; print(sys.version_info)'");
    assertThat(lines(outcome.stdout()).get(1)).startsWith("sys.version_info(major=3, minor=");
  }

  @Test
  @DisplayName("README: exec-script --environment=\"bare\" --script-file=FILE, and its short form -f")
  void scriptFile() throws Exception {
    Path file = temp.resolve("foo.py");
    Files.writeString(file, "import sys; print(sys.version_info)\n");

    for (String option : List.of("--script-file=" + file, "-f " + file, "--file " + file)) {
      CliProcess.Outcome outcome = LauncherShell.run(
          "bubble-sandbox exec-script \\\n  --environment=\"bare\" \\\n  " + option);

      assertThat(outcome.exitCode()).as(option + ": " + outcome.stderr()).isZero();
      assertThat(lines(outcome.stdout()).get(0)).contains("Running script: @" + file);
      assertThat(lines(outcome.stdout()).get(1)).startsWith("sys.version_info(major=3, minor=");
    }
  }

  @Test
  @DisplayName("README: exec-command --environment=\"bare\" --workdir \"/tmp/test\" \"pwd && ls -l\"; the files stay the user's")
  void execCommandInWorkdir() throws Exception {
    Path test = userDirectory("test");

    CliProcess.Outcome outcome = LauncherShell.run(
        "bubble-sandbox exec-command \\\n  --environment=\"bare\" \\\n  --workdir \"" + test + "\" \\\n  \"pwd && ls -l\"");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    List<String> lines = lines(outcome.stdout());
    assertThat(lines.get(0)).contains("Running shell command: pwd && ls -l");
    assertThat(lines.get(1)).isEqualTo("/sandbox/work");
    assertThat(lines.get(2)).startsWith("total ");
    assertThat(lines.subList(3, lines.size())).hasSize(2)
        .anySatisfy(line -> assertThat(line).startsWith("-rw").endsWith(" baz.txt"))
        .anySatisfy(line -> assertThat(line).startsWith("-rw").endsWith(" script.py"));
    assertOwnedByUser(test);
  }

  @Test
  @DisplayName("README: execute -w /tmp/bar/ -e bare -- ls -laF; the files stay the user's")
  void executeArgv() throws Exception {
    Path bar = userDirectory("bar");

    CliProcess.Outcome outcome = LauncherShell.run("bubble-sandbox execute -w " + bar + "/ -e bare -- ls -laF");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    List<String> lines = lines(outcome.stdout());
    assertThat(lines.get(0)).contains("Running command: ls -laF");
    assertThat(lines.get(1)).startsWith("total ");
    assertThat(lines.subList(2, lines.size()))
        .anySatisfy(line -> assertThat(line).startsWith("d").endsWith(" ./"))
        .anySatisfy(line -> assertThat(line).startsWith("d").endsWith(" ../"))
        .anySatisfy(line -> assertThat(line).endsWith(" baz.txt"))
        .anySatisfy(line -> assertThat(line).endsWith(" script.py"));
    assertOwnedByUser(bar);
  }

  @Test
  @DisplayName("README: the environment name typo 'my-dnv' is a clear error naming the known environments, status 125")
  void unknownEnvironment() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run("bubble-sandbox exec-script \\\n  --environment=\"my-dnv\" \\\n"
        + "  --script='import requests; print(requests.get(\"http://example.com\").status_code)'");

    assertThat(outcome.exitCode()).isEqualTo(125);
    assertThat(outcome.stderr()).contains("my-dnv").contains("bare").contains("pandas-only");
  }

  @Test
  @DisplayName("README: no network in the sandbox, so an HTTP request fails")
  void noNetwork() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run("bubble-sandbox exec-script --environment=\"bare\" "
        + "--script='import urllib.request; print(urllib.request.urlopen(\"http://example.com\", timeout=5).status)'");

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(outcome.stderr()).contains("URLError");
  }

  @Test
  @DisplayName("skill: list-environments --agent-mode (and -a) prints {\"environments\": [{name, description, dependencies}]}")
  void listEnvironmentsAgentMode() throws Exception {
    for (String option : List.of("--agent-mode", "-a")) {
      CliProcess.Outcome outcome = LauncherShell.run("bubble-sandbox list-environments " + option);

      assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
      JsonNode environments = JSON.readTree(outcome.stdout()).get("environments");
      assertThat(environments.isArray()).isTrue();
      assertThat(environments).extracting(node -> node.get("name").asText()).contains("bare", "pandas-only");
      for (JsonNode environment : environments) {
        assertThat(environment.get("description").isTextual()).isTrue();
        assertThat(environment.get("dependencies").isArray()).isTrue();
      }
      JsonNode pandas = environments.findParents("name").stream()
          .filter(node -> node.get("name").asText().equals("pandas-only")).findFirst().orElseThrow();
      assertThat(pandas.get("dependencies")).extracting(JsonNode::asText).contains("pandas");
    }
  }

  @Test
  @DisplayName("skill: execute --agent-mode -w DIR -v thread,HOST -v room,HOST --environment ENV -- CMD...")
  void executeAgentModeWithMounts() throws Exception {
    Path work = userDirectory("work");
    Path thread = Files.createDirectory(temp.resolve("thread"));
    Path room = Files.createDirectory(temp.resolve("room"));
    Files.writeString(thread.resolve("orders.csv"), "amount\n3\n4\n");
    Files.writeString(room.resolve("rules.md"), "sum it\n");

    CliProcess.Outcome outcome = LauncherShell.run("bubble-sandbox execute --agent-mode -w " + work
        + " -v thread," + thread + " -v room," + room + " --environment bare -- "
        + "sh -c 'ls /sandbox/volumes; cat /sandbox/volumes/room/rules.md; ls /sandbox/work'");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(lines(outcome.stdout())).containsExactly("room", "thread", "sum it", "baz.txt", "script.py");
    assertOwnedByUser(work);
  }

  @Test
  @DisplayName("skill: execute --agent-mode -v thread,HOST -- find /sandbox/volumes/thread -type f")
  void listVolume() throws Exception {
    Path thread = Files.createDirectory(temp.resolve("thread"));
    Files.createDirectory(thread.resolve("sub"));
    Files.writeString(thread.resolve("orders.csv"), "amount\n3\n");
    Files.writeString(thread.resolve("sub/notes.txt"), "n\n");

    CliProcess.Outcome outcome = LauncherShell.run(
        "bubble-sandbox execute --agent-mode -v thread," + thread + " -- find /sandbox/volumes/thread -type f");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(lines(outcome.stdout())).containsExactlyInAnyOrder(
        "/sandbox/volumes/thread/orders.csv", "/sandbox/volumes/thread/sub/notes.txt");
  }

  @Test
  @DisplayName("skill: execute-python --agent-mode --environment ENV -v thread,HOST <<< CODE")
  void executePythonFromStdin() throws Exception {
    Path thread = Files.createDirectory(temp.resolve("thread"));
    Files.writeString(thread.resolve("orders.csv"), "amount\n3\n4\n");

    CliProcess.Outcome outcome = LauncherShell.run("bubble-sandbox execute-python --agent-mode "
        + "--environment pandas-only -v thread," + thread + " <<< 'import pandas as pd\n"
        + "print(pd.read_csv(\"/sandbox/volumes/thread/orders.csv\")[\"amount\"].sum())'");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(outcome.stdout()).isEqualTo("7\n");
  }

  @Test
  @DisplayName("agent mode on failure: 'Exited with code: N' first, then the output; the status is N")
  void agentModeFailure() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run(
        "bubble-sandbox execute -a -e bare -- sh -c 'echo partial; echo oops >&2; exit 3'");

    assertThat(outcome.exitCode()).isEqualTo(3);
    assertThat(lines(outcome.stdout())).containsExactly("Exited with code: 3", "partial");
    assertThat(outcome.stderr()).isEqualTo("oops\n");
  }

  @Test
  @DisplayName("the original's -v/--version at the top level; -h/--help everywhere")
  void versionAndHelp() throws Exception {
    for (String line : List.of("bubble-sandbox -v", "bubble-sandbox --version")) {
      CliProcess.Outcome outcome = LauncherShell.run(line);
      assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
      assertThat(outcome.stdout()).startsWith("bubble-sandbox ");
    }
    CliProcess.Outcome help = LauncherShell.run("bubble-sandbox execute-python -h");
    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout()).contains("--script-file").contains("--script").contains("--agent-mode")
        .contains("--workdir").contains("--volume").contains("--environment").contains("--config");
  }

  @Test
  @DisplayName("the launcher works through a symlink on PATH (the README's install line)")
  void launcherThroughSymlink() throws Exception {
    Path links = Files.createDirectory(temp.resolve("usr-local-bin"));
    Path link = Files.createSymbolicLink(links.resolve("bubble-sandbox"), LauncherShell.BIN.resolve("bubble-sandbox"));

    CliProcess.Outcome outcome = LauncherShell.run(temp, Map.of("PATH", links + ":/usr/bin:/bin",
        "BUBBLE_SANDBOX_ENVIRONMENTS_DIR", LauncherShell.PROJECT.resolve("environments").toString()),
        "command -v bubble-sandbox && bubble-sandbox execute -a -- echo hi");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(lines(outcome.stdout())).containsExactly(link.toString(), "hi");
    Files.delete(link);
  }

  @Test
  @DisplayName("the launcher without a jar says how to build it, status 125")
  void launcherWithoutJar() throws Exception {
    CliProcess.Outcome outcome = LauncherShell.run(temp,
        Map.of("BUBBLE_SANDBOX_CLASSPATH", "", "BUBBLE_SANDBOX_JAR", temp.resolve("missing.jar").toString()),
        "bubble-sandbox list-environments");

    assertThat(outcome.exitCode()).isEqualTo(125);
    assertThat(outcome.stderr()).contains("missing.jar").contains("mvn -B -q package");
  }
}
