package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.HttpApiIT.assertError;
import static dev.bubblesandbox.server.TestServer.JSON;
import static dev.bubblesandbox.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scripts up to the 1 MiB body limit run (Linux's 128 KiB argument limit does not apply to them);
 * past the limit the answer is 413; nothing of a launch's internals reaches the client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeScriptsIT {

  /** A 500 KiB Python script: a long comment and a large string literal. */
  private static final String PYTHON = "# " + "c".repeat(100 * 1024) + "\n"
      + "x = '" + "a".repeat(400 * 1024) + "'\n"
      + "import sys\nprint(len(x), sys.argv, input())\n";

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("execution_timeout_seconds", 20));

  @Test
  @DisplayName("POST /v1/execute runs a 500 KiB script, stdin going to the script")
  void oneShot() throws Exception {
    JsonNode result = json(server.post("/v1/execute",
        JSON.createObjectNode().put("script", PYTHON).put("stdin", "line\n").toString()));

    assertThat(result.get("stderr").asText()).isEmpty();
    assertThat(result.get("stdout").asText()).isEqualTo("409600 ['-c'] line\n");
    assertThat(result.get("return_code").asInt()).isZero();
  }

  @Test
  @DisplayName("a session runs a 500 KiB script and a 500 KiB shell script")
  void inSession() throws Exception {
    String id = server.createSession("{\"environment\": \"bare\"}");
    JsonNode result = json(server.post("/v1/sessions/" + id + "/execute",
        JSON.createObjectNode().put("script", PYTHON).put("stdin", "s\n").toString()));
    assertThat(result.get("stdout").asText()).as(result.toString()).isEqualTo("409600 ['-c'] s\n");

    JsonNode shell = json(server.post("/v1/sessions/" + id + "/execute", JSON.createObjectNode()
        .put("shell", "x=" + "b".repeat(500 * 1024) + "\necho ${#x} > len.txt; cat len.txt").toString()));
    assertThat(shell.get("stderr").asText()).isEmpty();
    assertThat(shell.get("stdout").asText()).isEqualTo("512000\n");
  }

  @Test
  @DisplayName("a traceback reads as python -c prints it, naming no file of the server")
  void traceback() throws Exception {
    JsonNode result = json(server.post("/v1/execute", TestServer.script(PYTHON.replace("input()", "1/0"))));

    assertThat(result.get("return_code").asInt()).isEqualTo(1);
    assertThat(result.get("stderr").asText()).isEqualTo("Traceback (most recent call last):\n"
        + "  File \"<string>\", line 4, in <module>\n"
        + "ZeroDivisionError: division by zero\n");
  }

  @Test
  @DisplayName("a command argument past Linux's limit is a 400, not return code 126 with the launcher's stderr")
  void oversizedArgument() throws Exception {
    var response = server.post("/v1/execute", JSON.createObjectNode().set("command",
        JSON.createArrayNode().add("echo").add("a".repeat(200 * 1024))).toString());

    assertError(response, 400, "invalid_request");
    assertThat(response.body()).doesNotContain("setpriv", "bwrap", "/tmp", "bubble-sandbox-launch");
    JsonNode missing = json(server.post("/v1/execute", "{\"command\": [\"no-such-command\"]}"));
    assertThat(missing.get("return_code").asInt()).isEqualTo(127);
    assertThat(missing.get("stderr").asText()).doesNotContain("bwrap", "/tmp", "setpriv");
  }

  @Test
  @DisplayName("a JSON body over 1 MiB gets 413 payload_too_large, also when the client writes it all before reading")
  void bodyOverLimit() throws Exception {
    byte[] body = JSON.createObjectNode().put("script", "#" + "x".repeat(1 << 20)).toString()
        .getBytes(StandardCharsets.UTF_8);
    assertError(server.post("/v1/execute", new String(body, StandardCharsets.UTF_8)), 413, "payload_too_large");

    try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/execute HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      // Read the answer, not up to the end of the stream: closing the connection after a
      // refusal is the upload fix's part.
      InputStream in = socket.getInputStream();
      StringBuilder response = new StringBuilder();
      byte[] buffer = new byte[4096];
      while (!response.toString().contains("payload_too_large")) {
        int read = in.read(buffer);
        if (read < 0) {
          break;
        }
        response.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
      }
      assertThat(response.toString()).startsWith("HTTP/1.1 413").contains("\"payload_too_large\"");
    }
  }
}
