package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.server.routes.SessionHandlers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Answers a first-time client gets wrong today: no 500 for an absent body, a refusal that says
 * what is wrong instead of pointing to an empty log, 405 with Allow, and a request id on every
 * response that also marks the request's log lines.
 */
class ClearAnswersIT {

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("execution_timeout_seconds", 5));

  private static HttpResponse<String> bodiless(String method, String path, String contentType) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return server.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode error(HttpResponse<String> response) throws Exception {
    JsonNode error = TestServer.JSON.readTree(response.body()).get("error");
    assertThat(error).as(response.body()).isNotNull();
    assertThat(error.get("request_id").asText()).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
    return error;
  }

  @Test
  @DisplayName("A POST with no body at all: 400 saying what is missing for execute, a new session for /v1/sessions")
  void absentBodies() throws Exception {
    for (String path : new String[] {"/v1/execute", "/v1/sessions/none-such/execute"}) {
      HttpResponse<String> response = bodiless("POST", path, "application/json");
      assertThat(response.statusCode()).as(path + ": " + response.body()).isIn(400, 404);
    }
    HttpResponse<String> execute = bodiless("POST", "/v1/execute", "application/json");
    assertThat(execute.statusCode()).isEqualTo(400);
    assertThat(error(execute).get("message").asText()).contains("exactly one of 'script', 'shell' or 'command'");
    HttpResponse<String> created = bodiless("POST", "/v1/sessions", "application/json");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = TestServer.JSON.readTree(created.body()).get("session_id").asText();
    HttpResponse<String> inSession = bodiless("POST", "/v1/sessions/" + id + "/execute", "application/json");
    assertThat(inSession.statusCode()).as(inSession.body()).isEqualTo(400);
    assertThat(server.send("DELETE", "/v1/sessions/" + id, null).statusCode()).isEqualTo(204);
  }

  @Test
  @DisplayName("Bad volume names, NUL in an argument, too little memory or pids: 400 saying what is wrong")
  void refusalsSayWhy() throws Exception {
    for (String name : new String[] {"", "a..b"}) {
      HttpResponse<String> response = server.post("/v1/sessions", "{\"volumes\": {\"" + name + "\": {\"writable\": false}}}");
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(error(response).get("message").asText()).as(name)
          .contains("Invalid volume name '" + name + "'").doesNotContain("server log");
    }
    HttpResponse<String> nul = server.post("/v1/execute", "{\"command\": [\"echo\", \"a\\u0000b\"]}");
    assertThat(nul.statusCode()).isEqualTo(400);
    assertThat(error(nul).get("message").asText()).contains("NUL").doesNotContain("server log");
    HttpResponse<String> memory = server.post("/v1/execute", "{\"script\": \"print(1)\", \"memory_limit_bytes\": 4096}");
    assertThat(memory.statusCode()).isEqualTo(400);
    assertThat(error(memory).get("code").asText()).isEqualTo("invalid_request");
    assertThat(error(memory).get("message").asText()).contains("at least 1048576");
    HttpResponse<String> pids = server.post("/v1/execute", "{\"shell\": \"echo 1\", \"pids_limit\": 1}");
    assertThat(pids.statusCode()).isEqualTo(400);
    assertThat(error(pids).get("message").asText()).contains("at least 4");
  }

  @Test
  @DisplayName("A method a known path does not route is 405 with Allow; an unknown path stays 404")
  void methodNotAllowed() throws Exception {
    HttpResponse<String> patch = server.send("PATCH", "/v1/sessions", "{}");
    assertThat(patch.statusCode()).isEqualTo(405);
    assertThat(patch.headers().firstValue("Allow")).contains("GET, POST");
    assertThat(error(patch).get("code").asText()).isEqualTo("method_not_allowed");
    HttpResponse<String> put = server.send("PUT", "/v1/sessions/some-id", "{}");
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).contains("DELETE, GET");
    HttpResponse<String> files = bodiless("PATCH", "/v1/sessions/some-id/files/a/b.txt", null);
    assertThat(files.headers().firstValue("Allow")).contains("DELETE, GET, PUT");
    HttpResponse<String> unknown = server.get("/v1/nothing-here");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(error(unknown).get("code").asText()).isEqualTo("not_found");
  }

  @Test
  @DisplayName("Every response has an X-Request-Id, a sane incoming one kept; the request's log lines carry it")
  void requestIds() throws Exception {
    for (String path : new String[] {"/", "/health/live", "/metrics", "/v1/info", "/v1/nothing-here"}) {
      assertThat(server.get(path).headers().firstValue("X-Request-Id")).as(path).isPresent();
    }
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger sessions = (Logger) LoggerFactory.getLogger(SessionHandlers.class);
    logged.start();
    sessions.addAppender(logged);
    sessions.setLevel(ch.qos.logback.classic.Level.INFO);   // the tests' servers log at WARN
    try {
      HttpResponse<String> created = server.http.send(HttpRequest.newBuilder(server.uri("/v1/sessions"))
          .header("Content-Type", "application/json").header("X-Request-Id", "client-chosen.42")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).isEqualTo(201);
      assertThat(created.headers().firstValue("X-Request-Id")).contains("client-chosen.42");
      assertThat(logged.list).filteredOn(e -> e.getMessage().equals("session created")).singleElement()
          .satisfies(e -> assertThat(e.getMDCPropertyMap()).containsEntry("request_id", "client-chosen.42"));
      String id = TestServer.JSON.readTree(created.body()).get("session_id").asText();
      server.send("DELETE", "/v1/sessions/" + id, null);
    } finally {
      sessions.setLevel(null);
      sessions.detachAppender(logged);
    }
  }

  @Test
  @DisplayName("A server started under LANG=C answers café.txt with a round trip or a clear 400, never a 500")
  void asciiLocale() throws Exception {
    Path workspace = Files.createTempDirectory("bubble-sandbox-ascii-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    ServerProcess ascii = ServerProcess.start(workspace, Map.of("LANG", "C", "LC_ALL", "C"));
    try {
      HttpResponse<String> session = ascii.send("POST", "/v1/sessions", "{\"session_id\": \"ascii\"}");
      assertThat(session.statusCode()).as(session.body()).isEqualTo(201);
      byte[] content = "un café\n".getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> upload = ascii.putBytes("/v1/sessions/ascii/files/caf%C3%A9.txt", content);
      HttpResponse<byte[]> download = ascii.download("/v1/sessions/ascii/files/caf%C3%A9.txt");
      if (upload.statusCode() == 201) {
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(content);
      } else {
        for (int status : new int[] {upload.statusCode(), download.statusCode()}) {
          assertThat(status).as(upload.body()).isEqualTo(400);
        }
        JsonNode refusal = TestServer.JSON.readTree(upload.body()).get("error");
        assertThat(refusal.get("code").asText()).isEqualTo("invalid_path");
        assertThat(refusal.get("message").asText()).contains("UTF-8");
      }
    } finally {
      ascii.ensureStopped();
      ServerProcess.removeWorkspace(workspace);
    }
  }
}
