package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bubblesandbox.cluster.ClusterCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A cluster of real server processes on 127.0.0.1, joined by Hazelcast TCP/IP on loopback (a
 * cluster name of its own, so that no other test's nodes join it), with a cluster secret and
 * certificates made for it. Each node keeps its HTTP, member, bus and cluster-HTTP ports and its
 * workspace directory, so that one can be killed and started again as it was. Key-less
 * ({@code allow_unauthenticated}) unless the settings give keys.
 */
final class ClusterNodes implements AutoCloseable {

  private final String clusterName = "test-" + UUID.randomUUID().toString().substring(0, 8);
  private final String secret = "secret-" + UUID.randomUUID() + UUID.randomUUID();
  private final Path tlsDir;
  private final int[] httpPorts;
  private final int[] memberPorts;
  private final int[] busPorts;
  private final int[] clusterHttpPorts;
  private final Path[] workspaces;
  private final ServerProcess[] processes;
  private final Map<String, String> extra;

  private ClusterNodes(int size, Map<String, String> extra) throws Exception {
    this.httpPorts = new int[size];
    this.memberPorts = new int[size];
    this.busPorts = new int[size];
    this.clusterHttpPorts = new int[size];
    this.tlsDir = Files.createTempDirectory("bubble-sandbox-cluster-tls-");
    ClusterCertificates.write(tlsDir, ClusterCertificates.DEFAULT_HOSTS, java.time.Duration.ofDays(1));
    this.workspaces = new Path[size];
    this.processes = new ServerProcess[size];
    this.extra = extra;
    for (int i = 0; i < size; i++) {
      httpPorts[i] = ServerProcess.freePort();
      memberPorts[i] = ServerProcess.freePort();
      busPorts[i] = ServerProcess.freePort();
      clusterHttpPorts[i] = ServerProcess.freePort();
      workspaces[i] = Files.createTempDirectory("bubble-sandbox-cluster-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    }
  }

  /** Starts {@code size} nodes one after another, and waits until each sees all of them. */
  static ClusterNodes start(int size, Map<String, String> extra) throws Exception {
    ClusterNodes nodes = new ClusterNodes(size, extra);
    try {
      for (int i = 0; i < size; i++) {
        nodes.startNode(i);
      }
      for (int i = 0; i < size; i++) {
        nodes.awaitNodes(i, size, 60);
      }
    } catch (Throwable e) {
      nodes.close();
      throw e;
    }
    return nodes;
  }

  void startNode(int index) throws Exception {
    Map<String, String> settings = new HashMap<>(extra);
    settings.put("BUBBLE_SANDBOX_CLUSTER_ENABLED", "true");
    settings.put("BUBBLE_SANDBOX_CLUSTER_HOST", "127.0.0.1");
    settings.put("BUBBLE_SANDBOX_CLUSTER_PORT", Integer.toString(memberPorts[index]));
    settings.put("BUBBLE_SANDBOX_CLUSTER_NAME", clusterName);
    settings.put("BUBBLE_SANDBOX_CLUSTER_SECRET", secret);
    settings.put("BUBBLE_SANDBOX_CLUSTER_TLS_DIR", tlsDir.toString());
    settings.put("BUBBLE_SANDBOX_CLUSTER_BUS_PORT", Integer.toString(busPorts[index]));
    settings.put("BUBBLE_SANDBOX_CLUSTER_HTTP_PORT", Integer.toString(clusterHttpPorts[index]));
    if (!settings.containsKey("BUBBLE_SANDBOX_API_KEY") && !settings.containsKey("BUBBLE_SANDBOX_API_KEYS")) {
      settings.put("BUBBLE_SANDBOX_ALLOW_UNAUTHENTICATED", "true");
    }
    settings.put("BUBBLE_SANDBOX_CLUSTER_MEMBERS", java.util.Arrays.stream(memberPorts)
        .mapToObj(port -> "127.0.0.1:" + port).collect(Collectors.joining(",")));
    processes[index] = ServerProcess.start(workspaces[index], httpPorts[index], settings);
  }

  ServerProcess node(int index) {
    return processes[index];
  }

  String clusterName() {
    return clusterName;
  }

  String secret() {
    return secret;
  }

  Path tlsDir() {
    return tlsDir;
  }

  int memberPort(int index) {
    return memberPorts[index];
  }

  int busPort(int index) {
    return busPorts[index];
  }

  int clusterHttpPort(int index) {
    return clusterHttpPorts[index];
  }

  /** The cluster as node {@code index} reports it in /v1/info. */
  JsonNode clusterInfo(int index) throws Exception {
    return TestServer.JSON.readTree(node(index).send("GET", "/v1/info", null).body()).get("cluster");
  }

  /** Waits until node {@code index} sees {@code count} live nodes. */
  void awaitNodes(int index, int count, int seconds) throws Exception {
    await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(clusterInfo(index).get("nodes").asInt()).as("nodes seen by node %d", index).isEqualTo(count));
  }

  /** Kills node {@code index} with SIGKILL; its workspace stays. */
  void kill(int index) throws Exception {
    processes[index].kill();
  }

  List<Path> workspaces() {
    return List.of(workspaces);
  }

  @Override
  public void close() throws java.io.IOException {
    List<Throwable> failures = new ArrayList<>();
    for (ServerProcess process : processes) {
      try {
        if (process != null) {
          process.ensureStopped();
        }
      } catch (Throwable e) {
        failures.add(e);
      }
    }
    for (Path workspace : workspaces) {
      try {
        ServerProcess.removeWorkspace(workspace);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add(e);
      }
    }
    try {
      dev.bubblesandbox.HostFiles.deleteRecursively(tlsDir);
    } catch (java.io.IOException e) {
      failures.add(e);
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("nodes did not stop: " + failures);
    }
  }
}
