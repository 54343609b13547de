package dev.bubblesandbox.cluster;

import io.vertx.core.json.JsonObject;

/**
 * What a node publishes about itself in the cluster's node map: its name, where its HTTP API is
 * reached, and its slots ({@code max_sessions} is a per-node bound).
 *
 * @param member the Hazelcast member id of the node's current run
 * @param sessions sessions open on it now
 */
public record NodeLoad(String name, String member, String httpHost, int httpPort, int capacity, int used,
    int sessions) {

  public int free() {
    return Math.max(0, capacity - used);
  }

  String encode() {
    return new JsonObject().put("name", name).put("member", member).put("http_host", httpHost)
        .put("http_port", httpPort).put("capacity", capacity).put("used", used).put("sessions", sessions)
        .encode();
  }

  static NodeLoad decode(String json) {
    JsonObject o = new JsonObject(json);
    return new NodeLoad(o.getString("name"), o.getString("member"), o.getString("http_host"),
        o.getInteger("http_port"), o.getInteger("capacity"), o.getInteger("used"), o.getInteger("sessions"));
  }
}
