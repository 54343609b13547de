package dev.bubblesandbox.cluster;

import dev.bubblesandbox.config.InvalidSettingException;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The TLS of node-to-node traffic, from {@code cluster_tls_dir}: the cluster's CA and this node's
 * certificate and key (PEM), as {@code bubble-sandbox cluster-certs} makes them. Both ends of every
 * connection, the event bus and the forwarding listener alike, present a certificate and require
 * one the cluster CA signed: holding such a certificate is what makes a peer a cluster node. Host
 * names are not verified (nodes are reached at addresses that change with every pod), so one node
 * certificate may serve every node.
 */
public final class ClusterTls {

  private final PemKeyCertOptions keyCert;
  private final PemTrustOptions trust;

  private ClusterTls(Path dir) {
    this.keyCert = new PemKeyCertOptions().setCertPath(dir.resolve(ClusterCertificates.NODE_CERTIFICATE).toString())
        .setKeyPath(dir.resolve(ClusterCertificates.NODE_KEY).toString());
    this.trust = new PemTrustOptions().addCertPath(dir.resolve(ClusterCertificates.CA_CERTIFICATE).toString());
  }

  /**
   * The material in {@code dir}. Blocks (file checks).
   *
   * @throws InvalidSettingException naming {@code cluster_tls_dir} when a file is missing
   */
  public static ClusterTls from(Path dir) {
    for (String file : ClusterCertificates.FILES) {
      if (!Files.isReadable(dir.resolve(file))) {
        throw new InvalidSettingException("Invalid setting cluster_tls_dir (BUBBLE_SANDBOX_CLUSTER_TLS_DIR): "
            + dir + " has no readable " + file + "; make the files with: bubble-sandbox cluster-certs --out " + dir);
      }
    }
    return new ClusterTls(dir);
  }

  EventBusOptions secure(EventBusOptions bus) {
    return bus.setSsl(true).setKeyCertOptions(keyCert).setTrustOptions(trust).setClientAuth(ClientAuth.REQUIRED);
  }

  /** The listener other nodes forward to. */
  public HttpServerOptions secure(HttpServerOptions server) {
    return server.setSsl(true).setKeyCertOptions(keyCert).setTrustOptions(trust).setClientAuth(ClientAuth.REQUIRED);
  }

  /** A client that forwards to other nodes. */
  public HttpClientOptions secure(HttpClientOptions client) {
    return client.setSsl(true).setKeyCertOptions(keyCert).setTrustOptions(trust).setVerifyHost(false);
  }

  /** A client that relays consoles to other nodes. */
  public WebSocketClientOptions secure(WebSocketClientOptions client) {
    return client.setSsl(true).setKeyCertOptions(keyCert).setTrustOptions(trust).setVerifyHost(false);
  }
}
