package dev.bubblesandbox.server;

import static dev.bubblesandbox.server.K8sManifests.at;
import static dev.bubblesandbox.server.K8sManifests.list;
import static dev.bubblesandbox.server.K8sManifests.map;
import static dev.bubblesandbox.server.K8sManifests.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import dev.bubblesandbox.config.Setting;
import dev.bubblesandbox.config.SettingsTable;
import dev.bubblesandbox.server.metrics.PrometheusSetup;
import dev.bubblesandbox.server.routes.HealthHandlers;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code k8s/}: both profiles are valid Kubernetes objects (checked field by field with the
 * Kubernetes API's own models: an unknown or misspelt field, a missing required one fails), and
 * they agree with this server: probe paths, ports, setting names and values, and the resources
 * the settings need.
 */
@DisplayName("k8s/ manifests")
final class K8sManifestsTest {

  private static final Path K8S = Path.of("k8s");
  private static final Path RESTRICTED = K8S;
  private static final Path PRIVILEGED = K8S.resolve("privileged");
  private static final Gson GSON = new Gson();

  static Stream<Path> profiles() {
    return Stream.of(RESTRICTED, PRIVILEGED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("every object of a profile is valid for its kind, with no unknown field")
  void objectsAreValid(Path profile) throws IOException {
    for (Map<String, Object> object : K8sManifests.render(profile)) {
      K8sManifests.validate(object);
    }
  }

  @Test
  @DisplayName("the schema check refuses a misspelt field and a missing required one")
  void schemaCheckCanFail() {
    Map<String, Object> statefulSet = statefulSet(RESTRICTED);
    Map<String, Object> misspelt = copy(statefulSet);
    at(misspelt, "spec", "template", "spec").put("hostUser", false);
    assertThatThrownBy(() -> V1StatefulSet.validateJsonElement(GSON.toJsonTree(misspelt)))
        .hasMessageContaining("hostUser");
    Map<String, Object> noSelector = copy(statefulSet);
    at(noSelector, "spec").remove("selector");
    assertThatThrownBy(() -> V1StatefulSet.validateJsonElement(GSON.toJsonTree(noSelector)))
        .hasMessageContaining("selector");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("probes use the server's health paths on its HTTP port")
  void probes(Path profile) {
    Map<String, Object> container = container(profile);
    assertThat(probePath(container, "startupProbe")).isEqualTo(HealthHandlers.LIVE_PATH);
    assertThat(probePath(container, "livenessProbe")).isEqualTo(HealthHandlers.LIVE_PATH);
    assertThat(probePath(container, "readinessProbe")).isEqualTo(HealthHandlers.READY_PATH);
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(at(container, probe, "httpGet").get("port")).as(probe + " port").isEqualTo("http");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("ports, Services and scrape annotations agree with http_port and cluster_port")
  void ports(Path profile) {
    List<Map<String, Object>> objects = K8sManifests.render(profile);
    Map<String, Object> config = config(profile);
    int httpPort = ((Number) setting(config, SettingsTable.HTTP_PORT)).intValue();
    int clusterPort = ((Number) setting(config, SettingsTable.CLUSTER_PORT)).intValue();
    assertThat(httpPort).as("http_port in the ConfigMap").isEqualTo(SettingsTable.HTTP_PORT.defaultValue());
    assertThat(clusterPort).as("cluster_port in the ConfigMap").isEqualTo(SettingsTable.CLUSTER_PORT.defaultValue());
    int busPort = ((Number) setting(config, SettingsTable.CLUSTER_BUS_PORT)).intValue();
    int clusterHttpPort = ((Number) setting(config, SettingsTable.CLUSTER_HTTP_PORT)).intValue();
    assertThat(config).as("the cluster ports set in the ConfigMap, not left to defaults")
        .containsKeys(SettingsTable.CLUSTER_PORT.key(), SettingsTable.CLUSTER_BUS_PORT.key(),
            SettingsTable.CLUSTER_HTTP_PORT.key());
    Map<String, Object> container = container(profile);
    assertThat(containerPorts(container)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "http", httpPort, "hazelcast", clusterPort, "cluster-bus", busPort, "cluster-http", clusterHttpPort));

    Map<String, Object> annotations = at(statefulSet(profile), "spec", "template", "metadata", "annotations");
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", Integer.toString(httpPort))
        .containsEntry("prometheus.io/path", PrometheusSetup.PATH);

    Map<String, Object> headless = service(objects, headlessName(profile));
    assertThat(at(headless, "spec").get("clusterIP")).isEqualTo("None");
    assertThat(at(headless, "spec").get("publishNotReadyAddresses")).isEqualTo(true);
    assertThat(servicePorts(headless)).containsExactly(Map.entry(clusterPort, "hazelcast"));
    Map<String, Object> client = objects.stream()
        .filter(object -> object.get("kind").equals("Service") && at(object, "spec").get("clusterIP") == null)
        .findFirst().orElseThrow();
    assertThat(servicePorts(client).values()).containsExactly("http");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("config.yaml keys and BUBBLE_SANDBOX_* variables are the server's settings, with valid values")
  void settings(Path profile) {
    Map<String, Object> config = config(profile);
    for (Map.Entry<String, Object> entry : config.entrySet()) {
      Setting<?> setting = SettingsTable.byKey(entry.getKey())
          .orElseThrow(() -> new AssertionError("config.yaml sets an unknown setting: " + entry.getKey()));
      setting.parse(entry.getValue());
    }
    Set<String> variables = Set.copyOf(SettingsTable.ALL.stream().map(Setting::variable).toList());
    for (Object item : list(container(profile).get("env"))) {
      Map<String, Object> variable = map(item);
      String name = variable.get("name").toString();
      if (name.startsWith("BUBBLE_SANDBOX_")) {
        assertThat(variables).as("a BUBBLE_SANDBOX_ variable of the pod").contains(name);
        Object value = variable.get("value");
        if (value != null) {
          SettingsTable.ALL.stream().filter(setting -> setting.variable().equals(name)).findFirst().orElseThrow()
              .parse(value);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("cluster settings: on, discovery through the headless Service, the pod IP advertised")
  void cluster(Path profile) {
    Map<String, Object> config = config(profile);
    assertThat(config).containsEntry("cluster_enabled", true).containsEntry("http_host", "0.0.0.0");
    assertThat(config.get("cluster_kubernetes_service_dns"))
        .isEqualTo(headlessName(profile) + "." + K8sManifests.namespace(K8S.resolve("base")) + ".svc.cluster.local");
    assertThat(env(container(profile), SettingsTable.CLUSTER_HOST.variable()))
        .isEqualTo(Map.of("valueFrom", Map.of("fieldRef", Map.of("fieldPath", "status.podIP"))));
    Map<String, Object> configVolume = list(at(statefulSet(profile), "spec", "template", "spec").get("volumes"))
        .stream().map(K8sManifests::map).filter(volume -> volume.containsKey("configMap")).findFirst().orElseThrow();
    assertThat(at(configVolume, "configMap").get("name"))
        .isEqualTo(K8sManifests.name(one(K8sManifests.render(profile), "ConfigMap")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("the termination grace period is above shutdown_grace_seconds and the preStop pause")
  void gracePeriod(Path profile) {
    Map<String, Object> pod = at(statefulSet(profile), "spec", "template", "spec");
    int grace = ((Number) pod.get("terminationGracePeriodSeconds")).intValue();
    int preStop = ((Number) at(container(profile), "lifecycle", "preStop", "sleep").get("seconds")).intValue();
    int shutdown = ((Number) setting(config(profile), SettingsTable.SHUTDOWN_GRACE_SECONDS)).intValue();
    assertThat(grace).isGreaterThan(preStop + shutdown);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("memory and CPU limits hold max_sessions sandboxes at their limits, the warm ones, and the server's heap")
  void resources(Path profile) {
    Map<String, Object> config = config(profile);
    long sessions = ((Number) setting(config, SettingsTable.MAX_SESSIONS)).longValue();
    long sandboxMemory = ((Number) setting(config, SettingsTable.MEMORY_LIMIT_BYTES)).longValue();
    long warmMemory = ((Number) setting(config, SettingsTable.WARM_SANDBOXES_MEMORY_BYTES)).longValue();
    double sandboxCpus = ((Number) setting(config, SettingsTable.CPU_LIMIT)).doubleValue();
    Map<String, Object> container = container(profile);
    Matcher heap = Pattern.compile("-Xmx(\\d+)m").matcher(Objects.toString(env(container, "JAVA_OPTS").get("value")));
    assertThat(heap.find()).as("a fixed heap in JAVA_OPTS (after conf/jvm-server.options, so it wins)").isTrue();
    long heapBytes = Long.parseLong(heap.group(1)) << 20;
    Map<String, Object> limits = at(container, "resources", "limits");
    assertThat(quantity(limits.get("memory")))
        .isGreaterThanOrEqualTo(BigDecimal.valueOf(sessions * sandboxMemory + warmMemory + heapBytes));
    assertThat(quantity(limits.get("cpu"))).isGreaterThanOrEqualTo(BigDecimal.valueOf(sessions * sandboxCpus));
    Map<String, Object> requests = at(container, "resources", "requests");
    assertThat(quantity(requests.get("memory"))).isLessThanOrEqualTo(quantity(limits.get("memory")))
        .isGreaterThan(BigDecimal.valueOf(heapBytes));
  }

  @Test
  @DisplayName("restricted profile: a user-namespaced pod, unmasked /proc, unconfined, few capabilities")
  void restrictedProfile() {
    Map<String, Object> pod = at(statefulSet(RESTRICTED), "spec", "template", "spec");
    assertThat(pod.get("hostUsers")).isEqualTo(false);
    assertThat(at(pod, "securityContext", "seccompProfile")).containsEntry("type", "Unconfined");
    assertThat(at(pod, "securityContext", "appArmorProfile")).containsEntry("type", "Unconfined");
    Map<String, Object> security = at(container(RESTRICTED), "securityContext");
    assertThat(security).containsEntry("procMount", "Unmasked").doesNotContainKey("privileged");
    assertThat(list(at(security, "capabilities").get("drop"))).containsExactly("ALL");
    assertThat(list(at(security, "capabilities").get("add")))
        .contains("SETUID", "SETGID")
        .isSubsetOf("SETUID", "SETGID", "CHOWN", "FOWNER", "DAC_OVERRIDE", "KILL");
    assertThat(env(container(RESTRICTED), SettingsTable.ALLOW_UNLIMITED.variable())).containsEntry("value", "true");
    // Pod Security "baseline" forbids Unconfined seccomp and AppArmor profiles.
    assertThat(at(one(K8sManifests.render(RESTRICTED), "Namespace"), "metadata", "labels"))
        .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
  }

  @Test
  @DisplayName("privileged profile: a privileged container in the host's user namespace, every limit required")
  void privilegedProfile() {
    Map<String, Object> pod = at(statefulSet(PRIVILEGED), "spec", "template", "spec");
    assertThat(pod.get("hostUsers")).isEqualTo(true);
    Map<String, Object> security = at(container(PRIVILEGED), "securityContext");
    assertThat(security).containsEntry("privileged", true).doesNotContainKeys("procMount", "capabilities");
    assertThat(env(container(PRIVILEGED), SettingsTable.ALLOW_UNLIMITED.variable())).containsEntry("value", "false");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("the NetworkPolicy selects the StatefulSet's pods, for ingress and egress")
  void networkPolicySelectsTheNodes(Path profile) {
    Map<String, Object> policy = one(K8sManifests.render(profile), "NetworkPolicy");
    Map<String, Object> podLabels = at(statefulSet(profile), "spec", "template", "metadata", "labels");
    assertThat(at(policy, "spec", "podSelector")).isEqualTo(Map.of("matchLabels", podLabels));
    assertThat(at(statefulSet(profile), "spec", "selector")).isEqualTo(Map.of("matchLabels", podLabels));
    assertThat(list(at(policy, "spec").get("policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("ingress: each container port in exactly one rule; cluster ports from the nodes only, http from clients and Prometheus")
  void networkPolicyIngress(Path profile) {
    Map<String, Object> policy = one(K8sManifests.render(profile), "NetworkPolicy");
    Map<String, Object> nodes = Map.of("podSelector",
        Map.of("matchLabels", at(statefulSet(profile), "spec", "template", "metadata", "labels")));
    List<Map<String, Object>> rules = rules(policy, "ingress");
    for (Map<String, Object> rule : rules) {
      // A rule without ports admits every port; one without peers, everyone.
      assertThat(list(rule.get("ports"))).as("ports of %s", rule).isNotEmpty();
      assertThat(list(rule.get("from"))).as("peers of %s", rule).isNotEmpty()
          .allSatisfy(peer -> assertThat(map(peer)).doesNotContainKey("ipBlock"));
    }
    Map<String, Object> container = container(profile);
    for (Map.Entry<String, Integer> port : containerPorts(container).entrySet()) {
      List<Map<String, Object>> covering = rules.stream()
          .filter(rule -> list(rule.get("ports")).stream().map(K8sManifests::map)
              .anyMatch(allowed -> port.getKey().equals(allowed.get("port")) || port.getValue().equals(allowed.get("port"))))
          .toList();
      assertThat(covering).as("ingress rules for port %s", port.getKey()).hasSize(1);
      List<Object> from = list(covering.get(0).get("from"));
      if (port.getKey().equals("http")) {
        assertThat(from).containsExactlyInAnyOrder(
            Map.of("namespaceSelector", Map.of("matchLabels", Map.of("bubble-sandbox.dev/client", "true"))),
            Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "monitoring")),
                "podSelector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "prometheus"))),
            nodes);
      } else {
        assertThat(from).as("peers of port %s", port.getKey()).containsExactly(nodes);
      }
    }
    // No rule admits a port the container does not have (a stale name or number).
    Set<Object> known = new HashSet<>(containerPorts(container).keySet());
    known.addAll(containerPorts(container).values());
    rules.forEach(rule -> list(rule.get("ports"))
        .forEach(allowed -> assertThat(known).contains(map(allowed).get("port"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("egress: the other nodes on the cluster ports and DNS, nothing else (no ipBlock, no 0.0.0.0/0)")
  void networkPolicyEgress(Path profile) {
    Map<String, Object> policy = one(K8sManifests.render(profile), "NetworkPolicy");
    Map<String, Object> nodes = Map.of("podSelector",
        Map.of("matchLabels", at(statefulSet(profile), "spec", "template", "metadata", "labels")));
    Map<String, Object> kubeDns = Map.of(
        "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "kube-system")),
        "podSelector", Map.of("matchLabels", Map.of("k8s-app", "kube-dns")));
    assertThat(GSON.toJson(policy)).doesNotContain("ipBlock", "0.0.0.0/0");
    List<Map<String, Object>> rules = rules(policy, "egress");
    assertThat(rules).hasSize(2);
    assertThat(rules).allSatisfy(rule -> assertThat(list(rule.get("to"))).isNotEmpty());
    assertThat(rules).anySatisfy(rule -> {
      assertThat(list(rule.get("to"))).containsExactly(nodes);
      assertThat(list(rule.get("ports"))).containsExactlyInAnyOrder(Map.of("port", "hazelcast", "protocol", "TCP"),
          Map.of("port", "cluster-bus", "protocol", "TCP"), Map.of("port", "cluster-http", "protocol", "TCP"));
    });
    assertThat(rules).anySatisfy(rule -> {
      assertThat(list(rule.get("to"))).containsExactly(kubeDns);
      assertThat(list(rule.get("ports")))
          .containsExactlyInAnyOrder(Map.of("port", 53, "protocol", "UDP"), Map.of("port", 53, "protocol", "TCP"));
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("the API key and the cluster secret come from Secrets that are not optional")
  void secretsRequired(Path profile) {
    Map<String, Object> container = container(profile);
    for (Setting<?> setting : List.of(SettingsTable.API_KEY, SettingsTable.CLUSTER_SECRET)) {
      Map<String, Object> reference = at(env(container, setting.variable()), "valueFrom", "secretKeyRef");
      assertThat(reference).as(setting.variable()).containsKeys("name", "key")
          .doesNotContainEntry("optional", true);
    }
    assertThat(GSON.toJson(statefulSet(profile))).as("nothing optional in the StatefulSet")
        .doesNotContain("\"optional\":true");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  @DisplayName("the cluster's TLS Secret is mounted read-only, owner-readable only, where cluster_tls_dir points")
  void clusterTls(Path profile) {
    Map<String, Object> pod = at(statefulSet(profile), "spec", "template", "spec");
    Map<String, Object> volume = list(pod.get("volumes")).stream().map(K8sManifests::map)
        .filter(candidate -> candidate.containsKey("secret")).findFirst()
        .orElseThrow(() -> new AssertionError("no Secret volume"));
    int mode = ((Number) at(volume, "secret").get("defaultMode")).intValue();
    assertThat(mode & 0222).as("no write bit in defaultMode %o", mode).isZero();
    assertThat(mode & 0007).as("nothing for others in defaultMode %o", mode).isZero();
    Map<String, Object> mount = list(container(profile).get("volumeMounts")).stream().map(K8sManifests::map)
        .filter(candidate -> volume.get("name").equals(candidate.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("the Secret volume is not mounted"));
    assertThat(mount).containsEntry("readOnly", true);
    assertThat(env(container(profile), SettingsTable.CLUSTER_TLS_DIR.variable()))
        .isEqualTo(Map.of("value", mount.get("mountPath")));
  }

  @Test
  @DisplayName("privileged profile: on a dedicated pool, its label selected and its taint tolerated")
  void privilegedNodePool() {
    Map<String, Object> pod = at(statefulSet(PRIVILEGED), "spec", "template", "spec");
    Map<String, Object> selector = at(pod, "nodeSelector");
    assertThat(selector).hasSize(1);
    Map.Entry<String, Object> label = selector.entrySet().iterator().next();
    assertThat(list(pod.get("tolerations"))).containsExactly(Map.of("key", label.getKey(), "operator", "Equal",
        "value", label.getValue(), "effect", "NoSchedule"));
    Map<String, Object> restricted = at(statefulSet(RESTRICTED), "spec", "template", "spec");
    assertThat(restricted).doesNotContainKeys("nodeSelector", "tolerations");
  }

  @Test
  @DisplayName("the optional ServiceMonitor scrapes the client Service's HTTP port at the server's metrics path")
  void serviceMonitor() {
    Map<String, Object> monitor = K8sManifests.load(K8S.resolve("servicemonitor.yaml")).get(0);
    assertThat(monitor.get("kind")).isEqualTo("ServiceMonitor");
    Map<String, Object> endpoint = map(list(at(monitor, "spec").get("endpoints")).get(0));
    assertThat(endpoint).containsEntry("port", "http").containsEntry("path", PrometheusSetup.PATH);
    assertThat(at(monitor, "metadata").get("namespace")).isEqualTo(K8sManifests.namespace(K8S.resolve("base")));
  }

  private static Map<String, Object> statefulSet(Path profile) {
    return one(K8sManifests.render(profile), "StatefulSet");
  }

  private static Map<String, Object> container(Path profile) {
    List<Object> containers = list(at(statefulSet(profile), "spec", "template", "spec").get("containers"));
    assertThat(containers).hasSize(1);
    return map(containers.get(0));
  }

  private static Map<String, Object> config(Path profile) {
    Object text = at(one(K8sManifests.render(profile), "ConfigMap"), "data").get("config.yaml");
    return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(new StringReader(text.toString())));
  }

  /** The value config.yaml gives {@code setting}, else its default. */
  private static Object setting(Map<String, Object> config, Setting<?> setting) {
    return config.getOrDefault(setting.key(), setting.defaultValue());
  }

  private static String headlessName(Path profile) {
    return Objects.toString(at(statefulSet(profile), "spec").get("serviceName"));
  }

  private static Map<String, Object> service(List<Map<String, Object>> objects, String name) {
    return objects.stream().filter(object -> object.get("kind").equals("Service") && K8sManifests.name(object).equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no Service " + name));
  }

  /** port to targetPort. */
  private static Map<Integer, Object> servicePorts(Map<String, Object> service) {
    Map<Integer, Object> ports = new LinkedHashMap<>();
    list(at(service, "spec").get("ports"))
        .forEach(port -> ports.put(((Number) map(port).get("port")).intValue(), map(port).get("targetPort")));
    return ports;
  }

  /** Container port name to number. */
  private static Map<String, Integer> containerPorts(Map<String, Object> container) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    list(container.get("ports")).stream().map(K8sManifests::map)
        .forEach(port -> ports.put(port.get("name").toString(), ((Number) port.get("containerPort")).intValue()));
    return ports;
  }

  /** The ingress or egress rules of a NetworkPolicy. */
  private static List<Map<String, Object>> rules(Map<String, Object> policy, String direction) {
    return list(at(policy, "spec").get(direction)).stream().map(K8sManifests::map).toList();
  }

  private static String probePath(Map<String, Object> container, String probe) {
    return Objects.toString(at(container, probe, "httpGet").get("path"));
  }

  /** The env entry {@code name}, without its name. */
  private static Map<String, Object> env(Map<String, Object> container, String name) {
    Map<String, Object> entry = list(container.get("env")).stream().map(K8sManifests::map)
        .filter(variable -> name.equals(variable.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
    Map<String, Object> rest = new LinkedHashMap<>(entry);
    rest.remove("name");
    return rest;
  }

  private static BigDecimal quantity(Object text) {
    return new Quantity(Objects.toString(text)).getNumber();
  }

  private static Map<String, Object> copy(Map<String, Object> object) {
    return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(new Yaml().dump(object)));
  }
}
