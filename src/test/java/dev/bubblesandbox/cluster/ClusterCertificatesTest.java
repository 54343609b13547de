package dev.bubblesandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.RefusedException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster certificates work for node-to-node mutual TLS as the server uses them: a Vert.x
 * server that requires a client certificate signed by {@code ca.crt}, clients with no hostname
 * verification; a certificate of another CA, or none, is refused at the handshake.
 */
@ExtendWith(VertxExtension.class)
class ClusterCertificatesTest {

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final int DNS_NAME = 2;
  private static final int IP_ADDRESS = 7;

  @TempDir Path temp;

  private Path cluster;
  private Vertx vertx;
  private HttpServer server;
  private final AtomicInteger served = new AtomicInteger();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    cluster = temp.resolve("cluster");
    ClusterCertificates.write(cluster, List.of("node-1.example", "10.1.2.3"), Duration.ofDays(30));
    server = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(keyCert(cluster))
            .setTrustOptions(trust(cluster))
            .setClientAuth(ClientAuth.REQUIRED))
        .requestHandler(request -> {
          served.incrementAndGet();
          request.response().end("node");
        })
        .listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static PemKeyCertOptions keyCert(Path dir) {
    return new PemKeyCertOptions().setCertPath(dir.resolve("node.crt").toString())
        .setKeyPath(dir.resolve("node.key").toString());
  }

  private static PemTrustOptions trust(Path dir) {
    return new PemTrustOptions().addCertPath(dir.resolve("ca.crt").toString());
  }

  /** GET / with a client of these options (TLS, no hostname verification), its status. */
  private int get(HttpClientOptions options) throws Exception {
    HttpClient client = vertx.createHttpClient(options.setSsl(true).setVerifyHost(false));
    try {
      Future<Integer> status = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> response.statusCode()));
      return status.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  /** A failure of the TLS handshake somewhere in the chain of causes. */
  private static void handshakeFailure(Throwable failure) {
    assertThat(failure).isInstanceOf(ExecutionException.class);
    Throwable cause = failure;
    while (cause != null && !(cause instanceof SSLHandshakeException)) {
      cause = cause.getCause();
    }
    assertThat(cause).as("an SSLHandshakeException among the causes of %s", failure).isNotNull();
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  @DisplayName("a client with the cluster's node certificate, no hostname verification, gets 200")
  void mutualTls() throws Exception {
    int status = get(new HttpClientOptions().setKeyCertOptions(keyCert(cluster)).setTrustOptions(trust(cluster)));

    assertThat(status).isEqualTo(200);
    assertThat(served).hasValue(1);
  }

  @Test
  @DisplayName("a client whose certificate another CA signed is refused at the handshake")
  void otherCaRefused() throws Exception {
    Path other = temp.resolve("other");
    ClusterCertificates.write(other, List.of("node-1.example", "10.1.2.3"), Duration.ofDays(30));

    // It trusts this cluster's CA, so the refusal is the server's, of its certificate.
    assertThatThrownBy(() -> get(new HttpClientOptions().setKeyCertOptions(keyCert(other))
        .setTrustOptions(trust(cluster)))).satisfies(ClusterCertificatesTest::handshakeFailure);
    assertThat(served).hasValue(0);
  }

  @Test
  @DisplayName("a client without a certificate is refused at the handshake")
  void noCertificateRefused() throws Exception {
    assertThatThrownBy(() -> get(new HttpClientOptions().setTrustOptions(trust(cluster))))
        .satisfies(ClusterCertificatesTest::handshakeFailure);
    assertThat(served).hasValue(0);
  }

  @Test
  @DisplayName("a server of another CA is refused by a cluster node's client")
  void otherServerRefused() throws Exception {
    Path other = temp.resolve("other");
    ClusterCertificates.write(other, ClusterCertificates.DEFAULT_HOSTS, Duration.ofDays(30));

    assertThatThrownBy(() -> get(new HttpClientOptions().setKeyCertOptions(keyCert(cluster))
        .setTrustOptions(trust(other)))).satisfies(ClusterCertificatesTest::handshakeFailure);
  }

  @Test
  @DisplayName("the node certificate: signed by the CA, its hosts as DNS and IP SANs, server and client auth")
  void nodeCertificate() throws Exception {
    X509Certificate ca = certificate(cluster.resolve("ca.crt"));
    X509Certificate node = certificate(cluster.resolve("node.crt"));

    node.verify(ca.getPublicKey());
    assertThat(node.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    assertThat(node.getSubjectAlternativeNames()).containsExactly(
        List.of(DNS_NAME, "node-1.example"), List.of(IP_ADDRESS, "10.1.2.3"));
    assertThat(node.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
    assertThat(node.getBasicConstraints()).isEqualTo(-1);
    assertThat(node.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(node.getNotAfter().toInstant())
        .isBetween(Instant.now().plus(Duration.ofDays(29)), Instant.now().plus(Duration.ofDays(31)));
  }

  @Test
  @DisplayName("the CA: self-signed, CA:true, may sign certificates")
  void caCertificate() throws Exception {
    X509Certificate ca = certificate(cluster.resolve("ca.crt"));

    ca.verify(ca.getPublicKey());
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    boolean[] keyUsage = ca.getKeyUsage();
    assertThat(keyUsage[5]).as("keyCertSign").isTrue();
  }

  @Test
  @DisplayName("node.key is PKCS#8 PEM of mode 0600; only the three files are written, no CA key")
  void files() throws Exception {
    assertThat(Files.getPosixFilePermissions(cluster.resolve("node.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(cluster.resolve("node.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(Files.readString(cluster.resolve("node.crt"))).startsWith("-----BEGIN CERTIFICATE-----\n");
    try (var files = Files.list(cluster)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .containsExactlyInAnyOrder("ca.crt", "node.crt", "node.key");
    }
  }

  @Test
  @DisplayName("default hosts are the loopback names; IPv6 addresses are IP SANs")
  void defaultHosts() throws Exception {
    Path dir = temp.resolve("default");
    ClusterCertificates.write(dir, ClusterCertificates.DEFAULT_HOSTS, Duration.ofDays(1));

    assertThat(certificate(dir.resolve("node.crt")).getSubjectAlternativeNames()).containsExactly(
        List.of(DNS_NAME, "localhost"), List.of(IP_ADDRESS, "127.0.0.1"), List.of(IP_ADDRESS, "0:0:0:0:0:0:0:1"));
  }

  @Test
  @DisplayName("existing files are not overwritten unless replace; a replaced key stays 0600")
  void overwrite() throws Exception {
    String node = Files.readString(cluster.resolve("node.crt"));

    assertThatThrownBy(() -> ClusterCertificates.write(cluster, List.of("localhost"), Duration.ofDays(1)))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(cluster.resolve("node.crt"))).isEqualTo(node);

    ClusterCertificates.write(cluster, List.of("localhost"), Duration.ofDays(1), true);
    assertThat(Files.readString(cluster.resolve("node.crt"))).isNotEqualTo(node);
    assertThat(Files.getPosixFilePermissions(cluster.resolve("node.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (var files = Files.list(cluster)) {
      assertThat(files).hasSize(3);
    }
  }

  @Test
  @DisplayName("a host that is neither a DNS name nor an IP address is refused, and nothing written")
  void badHost() {
    Path dir = temp.resolve("bad");

    assertThatThrownBy(() -> ClusterCertificates.write(dir, List.of("node 1"), Duration.ofDays(1)))
        .isInstanceOf(RefusedException.class).hasMessageContaining("'node 1'");
    assertThat(dir).doesNotExist();
  }
}
