package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.server.routes.OpenApiDocument;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The parity IT's checker fails on each kind of difference between a response and the document. */
class OpenApiCheckerTest {

  private static final String SESSION = "{\"session_id\": \"s\", \"environment\": \"bare\", "
      + "\"created_at\": \"2026-01-01T00:00:00Z\", \"last_activity\": \"2026-01-01T00:00:00Z\", "
      + "\"volumes\": {\"v\": {\"writable\": true}}, \"kernel\": false, \"busy\": false}";

  private final OpenApiChecker checker = new OpenApiChecker(OpenApiDocument.tree());

  @Test
  @DisplayName("A response as documented passes")
  void documented() {
    assertThatCode(() -> checker.check("GET", "/v1/sessions/{id}", 200, "application/json", SESSION))
        .doesNotThrowAnyException();
    assertThatCode(() -> checker.check("GET", "/v1/sessions/{id}", 404, "application/json",
        "{\"error\": {\"code\": \"session_not_found\", \"message\": \"No such session.\"}}"))
        .doesNotThrowAnyException();
  }

  @Test
  @DisplayName("An undocumented status, field, type, enum value or operation fails, and so does a missing field")
  void differences() {
    assertThatThrownBy(() -> checker.check("GET", "/v1/sessions/{id}", 418, "application/json", SESSION))
        .hasMessageContaining("does not list");
    assertThatThrownBy(() -> checker.check("GET", "/v1/sessions/{id}", 200, "application/json",
        SESSION.replace("\"busy\": false", "\"busy\": false, \"owner\": \"x\""))).hasMessageContaining("owner is not documented");
    assertThatThrownBy(() -> checker.check("GET", "/v1/sessions/{id}", 200, "application/json",
        SESSION.replace(", \"busy\": false", ""))).hasMessageContaining("busy is documented as required but missing");
    assertThatThrownBy(() -> checker.check("GET", "/v1/sessions/{id}", 200, "application/json",
        SESSION.replace("\"writable\": true", "\"writable\": \"yes\""))).hasMessageContaining("volumes.v.writable");
    assertThatThrownBy(() -> checker.check("GET", "/v1/sessions/{id}", 404, "application/json",
        "{\"error\": {\"code\": \"no_such_code\", \"message\": \"\"}}")).hasMessageContaining("not one of");
    // An execute's answer is one of two shapes: one with the fields of both fits neither.
    String result = "{\"stdout\": \"\", \"stderr\": \"\", \"return_code\": 0, \"timed_out\": false, "
        + "\"truncated\": false, \"duration_ms\": 1, \"limit\": null, \"start\": \"warm\"";
    assertThatCode(() -> checker.check("POST", "/v1/sessions/{id}/execute", 200, "application/json", result + "}"))
        .doesNotThrowAnyException();
    assertThatCode(() -> checker.check("POST", "/v1/sessions/{id}/execute", 200, "application/json", result
        + ", \"results\": [], \"error\": null, \"execution_count\": 1, \"kernel\": \"preserved\"}"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> checker.check("POST", "/v1/sessions/{id}/execute", 200, "application/json", result
        + ", \"results\": []}")).hasMessageContaining("fits 0 of the oneOf alternatives");
    assertThatThrownBy(() -> checker.check("PATCH", "/v1/sessions/{id}", 200, "application/json", SESSION))
        .hasMessageContaining("not in the document");
    assertThatThrownBy(() -> checker.check("GET", "/v1/sessions/{id}", 200, "text/plain", SESSION))
        .hasMessageContaining("documented as JSON");
  }
}
