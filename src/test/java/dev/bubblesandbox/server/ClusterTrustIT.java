package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.bubblesandbox.cluster.ClusterCertificates;
import dev.bubblesandbox.cluster.ClusterSecret;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A three-node cluster with a secret, TLS and two tenants, attacked from its network: a Hazelcast
 * client, members without the secret or with another, entries planted by a member that did get
 * in, raw frames to the event bus, forged hop tokens. The attacks that succeeded against the
 * cluster before it had a secret are written here as tests.
 */
@ExtendWith(VertxExtension.class)
class ClusterTrustIT {

  private static final String KEY = "cluster-default-key-0123456789";
  private static final String KEY_A = "cluster-team-a-key-0123456789";
  private static final String KEY_B = "cluster-team-b-key-0123456789";
  private static final String KEY_C = "cluster-team-c-key-0123456789";

  private static ClusterNodes cluster;
  private static Vertx vertx;

  @BeforeAll
  static void startCluster(Vertx clientVertx) throws Exception {
    String keys = TenantClient.asJson(List.of(TenantClient.entry("team-a", KEY_A, null),
        TenantClient.entry("team-b", KEY_B, null), TenantClient.entry("team-c", KEY_C, 2)));
    cluster = ClusterNodes.start(3, Map.of("BUBBLE_SANDBOX_API_KEY", KEY, "BUBBLE_SANDBOX_API_KEYS", keys));
    vertx = clientVertx;   // VertxExtension closes it after the last test
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static TenantClient client(int node, String key) {
    return new TenantClient(cluster.node(node).port, key);
  }

  /** A Hazelcast member of the test's own, joining the nodes' member ports under {@code clusterName}. */
  private static HazelcastInstance member(String clusterName) throws Exception {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    config.setInstanceName("rogue-" + java.util.UUID.randomUUID());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.join.seconds", "10");
    config.getNetworkConfig().setPort(ServerProcess.freePort()).setPortAutoIncrement(false)
        .getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
    for (int node = 0; node < 3; node++) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + cluster.memberPort(node));
    }
    return Hazelcast.newHazelcastInstance(config);
  }

  private static String clusterLog(int node) {
    return String.join("\n", cluster.node(node).lines().stream().filter(line -> line.contains("cluster")).toList());
  }

  @Test
  @DisplayName("A Hazelcast client that knows the address and the cluster's name (either name) cannot connect")
  void hazelcastClientRefused() {
    for (String name : List.of(cluster.clusterName(),
        new ClusterSecret(cluster.secret()).hazelcastClusterName(cluster.clusterName()))) {
      ClientConfig config = new ClientConfig().setClusterName(name);
      config.setProperty("hazelcast.logging.type", "slf4j");
      config.getNetworkConfig().addAddress("127.0.0.1:" + cluster.memberPort(0));
      config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);
      assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(config).shutdown()).as(name)
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  @DisplayName("A member without the secret, or with another one, is refused: it sees no entry, and what it writes reaches no node")
  void memberWithoutSecretRefused() throws Exception {
    String session = client(0, KEY).create("{}");
    for (String name : List.of(cluster.clusterName(),
        new ClusterSecret("a wrong secret, thirty-two characters long").hazelcastClusterName(cluster.clusterName()))) {
      HazelcastInstance rogue = member(name);
      try {
        assertThat(rogue.getCluster().getMembers()).as(name).hasSize(1);
        IMap<String, Object> sessions = rogue.getMap("bubble-sandbox.sessions");
        assertThat(sessions.size()).isZero();
        sessions.put(session, "{\"node\": \"rogue\", \"member\": \"" + rogue.getCluster().getLocalMember().getUuid() + "\"}");
        assertThat(cluster.clusterInfo(1).get("nodes").asInt()).isEqualTo(3);
        assertThat(client(1, KEY).send("GET", "/v1/sessions/" + session, null).statusCode()).isEqualTo(200);
      } finally {
        rogue.shutdown();
      }
    }
    // The refusal is said on the nodes' side: Hazelcast names the other cluster's join request.
    assertThat(java.util.stream.IntStream.range(0, 3).boxed().flatMap(node -> cluster.node(node).lines().stream())
        .anyMatch(line -> line.contains("WARN")
            && (line.contains("cluster name") || line.contains("cluster-name") || line.contains("invalid join"))))
        .as("a node logs the refused join").isTrue();
  }

  @Test
  @DisplayName("Entries planted unsigned by a member that got in are ignored: sessions keep working from every node, "
      + "and the address they name receives nothing, above all no Authorization header")
  void plantedEntriesIgnored() throws Exception {
    TenantClient owner = client(0, KEY);
    String session = owner.create("{}");
    owner.execute(session, "open('kept.txt', 'w').write('still here')");
    try (ServerSocket trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      trap.setSoTimeout(200);
      AtomicInteger connections = new AtomicInteger();
      java.util.concurrent.atomic.AtomicBoolean listening = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread listener = new Thread(() -> {
        while (listening.get()) {
          try {
            trap.accept().close();
            connections.incrementAndGet();
          } catch (SocketTimeoutException e) {
            // keep listening
          } catch (java.io.IOException e) {
            return;
          }
        }
      });
      listener.start();
      HazelcastInstance insider = member(new ClusterSecret(cluster.secret()).hazelcastClusterName(cluster.clusterName()));
      try {
        assertThat(insider.getCluster().getMembers()).hasSize(4);
        // Its join moved partitions about: the attack is what it writes, once that has settled.
        await().atMost(Duration.ofSeconds(30)).until(() -> insider.getPartitionService().isClusterSafe());
        String fake = insider.getCluster().getLocalMember().getUuid().toString();
        IMap<String, Object> nodes = insider.getMap("bubble-sandbox.nodes");
        IMap<String, Object> sessions = insider.getMap("bubble-sandbox.sessions");
        String load = "{\"name\": \"trap\", \"member\": \"" + fake + "\", \"http_host\": \"127.0.0.1\", \"http_port\": "
            + trap.getLocalPort() + ", \"capacity\": 1000, \"used\": 0, \"sessions\": 0}";
        nodes.set(fake, load);
        for (String id : List.copyOf(sessions.keySet())) {
          sessions.set(id, "{\"node\": \"trap\", \"member\": \"" + fake + "\"}");
        }
        sessions.set("claimed-ahead", "{\"node\": \"trap\", \"member\": \"" + fake + "\"}");
        sessions.set(session + "-map", new HashMap<>(Map.of("node", "trap")));

        for (int node = 0; node < 3; node++) {
          TenantClient through = client(node, KEY);
          int index = node;
          assertThat(through.send("GET", "/v1/sessions/" + session + "/files/kept.txt", null).body())
              .as(() -> "node " + index + ", whose log says:\n" + clusterLog(index)).isEqualTo("still here");
          assertThat(through.execute(session, "print(open('kept.txt').read())").get("stdout").asText())
              .isEqualTo("still here\n");
          // Placement never picks the planted node, however free it says it is.
          assertThat(through.send("POST", "/v1/execute", "{\"script\": \"print(1)\"}").statusCode()).isEqualTo(200);
        }
        // The owner writes its entry again.
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(String.valueOf(sessions.get(session))).doesNotContain("trap"));
        // An entry no node signed, and none writes over, leaves its id unavailable, never routed.
        var unknown = client(1, KEY).send("GET", "/v1/sessions/" + session + "-map", null);
        assertThat(unknown.statusCode()).isEqualTo(503);
        assertThat(unknown.body()).contains("session_unavailable");
      } finally {
        insider.shutdown();
        listening.set(false);
        listener.join(5_000);
      }
      assertThat(connections.get()).as("connections to the planted address").isZero();
    }
  }

  @Test
  @DisplayName("The event bus port answers no plain frame and no peer without a certificate of the cluster's CA")
  void busRefusesStrangers() throws Exception {
    int bus = cluster.busPort(0);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), bus)) {
      socket.setSoTimeout(5_000);
      // A clustered event-bus frame as Vert.x writes it: length, then a message to the listing address.
      byte[] frame = "\u0000\u0000\u0000\u0040\u0001\u0000bubble-sandbox.cluster.sessions.x forged-sender".getBytes();
      socket.getOutputStream().write(frame);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      byte[] answer = in.readNBytes(64);
      // Whatever comes back (nothing, or a TLS alert record, type 21) is no event-bus answer.
      assertThat(answer.length == 0 || answer[0] == 21).as("answer %s", java.util.Arrays.toString(answer)).isTrue();
    }
    SSLContext trustingAll = SSLContext.getInstance("TLS");
    trustingAll.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) { }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) { }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    for (int port : new int[] {bus, cluster.clusterHttpPort(0)}) {
      try (SSLSocket socket = (SSLSocket) trustingAll.getSocketFactory().createSocket("127.0.0.1", port)) {
        socket.setSoTimeout(5_000);
        assertThatThrownBy(() -> {
          socket.startHandshake();
          socket.getOutputStream().write("GET /v1/sessions HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
          socket.getOutputStream().flush();
          if (socket.getInputStream().read() < 0) {
            throw new java.io.EOFException("closed");
          }
        }).as("port %d without a client certificate", port).isInstanceOf(java.io.IOException.class);
      }
    }
  }

  @Test
  @DisplayName("A forged hop header gets 401: on the public port always, on the nodes' port without a token signed with the secret")
  void forgedHopTokens() throws Exception {
    for (String forged : List.of("node-1", "e30.AAAA", "")) {
      var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
          .newBuilder(java.net.URI.create("http://127.0.0.1:" + cluster.node(0).port + "/v1/sessions"))
          .header("X-Bubble-Sandbox-Hop", forged.isEmpty() ? "x" : forged).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(401);
    }
    Path tls = cluster.tlsDir();
    HttpClient nodeClient = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.resolve(ClusterCertificates.NODE_CERTIFICATE).toString())
            .setKeyPath(tls.resolve(ClusterCertificates.NODE_KEY).toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(tls.resolve(ClusterCertificates.CA_CERTIFICATE).toString())));
    for (String forged : List.of("node-1", "e30.AAAA", "eyJ0IjoiZGVmYXVsdCJ9.c2lnbmVk")) {
      int status = nodeClient.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
              .setPort(cluster.clusterHttpPort(0)).setURI("/v1/sessions").addHeader("X-Bubble-Sandbox-Hop", forged))
          .compose(request -> request.send()).map(response -> response.statusCode())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(status).as(forged).isEqualTo(401);
    }
    int withoutToken = nodeClient.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(cluster.clusterHttpPort(0)).setURI("/v1/sessions").addHeader("Authorization", "Bearer " + KEY))
        .compose(request -> request.send()).map(response -> response.statusCode())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(withoutToken).as("the nodes' port takes forwarded requests only").isEqualTo(401);
  }

  @Test
  @DisplayName("Tenants across nodes: B, through another node, sees and reaches nothing of A's; a tenant's bound holds cluster-wide")
  void tenantsAcrossNodes() throws Exception {
    TenantIsolation.assertIsolated(client(0, KEY_A), client(1, KEY_B), "team-a");
    List<String> ofA = client(0, KEY_A).listed();
    assertThat(client(2, KEY_B).listed()).contains("report").allMatch(id -> id.equals("report") || !ofA.contains(id));

    client(0, KEY_C).create("{}");
    client(1, KEY_C).create("{}");
    var refused = client(2, KEY_C).send("POST", "/v1/sessions", "{}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.body()).contains("tenant_limit_reached");
  }
}
