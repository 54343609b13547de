package dev.bubblesandbox.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks real responses against the OpenAPI document: the status must be documented for the
 * operation, and a JSON body must have exactly the documented fields (no undocumented field, no
 * required one missing), recursively, with the documented types and enums. Records what it saw,
 * so a test can tell which documented statuses no response showed.
 */
final class OpenApiChecker {

  private final JsonObject document;
  private final Set<String> seen = new TreeSet<>();

  OpenApiChecker(JsonObject document) {
    this.document = document;
  }

  /** Checks one response of {@code method} on the documented {@code path} template. */
  void check(String method, String path, int status, String contentType, String body) throws Exception {
    JsonObject operation = operation(method, path);
    JsonObject response = operation.getJsonObject("responses").getJsonObject(String.valueOf(status));
    if (response == null) {
      throw new AssertionError(method + " " + path + " answered " + status + ", which the document does not list: " + body);
    }
    response = resolve(response);
    seen.add(key(method, path, status));
    JsonObject content = response.getJsonObject("content");
    // A response documented with several types (/mcp: JSON or an SSE stream) may send any of them.
    boolean otherType = content != null && contentType != null && content.fieldNames().stream()
        .anyMatch(type -> !type.equals("application/json") && contentType.startsWith(type));
    if (content != null && content.containsKey("application/json") && !otherType) {
      if (contentType == null || !contentType.startsWith("application/json")) {
        throw new AssertionError(method + " " + path + " " + status + ": documented as JSON, sent " + contentType);
      }
      List<String> problems = new ArrayList<>();
      validate(TestServer.JSON.readTree(body), content.getJsonObject("application/json").getJsonObject("schema"),
          "body", problems);
      if (!problems.isEmpty()) {
        throw new AssertionError(method + " " + path + " " + status + " differs from the document: " + problems
            + " in " + body);
      }
    }
  }

  /** "METHOD /path STATUS" of every documented success status (2xx, 101) that no checked response had. */
  Set<String> unseenSuccesses() {
    Set<String> unseen = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (method.equals("parameters")) {
          continue;
        }
        for (String status : item.getJsonObject(method).getJsonObject("responses").fieldNames()) {
          String key = key(method, path, Integer.parseInt(status));
          if ((status.startsWith("2") || status.equals("101")) && !seen.contains(key)) {
            unseen.add(key);
          }
        }
      }
    }
    return unseen;
  }

  /** "METHOD /path" of every documented operation, e.g. {@code GET /v1/sessions/{id}}. */
  Set<String> operations() {
    Set<String> operations = new TreeSet<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        if (!method.equals("parameters")) {
          operations.add(method.toUpperCase(Locale.ROOT) + " " + path);
        }
      }
    }
    return operations;
  }

  private JsonObject operation(String method, String path) {
    JsonObject item = document.getJsonObject("paths").getJsonObject(path);
    JsonObject operation = item == null ? null : item.getJsonObject(method.toLowerCase(Locale.ROOT));
    if (operation == null) {
      throw new AssertionError(method + " " + path + " is not in the document");
    }
    return operation;
  }

  private static String key(String method, String path, int status) {
    return method.toUpperCase(Locale.ROOT) + " " + path + " " + status;
  }

  private JsonObject resolve(JsonObject maybeRef) {
    JsonObject current = maybeRef;
    while (current.containsKey("$ref")) {
      String[] parts = current.getString("$ref").substring(2).split("/");
      JsonObject target = document;
      for (String part : parts) {
        target = target.getJsonObject(part);
      }
      current = target;
    }
    return current;
  }

  private void validate(JsonNode value, JsonObject schemaOrRef, String where, List<String> problems) {
    JsonObject schema = resolve(schemaOrRef);
    if (schema.getValue("oneOf") instanceof JsonArray alternatives) {
      // Exactly one alternative fits, as JSON Schema's oneOf says.
      List<String> misfits = new java.util.ArrayList<>();
      int fitting = 0;
      for (Object alternative : alternatives) {
        List<String> own = new java.util.ArrayList<>();
        validate(value, (JsonObject) alternative, where, own);
        if (own.isEmpty()) {
          fitting++;
        } else {
          misfits.addAll(own);
        }
      }
      if (fitting != 1) {
        problems.add(where + ": fits " + fitting + " of the oneOf alternatives" + (fitting == 0 ? ": " + misfits : ""));
      }
      return;
    }
    if (schema.containsKey("enum") && !enumContains(schema.getJsonArray("enum"), value)) {
      problems.add(where + ": " + value + " is not one of " + schema.getJsonArray("enum"));
      return;
    }
    Object type = schema.getValue("type");
    List<String> types = type instanceof JsonArray array ? array.stream().map(String.class::cast).toList()
        : type == null ? List.of() : List.of((String) type);
    if (!types.isEmpty() && types.stream().noneMatch(t -> hasType(value, t))) {
      problems.add(where + ": " + value.getNodeType() + " where the document says " + types);
      return;
    }
    if (value.isObject()) {
      JsonObject properties = schema.getJsonObject("properties", new JsonObject());
      for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (properties.containsKey(name)) {
          validate(value.get(name), properties.getJsonObject(name), where + "." + name, problems);
        } else if (schema.getValue("additionalProperties") instanceof JsonObject additional) {
          validate(value.get(name), additional, where + "." + name, problems);
        } else if (Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
          problems.add(where + "." + name + " is not documented");
        }
      }
      for (Object required : schema.getJsonArray("required", new JsonArray())) {
        if (!value.has((String) required)) {
          problems.add(where + "." + required + " is documented as required but missing");
        }
      }
    } else if (value.isArray() && schema.containsKey("items")) {
      for (int i = 0; i < value.size(); i++) {
        validate(value.get(i), schema.getJsonObject("items"), where + "[" + i + "]", problems);
      }
    }
  }

  private static boolean enumContains(JsonArray values, JsonNode value) {
    for (Object allowed : values) {
      if (allowed == null ? value.isNull() : value.isTextual() && allowed.equals(value.asText())
          || value.isNumber() && allowed instanceof Number n && n.doubleValue() == value.asDouble()) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> false;
    };
  }
}
