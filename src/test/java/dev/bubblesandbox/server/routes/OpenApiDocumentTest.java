package dev.bubblesandbox.server.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.environment.EnvironmentSummary;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.server.execution.ExecuteRequest;
import dev.bubblesandbox.server.web.Bodies;
import dev.bubblesandbox.session.SessionInfo;
import dev.bubblesandbox.session.SessionSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenAPI document is valid OpenAPI 3.1, and its schemas name the same fields and error
 * codes as the code that reads requests and writes responses (the routes and statuses are
 * checked against a live server by {@code OpenApiParityIT}).
 */
@ExtendWith(VertxExtension.class)
class OpenApiDocumentTest {

  private static final JsonObject DOCUMENT = OpenApiDocument.tree();
  private static final JsonObject SCHEMAS = DOCUMENT.getJsonObject("components").getJsonObject("schemas");

  @Test
  @DisplayName("The document validates against the official OpenAPI 3.1 schema; a broken one does not")
  void validates(Vertx vertx) throws Exception {
    assertThat(validate(vertx, DOCUMENT.copy())).isEmpty();
    assertThat(OpenAPIVersion.V3_1.resolve(vertx, repository(vertx), DOCUMENT.copy())
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS)).as("every $ref resolves").isNotNull();

    JsonObject broken = DOCUMENT.copy();
    // A query parameter that does not say where it goes: deep in the document, still caught.
    broken.getJsonObject("paths").getJsonObject("/v1/sessions/{id}").getJsonObject("delete")
        .getJsonArray("parameters").getJsonObject(0).remove("in");
    assertThat(validate(vertx, broken)).isNotEmpty();
  }

  /** The validator's errors for {@code document}; empty when it is valid OpenAPI 3.1. */
  private static String validate(Vertx vertx, JsonObject document) throws Exception {
    assertThat(OpenAPIVersion.fromContract(document)).isEqualTo(OpenAPIVersion.V3_1);
    OutputUnit result;
    try {
      result = OpenAPIVersion.V3_1.validateContract(vertx, repository(vertx), document)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return String.valueOf(e.getCause());
    }
    return Boolean.TRUE.equals(result.getValid()) ? "" : String.valueOf(result.getErrors());
  }

  /** The official OAS 3.1 schemas, as vertx-openapi ships them. */
  private static SchemaRepository repository(Vertx vertx) throws Exception {
    return OpenAPIVersion.V3_1.getRepository(vertx, "app:///")
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("Every ErrorCode is in the document with its HTTP status, and no other code is")
  void errorCodes() {
    JsonObject error = SCHEMAS.getJsonObject("Error");
    Set<String> documented = strings(error.getJsonObject("properties").getJsonObject("error")
        .getJsonObject("properties").getJsonObject("code").getJsonArray("enum"));
    Map<String, Integer> statuses = new TreeMap<>();
    error.getJsonObject("x-error-codes").forEach(entry -> statuses.put(entry.getKey(), (Integer) entry.getValue()));
    Map<String, Integer> expected = Arrays.stream(ErrorCode.values())
        .collect(Collectors.toMap(ErrorCode::code, ErrorCode::httpStatus, (a, b) -> a, TreeMap::new));
    assertThat(documented).isEqualTo(expected.keySet());
    assertThat(statuses).isEqualTo(expected);
  }

  @Test
  @DisplayName("Request schemas name exactly the fields the handlers accept")
  void requestFields() {
    assertThat(properties("ExecuteRequest")).isEqualTo(ExecuteRequest.FIELDS);
    Set<String> oneShot = new HashSet<>(ExecuteRequest.FIELDS);
    oneShot.add("environment");
    assertThat(properties("OneShotRequest")).isEqualTo(oneShot);
    assertThat(properties("SessionCreateRequest")).isEqualTo(SessionHandlers.CREATE_FIELDS);
    Set<String> consoleExecute = new HashSet<>(ExecuteRequest.FIELDS);
    consoleExecute.addAll(List.of("type", "id"));
    assertThat(DOCUMENT.getJsonObject("x-websocket-messages").getJsonObject("client").getJsonObject("execute")
        .getJsonObject("properties").fieldNames()).isEqualTo(consoleExecute);
  }

  @Test
  @DisplayName("Response schemas name exactly the fields the code writes; the always-present ones are required")
  void responseFields() {
    ExecutionResult full = new ExecutionResult("", "", 0, false, false, 1, null, 1L, 1L);
    ExecutionResult least = new ExecutionResult("", "", 0, false, false, 1, null, null, null);
    assertThat(properties("ExecutionResult")).isEqualTo(JsonObject.mapFrom(full).fieldNames());
    assertThat(required("ExecutionResult")).isEqualTo(JsonObject.mapFrom(least).fieldNames());
    // A kernel session's script: the same fields unwrapped, and the kernel's own.
    assertThat(properties("KernelResult")).isEqualTo(JsonObject.mapFrom(new dev.bubblesandbox.sandbox.kernel.KernelResult(
        full, List.of(), null, 1, dev.bubblesandbox.sandbox.kernel.KernelState.PRESERVED)).fieldNames());
    assertThat(required("KernelResult")).isEqualTo(JsonObject.mapFrom(new dev.bubblesandbox.sandbox.kernel.KernelResult(
        least, List.of(), null, 1, dev.bubblesandbox.sandbox.kernel.KernelState.PRESERVED)).fieldNames());

    JsonObject environment = JsonObject.mapFrom(new EnvironmentSummary("bare", null, List.of(), null, true, List.of(), null, null));
    assertThat(properties("Environment")).isEqualTo(environment.fieldNames());
    assertThat(required("Environment")).isEqualTo(environment.fieldNames());

    JsonObject session = Bodies.session(new SessionInfo("s1", new SessionSettings("bare", Map.of("v", true), true),
        Instant.EPOCH, Instant.EPOCH, false), dev.bubblesandbox.session.Tenant.DEFAULT);
    // In cluster mode the listing adds the session's node (ClusterRoutes; ClusterIT reads it).
    assertThat(properties("Session")).isEqualTo(session.copy().put("node", "n").fieldNames());
    assertThat(required("Session")).isEqualTo(session.fieldNames());
  }

  private static Set<String> properties(String schema) {
    return new HashSet<>(SCHEMAS.getJsonObject(schema).getJsonObject("properties").fieldNames());
  }

  private static Set<String> required(String schema) {
    return strings(SCHEMAS.getJsonObject(schema).getJsonArray("required"));
  }

  private static Set<String> strings(JsonArray array) {
    return array.stream().map(String.class::cast).collect(Collectors.toSet());
  }
}
