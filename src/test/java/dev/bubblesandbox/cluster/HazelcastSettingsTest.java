package dev.bubblesandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.instance.EndpointQualifier;
import dev.bubblesandbox.config.SettingsLoader;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Hazelcast member configuration the cluster settings make (no member is started). */
class HazelcastSettingsTest {

  private static final String SECRET_TEXT = "a cluster secret of 32 characters!";
  private static final ClusterSecret SECRET = new ClusterSecret(SECRET_TEXT);

  @Test
  @DisplayName("cluster_members: a TCP/IP join of exactly those members, on cluster_host:cluster_port, multicast off")
  void tcpIpJoin() {
    Config config = HazelcastSettings.from(SettingsLoader.fromMap(Map.of("cluster_enabled", "true",
        "cluster_host", "10.0.0.5", "cluster_port", "5710", "cluster_name", "team-a",
        "cluster_members", "10.0.0.5:5710,10.0.0.6:5710")), SECRET);

    JoinConfig join = config.getAdvancedNetworkConfig().getJoin();
    assertThat(config.getClusterName()).startsWith("team-a-").isEqualTo(SECRET.hazelcastClusterName("team-a"));
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.5:5710", "10.0.0.6:5710");
    ServerSocketEndpointConfig member = (ServerSocketEndpointConfig) config.getAdvancedNetworkConfig()
        .getEndpointConfigs().get(EndpointQualifier.MEMBER);
    assertThat(member.getPort()).isEqualTo(5710);
    assertThat(member.isPortAutoIncrement()).isFalse();
    assertThat(member.getPublicAddress()).isEqualTo("10.0.0.5:5710");
    assertThat(member.getInterfaces().getInterfaces()).containsExactly("10.0.0.5");
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    // A lost member is noticed well within 15 s.
    assertThat(Integer.parseInt(config.getProperty("hazelcast.max.no.heartbeat.seconds"))).isLessThan(15);
  }

  @Test
  @DisplayName("cluster_kubernetes_service_dns: Hazelcast's Kubernetes DNS discovery instead of TCP/IP, multicast off")
  void kubernetesDns() {
    Config config = HazelcastSettings.from(SettingsLoader.fromMap(Map.of("cluster_enabled", "true",
        "cluster_kubernetes_service_dns", "bubble-sandbox-hs.default.svc.cluster.local")), SECRET);

    JoinConfig join = config.getAdvancedNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns"))
        .isEqualTo("bubble-sandbox-hs.default.svc.cluster.local");
    assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5701");
    assertThat(config.getClusterName()).isEqualTo(SECRET.hazelcastClusterName("bubble-sandbox"));
  }

  @Test
  @DisplayName("the member endpoint is the only one (no client protocol); the cluster's name depends on the secret; "
      + "Java serialization admits Vert.x's classes only")
  void membersOnly() {
    Config config = HazelcastSettings.from(SettingsLoader.fromMap(Map.of("cluster_enabled", "true")), SECRET);
    Config other = HazelcastSettings.from(SettingsLoader.fromMap(Map.of("cluster_enabled", "true")),
        new ClusterSecret("another secret of thirty-two characters"));

    assertThat(config.getAdvancedNetworkConfig().isEnabled()).isTrue();
    assertThat(config.getAdvancedNetworkConfig().getEndpointConfigs().keySet()).containsExactly(EndpointQualifier.MEMBER);
    assertThat(config.getClusterName()).isNotEqualTo(other.getClusterName()).doesNotContain(SECRET_TEXT);
    assertThat(config.getSerializationConfig().getJavaSerializationFilterConfig().getWhitelist().getPrefixes())
        .containsExactly("io.vertx.");
  }
}
