package dev.bubblesandbox.server;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The objects a {@code kustomization.yaml} in {@code k8s/} renders to, as plain YAML maps: its
 * resources (files and directories) and its strategic merge patches, applied as kustomize
 * applies them to what these manifests use (maps merged, lists of named items merged by name,
 * {@code $patch: replace}). Enough for the manifests of this repository, so that the unit tests
 * need no kubectl; {@code bin/test} renders them with kubectl as well.
 */
final class K8sManifests {

  /** Each kind the manifests use, with its API version and the model that checks it. */
  private static final Map<String, Map.Entry<String, Validator>> KINDS = Map.of(
      "Namespace", Map.entry("v1", V1Namespace::validateJsonElement),
      "ConfigMap", Map.entry("v1", V1ConfigMap::validateJsonElement),
      "Service", Map.entry("v1", V1Service::validateJsonElement),
      "StatefulSet", Map.entry("apps/v1", V1StatefulSet::validateJsonElement),
      "PodDisruptionBudget", Map.entry("policy/v1", V1PodDisruptionBudget::validateJsonElement),
      "NetworkPolicy", Map.entry("networking.k8s.io/v1", V1NetworkPolicy::validateJsonElement));

  private static final Gson GSON = new Gson();

  /** A model's check: throws on an unknown field, a missing required one, a wrong type. */
  private interface Validator {
    void validate(JsonElement json) throws IOException;
  }

  private K8sManifests() {}

  /**
   * Checks {@code object} with the Kubernetes API's model of its kind (client-java-api, generated
   * from the API's OpenAPI schema): an unknown or misspelt field, a missing required one, a value
   * of the wrong type, or a kind or API version this repository does not use fails.
   */
  static void validate(Map<String, Object> object) throws IOException {
    String kind = Objects.toString(object.get("kind"));
    if (!KINDS.containsKey(kind)) {
      throw new AssertionError("a kind k8s/ does not use: " + kind);
    }
    if (!KINDS.get(kind).getKey().equals(object.get("apiVersion"))) {
      throw new AssertionError(kind + " with apiVersion " + object.get("apiVersion"));
    }
    KINDS.get(kind).getValue().validate(GSON.toJsonTree(object));
  }

  /**
   * {@code object} with lists of named items in name order: kustomize may move patched items,
   * and Kubernetes merges such lists by name.
   */
  static Object normalized(Object value) {
    if (value instanceof Map<?, ?> object) {
      Map<String, Object> result = new TreeMap<>();
      map(object).forEach((key, item) -> result.put(key, normalized(item)));
      return result;
    }
    if (value instanceof List<?> items) {
      List<Object> result = new ArrayList<>(items.stream().map(K8sManifests::normalized).toList());
      if (named(result)) {
        result.sort(Comparator.comparing(item -> map(item).get("name").toString()));
      }
      return result;
    }
    return value;
  }

  /** Every object {@code dir}'s kustomization renders, in order. */
  static List<Map<String, Object>> render(Path dir) {
    Map<String, Object> kustomization = only(load(dir.resolve("kustomization.yaml")));
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object resource : list(kustomization.get("resources"))) {
      Path path = dir.resolve(resource.toString()).normalize();
      objects.addAll(Files.isDirectory(path) ? render(path) : load(path));
    }
    for (Object patch : list(kustomization.get("patches"))) {
      Map<String, Object> changes = only(load(dir.resolve(map(patch).get("path").toString())));
      Map<String, Object> target = objects.stream()
          .filter(object -> object.get("kind").equals(changes.get("kind")) && name(object).equals(name(changes)))
          .findFirst().orElseThrow(() -> new AssertionError("a patch for nothing: " + name(changes)));
      objects.set(objects.indexOf(target), map(merge(target, changes)));
    }
    Object namespace = kustomization.get("namespace");
    if (namespace != null) {
      objects.stream().filter(object -> !object.get("kind").equals("Namespace"))
          .forEach(object -> map(object.get("metadata")).put("namespace", namespace));
    }
    return objects;
  }

  /** The namespace a kustomization sets. */
  static String namespace(Path dir) {
    return Objects.toString(only(load(dir.resolve("kustomization.yaml"))).get("namespace"));
  }

  /** The one object of {@code kind} among {@code objects}. */
  static Map<String, Object> one(List<Map<String, Object>> objects, String kind) {
    List<Map<String, Object>> found = objects.stream().filter(object -> object.get("kind").equals(kind)).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + found.size());
    }
    return found.get(0);
  }

  /** Every YAML document of a file. */
  static List<Map<String, Object>> load(Path file) {
    try (Reader reader = Files.newBufferedReader(file)) {
      List<Map<String, Object>> documents = new ArrayList<>();
      for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(reader)) {
        if (document != null) {
          documents.add(map(document));
        }
      }
      return documents;
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  /** The map at {@code keys} below {@code object} (an error naming the path when missing). */
  static Map<String, Object> at(Map<String, Object> object, String... keys) {
    Map<String, Object> current = object;
    for (String key : keys) {
      Object next = current.get(key);
      if (!(next instanceof Map<?, ?>)) {
        throw new AssertionError("no map at " + String.join(".", keys) + " (stopped at " + key + ")");
      }
      current = map(next);
    }
    return current;
  }

  static String name(Map<String, Object> object) {
    return Objects.toString(at(object, "metadata").get("name"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) {
    return value == null ? List.of() : (List<Object>) value;
  }

  private static Map<String, Object> only(List<Map<String, Object>> documents) {
    if (documents.size() != 1) {
      throw new AssertionError("expected one document, found " + documents.size());
    }
    return documents.get(0);
  }

  private static Object merge(Object base, Object patch) {
    if (base instanceof Map<?, ?> baseMap && patch instanceof Map<?, ?> patchMap) {
      if ("replace".equals(patchMap.get("$patch"))) {
        Map<String, Object> replaced = new LinkedHashMap<>(map(patchMap));
        replaced.remove("$patch");
        return replaced;
      }
      Map<String, Object> merged = new LinkedHashMap<>(map(baseMap));
      map(patchMap).forEach((key, value) -> merged.put(key, merged.containsKey(key) ? merge(merged.get(key), value) : value));
      return merged;
    }
    if (base instanceof List<?> baseList && patch instanceof List<?> patchList && named(baseList) && named(patchList)) {
      List<Object> merged = new ArrayList<>(baseList);
      for (Object item : patchList) {
        Object itemName = map(item).get("name");
        int index = indexOfName(merged, itemName);
        if (index < 0) {
          merged.add(item);
        } else {
          merged.set(index, merge(merged.get(index), item));
        }
      }
      return merged;
    }
    return patch;
  }

  private static boolean named(List<?> items) {
    return !items.isEmpty() && items.stream().allMatch(item -> item instanceof Map<?, ?> m && m.containsKey("name"));
  }

  private static int indexOfName(List<Object> items, Object name) {
    for (int i = 0; i < items.size(); i++) {
      if (map(items.get(i)).get("name").equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
