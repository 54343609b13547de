package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What {@code kubectl kustomize} (kubectl, which {@code bin/test} checks for) renders of each profile is valid
 * for the Kubernetes models, and is what {@link K8sManifestsTest} checks (the same objects as
 * {@link K8sManifests#render}): so a patch that kustomize applies differently fails here.
 */
@DisplayName("k8s/ rendered by kubectl kustomize")
final class K8sKustomizeIT {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"k8s", "k8s/privileged"})
  @DisplayName("renders valid objects, the same as the unit tests check")
  void renders(String profile) throws Exception {
    List<Object> rendered = new ArrayList<>();
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(new StringReader(kustomize(profile)))) {
      K8sManifests.validate(K8sManifests.map(document));
      rendered.add(K8sManifests.normalized(document));
    }
    List<Object> expected = K8sManifests.render(Path.of(profile)).stream().map(K8sManifests::normalized).toList();
    assertThat(rendered).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static String kustomize(String dir) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("kubectl", "kustomize", dir).redirectErrorStream(true).start();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (InputStream in = process.getInputStream()) {
      in.transferTo(output);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize ended").isTrue();
    String text = output.toString(StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("kubectl kustomize " + dir + ": " + text).isZero();
    return text;
  }
}
