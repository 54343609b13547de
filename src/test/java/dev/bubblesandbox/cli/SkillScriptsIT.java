package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent skill's scripts end to end, as an agent runtime calls them: from a directory of its
 * own, with the mounts in THREAD_UPLOADS, ROOM_UPLOADS and WORKDIR, and {@code bubble-sandbox}
 * the launcher on PATH.
 */
class SkillScriptsIT {

  private static final Path SCRIPTS = LauncherShell.PROJECT.resolve("skills/bubble-sandbox/scripts");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;
  private Path work;
  private final Map<String, String> environment = new HashMap<>();

  @BeforeEach
  void mounts() throws IOException {
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path thread = Files.createDirectory(temp.resolve("thread"));
    Path room = Files.createDirectory(temp.resolve("room"));
    work = Files.createDirectory(temp.resolve("work"));
    Files.writeString(thread.resolve("orders.csv"), "item,amount\napple,3\npear,4\n");
    Files.writeString(room.resolve("rules.md"), "Double every amount.\n");
    environment.put("THREAD_UPLOADS", thread.toString());
    environment.put("ROOM_UPLOADS", room.toString());
    environment.put("WORKDIR", work.toString());
    environment.put("BUBBLE_SANDBOX_ENVIRONMENTS_DIR", LauncherShell.PROJECT.resolve("environments").toString());
  }

  private CliProcess.Outcome script(String line) throws Exception {
    return LauncherShell.run(temp, environment, SCRIPTS + "/" + line);
  }

  @Test
  @DisplayName("list_environments.sh: JSON naming each environment and its dependencies")
  void listEnvironments() throws Exception {
    CliProcess.Outcome outcome = script("list_environments.sh");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    JsonNode environments = JSON.readTree(outcome.stdout()).get("environments");
    assertThat(environments).extracting(node -> node.get("name").asText()).contains("bare", "pandas-only");
    assertThat(environments).allSatisfy(node -> assertThat(node.get("dependencies").isArray()).isTrue());
  }

  @Test
  @DisplayName("list_volume.sh thread|room: one sandbox path per file; an unset volume or a bad name is an error")
  void listVolume() throws Exception {
    assertThat(script("list_volume.sh thread").stdout()).isEqualTo("/sandbox/volumes/thread/orders.csv\n");
    assertThat(script("list_volume.sh room").stdout()).isEqualTo("/sandbox/volumes/room/rules.md\n");

    environment.remove("ROOM_UPLOADS");
    CliProcess.Outcome unset = script("list_volume.sh room");
    assertThat(unset.exitCode()).isEqualTo(1);
    assertThat(unset.stderr()).contains("ROOM_UPLOADS");
    assertThat(script("list_volume.sh other").exitCode()).isEqualTo(2);
  }

  @Test
  @DisplayName("run.sh ENV -- CMD...: runs the command with the volumes and the work dir mounted")
  void run() throws Exception {
    CliProcess.Outcome outcome = script("run.sh bare -- head -n 2 /sandbox/volumes/thread/orders.csv");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(outcome.stdout()).isEqualTo("item,amount\napple,3\n");

    CliProcess.Outcome failed = script("run.sh bare -- ls /sandbox/volumes/thread/missing");
    assertThat(failed.exitCode()).isEqualTo(2);
    assertThat(failed.stdout()).startsWith("Exited with code: 2\n");

    assertThat(script("run.sh bare ls").exitCode()).isEqualTo(2);
  }

  @Test
  @DisplayName("run_python.sh ENV --code SRC, ENV FILE and ENV < stdin: Python with the inputs, results written to the work dir stay the owner's")
  void runPython() throws Exception {
    String code = "import pandas as pd\n"
        + "rules = open('/sandbox/volumes/room/rules.md').read()\n"
        + "total = pd.read_csv('/sandbox/volumes/thread/orders.csv')['amount'].sum()\n"
        + "open('/sandbox/work/total.txt', 'w').write(str(total))\n"
        + "print(total * 2 if 'Double' in rules else total)\n";

    CliProcess.Outcome inline = script("run_python.sh pandas-only --code \"$CODE\"".replace("$CODE", code.replace("\"", "\\\"")));
    assertThat(inline.exitCode()).as(inline.stderr()).isZero();
    assertThat(inline.stdout()).isEqualTo("14\n");
    assertThat(work.resolve("total.txt")).hasContent("7");
    assertThat(Files.getAttribute(work.resolve("total.txt"), "unix:uid")).isEqualTo(Files.getAttribute(work, "unix:uid"))
        .isEqualTo(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));

    Path file = temp.resolve("task.py");
    Files.writeString(file, code);
    CliProcess.Outcome fromFile = script("run_python.sh pandas-only " + file);
    assertThat(fromFile.stdout()).isEqualTo("14\n");

    CliProcess.Outcome fromStdin = script("run_python.sh bare < " + file);
    assertThat(fromStdin.exitCode()).isEqualTo(1);
    assertThat(fromStdin.stdout()).startsWith("Exited with code: 1\n");
    assertThat(fromStdin.stderr()).contains("ModuleNotFoundError: No module named 'pandas'");

    CliProcess.Outcome missing = script("run_python.sh bare " + temp.resolve("nope.py"));
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.stderr()).contains("nope.py");
  }
}
