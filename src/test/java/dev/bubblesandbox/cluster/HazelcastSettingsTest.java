package dev.bubblesandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.bubblesandbox.config.SettingsLoader;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Hazelcast member configuration the cluster settings make (no member is started). */
class HazelcastSettingsTest {

  @Test
  @DisplayName("cluster_members: a TCP/IP join of exactly those members, on cluster_host:cluster_port, multicast off")
  void tcpIpJoin() {
    Config config = HazelcastSettings.from(SettingsLoader.fromMap(Map.of("cluster_enabled", "true",
        "cluster_host", "10.0.0.5", "cluster_port", "5710", "cluster_name", "team-a",
        "cluster_members", "10.0.0.5:5710,10.0.0.6:5710")));

    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(config.getClusterName()).isEqualTo("team-a");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.5:5710", "10.0.0.6:5710");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5710);
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(config.getNetworkConfig().getPublicAddress()).isEqualTo("10.0.0.5:5710");
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.5");
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    // A lost member is noticed well within 15 s.
    assertThat(Integer.parseInt(config.getProperty("hazelcast.max.no.heartbeat.seconds"))).isLessThan(15);
  }

  @Test
  @DisplayName("cluster_kubernetes_service_dns: Hazelcast's Kubernetes DNS discovery instead of TCP/IP, multicast off")
  void kubernetesDns() {
    Config config = HazelcastSettings.from(SettingsLoader.fromMap(Map.of("cluster_enabled", "true",
        "cluster_kubernetes_service_dns", "bubble-sandbox-hs.default.svc.cluster.local")));

    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns"))
        .isEqualTo("bubble-sandbox-hs.default.svc.cluster.local");
    assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5701");
    assertThat(config.getClusterName()).isEqualTo("bubble-sandbox");
  }
}
