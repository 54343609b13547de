package dev.bubblesandbox.cli.mcp;

import dev.bubblesandbox.ExitStatus;
import dev.bubblesandbox.server.BubbleSandboxServer;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mcp}: the Model Context Protocol over stdio (SPEC §12), for agents that start a local
 * process. With {@code --url} it bridges to that server's {@code /mcp}; without, it starts a
 * private server in this process (loopback, a random port, a one-time key, its own workspace
 * directory, nothing kept) and bridges to that one, so both modes have the same tools.
 *
 * <p>stdout carries JSON-RPC only: everything else written there, the server's log lines
 * included, goes to stderr instead.
 */
@Command(name = "mcp", mixinStandardHelpOptions = true,
    description = "Serve MCP tools (run_python, run_shell, sessions, files) over stdio: local sandboxes, "
        + "or a bridge to a running server with --url.")
public final class McpCommand implements Callable<Integer> {

  @Option(names = "--url", paramLabel = "URL",
      description = "A running bubble-sandbox server (e.g. http://127.0.0.1:8080); without it, sandboxes run here.")
  URI url;

  @Option(names = "--api-key-env", paramLabel = "VAR", defaultValue = "BUBBLE_SANDBOX_API_KEY",
      description = "The environment variable holding the server's API key (default: ${DEFAULT-VALUE}).")
  String apiKeyEnv;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration file of the local sandboxes (default: conf/config.yaml of the install directory).")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    // Logback's console appender writes to whatever System.out is when it writes.
    System.setOut(System.err);
    if (url != null) {
      String key = System.getenv(apiKeyEnv);
      new StdioBridge(endpoint(url), key == null || key.isEmpty() ? null : "Bearer " + key, protocol).run(System.in);
      return 0;
    }
    String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
    Path workspaces = Files.createTempDirectory("bubble-sandbox-mcp-");
    // The sandbox uid goes through it to its session's workspace.
    Files.setPosixFilePermissions(workspaces, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, Object> overrides = Map.of(
        "http_host", "127.0.0.1",
        "http_port", 0,
        "api_key", key,
        "cluster_enabled", false,
        "workspace_dir", workspaces.toString(),
        "allow_persistent_sessions", false);
    BubbleSandboxServer server;
    try {
      server = BubbleSandboxServer.start(Optional.ofNullable(configFile), overrides).get();
    } catch (ExecutionException e) {
      delete(workspaces);
      System.err.println("error: the local sandboxes could not start: " + e.getCause().getMessage());
      return ExitStatus.USAGE_ERROR;
    }
    try {
      new StdioBridge(endpoint(URI.create("http://127.0.0.1:" + server.port())), "Bearer " + key, protocol)
          .run(System.in);
    } finally {
      server.stop().get(60, TimeUnit.SECONDS);
      delete(workspaces);
    }
    return 0;
  }

  private static URI endpoint(URI base) {
    String text = base.toString();
    return URI.create((text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + "/mcp");
  }

  /** The private workspace directory, once the server has removed its sessions from it. */
  private static void delete(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("warning: " + directory + " was not removed: " + e.getMessage());
    }
  }
}
