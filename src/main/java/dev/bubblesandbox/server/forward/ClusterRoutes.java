package dev.bubblesandbox.server.forward;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.cluster.ClusterNode;
import dev.bubblesandbox.cluster.NodeLoad;
import dev.bubblesandbox.cluster.OwnedElsewhereException;
import dev.bubblesandbox.cluster.Owner;
import dev.bubblesandbox.server.web.Bodies;
import dev.bubblesandbox.server.web.ServerContext;
import dev.bubblesandbox.server.web.TenantScope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import dev.bubblesandbox.session.Tenant;

/**
 * The routes of cluster mode, in front of the node's own: every request for a session of another
 * node goes to that node ({@link HttpForwarder}, {@link ConsoleRelay}); {@code GET /v1/sessions}
 * lists the whole cluster's sessions; a create or one-shot this node refuses for capacity, or a
 * create of an id another node holds, goes to the node that can take it. A forwarded request
 * ({@link dev.bubblesandbox.cluster.HopTokens#HEADER}) is always answered here, never sent on.
 */
public final class ClusterRoutes {

  /** The name of the node that answered, on every answer in cluster mode. */
  public static final String NODE_HEADER = "X-Bubble-Sandbox-Node";
  private static final String LISTING_ADDRESS = "bubble-sandbox.cluster.sessions.";
  /**
   * How long a listing waits for another node. A killed node's bus connection fails at once and a
   * lost one leaves the membership, so this only bounds a node that is alive but slow (a busy
   * machine, a first TLS handshake on the bus): generous, so that it is not left out of the list.
   */
  private static final long LISTING_TIMEOUT_MILLIS = 10_000;

  private final ServerContext context;
  private final ClusterNode node;
  private final HttpForwarder forwarder;
  private final ConsoleRelay consoles;

  public ClusterRoutes(Vertx vertx, ServerContext context) {
    this.context = context;
    this.node = context.cluster();
    this.forwarder = new HttpForwarder(vertx, node.tls(), node.hopTokens(), () -> context.limits().timeout().plusSeconds(60));
    this.consoles = new ConsoleRelay(vertx, node.tls(), node.hopTokens());
    Context here = vertx.getOrCreateContext();
    node.onMemberLeft(member -> here.runOnContext(ignored -> consoles.memberLeft(member)));
  }

  /**
   * Answers other nodes' listing requests (a tenant's name) with this node's sessions of that
   * tenant; once per server. Only cluster nodes reach the bus (TLS with the cluster's CA).
   */
  public static void serveListing(ServerContext context) {
    ClusterNode node = context.cluster();
    node.vertx().eventBus().<String>consumer(LISTING_ADDRESS + node.member(), message -> {
      // The tenants in force now: a reloaded api_keys may have added one.
      Tenant tenant = context.api().tenants().stream().filter(known -> known.name().equals(message.body()))
          .findFirst().orElse(null);
      message.reply(tenant == null ? new JsonArray() : localSessions(context, tenant));
    });
  }

  private static JsonArray localSessions(ServerContext context, Tenant tenant) {
    JsonArray sessions = new JsonArray();
    context.sessions().all().stream().filter(session -> tenant.owns(session.id()))
        .forEach(session -> sessions.add(Bodies.session(session, tenant).put("node", context.cluster().name())));
    return sessions;
  }

  /** Installs the routes; before the node's own, after the access checks. */
  public void install(Router router) {
    router.route().handler(routing -> {
      routing.addHeadersEndHandler(head -> {
        if (!routing.response().headers().contains(NODE_HEADER)) {
          routing.response().putHeader(NODE_HEADER, node.name());
        }
      });
      routing.next();
    });
    router.get("/v1/sessions").handler(this::list);
    router.route("/v1/sessions/:id").handler(this::toOwner);
    router.route("/v1/sessions/:id/*").handler(this::toOwner);
    router.post("/v1/sessions").failureHandler(this::placeElsewhere);
    router.post("/v1/execute").failureHandler(this::placeElsewhere);
    router.get("/v1/console").failureHandler(this::consoleElsewhere);
  }

  /** A throwaway console this node is too full for: opened on the node with the most free slots. */
  private void consoleElsewhere(RoutingContext routing) {
    boolean full = routing.failure() instanceof BubbleSandboxException refused
        && refused.code() == ErrorCode.CAPACITY_EXHAUSTED;
    List<Owner.There> candidates = node.placementCandidates().stream()
        .map(load -> new Owner.There(load.name(), load.member(), load.httpHost(), load.httpPort())).toList();
    if (!full || HttpForwarder.forwarded(routing) || routing.response().headWritten() || !isConsoleUpgrade(routing)
        || candidates.isEmpty()) {
      routing.next();
      return;
    }
    consoles.relay(routing, candidates);
  }

