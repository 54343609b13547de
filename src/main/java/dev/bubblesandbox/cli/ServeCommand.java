package dev.bubblesandbox.cli;

import ch.qos.logback.classic.LoggerContext;
import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.config.SettingsLoader;
import dev.bubblesandbox.server.BubbleSandboxServer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve}: runs the HTTP and WebSocket server until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Start the HTTP and WebSocket server.")
public final class ServeCommand implements Callable<Integer> {

  @Mixin ConfigOption config = new ConfigOption();

  @Option(names = "--port", paramLabel = "N", description = "Port to listen on (overrides the configuration).")
  Integer port;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Object> overrides = port == null ? Map.of() : Map.of("http_port", port);
    BubbleSandboxServer server;
    try {
      server = BubbleSandboxServer.start(Optional.ofNullable(config.configFile), overrides).get();
    } catch (ExecutionException e) {
      flushLogs();
      if (e.getCause() instanceof BubbleSandboxException known) {
        throw known;
      }
      Console.ERR.println("error: the server could not start: " + e.getCause().getMessage());
      return RootCommand.USAGE_ERROR;
    }
    // One line for a person, on stderr beside the JSON log lines on stdout.
    Console.ERR.println("bubble-sandbox listening on " + url(host(), server.port())
        + " (the console page is at /, the API under /v1/)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        Console.ERR.println("error: shutdown did not complete: " + e.getMessage());
      } finally {
        flushLogs();
        stopped.countDown();
      }
    }, "bubble-sandbox-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * Writes out the log lines still queued for the asynchronous appender and stops logging: the
   * last lines of a start that failed, or of a shutdown, would otherwise die with the JVM.
   */
  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }

  /** The configured host, read as the server read it (it started, so the settings are valid). */
  private String host() {
    return SettingsLoader.load(Optional.ofNullable(config.configFile), System.getenv(), System.getProperties())
        .httpHost();
  }

  static String url(String host, int port) {
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/";
  }
}
