package dev.bubblesandbox.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import dev.bubblesandbox.sandbox.SandboxRunner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server on a random port, with its own workspace directory and the repository's synced
 * environments, and a real HTTP client speaking to it.
 *
 * <p>Also the shared fixture of the classes whose tests share one server, as a JUnit extension
 * that starts it before the class's first test and stops it (workspace removed, unhandled
 * exceptions reported) after the last:
 * {@code @RegisterExtension static final TestServer server = TestServer.perClass(Map.of(...));}
 */
final class TestServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Settings keyed like conf/config.yaml, over the defaults and the test's own. */
  private final Map<String, Object> overrides;
  /** Set when the server starts: at once for {@link #start}, before all tests for {@link #perClass}. */
  Path workspace;
  BubbleSandboxServer server;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Exceptions no handler caught, on any Vert.x thread: each one is a bug. */
  private final List<Throwable> unhandled = new CopyOnWriteArrayList<>();

  private TestServer(Map<String, Object> overrides) {
    this.overrides = new HashMap<>(overrides);
  }

  /** A server for {@code @RegisterExtension}: started before the class's tests, closed after. */
  static TestServer perClass(Map<String, Object> overrides) {
    return new TestServer(overrides);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    open(newWorkspace(), null);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  /** Starts a server; {@code overrides} are settings keyed like conf/config.yaml. */
  static TestServer start(Map<String, Object> overrides) throws Exception {
    return start(newWorkspace(), overrides);
  }

  private static Path newWorkspace() throws IOException {
    return Files.createTempDirectory("bubble-sandbox-test-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
  }

  static TestServer start(Path workspace, Map<String, Object> overrides) throws Exception {
    return start(workspace, overrides, null);
  }

  /** Starts a server with {@code runner}, or the host's own runner when null. */
  static TestServer start(Path workspace, Map<String, Object> overrides, SandboxRunner runner) throws Exception {
    TestServer test = new TestServer(overrides);
    test.open(workspace, runner);
    return test;
  }

  private void open(Path workspace, SandboxRunner runner) throws Exception {
    Map<String, Object> values = new HashMap<>(SettingsLoader.defaultValues());
    values.put("workspace_dir", workspace.toString());
    values.put("http_port", 0);
    values.put("http_host", "127.0.0.1");
    values.put("log_level", System.getProperty("test.log.level", "WARN"));
    values.putAll(overrides);
    Settings settings = SettingsLoader.fromMap(values);
    this.workspace = workspace;
    this.server = (runner == null ? BubbleSandboxServer.start(settings)
        : BubbleSandboxServer.start(settings, runner)).get(30, TimeUnit.SECONDS);
    server.vertx().exceptionHandler(unhandled::add);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return send("POST", path, body);
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return send("DELETE", path, null);
  }

  HttpResponse<String> putBytes(String path, byte[] body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> download(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Creates a session and returns its id. */
  String createSession(String body) throws IOException, InterruptedException {
    HttpResponse<String> response = post("/v1/sessions", body);
    if (response.statusCode() != 201) {
      throw new AssertionError("session not created: " + response.statusCode() + " " + response.body());
    }
    return json(response).get("session_id").asText();
  }

  /** Runs a script in a session and returns the JSON result. */
  JsonNode execute(String sessionId, String script) throws IOException, InterruptedException {
    HttpResponse<String> response = post("/v1/sessions/" + sessionId + "/execute",
        JSON.createObjectNode().put("script", script).toString());
    if (response.statusCode() != 200) {
      throw new AssertionError("execute failed: " + response.statusCode() + " " + response.body());
    }
    return json(response);
  }

  /**
   * A fresh session of the {@code bare} environment for each test of a class, deleted after it:
   * {@code @RegisterExtension final TestServer.SessionPerTest session = server.sessionPerTest();}
   */
  SessionPerTest sessionPerTest() {
    return new SessionPerTest(this);
  }

  /** See {@link #sessionPerTest}. */
  static final class SessionPerTest implements BeforeEachCallback, AfterEachCallback {
    private final TestServer server;
    private String id;

    private SessionPerTest(TestServer server) {
      this.server = server;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
      id = server.createSession("{\"environment\": \"bare\"}");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
      server.delete("/v1/sessions/" + id);
    }

    String id() {
      return id;
    }

    /** The path of the session's files API, {@code path} ("" or starting with "/") appended. */
    String files(String path) {
      return "/v1/sessions/" + id + "/files" + path;
    }
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  static String script(String source) {
    return JSON.createObjectNode().put("script", source).toString();
  }

  @Override
  public void close() throws IOException {
    try {
      if (server != null) {   // null when the start failed: nothing to stop
        stopKeepingWorkspace();
      }
    } finally {
      if (workspace != null) {
        dev.bubblesandbox.HostFiles.deleteRecursively(workspace);
      }
    }
  }

  /** Stops the server but keeps its workspace directory, for restart tests. */
  void stopKeepingWorkspace() {
    try {
      server.stop().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("server did not stop", e);
    }
    if (!unhandled.isEmpty()) {
      AssertionError error = new AssertionError("the server left exceptions unhandled: " + unhandled);
      unhandled.forEach(error::addSuppressed);
      throw error;
    }
  }
}
