package dev.bubblesandbox.cluster;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.session.SessionService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server as a member of a cluster: a clustered Vert.x instance of its own on Vert.x's
 * Hazelcast cluster manager (the server's HTTP API keeps its own, unclustered instance, so that
 * nothing of the single-node path changes), the session directory, and the view of the other
 * nodes and their free slots, refreshed every second and at each membership change. Made only
 * when {@code cluster_enabled} is true.
 */
public final class ClusterNode {

  private static final Logger logger = LoggerFactory.getLogger(ClusterNode.class);
  private static final long REFRESH_MILLIS = 1_000;
  /**
   * How often an entry that is not signed with the secret is read again before the session
   * counts as unavailable: its node writes its own entry again at its next refresh.
   */
  private static final int UNSIGNED_RETRIES = 8;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String name;
  private final String httpHost;
  private final int httpPort;
  private final SessionDirectory directory;
  private final ClusterTls tls;
  private final HopTokens hops;
  private final List<Consumer<String>> memberLeftListeners = new CopyOnWriteArrayList<>();
  private volatile Map<String, NodeLoad> liveNodes = Map.of();
  private volatile SessionService sessions;
  private long refreshTimer = -1;

  private ClusterNode(Vertx vertx, HazelcastInstance hazelcast, String name, Settings settings,
      ClusterSecret secret, ClusterTls tls) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.name = name;
    this.httpHost = settings.clusterHost();
    this.httpPort = settings.clusterHttpPort();
    this.directory = new SessionDirectory(hazelcast, secret, name,
        Duration.ofSeconds(settings.sessionIdleTimeoutSeconds()));
    this.tls = tls;
    this.hops = new HopTokens(secret, name, java.time.Clock.systemUTC());
  }

  /**
   * Joins the cluster the settings name, with the cluster secret and TLS material they point at.
   * Blocks briefly (the node name file, the certificate files).
   */
  public static Future<ClusterNode> join(Settings settings) {
    String name;
    ClusterTls tls;
    try {
      name = NodeName.of(settings.workspaceDir());
      tls = ClusterTls.from(java.nio.file.Path.of(settings.clusterTlsDir()));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    ClusterSecret secret = new ClusterSecret(settings.clusterSecret());
    // TLS both ways, a certificate of the cluster's CA required of every peer: a message on the
    // bus comes from a cluster node, whatever its sender field says.
    EventBusOptions bus = tls.secure(new EventBusOptions()
        .setHost(settings.clusterHost())
        .setClusterPublicHost(settings.clusterHost())
        .setPort(settings.clusterBusPort())
        .setClusterPublicPort(settings.clusterBusPort())
        .setClusterNodeMetadata(new JsonObject().put("name", name)
            .put("http", settings.clusterHost() + ":" + settings.clusterHttpPort())));
    if (!settings.logLevel().equals("DEBUG") && !settings.logLevel().equals("TRACE")) {
      // Hazelcast's start-up banner and notes are some thirty lines at INFO.
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.hazelcast"))
          .setLevel(ch.qos.logback.classic.Level.WARN);
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastSettings.from(settings, secret));
    return Vertx.builder()
        // It serves no files: no file cache, which would be left in /tmp by a killed JVM.
        .with(new VertxOptions().setEventBusOptions(bus).setFileSystemOptions(
            new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false)))
        .withClusterManager(manager)
        .buildClustered()
        .map(vertx -> {
          ClusterNode node = new ClusterNode(vertx, manager.getHazelcastInstance(), name, settings, secret, tls);
          int members = node.hazelcast.getCluster().getMembers().size();
          logger.info("joined the cluster", kv("node", name), kv("cluster", settings.clusterName()),
              kv("members", members));
          if (members == 1 && settings.clusterMembers().size() > 1) {
            // Members that are up but refuse this one (another cluster_secret, another
            // cluster_name) say so in their own log; this side sees only that it is alone.
            logger.warn("this node is alone in its cluster: if other members are running, check that "
                + "every node has the same cluster_secret and cluster_name", kv("node", name),
                kv("cluster_members", settings.clusterMembers()));
          }
          return node;
        });
  }

  /** The session service of this node in the cluster, over its local one. */
  public ClusterSessionService sessionService(dev.bubblesandbox.session.LocalSessionService local,
      Map<String, Integer> tenantMaxSessions) {
    ClusterSessionService service = new ClusterSessionService(local, directory, this::changed, tenantMaxSessions);
    this.sessions = service;
    return service;
  }

  /**
   * Once the local sessions are restored: registers them, publishes this node, and starts
   * following the cluster. Blocks.
   */
  public void start(List<String> restoredIds) {
    directory.registerRestored(restoredIds);
    refresh();
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        logger.info("cluster member joined", kv("member", event.getMember().getUuid().toString()));
        vertx.executeBlocking(() -> refresh());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String member = event.getMember().getUuid().toString();
        memberLeftListeners.forEach(listener -> listener.accept(member));
        vertx.executeBlocking(() -> {
          directory.memberLeft(member).ifPresent(left -> logger.warn(
              "cluster node left: its sessions are unavailable until it comes back", kv("node", left)));
          return refresh();
        }).onFailure(failure -> logger.error("cluster: noting a lost member failed", failure));
      }
    });
    refreshTimer = vertx.setPeriodic(REFRESH_MILLIS, tick -> vertx.executeBlocking(this::refresh)
        .onFailure(failure -> logger.warn("cluster: refreshing the node view failed", kv("error", failure.toString()))));
  }

  /** Publishes this node's load, puts its sessions' entries back if changed, and reads the others'. Blocks. */
  private boolean refresh() {
    SessionService current = sessions;
    if (current != null) {
      directory.publish(new NodeLoad(name, directory.member(), httpHost, httpPort, current.capacity(),
          current.slotsUsed(), current.all().size()));
    }
    directory.reassert();
    liveNodes = directory.liveNodes();
    return true;
  }


  /** A session was made or ended here: tell the cluster now, not at the next tick. */
  private void changed() {
    vertx.executeBlocking(this::refresh);
  }

  public String name() {
    return name;
  }

  /** The address of this node's listener for the other nodes ({@code cluster_http_port}, TLS). */
  public String httpHost() {
    return httpHost;
  }

  public int httpPort() {
    return httpPort;
  }

  public String member() {
    return directory.member();
  }

  /** The clustered instance: its event bus spans the cluster. */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * Where a session lives, as the directory says. An entry not signed with the secret is read
   * again a few times, half a refresh apart: the session's own node writes its entry again
   * meanwhile; one that stays unsigned is {@link Owner.Unknown}. Completes on a Hazelcast or
   * event-loop thread.
   */
  public CompletionStage<Owner> owner(String sessionId) {
    return owner(sessionId, UNSIGNED_RETRIES);
  }

  private CompletionStage<Owner> owner(String sessionId, int retries) {
    return directory.owner(sessionId, liveNodes).thenCompose(entry -> {
      if (entry instanceof SessionDirectory.Entry.Elsewhere elsewhere) {
        return CompletableFuture.completedFuture(elsewhere.owner());
      }
      if (!(entry instanceof SessionDirectory.Entry.Unknown)) {
        return CompletableFuture.completedFuture(new Owner.Here());
      }
      if (retries == 0) {
        return CompletableFuture.completedFuture(new Owner.Unknown());
      }
      CompletableFuture<Owner> later = new CompletableFuture<>();
      vertx.setTimer(REFRESH_MILLIS / 2, tick -> owner(sessionId, retries - 1).whenComplete((owner, failure) -> {
        if (failure != null) {
          later.completeExceptionally(failure);
        } else {
          later.complete(owner);
        }
      }));
      return later;
    });
  }

  /** Signs the hop tokens of requests this node forwards, and checks those forwarded to it. */
  public HopTokens hopTokens() {
    return hops;
  }

  /** The TLS of this node's connections to other nodes, and of its listener for them. */
  public ClusterTls tls() {
    return tls;
  }

  /** The live nodes as last seen, this one included. */
  public List<NodeLoad> nodes() {
    return liveNodes.values().stream().sorted(Comparator.comparing(NodeLoad::name)).toList();
  }

  /** The other nodes, the most free slots first (a full-looking one last: the view may be old). */
  public List<NodeLoad> placementCandidates() {
    return liveNodes.values().stream().filter(load -> !load.member().equals(member()))
        .sorted(Comparator.comparingInt(NodeLoad::free).reversed()).toList();
  }

  /** Runs {@code listener} with the member id of each member that leaves or dies. */
  public void onMemberLeft(Consumer<String> listener) {
    memberLeftListeners.add(listener);
  }

  /** {@code GET /v1/info}'s {@code cluster}. */
  public JsonObject info() {
    JsonArray members = new JsonArray();
    nodes().forEach(load -> members.add(new JsonObject().put("node", load.name())
        .put("http", load.httpHost() + ":" + load.httpPort()).put("sessions", load.sessions())
        .put("slots", load.capacity()).put("slots_free", load.free())));
    return new JsonObject().put("node", name).put("nodes", liveNodes.size())
        .put("sessions", liveNodes.values().stream().mapToInt(NodeLoad::sessions).sum())
        .put("slots", liveNodes.values().stream().mapToInt(NodeLoad::capacity).sum())
        .put("slots_free", liveNodes.values().stream().mapToInt(NodeLoad::free).sum())
        .put("members", members);
  }

  public void registerMetrics(MeterRegistry registry) {
    Gauge.builder("bubble_sandbox_cluster_nodes", this, node -> node.liveNodes.size())
        .description("Live nodes of the cluster").register(registry);
    Gauge.builder("bubble_sandbox_cluster_sessions", this,
            node -> node.liveNodes.values().stream().mapToInt(NodeLoad::sessions).sum())
        .description("Sessions open on the cluster's live nodes").register(registry);
    Gauge.builder("bubble_sandbox_cluster_slots_free", this,
            node -> node.liveNodes.values().stream().mapToInt(NodeLoad::free).sum())
        .description("Free slots on the cluster's live nodes").register(registry);
  }

  /**
   * At a graceful stop, after the local sessions are put away: leaves the cluster. Completed
   * from outside Vert.x, as the server's own close is: a callback on the closed instance's event
   * loop would be refused, and the stop would wait for ever.
   */
  public CompletableFuture<Void> leave() {
    vertx.cancelTimer(refreshTimer);
    return vertx.executeBlocking(() -> {
          directory.leave();
          return null;
        })
        .toCompletionStage().toCompletableFuture()
        .handle((done, failure) -> {
          if (failure != null) {
            logger.warn("cluster: removing this node's entries failed", kv("error", failure.toString()));
          }
          return null;
        })
        .thenComposeAsync(ignored -> vertx.close().toCompletionStage())
        .whenComplete((closed, failure) -> logger.info("left the cluster", kv("node", name)));
  }
}
