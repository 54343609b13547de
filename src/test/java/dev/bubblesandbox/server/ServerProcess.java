package dev.bubblesandbox.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bubble-sandbox serve} in a JVM of its own, as an operator runs it (configured through
 * {@code BUBBLE_SANDBOX_*} variables only), so that a test can kill it with SIGKILL, as a crash
 * would, and start another on the same workspace directory. {@link #ensureStopped()} stops it
 * whatever happened: SIGTERM, then SIGKILL when it does not end.
 */
final class ServerProcess {

  private static final Path PROJECT = Path.of("").toAbsolutePath();

  final int port;
  /** The API key requests carry: the one the server was started with, if any. */
  private final String key;
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private ServerProcess(int port, Process process, String key) {
    this.port = port;
    this.key = key;
    this.process = process;
    this.reader = new Thread(this::readLines, "server-process-output-" + process.pid());
    reader.start();
  }

  /**
   * Starts a server on a free port with {@code workspace} and the project's environments, and
   * waits until it logs that it started.
   *
   * @param settings further variables, e.g. {@code BUBBLE_SANDBOX_MAX_SESSIONS}
   */
  static ServerProcess start(Path workspace, Map<String, String> settings) throws Exception {
    return start(workspace, freePort(), settings);
  }

  /** Starts a server on {@code port}, e.g. a cluster node restarted where it was. */
  static ServerProcess start(Path workspace, int port, Map<String, String> settings) throws Exception {
    return start(workspace, port, settings, List.of());
  }

  /** Starts a server with {@code serve}'s own {@code arguments} as well, e.g. {@code -c FILE}. */
  static ServerProcess start(Path workspace, int port, Map<String, String> settings, List<String> arguments)
      throws Exception {
    ServerProcess server = new ServerProcess(port, builder(workspace, port, settings, arguments).start(),
        settings.get("BUBBLE_SANDBOX_API_KEY"));
    try {
      server.awaitLine("\"server started\"", 120);
    } catch (Throwable e) {
      server.ensureStopped();
      throw e;
    }
    return server;
  }

  /** Runs a server that is expected not to start: its exit status and everything it printed. */
  static Map.Entry<Integer, String> failedStart(Path workspace, Map<String, String> settings) throws Exception {
    Process process = builder(workspace, freePort(), settings, List.of()).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the server did not exit: " + output);
    }
    return Map.entry(process.exitValue(), output);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static ProcessBuilder builder(Path workspace, int port, Map<String, String> settings,
      List<String> arguments) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.bubblesandbox.cli.Main", "serve"));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(PROJECT.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Map<String, String> environment = builder.environment();
    new HashMap<>(environment).keySet().stream()
        .filter(name -> name.startsWith("BUBBLE_SANDBOX_"))
        .forEach(environment::remove);
    environment.put("BUBBLE_SANDBOX_WORKSPACE_DIR", workspace.toString());
    environment.put("BUBBLE_SANDBOX_ENVIRONMENTS_DIR", PROJECT.resolve("environments").toString());
    environment.put("BUBBLE_SANDBOX_HTTP_HOST", "127.0.0.1");
    environment.put("BUBBLE_SANDBOX_HTTP_PORT", Integer.toString(port));
    environment.put("BUBBLE_SANDBOX_LOG_LEVEL", "INFO");
    environment.putAll(settings);
    return builder;
  }

  private void readLines() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** The server's process id: the same one for as long as it was not restarted. */
  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Every line it printed so far (JSON log lines). */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Waits up to {@code seconds} for a line containing {@code fragment}. */
  void awaitLine(String fragment, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    synchronized (lines) {
      while (lines.stream().noneMatch(line -> line.contains(fragment))) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || !process.isAlive()) {
          throw new AssertionError("the server did not log " + fragment + " (alive: "
              + process.isAlive() + "); its output:\n" + String.join("\n", lines));
        }
        lines.wait(Math.min(left, 200));
      }
    }
  }

  /** Kills it with SIGKILL, as a crash would: no shutdown hook, no clean-up. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the server survived SIGKILL");
    }
    reader.join(5_000);
  }

  /** Stops it with SIGTERM, as an operator would, and returns its exit status. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("the server did not stop within 60 s of SIGTERM");
    }
    reader.join(5_000);
    return process.exitValue();
  }

  /** Stops it if it still runs: SIGTERM, then SIGKILL when that does not end it. */
  void ensureStopped() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
    reader.join(5_000);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(withKey(request).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> putBytes(String path, byte[] body) throws IOException, InterruptedException {
    return http.send(withKey(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body))).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> download(String path) throws IOException, InterruptedException {
    return http.send(withKey(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET()).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest.Builder withKey(HttpRequest.Builder request) {
    return key == null ? request : request.header("Authorization", "Bearer " + key);
  }

  /** The mount points under {@code dir}, e.g. workspace images a killed server left mounted. */
  static List<Path> mountsUnder(Path dir) throws IOException {
    List<Path> mounts = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      String[] fields = line.split(" ");
      if (fields.length > 1 && Path.of(fields[1]).startsWith(dir) && !Path.of(fields[1]).equals(dir)) {
        mounts.add(Path.of(fields[1]));
      }
    }
    return mounts;
  }

  /** Unmounts what is left under {@code dir} and deletes it: a test's last clean-up, pass or fail. */
  static void removeWorkspace(Path dir) throws IOException, InterruptedException {
    for (Path mount : mountsUnder(dir)) {
      new ProcessBuilder("umount", "--lazy", mount.toString()).inheritIO().start().waitFor();
    }
    dev.bubblesandbox.HostFiles.deleteRecursively(dir);
  }
}
