package dev.bubblesandbox.server.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.BuildVersion;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.time.Duration;

/**
 * {@code /mcp} (SPEC §12): one MCP server per process, shared by every API verticle, built on
 * the official MCP Java SDK ({@link McpAsyncServer}) with a Vert.x transport ({@link McpTransport})
 * and the sandbox tools ({@link SandboxTools}), which call this server's own API on loopback with
 * the caller's credentials.
 */
public final class McpEndpoint {

  /** The route. */
  public static final String PATH = "/mcp";

  private final McpTransport transport;
  private final McpAsyncServer server;
  private volatile URI api;

  /**
   * @param vertx the server's: the tools' API client runs on its event loops
   * @param registry where the tool metrics go
   * @param idle how long an MCP session may go unused before it is ended
   */
  public McpEndpoint(Vertx vertx, MeterRegistry registry, Duration idle) {
    McpJsonMapper mapper = McpJsonDefaults.getMapper();
    Cancellations cancellations = new Cancellations();
    this.transport = new McpTransport(mapper, cancellations, idle);
    ObjectMapper json = new ObjectMapper();
    SandboxTools tools = new SandboxTools(new ApiClient(vertx, json),
        context -> new ApiTarget(api, (String) context.get(SandboxTools.AUTHORIZATION)),
        cancellations, new ToolMeters(registry), McpJsonDefaults.getSchemaValidator(), json,
        transport::wantsDebugLog);
    this.server = McpServer.async(transport)
        .serverInfo(McpSchema.Implementation.builder("bubble-sandbox", BuildVersion.current()).title("bubble-sandbox").build())
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
        .instructions("Sandboxed Python and shell: run_python keeps state in a session made by "
            + "create_session; without a session_id each run is a fresh sandbox.")
        .jsonMapper(mapper)
        // Checked by SandboxTools, which answers a mismatch with a JSON-RPC error.
        .validateToolInputs(false)
        // A tool's execution is bounded by the server's own execution timeout.
        .requestTimeout(Duration.ofHours(1))
        .tools(tools.specifications(mapper))
        .build();
  }

  /**
   * Where the API listens, for the tools' requests: loopback when it listens on every address.
   */
  public void listening(String host, int port) {
    String name = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")
        ? "127.0.0.1" : host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    this.api = URI.create("http://" + name + ":" + port);
  }

  /**
   * Mounts {@code /mcp} on {@code router}: {@code guard} first (the API's key check and Origin
   * rule), {@code jsonOnly} before a POST's body is read.
   *
   * @param bodyLimit the largest JSON-RPC message read (write_file carries a file in base64)
   */
  public void install(Router router, Handler<RoutingContext> guard, Handler<RoutingContext> jsonOnly, long bodyLimit) {
    router.route(PATH).handler(guard);
    router.post(PATH).handler(jsonOnly);
    // A body handler must come first on its route.
    router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(bodyLimit)).handler(transport::post);
    router.get(PATH).handler(transport::get);
    router.delete(PATH).handler(transport::delete);
  }

  /** Ends every MCP session; call when the server stops. */
  public void close() {
    server.closeGracefully().subscribe(null, failure -> { });
  }
}
