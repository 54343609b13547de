package dev.bubblesandbox.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import dev.bubblesandbox.config.Settings;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * The Hazelcast member configuration of a node, from the {@code cluster_*} settings: Vert.x's
 * own default cluster configuration (the maps its event bus needs), then this node's name,
 * address and join method. Multicast is always off: a sandbox server joins only the members it
 * was told of (a TCP/IP list) or those behind a Kubernetes headless Service (DNS lookup, no API
 * permissions).
 *
 * <p>Hazelcast's open-source edition has no member authentication and no TLS, so what keeps
 * others out is set here: the cluster's name carries a digest of the cluster secret (a member
 * that cannot name the cluster is refused at its join request, before it holds any data); the
 * member endpoint is the only one (no client protocol: a Hazelcast client cannot connect at all);
 * and only Vert.x's own classes may arrive through Java serialization.
 */
final class HazelcastSettings {

  /**
   * Failure detection tuned so that a lost node is noticed within 15 s (Hazelcast's default waits
   * 60 s); each can be overridden with a system property of the same name.
   */
  private static final String[][] DEFAULT_PROPERTIES = {
      {"hazelcast.heartbeat.interval.seconds", "1"},
      {"hazelcast.max.no.heartbeat.seconds", "8"},
      {"hazelcast.heartbeat.failuredetector.type", "deadline"},
      // A starting member joins at once instead of waiting 5 s for others to show up.
      {"hazelcast.wait.seconds.before.join", "0"},
      // Members that started apart (two at once, a network split) become one cluster within
      // seconds, not after Hazelcast's default 5 minutes.
      {"hazelcast.merge.first.run.delay.seconds", "5"},
      {"hazelcast.merge.next.run.delay.seconds", "5"},
      {"hazelcast.phone.home.enabled", "false"},
      {"hazelcast.logging.type", "slf4j"},
      // The server leaves the cluster itself, after its sessions are put away.
      {"hazelcast.shutdownhook.enabled", "false"},
  };

  private HazelcastSettings() {}

  static Config from(Settings settings, ClusterSecret secret) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(secret.hazelcastClusterName(settings.clusterName()));
    JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig().setDefaultsDisabled(false);
    filter.getWhitelist().addPrefixes("io.vertx.");
    config.getSerializationConfig().setJavaSerializationFilterConfig(filter);
    config.setInstanceName("bubble-sandbox-" + settings.clusterHost() + "-" + settings.clusterPort());
    for (String[] property : DEFAULT_PROPERTIES) {
      config.setProperty(property[0], System.getProperty(property[0], property[1]));
    }
    // Bound to the advertised address only, the member port fixed (no auto-increment).
    config.setProperty("hazelcast.socket.bind.any", "false");
    AdvancedNetworkConfig network = config.getAdvancedNetworkConfig().setEnabled(true);
    ServerSocketEndpointConfig member = new ServerSocketEndpointConfig();
    member.setPort(settings.clusterPort()).setPortAutoIncrement(false);
    member.setPublicAddress(settings.clusterHost() + ":" + settings.clusterPort());
    member.getInterfaces().setEnabled(true).clear().addInterface(settings.clusterHost());
    network.setMemberEndpointConfig(member);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    if (!settings.clusterKubernetesServiceDns().isEmpty()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", settings.clusterKubernetesServiceDns())
          .setProperty("service-port", Integer.toString(settings.clusterPort()));
    } else {
      join.getKubernetesConfig().setEnabled(false);
      // No members listed: a cluster of this node alone, which others may join.
      join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2)
          .setMembers(settings.clusterMembers());
    }
    return config;
  }
}
