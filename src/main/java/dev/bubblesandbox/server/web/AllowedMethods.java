package dev.bubblesandbox.server.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The methods the router answers on a path, for the {@code Allow} header of a 405 (RFC 9110
 * §15.5.6): Vert.x Web says a method is not allowed but not which ones are.
 */
public final class AllowedMethods {

  private record Entry(Pattern path, Set<HttpMethod> methods) {}

  private final List<Entry> entries = new ArrayList<>();

  /** Built from the router's routes once they are all installed. */
  public AllowedMethods(List<Route> routes) {
    for (Route route : routes) {
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue;   // handlers for every request, not routes
      }
      entries.add(new Entry(pattern(route.getPath(), route.isExactPath()), route.methods()));
    }
  }

  /** The methods routed on {@code path}, e.g. {@code "DELETE, GET"}; empty when none is. */
  public String on(String path) {
    Set<String> methods = new TreeSet<>();
    for (Entry entry : entries) {
      if (entry.path.matcher(path).matches()) {
        entry.methods.forEach(method -> methods.add(method.name()));
      }
    }
    return String.join(", ", methods);
  }

  /** {@code /v1/sessions/:id/files/} (not exact) as a pattern of the paths it routes. */
  static Pattern pattern(String template, boolean exact) {
    StringBuilder regex = new StringBuilder();
    for (String part : template.split("(?=/)")) {
      regex.append(part.matches("/:\\w+") ? "/[^/]+" : Pattern.quote(part));
    }
    if (!exact) {
      regex.append(".*");
    }
    return Pattern.compile(regex.toString());
  }
}
