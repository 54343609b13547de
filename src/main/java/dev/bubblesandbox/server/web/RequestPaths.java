package dev.bubblesandbox.server.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** How a request's path is read: the router's checks and the file routes decode it alike. */
public final class RequestPaths {

  private RequestPaths() {}

  /** Percent-decodes a URL path ('+' stays a plus: it means a space only in query strings). */
  public static String decode(String raw) {
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
