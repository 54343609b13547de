package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.HttpApiIT.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The per-session workspace quota: writes and uploads past it fail, the host disk is untouched. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkspaceQuotaIT {

  private static final long QUOTA = 8L << 20;

  /** One server for all of this class's tests (see TestServer). */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("max_workspace_bytes", QUOTA, "max_upload_size_bytes", 32L << 20));

  private static final String FILL = "import errno\n"
      + "f = open('fill.bin', 'wb')\n"
      + "written = 0\n"
      + "try:\n"
      + "    while True:\n"
      + "        f.write(b'x' * (1 << 20)); f.flush(); written += 1 << 20\n"
      + "except OSError as e:\n"
      + "    print(errno.errorcode[e.errno], written)\n";

  @Test
  @DisplayName("A script filling its session workspace gets ENOSPC at the quota; the host disk is untouched")
  void workspaceFiller() throws Exception {
    FileStore host = Files.getFileStore(server.workspace);
    long freeBefore = host.getUsableSpace();
    String session = server.createSession("{}");
    JsonNode result = server.execute(session, FILL);
    String[] out = result.get("stdout").asText().trim().split(" ");
    assertThat(out[0]).as(result.toString()).isEqualTo("ENOSPC");
    assertThat(Long.parseLong(out[1])).isLessThanOrEqualTo(QUOTA);
    assertThat(freeBefore - host.getUsableSpace()).isLessThan(2 * QUOTA);

    // Full, the workspace refuses uploads with 413; freed, it takes them again.
    assertError(server.putBytes("/v1/sessions/" + session + "/files/more.txt", new byte[1 << 20]),
        413, "payload_too_large");
    assertThat(server.delete("/v1/sessions/" + session + "/files/fill.bin").statusCode()).isEqualTo(204);
    assertThat(server.putBytes("/v1/sessions/" + session + "/files/more.txt", new byte[1 << 20]).statusCode())
        .isEqualTo(201);
    assertThat(server.delete("/v1/sessions/" + session).statusCode()).isEqualTo(204);
  }

  @Test
  @DisplayName("An upload larger than the quota gets 413 and leaves nothing behind")
  void uploadPastQuota() throws Exception {
    String session = server.createSession("{}");
    assertError(server.putBytes("/v1/sessions/" + session + "/files/big.txt", new byte[(int) (2 * QUOTA)]),
        413, "payload_too_large");
    assertThat(TestServer.json(server.get("/v1/sessions/" + session + "/files")).get("files")).isEmpty();
    server.delete("/v1/sessions/" + session);
  }

  @Test
  @DisplayName("A one-shot execution writes into a scratch work dir of the same size")
  void oneShotScratch() throws Exception {
    JsonNode result = TestServer.json(server.post("/v1/execute", TestServer.script(FILL)));
    assertThat(result.get("stdout").asText()).startsWith("ENOSPC");
    assertThat(TestServer.json(server.post("/v1/execute", TestServer.script(
        "import os; print(os.getcwd(), os.listdir('.'))"))).get("stdout").asText()).isEqualTo("/sandbox/work []\n");
    assertThat(TestServer.json(server.get("/v1/info")).get("limits").get("workspace_bytes").asLong()).isEqualTo(QUOTA);
  }
}
