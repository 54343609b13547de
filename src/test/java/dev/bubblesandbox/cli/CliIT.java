package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.sandbox.SandboxUser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: a real JVM running Main, real bwrap, the synced environments. */
class CliIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SandboxUser USER = SandboxUser.forCurrentProcess(Settings.defaults().sandboxUid());

  @TempDir Path temp;

  @BeforeEach
  void reachableTemp() throws IOException {
    // The sandbox uid must be able to reach the directories bound into the sandbox.
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static List<String> lines(String text) {
    return text.lines().toList();
  }

  @Test
  @DisplayName("quick start: execute-python --json prints one JSON result with stdout, stderr and return code")
  void quickStartJson() throws Exception {
    CliProcess.Outcome outcome = CliProcess.run(
        "execute-python", "-e", "bare", "--json", "-s", "print(\"hello world\")");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(lines(outcome.stdout())).hasSize(1);
    JsonNode result = JSON.readTree(outcome.stdout());
    assertThat(result.get("stdout").asText()).isEqualTo("hello world\n");
    assertThat(result.get("stderr").asText()).isEmpty();
    assertThat(result.get("return_code").asInt()).isZero();
    assertThat(result.get("timed_out").asBoolean()).isFalse();
    assertThat(result.get("truncated").asBoolean()).isFalse();
    assertThat(result.get("duration_ms").isIntegralNumber()).isTrue();
  }

  @Test
  @DisplayName("default mode: a rule naming the script, then the output; the cwd is /sandbox/work")
  void execCommandPwd() throws Exception {
    CliProcess.Outcome outcome = CliProcess.run("exec-command", "pwd");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(lines(outcome.stdout())).hasSize(2);
    assertThat(lines(outcome.stdout()).get(0)).startsWith("────").contains("Running shell command: pwd");
    assertThat(lines(outcome.stdout()).get(1)).isEqualTo("/sandbox/work");
  }

  @Test
  @DisplayName("execute -w DIR -- ls lists DIR's files")
  void executeInWorkDir() throws Exception {
    Path work = Files.createDirectory(temp.resolve("work"));
    Files.writeString(work.resolve("input.csv"), "a,b\n");
    Files.writeString(work.resolve("notes.txt"), "hi\n");

    CliProcess.Outcome outcome = CliProcess.run("execute", "-a", "-w", work.toString(), "--", "ls");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(lines(outcome.stdout())).containsExactly("input.csv", "notes.txt");
  }

  @Test
  @DisplayName("-v NAME,DIR is read-only: a write fails and the host directory is unchanged")
  void readOnlyVolume() throws Exception {
    Path data = Files.createDirectory(temp.resolve("data"));
    Files.writeString(data.resolve("keep.txt"), "original");
    // Owned by the sandbox uid: only the read-only mount can stop the write.
    USER.handOver(data);

    CliProcess.Outcome outcome = CliProcess.run("exec-command", "-a", "-v", "data," + data,
        "cat /sandbox/volumes/data/keep.txt && echo tampered > /sandbox/volumes/data/keep.txt");

    assertThat(outcome.stdout()).contains("original");
    assertThat(outcome.stderr()).contains("Read-only file system");
    assertThat(outcome.exitCode()).isNotZero();
    assertThat(data.resolve("keep.txt")).hasContent("original");
  }

  @Test
  @DisplayName("-v NAME,DIR,rw is writable: the file written inside appears on the host")
  void writableVolume() throws Exception {
    Path out = Files.createDirectory(temp.resolve("out"));
    USER.handOver(out);

    CliProcess.Outcome outcome = CliProcess.run("exec-command", "-a", "-v", "out," + out + ",rw",
        "echo result > /sandbox/volumes/out/result.txt");

    assertThat(outcome.exitCode()).as(outcome.stderr()).isZero();
    assertThat(out.resolve("result.txt")).hasContent("result\n");
  }

  @Test
  @DisplayName("import pandas works in pandas-only and fails in bare")
  void environmentsDifferInPackages() throws Exception {
    String script = "import pandas; print(pandas.DataFrame({'a': [1, 2]})['a'].sum())";

    CliProcess.Outcome pandas = CliProcess.run("execute-python", "-e", "pandas-only", "--json", "-s", script);
    CliProcess.Outcome bare = CliProcess.run("execute-python", "-e", "bare", "--json", "-s", script);

    JsonNode withPandas = JSON.readTree(pandas.stdout());
    assertThat(withPandas.get("return_code").asInt()).as(withPandas.get("stderr").asText()).isZero();
    assertThat(withPandas.get("stdout").asText()).isEqualTo("3\n");
    JsonNode withoutPandas = JSON.readTree(bare.stdout());
    assertThat(withoutPandas.get("return_code").asInt()).isEqualTo(1);
    assertThat(withoutPandas.get("stderr").asText()).contains("ModuleNotFoundError");
    assertThat(bare.exitCode()).isEqualTo(1);
  }

  @Test
  @DisplayName("the CLI exits with the script's exit status, and 128+N for signal N")
  void exitStatus() throws Exception {
    CliProcess.Outcome exited = CliProcess.run("execute-python", "-s", "import sys; sys.exit(42)");
    CliProcess.Outcome killed = CliProcess.run("execute-python", "-s", "import os; os.kill(os.getpid(), 15)");

    assertThat(exited.exitCode()).isEqualTo(42);
    assertThat(lines(exited.stdout())).contains("Exited with code: 42");
    assertThat(killed.exitCode()).isEqualTo(128 + 15);
  }

  @Test
  @DisplayName("execute-python -f runs a file and reads the script from stdin without -s or -f")
  void scriptFromFileAndStdin() throws Exception {
    Path script = Files.writeString(temp.resolve("job.py"), "print(6 * 7)\n");

    CliProcess.Outcome fromFile = CliProcess.run("execute-python", "-a", "-f", script.toString());
    Process fromStdin = CliProcess.builder(Map.of(), "execute-python", "-a").start();
    fromStdin.getOutputStream().write("print('from stdin')\n".getBytes(StandardCharsets.UTF_8));
    fromStdin.getOutputStream().close();
    String stdinOutput = new String(fromStdin.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(fromFile.stdout()).isEqualTo("42\n");
    assertThat(fromStdin.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(fromStdin.exitValue()).isZero();
    assertThat(stdinOutput).isEqualTo("from stdin\n");
  }

  @Test
  @DisplayName("a variable of the CLI's environment is neither in os.environ nor in /proc/1/environ")
  void hostEnvironmentHidden() throws Exception {
    CliProcess.Outcome outcome = CliProcess.run(Map.of("BUBBLE_SECRET_TEST", "xyz-secret-value"),
        "execute-python", "--json", "-s", """
        import os
        print(sorted(os.environ))
        print(repr(open("/proc/1/environ").read()))
        print(repr(open("/proc/self/environ").read()))
        """);

    JsonNode result = JSON.readTree(outcome.stdout());
    assertThat(result.get("return_code").asInt()).as(result.get("stderr").asText()).isZero();
    assertThat(result.get("stdout").asText())
        .contains("VIRTUAL_ENV")
        .doesNotContain("BUBBLE_SECRET_TEST")
        .doesNotContain("xyz-secret-value");
  }

  @Test
  @DisplayName("default mode streams output live: a partial line arrives while the script still sleeps")
  void liveStreaming() throws Exception {
    Process process = CliProcess.builder(Map.of(), "execute-python", "-s", """
        import sys, time
        sys.stdout.write("tick-1")
        sys.stdout.flush()
        time.sleep(2)
        print(" tick-2")
        """).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    process.getOutputStream().close();
    InputStream stdout = process.getInputStream();
    StringBuilder seen = new StringBuilder();

    long firstAt = readUntil(stdout, seen, "tick-1");
    long secondAt = readUntil(stdout, seen, "tick-2");

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    // Printed 2 s apart: collected at exit, both would arrive together.
    assertThat(TimeUnit.NANOSECONDS.toMillis(secondAt - firstAt)).isGreaterThanOrEqualTo(1000);
  }

  /** Reads until {@code marker} has been seen; returns the test clock at that moment. */
  private static long readUntil(InputStream in, StringBuilder seen, String marker) throws IOException {
    byte[] buffer = new byte[4096];
    while (!seen.toString().contains(marker)) {
      int read = in.read(buffer);
      assertThat(read).as("end of output before '%s' in: %s", marker, seen).isPositive();
      seen.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
    }
    return System.nanoTime();
  }
}
