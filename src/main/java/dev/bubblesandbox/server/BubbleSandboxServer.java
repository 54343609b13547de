package dev.bubblesandbox.server;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.cluster.ClusterNode;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.TrustChecks;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.SandboxThreads;
import dev.bubblesandbox.sandbox.SandboxUser;
import dev.bubblesandbox.sandbox.warm.WarmPool;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.server.bus.LocalCodecs;
import dev.bubblesandbox.server.forward.ClusterRoutes;
import dev.bubblesandbox.sandbox.kernel.KernelSettings;
import dev.bubblesandbox.server.kernel.SessionKernels;
import dev.bubblesandbox.server.mcp.McpEndpoint;
import dev.bubblesandbox.server.metrics.KernelMeters;
import dev.bubblesandbox.server.metrics.MeteredSessionService;
import dev.bubblesandbox.server.metrics.PrometheusSetup;
import dev.bubblesandbox.server.metrics.SandboxMetrics;
import dev.bubblesandbox.server.routes.OpenApiDocument;
import dev.bubblesandbox.server.routes.ServerInfo;
import dev.bubblesandbox.server.web.ApiSettings;
import dev.bubblesandbox.server.web.ErrorResponses;
import dev.bubblesandbox.server.web.SandboxProbe;
import dev.bubblesandbox.server.web.ServerContext;
import dev.bubblesandbox.server.web.LiveSettings;
import dev.bubblesandbox.session.LocalSessionService;
import dev.bubblesandbox.session.SessionService;
import dev.bubblesandbox.session.workspace.Workspaces;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.config.ConfigRetriever;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server: one Vert.x instance with the sandbox workers deployed first and the API verticles
 * (one per core) last, and the idle-session reaper. {@link #stop()} shuts down in the reverse
 * order and leaves no sandbox and no unkept workspace behind.
 */
public final class BubbleSandboxServer {

  private static final Logger logger = LoggerFactory.getLogger(BubbleSandboxServer.class);

  private final Vertx vertx;
  private final ServerContext context;
  private final Duration sessionIdleTimeout;
  private final List<ApiVerticle> apiVerticles = new CopyOnWriteArrayList<>();
  private String workerDeployment;
  private String apiDeployment;
  private long reaperTimer = -1;
  private long metricsTimer = -1;
  /** The threads of the runner this server made, closed at its stop; null for a given runner. */
  private SandboxThreads ownThreads;
  private WarmPool warm;
  /** Rereads the configuration file while the server runs; null when it does not. */
  private volatile ConfigRetriever configWatch;
  /** {@code /mcp}: one MCP server for every API verticle. */
  private McpEndpoint mcp;

  private BubbleSandboxServer(Vertx vertx, ServerContext context, Duration sessionIdleTimeout) {
    this.vertx = vertx;
    this.context = context;
    this.sessionIdleTimeout = sessionIdleTimeout;
  }

  /** Loads the configuration with vertx-config and starts. */
  public static CompletableFuture<BubbleSandboxServer> start(Optional<Path> configFile,
      Map<String, Object> overrides) {
    // The server's Vert.x keeps its file cache under workspace_dir, known only once the settings
    // are: they are read by one that has none.
    Vertx loader = Vertx.vertx(new VertxOptions().setFileSystemOptions(
        new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false)));
    // Closed from its own callback, it runs no more: the server starts on another thread.
    return ServerConfig.sources(loader, configFile, Optional.empty(), Optional.empty(), overrides)
        .compose(sources -> ServerConfig.read(loader, sources).map(settings -> new Configured(sources, settings)))
        .toCompletionStage().toCompletableFuture()
        .whenComplete((configured, failure) -> loader.close())
        .thenComposeAsync(configured -> start(configured.settings(), null)
            .thenApply(server -> server.watch(configured.sources(), configured.settings())));
  }

  /** The settings read at start-up, and where they came from: the watch rereads the same sources. */
  private record Configured(ServerConfig.Sources sources, Settings settings) {}

  /** Rereads the configuration file while the server runs ({@link SettingsReload}). */
  private BubbleSandboxServer watch(ServerConfig.Sources sources, Settings settings) {
    configWatch = SettingsReload.watch(vertx, sources, settings, context, warm).orElse(null);
    return this;
  }

  /** Starts with settings already loaded. */
  public static CompletableFuture<BubbleSandboxServer> start(Settings settings) {
    return start(settings, null);
  }

  /**
   * Starts with settings already loaded and the given runner (null: the host's own), e.g. one
   * without limits to measure what they cost.
   */
  public static CompletableFuture<BubbleSandboxServer> start(Settings settings, SandboxRunner runner) {
    PrometheusMeterRegistry registry = PrometheusSetup.newRegistry();
    Vertx vertx;
    try {
      vertx = newVertx(registry, settings.workspaceDir());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return closedOnFailure(vertx, deploy(vertx, registry, settings, runner));
  }

  private static CompletableFuture<BubbleSandboxServer> closedOnFailure(Vertx vertx,
      Future<BubbleSandboxServer> starting) {
    return starting.toCompletionStage().toCompletableFuture().handle((server, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(server);
      }
      // As in stop(): close from outside Vert.x, or the failure would never be reported.
      return CompletableFuture.runAsync(() -> { })
          .thenCompose(ignored -> vertx.close().toCompletionStage())
          .<BubbleSandboxServer>thenApply(closed -> {
            throw new java.util.concurrent.CompletionException(failure);
          });
    }).thenCompose(stage -> stage);
  }

  /**
   * The server's Vert.x. Its file cache (the console page's files, copied out of the jar) lives
   * in {@code <workspace_dir>/vertx-cache-<random>}, not in {@code /tmp}: a JVM that is killed
   * cannot remove it, and the next server on the directory does (see {@link #removeStaleFileCaches}).
   */
  private static Vertx newVertx(PrometheusMeterRegistry registry, Path workspaceDir) {
    try {
      // Vert.x would make a missing workspace_dir private (0700) along with its cache, shutting
      // the sandbox uid out: made first, it has the mode Workspaces gives it.
      if (!java.nio.file.Files.isDirectory(workspaceDir)) {
        java.nio.file.Files.createDirectories(workspaceDir, java.nio.file.attribute.PosixFilePermissions
            .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")));
      }
    } catch (java.io.IOException e) {
      throw new dev.bubblesandbox.config.InvalidSettingException("Invalid setting workspace_dir "
          + "(BUBBLE_SANDBOX_WORKSPACE_DIR): cannot create " + workspaceDir + ": " + e.getMessage());
    }
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(PrometheusSetup.vertxOptions())
            .setFileSystemOptions(new FileSystemOptions()
                .setFileCacheDir(workspaceDir.toAbsolutePath().resolve(FILE_CACHE_PREFIX).toString())))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  private static final String FILE_CACHE_PREFIX = "vertx-cache";

  /**
   * Removes the file caches that killed servers left in the workspace directory. Called once this
   * server holds the directory, so none of them belongs to a running server.
   */
  private static void removeStaleFileCaches(Vertx vertx, Path workspaceDir) throws java.io.IOException {
    String own = ((io.vertx.core.internal.VertxInternal) vertx).fileResolver() instanceof
        io.vertx.core.file.impl.FileResolverImpl resolver ? resolver.cacheDir() : null;
    try (java.util.stream.Stream<Path> children = java.nio.file.Files.list(workspaceDir.toAbsolutePath())) {
      for (Path child : children.toList()) {
        if (child.getFileName().toString().startsWith(FILE_CACHE_PREFIX + "-")
            && (own == null || !child.toRealPath().toString().equals(Path.of(own).toRealPath().toString()))) {
          dev.bubblesandbox.HostFiles.deleteRecursively(child);
        }
      }
    }
  }

  private static Future<BubbleSandboxServer> deploy(Vertx vertx, PrometheusMeterRegistry registry,
      Settings settings, SandboxRunner givenRunner) {
    try {
      TrustChecks.check(settings).ifPresent(warning -> logger.warn(warning));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (!settings.clusterEnabled()) {
      return deploy(vertx, registry, settings, givenRunner, null);
    }
    // Joined from a thread of no Vert.x instance: the clustered instance is one of its own, and
    // making it (Hazelcast's start-up) takes seconds no event loop may wait. A start that fails
    // after joining leaves the cluster again.
    io.vertx.core.Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(CompletableFuture.supplyAsync(() -> ClusterNode.join(settings))
            .thenCompose(Future::toCompletionStage), context)
        .compose(cluster -> deploy(vertx, registry, settings, givenRunner, cluster)
            .onFailure(failure -> cluster.leave()));
  }

  private static Future<BubbleSandboxServer> deploy(Vertx vertx, PrometheusMeterRegistry registry,
      Settings settings, SandboxRunner givenRunner, ClusterNode cluster) {
    SettingsReload.setLogLevel(settings);
    SandboxUser user = SandboxUser.forCurrentProcess(settings.sandboxUid());
    SandboxRunner runner;
    try {
      runner = givenRunner != null ? givenRunner : SandboxRunner.createForServer(user);
      runner.requireResourceLimits(settings.allowUnlimited());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Workspaces workspaces = new Workspaces(settings.workspaceDir(), user, settings.allowedExtensions(),
        settings.maxWorkspaceBytes());
    LiveSettings live = new LiveSettings(settings);
    ApiSettings api = live.api();
    Map<String, Integer> tenantBounds = api.tenantBounds();
    // Made before the sessions: a kernel ends with its session.
    SessionKernels kernels = new SessionKernels(runner, () -> KernelSettings.from(live.settings()),
        new KernelMeters(registry));
    LocalSessionService local = new LocalSessionService(settings.maxSessions(), workspaces, tenantBounds,
        kernels::ended);
    SessionService sessions = new MeteredSessionService(
        cluster == null ? local : cluster.sessionService(local, tenantBounds), registry);
    SandboxMetrics metrics = new SandboxMetrics(registry, sessions, api.tenants());
    ServerContext context = new ServerContext(
        live,
        new EnvironmentCatalog(settings.environmentsDir()),
        runner,
        sessions,
        workspaces,
        metrics,
        registry,
        runner.threads().ioPool(vertx::createSharedWorkerExecutor, WorkerExecutor::close),
        new SandboxProbe(runner),
        cluster,
        kernels);
    if (!context.workspaces().quotaEnforced() && !settings.allowUnlimited()) {
      return Future.failedFuture(new SandboxUnavailableException(
          "This host cannot limit the size of session workspaces (needs root, mkfs.ext4 and loop "
              + "devices); set BUBBLE_SANDBOX_ALLOW_UNLIMITED=true to run without the limit."));
    }
    LocalCodecs.register(vertx.eventBus());
    BubbleSandboxServer server = new BubbleSandboxServer(vertx, context,
        Duration.ofSeconds(settings.sessionIdleTimeoutSeconds()));
    server.ownThreads = givenRunner == null ? runner.threads() : null;
    WorkerSettings workerSettings = WorkerSettings.from(settings);
    // Readiness's first sandbox probe (a bare bwrap, no group, no files), started beside the rest
    // of the start: the first /health/ready finds its answer instead of starting it then.
    context.blocking().executeBlocking(() -> context.probe().problem(), false);
    // Parsed beside the rest of the start (unordered: on another blocking thread), and waited for
    // before the API verticles deploy, so that no request initializes it on an event loop.
    Future<Void> openApi = context.blocking().executeBlocking(() -> {
      OpenApiDocument.load();
      return null;
    }, false);
    return context.blocking().executeBlocking(() -> {
          context.workspaces().prepare();
          removeStaleFileCaches(vertx, settings.workspaceDir());
          // Sandboxes a crashed run left go first: none may still use a workspace being reopened.
          runner.removeStale();
          context.sessions().restore();
          if (cluster != null) {
            cluster.start(context.sessions().all().stream().map(session -> session.id()).toList());
            cluster.registerMetrics(registry);
            ClusterRoutes.serveListing(context);
          }
          List<String> environments = context.environments().names();
          context.metrics().registerKnown(environments, ErrorResponses.rejectionCodes());
          WarmPool warm = new WarmPool(runner, context.environments(), context.limits(), workerSettings.warm());
          server.warm = warm;
          // Those declared now show 0 even with warm sandboxes off; those added later come from the pool.
          environments.forEach(name -> context.metrics().warmSandboxes(name, () -> warm.waiting(name)));
          warm.onNewEnvironment(name -> context.metrics().warmSandboxes(name, () -> warm.waiting(name)));
          context.metrics().refresh(MetricsSnapshot.take(context, warm));
          server.metricsTimer = vertx.setPeriodic(MetricsSnapshot.PERIOD_MILLIS, tick -> context.blocking()
              .executeBlocking(() -> MetricsSnapshot.take(context, warm), false)
              .onSuccess(context.metrics()::refresh)
              .onFailure(failure -> logger.warn("metrics: reading the workspaces and environments failed", failure)));
          return warm;
        })
        .compose(warm -> openApi.map(warm))
        .compose(warm -> vertx.deployVerticle(
            () -> new SandboxWorkerVerticle(runner, workerSettings, warm),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
        .compose(id -> {
          server.workerDeployment = id;
          server.mcp = new McpEndpoint(vertx, registry, Duration.ofSeconds(settings.sessionIdleTimeoutSeconds()));
          return vertx.deployVerticle(() -> {
            ApiVerticle verticle = new ApiVerticle(context, server.mcp);
            server.apiVerticles.add(verticle);
            return verticle;
          }, new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()));
        })
        .map(id -> {
          server.apiDeployment = id;
          server.mcp.listening(settings.httpHost(), server.port());
          server.startReaper();
          server.warm.fill();
          logger.info("server started", kv("port", server.port()),
              kv("limits", ServerInfo.limits(context).getMap()),
              kv("sandbox_uid", user.dropTo().isPresent() ? user.dropTo().getAsInt() : "caller"));
          return server;
        })
        // A start that failed half-way lets another server (in this process, too) have the directory.
        .onFailure(failure -> workspaces.release());
  }

  /** The port the API listens on (the real one when configured as 0). */
  public int port() {
    return apiVerticles.get(0).actualPort();
  }

  /** The API's routes (every API verticle has the same). */
  java.util.List<io.vertx.ext.web.Route> routes() {
    return apiVerticles.get(0).routes();
  }

  public Vertx vertx() {
    return vertx;
  }

  private void startReaper() {
    Duration idle = sessionIdleTimeout;
    long period = Math.max(1_000, Math.min(60_000, idle.toMillis() / 4));
    reaperTimer = vertx.setPeriodic(period, tick -> context.blocking()
        .executeBlocking(() -> context.sessions().reapIdle(Instant.now(), idle))
        .onFailure(failure -> logger.error("idle sessions: reaping failed", failure)));
  }

  /**
   * Stops accepting, lets running executions finish within the grace period, kills the rest,
   * removes every session that was never kept (record and workspace), unmounts the kept ones
   * (their records bring them back at the next start), and closes Vert.x.
   */
  public CompletableFuture<Void> stop() {
    if (configWatch != null) {
      configWatch.close();
    }
    vertx.cancelTimer(reaperTimer);
    vertx.cancelTimer(metricsTimer);
    if (mcp != null) {
      mcp.close();
    }
    return vertx.undeploy(apiDeployment)
        .compose(api -> vertx.undeploy(workerDeployment))
        .compose(workers -> context.blocking().executeBlocking(() -> {
          // Each session's kernel ends with it; closing them all after is for one that opened late.
          try {
            context.sessions().shutdown();
          } finally {
            context.kernels().close();
          }
          return null;
        }))
        .onComplete(done -> logger.info("server stopped"))
        .toCompletionStage().toCompletableFuture()
        .handle((done, failure) -> null)
        .thenComposeAsync(ignored -> context.cluster() == null ? CompletableFuture.completedFuture(null)
            : context.cluster().leave().handle((left, failure) -> null))
        // Closed from a thread outside Vert.x: a callback on an event loop would be refused once
        // the loops are gone, and the returned future would never complete.
        .thenComposeAsync(ignored -> {
          if (ownThreads != null) {
            ownThreads.close();
          }
          return vertx.close().toCompletionStage();
        });
  }
}
