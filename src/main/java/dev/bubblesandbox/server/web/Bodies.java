package dev.bubblesandbox.server.web;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.server.bus.SandboxEvents;
import dev.bubblesandbox.session.SessionInfo;
import dev.bubblesandbox.session.Tenant;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.Map;

/** Reading request bodies and writing response bodies in the API's JSON shapes. */
public final class Bodies {

  private Bodies() {}

  /** Deeper JSON than any request needs is refused before it costs stack or memory. */
  static final int MAX_JSON_DEPTH = 32;

  private static final ObjectMapper PARSER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
      .build());

  /** The request body as a JSON object; an empty or absent body is an empty object. */
  public static JsonObject object(RoutingContext context) {
    // length() is -1, not 0, when the request had no body at all.
    if (context.body() == null || context.body().length() <= 0) {
      return new JsonObject();
    }
    return object(context.body().buffer().getBytes());
  }

  /**
   * One JSON object, from a request body or a WebSocket message.
   *
   * @throws RefusedException {@code invalid_json} for malformed or too deeply nested JSON,
   *     {@code invalid_request} for JSON that is not an object
   */
  @SuppressWarnings("unchecked")
  public static JsonObject object(byte[] json) {
    Object value;
    try {
      value = PARSER.readValue(json, Object.class);
    } catch (StreamConstraintsException e) {
      throw new RefusedException(ErrorCode.INVALID_JSON, "The JSON is nested deeper than " + MAX_JSON_DEPTH + " levels.");
    } catch (IOException e) {
      throw new RefusedException(ErrorCode.INVALID_JSON, "The request body is not valid JSON.");
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST, "The request body must be a JSON object.");
    }
    return new JsonObject((Map<String, Object>) map);
  }

  public static void json(RoutingContext context, int status, Object body) {
    context.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body instanceof JsonObject object ? object.encode() : Json.encode(body));
  }

  /** A session as its tenant's client knows it (its own id). */
  public static JsonObject session(SessionInfo session, Tenant tenant) {
    JsonObject volumes = new JsonObject();
    session.volumes().forEach((name, writable) -> volumes.put(name, new JsonObject().put("writable", writable)));
    return new JsonObject()
        .put("session_id", tenant.clientId(session.id()))
        .put("environment", session.environment())
        .put("created_at", session.createdAt().toString())
        .put("last_activity", session.lastActivity().toString())
        .put("volumes", volumes)
        .put("kernel", session.kernel())
        .put("busy", session.busy());
  }

  /**
   * An {@code exit} frame: the JSON result without the output, and whether a {@code kill} ended
   * it. {@code dropped}: output frames were dropped because the client did not read them.
   */
  public static JsonObject exitFrame(String id, SandboxEvents.Ended ended, boolean dropped) {
    JsonObject frame = new JsonObject().put("type", "exit").put("id", id);
    JsonObject fields = JsonObject.mapFrom(ended.result());
    fields.remove("stdout");
    fields.remove("stderr");
    frame.mergeIn(fields);
    // A kill that comes after the timeout's own kill ended nothing.
    boolean killed = ended.killed() && !ended.result().timedOut();
    // The output cap cuts output but ends nothing: when a kill ended the execution, the kill is
    // the answer, not the cap. A limit that ends executions (timeout, memory, pids) stays.
    if (killed && ExecutionResult.LIMIT_OUTPUT.equals(frame.getValue("limit"))) {
      frame.putNull("limit");
    }
    if (dropped) {
      frame.put("truncated", true);
      if (frame.getValue("limit") == null && !killed) {
        frame.put("limit", ExecutionResult.LIMIT_OUTPUT);
      }
    }
    frame.put("killed", killed);
    return frame;
  }
}
