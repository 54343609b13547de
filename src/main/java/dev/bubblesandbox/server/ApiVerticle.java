package dev.bubblesandbox.server;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.server.console.ConsoleHandler;
import dev.bubblesandbox.server.console.ConsolePage;
import dev.bubblesandbox.server.execution.ExecutionService;
import dev.bubblesandbox.server.forward.ClusterRoutes;
import dev.bubblesandbox.server.metrics.PrometheusSetup;
import dev.bubblesandbox.server.mcp.McpEndpoint;
import dev.bubblesandbox.server.routes.ExecuteHandlers;
import dev.bubblesandbox.server.routes.FileHandlers;
import dev.bubblesandbox.server.routes.HealthHandlers;
import dev.bubblesandbox.server.routes.KernelHandlers;
import dev.bubblesandbox.server.routes.OpenApiDocument;
import dev.bubblesandbox.server.routes.ServerInfo;
import dev.bubblesandbox.server.routes.SessionHandlers;
import dev.bubblesandbox.server.web.AccessGuard;
import dev.bubblesandbox.server.web.AllowedMethods;
import dev.bubblesandbox.server.web.BodyDrain;
import dev.bubblesandbox.server.web.ErrorResponses;
import dev.bubblesandbox.server.web.HostCheck;
import dev.bubblesandbox.server.web.RequestIds;
import dev.bubblesandbox.server.web.RequestPaths;
import dev.bubblesandbox.server.web.ServerContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.net.BindException;
import java.util.concurrent.TimeUnit;

/** HTTP and WebSocket API: routes, validation and responses; nothing here blocks. */
final class ApiVerticle extends VerticleBase {

  /** Largest JSON request body, script and stdin included; past it, 413. */
  private static final long MAX_JSON_BODY_BYTES = 1 << 20;
  /** Request limits; past them the client gets 431, 414 or a closed connection. */
  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_REQUEST_LINE_BYTES = 8 * 1024;
  private static final int IDLE_TIMEOUT_SECONDS = 120;
  private static final int MAX_WEBSOCKET_FRAME_BYTES = 64 * 1024;
  private static final int MAX_WEBSOCKET_MESSAGE_BYTES = 1 << 20;

  private final ServerContext context;
  private HttpServer server;
  /** The listener other nodes forward to (TLS, cluster certificates only); null on a single node. */
  private HttpServer clusterServer;
  private Router router;

  private final McpEndpoint mcp;

  ApiVerticle(ServerContext context, McpEndpoint mcp) {
    this.context = context;
    this.mcp = mcp;
  }

  @Override
  public Future<?> start() {
    ExecutionService executions = new ExecutionService(vertx, context);
    SessionHandlers sessions = new SessionHandlers(context);
    ExecuteHandlers execute = new ExecuteHandlers(context, executions);
    FileHandlers files = new FileHandlers(vertx, context);
    ConsoleHandler console = new ConsoleHandler(context, executions);
    KernelHandlers kernels = new KernelHandlers(context);
    HealthHandlers health = new HealthHandlers(context);
    ErrorResponses errors = new ErrorResponses(context.metrics());

    BodyHandler json = BodyHandler.create(false).setBodyLimit(MAX_JSON_BODY_BYTES);
    BodyHandler multipart = BodyHandler.create(true)
        .setBodyLimit(context.api().maxUploadSizeBytes())
        .setUploadsDirectory(context.workspaces().tmpDir().resolve("uploads").toString())
        .setDeleteUploadedFilesOnEnd(true);

    router = Router.router(vertx);
    router.route().handler(RequestIds::handle);
    router.route().handler(new BodyDrain(context.api().maxUploadSizeBytes())::handle);
    if (!context.api().corsAllowedOrigins().isEmpty()) {
      router.route().handler(CorsHandler.create()
          .addOrigins(context.api().corsAllowedOrigins())
          .allowedMethods(java.util.Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE))
          .allowedHeaders(java.util.Set.of("Authorization", "Content-Type")));
    }
    if (context.api().keyless()) {
      router.route().handler(new HostCheck(context.api().allowedHosts())::handle);
    }
    AccessGuard guard = new AccessGuard(context::api,
        context.cluster() == null ? null : context.cluster().hopTokens());
    router.route("/v1/*").handler(guard::handle);
    router.route("/v1/*").handler(ApiVerticle::refuseDotSegments);
    if (context.cluster() != null) {
      new ClusterRoutes(vertx, context).install(router);
    }
    router.get(HealthHandlers.LIVE_PATH).handler(health::handleLive);
    router.get(HealthHandlers.READY_PATH).handler(health::handleReady);
    router.get(PrometheusSetup.PATH).handler(PrometheusScrapingHandler.create(context.meterRegistry()));

