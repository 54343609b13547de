package dev.bubblesandbox.server.routes;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The API's OpenAPI 3.1 document, {@code openapi/openapi.yaml} in the jar: the one description
 * of the routes, checked against the router by a test. Served as written ({@code .yaml}) and as
 * JSON, both read once, with an ETag so clients revalidate instead of downloading it again.
 */
public final class OpenApiDocument {

  static final String RESOURCE = "openapi/openapi.yaml";

  private static final String YAML = read();
  private static final String JSON = new JsonObject(parse(YAML)).encode();
  private static final String ETAG = etag(YAML);

  private OpenApiDocument() {}

  /** Reads and parses the document (once): called at start-up off the event loop, not by a request. */
  public static void load() {
    // The static fields above are the work; touching the class runs it.
  }

  public static void handleJson(RoutingContext routing) {
    send(routing, "application/json", "j", JSON);
  }

  public static void handleYaml(RoutingContext routing) {
    send(routing, "application/yaml; charset=utf-8", "y", YAML);
  }

  /** The document as a JSON object tree, for the tests. */
  public static JsonObject tree() {
    return new JsonObject(JSON);
  }

  private static void send(RoutingContext routing, String type, String variant, String body) {
    String tag = "\"" + variant + ETAG + "\"";
    routing.response().putHeader("ETag", tag).putHeader("Cache-Control", "no-cache");
    if (tag.equals(routing.request().getHeader("If-None-Match"))) {
      routing.response().setStatusCode(304).end();
      return;
    }
    routing.response().putHeader("Content-Type", type).end(body);
  }

  private static String read() {
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String yaml) {
    return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
  }

  private static String etag(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