  /** {@code GET /v1/sessions}: every live node's sessions, each with its {@code node}. */
  private void list(RoutingContext routing) {
    if (HttpForwarder.forwarded(routing)) {
      routing.next();
      return;
    }
    Context here = routing.vertx().getOrCreateContext();
    Tenant tenant = TenantScope.of(routing);
    List<Future<JsonArray>> parts = new ArrayList<>();
    for (NodeLoad load : node.nodes()) {
      if (load.member().equals(node.member())) {
        continue;
      }
      Future<JsonArray> part = node.vertx().eventBus()
          .<JsonArray>request(LISTING_ADDRESS + load.member(), tenant.name(),
              new DeliveryOptions().setSendTimeout(LISTING_TIMEOUT_MILLIS))
          .map(message -> message.body());
      // A node that does not answer in time (leaving, dying) is left out, not the whole list.
      parts.add(Future.fromCompletionStage(part.toCompletionStage(), here).otherwise(new JsonArray()));
    }
    Future.join(parts).onComplete(done -> {
      JsonArray sessions = localSessions(context, tenant);
      parts.forEach(part -> sessions.addAll(part.result()));
      Bodies.json(routing, 200, new JsonObject().put("sessions", sessions));
    });
  }

  /** Any request under {@code /v1/sessions/{id}}: answered here or by the session's node. */
  private void toOwner(RoutingContext routing) {
    if (HttpForwarder.forwarded(routing)) {
      routing.next();
      return;
    }
    String id = TenantScope.sessionId(routing);
    if (isLocal(id)) {
      routing.next();
      return;
    }
    boolean hasBody = routing.request().method() == HttpMethod.POST || routing.request().method() == HttpMethod.PUT;
    // Nothing of the request may be read before it is known where it goes.
    routing.request().pause();
    Context here = routing.vertx().getOrCreateContext();
    Future.fromCompletionStage(node.owner(id), here).onComplete(found -> {
      if (found.failed()) {
        routing.request().resume();
        routing.fail(new RefusedException(ErrorCode.SESSION_UNAVAILABLE,
            "The cluster's session directory cannot be read now; retry later."));
        return;
      }
      Owner owner = found.result();
      if (owner instanceof Owner.There there) {
        if (isConsoleUpgrade(routing)) {
          consoles.relay(routing, there);
        } else {
          forwarder.proxy(routing, there);
        }
      } else if (owner instanceof Owner.Unknown) {
        routing.fail(new RefusedException(ErrorCode.SESSION_UNAVAILABLE,
            "The cluster's session directory cannot say where this session is now; retry later."));
      } else if (owner instanceof Owner.Unavailable unavailable) {
        routing.fail(new RefusedException(ErrorCode.SESSION_UNAVAILABLE, "Session " + routing.pathParam("id") + " is on node "
            + unavailable.name() + ", which has left the cluster; it is unavailable until that node comes back."));
      } else {
        if (!hasBody) {
          // The routes without a body never resume it themselves (those with one do).
          routing.request().resume();
        }
        routing.next();
      }
    });
  }

  /**
   * A create or one-shot failed here: when another node holds the id, or this node is full and
   * another may have a slot, it goes there; otherwise the failure is answered as it is.
   */
  private void placeElsewhere(RoutingContext routing) {
    Throwable failure = routing.failure();
    if (HttpForwarder.forwarded(routing) || routing.response().headWritten()) {
      routing.next();
      return;
    }
    List<Owner.There> targets;
    if (failure instanceof OwnedElsewhereException elsewhere) {
      targets = List.of(elsewhere.owner());
    } else if (failure instanceof BubbleSandboxException refused && refused.code() == ErrorCode.CAPACITY_EXHAUSTED) {
      targets = node.placementCandidates().stream()
          .map(load -> new Owner.There(load.name(), load.member(), load.httpHost(), load.httpPort())).toList();
    } else {
      routing.next();
      return;
    }
    forwarder.resend(routing, targets).onComplete(done -> {
      if (done.failed() && done.cause() instanceof RefusedException lost) {
        routing.fail(lost); // a node took it and went away: it may have run, so not run here too
      } else if (done.failed() || !done.result()) {
        if (failure instanceof OwnedElsewhereException elsewhere) {
          routing.fail(HttpForwarder.unreachable(elsewhere.owner()));
        } else {
          routing.next();
        }
      }
    });
  }

  private boolean isLocal(String id) {
    try {
      context.sessions().get(id);
      return true;
    } catch (BubbleSandboxException e) {
      return false;
    }
  }

  private static boolean isConsoleUpgrade(RoutingContext routing) {
    String upgrade = routing.request().getHeader(HttpHeaders.UPGRADE);
    return routing.request().path().endsWith("/console") && upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }
}