    router.get("/v1/info").handler(ctx -> ServerInfo.handle(ctx, context));
    router.get("/v1/environments").handler(ctx -> ServerInfo.handleEnvironments(ctx, context));
    router.get("/v1/openapi.json").handler(OpenApiDocument::handleJson);
    router.get("/v1/openapi.yaml").handler(OpenApiDocument::handleYaml);
    // Routes of their own: a body handler must come first on its route.
    Handler<RoutingContext> jsonOnly = routing -> AccessGuard.requireJson(routing, context.api());
    router.post("/v1/execute").handler(jsonOnly);
    router.post("/v1/sessions").handler(jsonOnly);
    router.post("/v1/sessions/:id/execute").handler(jsonOnly);
    router.post("/v1/execute").handler(json).handler(execute::handleOneShot);
    router.post("/v1/sessions").handler(json).handler(sessions::handleCreate);
    router.get("/v1/sessions").handler(sessions::handleList);
    router.get("/v1/sessions/:id").handler(sessions::handleGet);
    router.delete("/v1/sessions/:id").handler(sessions::handleDelete);
    router.post("/v1/sessions/:id/execute").handler(json).handler(execute::handleInSession);
    router.post("/v1/sessions/:id/interrupt").handler(kernels::handleInterrupt);
    router.post("/v1/sessions/:id/restart").handler(kernels::handleRestart);
    router.put("/v1/sessions/:id/files/*").handler(files::handlePut);
    router.post("/v1/sessions/:id/files").handler(files::checkSession);
    router.post("/v1/sessions/:id/files").handler(multipart).handler(files::handleMultipart);
    router.get("/v1/sessions/:id/files").handler(files::handleList);
    router.get("/v1/sessions/:id/files/*").handler(files::handleDownload);
    router.delete("/v1/sessions/:id/files/*").handler(files::handleDelete);
    router.get("/v1/sessions/:id/console").handler(console::handleSessionConsole);
    router.get("/v1/console").handler(console::handleThrowawayConsole);
    // A tool's file travels base64-encoded inside one JSON-RPC message.
    mcp.install(router, guard::handleMcp, jsonOnly, context.api().maxUploadSizeBytes() / 3 * 4 + MAX_JSON_BODY_BYTES);
    ConsolePage.mount(router);

    router.route().failureHandler(errors::handle);
    // No catch-all route: it would match every method too, and no path would ever be a 405.
    router.errorHandler(404, ctx -> ErrorResponses.send(ctx, ErrorCode.NOT_FOUND, "No such resource."));
    AllowedMethods allowed = new AllowedMethods(router.getRoutes());
    router.errorHandler(405, ctx -> {
      ctx.response().putHeader("Allow", allowed.on(ctx.request().path()));
      ErrorResponses.send(ctx, ErrorCode.METHOD_NOT_ALLOWED,
          "Method " + ctx.request().method() + " is not allowed here; see the Allow header.");
    });
    router.allowForward(io.vertx.ext.web.AllowForwardHeaders.NONE);

    server = vertx.createHttpServer(options().setPort(context.api().httpPort()).setHost(context.api().httpHost()));
    Future<HttpServer> listening = listen(server, context.api().httpHost(), context.api().httpPort());
    if (context.cluster() == null) {
      return listening;
    }
    String clusterHost = context.cluster().httpHost();
    int clusterPort = context.cluster().httpPort();
    clusterServer = vertx.createHttpServer(context.cluster().tls().secure(options().setHost(clusterHost).setPort(clusterPort)));
    return Future.all(listening, listen(clusterServer, clusterHost, clusterPort));
  }

  private Future<HttpServer> listen(HttpServer listener, String host, int port) {
    return listener.requestHandler(router).listen().recover(failure -> Future.failedFuture(
        failure instanceof BindException bind ? new ListenFailedException(host, port, bind) : failure));
  }

  private static HttpServerOptions options() {
    return new HttpServerOptions()
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
        .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
        // HTTP/1.x only. Vert.x's h2c upgrade (what Java's HttpClient asks for by default) now and
        // then sent a large answer unframed after the 101, or never sent it; its maintainers advise
        // against the upgrade. Prior-knowledge h2c shares the switch, so it goes too.
        .setHttp2ClearTextEnabled(false)
        // 100 Continue only once a route's checks pass (FileHandlers, BodyHandler); a refused
        // request gets its final status instead, before the client sends the body.
        .setHandle100ContinueAutomatically(false)
        .setMaxWebSocketFrameSize(MAX_WEBSOCKET_FRAME_BYTES)
        .setMaxWebSocketMessageSize(MAX_WEBSOCKET_MESSAGE_BYTES)
        .setWebSocketSubProtocols(java.util.List.of(ConsoleHandler.SUBPROTOCOL));
  }

  /**
   * Routing sees the normalized path, where {@code files/../../x} has already become another
   * route; a file path like that must be refused as one, not routed elsewhere.
   */
  private static void refuseDotSegments(RoutingContext routing) {
    String raw = routing.request().path();
    String[] segments = RequestPaths.decode(raw).split("/", -1);
    for (int i = 1; i < segments.length; i++) {
      String segment = segments[i];
      boolean emptyInside = segment.isEmpty() && i < segments.length - 1;
      if (segment.equals(".") || segment.equals("..") || emptyInside) {
        routing.fail(new dev.bubblesandbox.RefusedException(ErrorCode.INVALID_PATH,
            "Paths may not contain '.', '..' or empty names."));
        return;
      }
    }
    routing.next();
  }

  /** Stops accepting, lets running requests finish within the grace period. */
  @Override
  public Future<?> stop() {
    long grace = context.api().shutdownGrace().toMillis();
    return clusterServer == null ? server.shutdown(grace, TimeUnit.MILLISECONDS)
        : Future.all(server.shutdown(grace, TimeUnit.MILLISECONDS), clusterServer.shutdown(grace, TimeUnit.MILLISECONDS));
  }

  int actualPort() {
    return server.actualPort();
  }

  /** The routes, in order: the OpenAPI document is checked against them. */
  java.util.List<io.vertx.ext.web.Route> routes() {
    return router.getRoutes();
  }

}
