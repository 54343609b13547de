package dev.bubblesandbox.server.routes;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.environment.EnvironmentName;
import dev.bubblesandbox.sandbox.Volume;
import dev.bubblesandbox.server.execution.ExecutionService;
import dev.bubblesandbox.server.web.Bodies;
import dev.bubblesandbox.server.web.ServerContext;
import dev.bubblesandbox.server.web.TenantScope;
import dev.bubblesandbox.session.SessionIds;
import dev.bubblesandbox.session.SessionService;
import dev.bubblesandbox.session.SessionSettings;
import dev.bubblesandbox.session.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creating, listing, reading and ending sessions. */
public final class SessionHandlers {

  private static final Logger logger = LoggerFactory.getLogger(SessionHandlers.class);
  static final Set<String> CREATE_FIELDS = Set.of("environment", "session_id", "volumes", "kernel");

  private final ServerContext context;

  public SessionHandlers(ServerContext context) {
    this.context = context;
  }

  public void handleCreate(RoutingContext routing) {
    JsonObject body = Bodies.object(routing);
    for (String field : body.fieldNames()) {
      if (!CREATE_FIELDS.contains(field)) {
        throw new RefusedException(ErrorCode.INVALID_REQUEST, "Unknown field '" + field + "'.");
      }
    }
    String environment = text(body, "environment", ServerContext.DEFAULT_ENVIRONMENT);
    EnvironmentName.validate(environment);
    Tenant tenant = TenantScope.of(routing);
    String id = tenant.sessionId(body.containsKey("session_id")
        ? SessionIds.validate(text(body, "session_id", null)) : SessionIds.newId());
    Object kernel = body.containsKey("kernel") ? body.getValue("kernel") : Boolean.FALSE;
    if (!(kernel instanceof Boolean isKernel)) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST, "'kernel' must be true or false.");
    }
    SessionSettings settings = new SessionSettings(environment, volumes(body), isKernel);
    context.blocking().executeBlocking(() -> {
          context.environments().require(environment);
          SessionService.Created created = context.sessions().create(id, settings);
          // A kernel session's scripts go to its kernel: a warm sandbox would wait for nothing,
          // and its start would compete with the kernel's.
          if (created.isNew() && !settings.kernel()) {
            ExecutionService.keepWarm(routing.vertx(), context, id);
          }
          return created;
        })
        .onSuccess(created -> {
          if (created.isNew()) {
            logger.info("session created", kv("session_id", id), kv("environment", environment),
                kv("kernel", settings.kernel()));
          }
          Bodies.json(routing, created.isNew() ? 201 : 200, Bodies.session(created.session(), tenant));
        })
        .onFailure(routing::fail);
  }

  public void handleList(RoutingContext routing) {
    Tenant tenant = TenantScope.of(routing);
    JsonArray sessions = new JsonArray();
    context.sessions().all().stream().filter(session -> tenant.owns(session.id()))
        .forEach(session -> sessions.add(Bodies.session(session, tenant)));
    Bodies.json(routing, 200, new JsonObject().put("sessions", sessions));
  }

  public void handleGet(RoutingContext routing) {
    Bodies.json(routing, 200, Bodies.session(context.sessions().get(TenantScope.sessionId(routing)),
        TenantScope.of(routing)));
  }

  public void handleDelete(RoutingContext routing) {
    String clear = routing.queryParams().get("clear_data");
    if (clear != null && !clear.equals("true") && !clear.equals("false")) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST, "clear_data must be true or false.");
    }
    boolean keep = "false".equals(clear);
    if (keep && !context.api().allowPersistentSessions()) {
      throw new RefusedException(ErrorCode.PERSISTENCE_DISABLED,
          "Persistent sessions are disabled on this server; delete with clear_data=true.");
    }
    String id = TenantScope.sessionId(routing);
    context.blocking().executeBlocking(() -> {
          context.sessions().end(id, keep);
          return null;
        })
        .onSuccess(done -> {
          logger.info("session ended", kv("session_id", id), kv("kept", keep));
          routing.response().setStatusCode(204).end();
        })
        .onFailure(routing::fail);
  }

  private static Map<String, Boolean> volumes(JsonObject body) {
    Object value = body.getValue("volumes");
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject volumes)) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST,
          "'volumes' must be an object such as {\"data\": {\"writable\": false}}.");
    }
    Map<String, Boolean> result = new LinkedHashMap<>();
    for (String name : volumes.fieldNames()) {
      Volume.validateName(name);
      Object spec = volumes.getValue(name);
      Object writable = spec instanceof JsonObject object ? object.getValue("writable", false) : null;
      if (!(writable instanceof Boolean flag)) {
        throw new RefusedException(ErrorCode.INVALID_REQUEST,
            "Volume '" + name + "' must be an object with a boolean 'writable'.");
      }
      result.put(name, flag);
    }
    return result;
  }

  private static String text(JsonObject body, String field, String fallback) {
    Object value = body.getValue(field);
    if (!body.containsKey(field) && fallback != null) {   // absent, not null: null is no name
      return fallback;
    }
    if (!(value instanceof String text)) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST, "'" + field + "' must be a string.");
    }
    return text;
  }
}
