package dev.bubblesandbox.server.mcp;

import java.net.URI;

/**
 * Where a tool call sends its API requests, and as whom: the API's base address and the
 * caller's {@code Authorization} header, passed on unchanged so that the API applies its own key
 * check and tenant scope. {@link #toString} leaves the header out: a target may be logged, a key
 * never.
 *
 * @param base the API's address, e.g. {@code http://127.0.0.1:8080}
 * @param authorization the {@code Authorization} header to send; null for a key-less server
 */
public record ApiTarget(URI base, String authorization) {

  /** The address of {@code path} (which starts with {@code /}) on this target. */
  URI resolve(String path) {
    String root = base.toString();
    return URI.create((root.endsWith("/") ? root.substring(0, root.length() - 1) : root) + path);
  }

  @Override
  public String toString() {
    return "ApiTarget[" + base + (authorization == null ? "" : ", authorization=<redacted>") + "]";
  }
}
