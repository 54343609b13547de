package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole API fuzzed from its own OpenAPI document ({@code src/test/python/openapi_fuzz.py},
 * hypothesis and jsonschema in {@code .ci/.venv}): no 5xx, only documented statuses, content
 * types and bodies, invalid data refused and valid data accepted, 100 examples per operation.
 */
class OpenApiFuzzIT {

  private static final Path PYTHON = Path.of(".ci", ".venv", "bin", "python");
  private static final Path FUZZER = Path.of("src", "test", "python", "openapi_fuzz.py");
  private static final int EXAMPLES = 100;

  /** Short executions: a generated shell line may well be an endless loop. */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("execution_timeout_seconds", 2));

  @Test
  @DisplayName("Every operation keeps to the document under 100 generated requests, valid and invalid")
  void fuzz() throws Exception {
    if (!Files.isExecutable(PYTHON)) {
      throw new IllegalStateException(PYTHON + " is missing: python3 -m venv .ci/.venv && "
          + ".ci/.venv/bin/pip install hypothesis jsonschema (bin/test does this)");
    }
    Path output = Files.createTempFile("bubble-sandbox-fuzz-", ".txt");
    try {
      Process process = new ProcessBuilder(PYTHON.toString(), FUZZER.toString(),
          "--url", "http://127.0.0.1:" + server.server.port(), "--examples", Integer.toString(EXAMPLES))
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .start();
      if (!process.waitFor(15, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("the fuzzer did not finish: " + Files.readString(output, StandardCharsets.UTF_8));
      }
      String printed = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as(printed).isZero();
      assertThat(printed).contains("operations passed at " + EXAMPLES + " examples each");
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
