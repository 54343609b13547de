package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server speaks HTTP/1.1 only. Vert.x's h2c upgrade, which Java's {@link HttpClient} asks for
 * by default on a plain-text connection, sent about one large answer in ten unframed after its
 * 101, or never sent it: such a client saw protocol errors or waited for minutes.
 */
@ExtendWith(VertxExtension.class)
class HttpVersionIT {

  /** New connections, each one's first request asking for the upgrade. */
  private static final int CLIENTS = 60;

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of());

  @Test
  @DisplayName("Java's HttpClient asking for h2c gets every large answer, over HTTP/1.1")
  void upgradeRequestsAreAnsweredOverHttp1() throws Exception {
    URI document = URI.create("http://127.0.0.1:" + server.server.port() + "/v1/openapi.yaml");
    for (int i = 0; i < CLIENTS; i++) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
      HttpRequest request = HttpRequest.newBuilder(document).timeout(Duration.ofSeconds(10)).build();
      // sendAsync with a bound of our own: the client's timeout did not end the waits seen.
      HttpResponse<String> response = http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .get(20, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(response.body()).startsWith("openapi:");
    }
  }

  @Test
  @DisplayName("a prior-knowledge HTTP/2 client is refused at once, not left waiting")
  void priorKnowledgeHttp2IsRefused(Vertx vertx) throws Exception {
    io.vertx.core.http.HttpClient client = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
        .setDefaultHost("127.0.0.1").setDefaultPort(server.server.port()));
    CompletableFuture<String> outcome = client.request(HttpMethod.GET, "/health/live")
        .compose(request -> request.send())
        .map(response -> "answered " + response.version())
        .otherwise(failure -> "refused")
        .toCompletionStage().toCompletableFuture();
    assertThat(outcome.get(20, TimeUnit.SECONDS)).isEqualTo("refused");
  }
}
