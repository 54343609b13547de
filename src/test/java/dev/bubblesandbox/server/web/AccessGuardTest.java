package dev.bubblesandbox.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reading the API key from an Authorization header and from a WebSocket subprotocol offer. */
class AccessGuardTest {

  @Test
  @DisplayName("Bearer in any case, then one or more spaces; any other scheme carries no key")
  void bearerToken() {
    assertThat(AccessGuard.bearerToken("Bearer k")).isEqualTo("k");
    assertThat(AccessGuard.bearerToken("bearer k")).isEqualTo("k");
    assertThat(AccessGuard.bearerToken("BEARER    k")).isEqualTo("k");
    assertThat(AccessGuard.bearerToken("Basic k")).isNull();
    assertThat(AccessGuard.bearerToken("Bearerk")).isNull();
    assertThat(AccessGuard.bearerToken("Bearer")).isNull();
    assertThat(AccessGuard.bearerToken("Bear k")).isNull();
  }

  @Test
  @DisplayName("The key is the bearer.<key> entry of the offered subprotocols, wherever it stands")
  void subprotocolKey() {
    assertThat(AccessGuard.subprotocolKey("bubble-sandbox, bearer.k-1")).isEqualTo("k-1");
    assertThat(AccessGuard.subprotocolKey("bearer.k-1,bubble-sandbox")).isEqualTo("k-1");
    assertThat(AccessGuard.subprotocolKey("bubble-sandbox")).isNull();
    assertThat(AccessGuard.subprotocolKey(null)).isNull();
    assertThat(AccessGuard.subprotocolKey("bearerk")).isNull();
  }

  @Test
  @DisplayName("The server's own origin is the host and port the request went to, in either scheme")
  void sameOrigin() {
    assertThat(AccessGuard.isSameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080")).isTrue();
    assertThat(AccessGuard.isSameOrigin("https://Sandbox.Example.com", "sandbox.example.com")).isTrue();
    assertThat(AccessGuard.isSameOrigin("http://127.0.0.1:8081", "127.0.0.1:8080")).isFalse();
    assertThat(AccessGuard.isSameOrigin("http://127.0.0.1", "127.0.0.1:8080")).isFalse();
    assertThat(AccessGuard.isSameOrigin("https://evil.example.net", "127.0.0.1:8080")).isFalse();
    assertThat(AccessGuard.isSameOrigin("http://127.0.0.1:8080.evil.net", "127.0.0.1:8080")).isFalse();
    assertThat(AccessGuard.isSameOrigin("null", "127.0.0.1:8080")).isFalse();
    assertThat(AccessGuard.isSameOrigin("file://", "")).isFalse();
    assertThat(AccessGuard.isSameOrigin("http://127.0.0.1:8080", null)).isFalse();
  }
}
