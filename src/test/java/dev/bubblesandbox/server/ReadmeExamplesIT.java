package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Python client examples of {@code docs/clients.md}, taken from the page as written and run
 * against a live server with an API key, so they cannot rot. They need {@code requests} and
 * {@code websockets}: {@code bin/test} installs them in {@code .ci/.venv}.
 */
class ReadmeExamplesIT {

  private static final String KEY = "readme-key-0123456789abcdef";
  private static final Path PYTHON = Path.of(".ci", ".venv", "bin", "python");
  private static final Path PAGE = Path.of("docs", "clients.md");

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("api_key", KEY));

  /** What each example prints, in the page's order: one-shot, session, console. */
  private static final List<String> EXPECTED = List.of(
      "0 42\n",
      "a,b,total\n1,2,3\n3,4,7\n",
      "2 10\nTrue\n",
      "name? hello world\nexit 0\n");

  static List<String> pythonExamples(String page) {
    Matcher block = Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL).matcher(page);
    List<String> examples = new ArrayList<>();
    while (block.find()) {
      examples.add(block.group(1));
    }
    return examples;
  }

  @Test
  @DisplayName("docs/clients.md's Python examples (one-shot, session with files, kernel session, live console) run and print what they say")
  void examplesRun() throws Exception {
    if (!Files.isExecutable(PYTHON)) {
      throw new IllegalStateException(PYTHON + " is missing: python3 -m venv .ci/.venv && "
          + ".ci/.venv/bin/pip install requests websockets (bin/test does this)");
    }
    List<String> examples = pythonExamples(Files.readString(PAGE));
    assertThat(examples).hasSize(EXPECTED.size());
    Path dir = Files.createTempDirectory("bubble-sandbox-readme-");
    try {
      for (int i = 0; i < examples.size(); i++) {
        Path script = dir.resolve("example" + i + ".py");
        Files.writeString(script, examples.get(i));
        assertThat(run(script)).as("%s example %d", PAGE, i + 1).isEqualTo(EXPECTED.get(i));
      }
    } finally {
      dev.bubblesandbox.HostFiles.deleteRecursively(dir);
    }
    // Each example cleans up after itself: no session is left.
    assertThat(server.http.send(java.net.http.HttpRequest.newBuilder(server.uri("/v1/sessions"))
        .header("Authorization", "Bearer " + KEY).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
        .body()).isEqualTo("{\"sessions\":[]}");
  }

  private static String run(Path script) throws IOException, InterruptedException {
    Path output = Files.createTempFile(script.getParent(), "out", ".txt");
    ProcessBuilder builder = new ProcessBuilder(PYTHON.toString(), script.toString())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(output.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("SANDBOX_URL", "http://127.0.0.1:" + server.server.port());
    builder.environment().put("SANDBOX_API_KEY", KEY);
    Process process = builder.start();
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(script + " did not finish within 180 s");
    }
    String printed = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(script + " exit status; output: " + printed).isZero();
    return printed;
  }
}
