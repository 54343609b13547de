package dev.bubblesandbox.server.console;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The console page at {@code /}: static files from the jar ({@code webroot/}), plain JavaScript
 * modules with no build step. They need no API key (the page holds none; the API it calls does),
 * and they are mounted after the API's routes, so an API request never reaches them.
 *
 * <p>Caching: every response carries {@code Cache-Control: no-cache} with its
 * {@code Last-Modified}, so the browser keeps the files and revalidates them (304) instead of
 * running an old page against a newer server. The page may load only its own files and speak only
 * to its own origin (Content-Security-Policy), and no other site may frame it.
 *
 * <p>A kernel's results come as {@code data:} images (inert in an {@code img}, SVG included) and as
 * HTML in {@code srcdoc} iframes sandboxed with no permission: such an iframe inherits this policy,
 * and {@code frame-src} stays {@code 'none'} (a srcdoc is no fetch), so an iframe cannot be
 * navigated anywhere, nor run inline script or style even if its sandbox were loosened.
 *
 * <p>The page links its icon ({@code console/favicon.svg}); {@code /favicon.ico} answers with the
 * same SVG, since browsers and tools ask for that path unprompted and would log a 404.
 */
public final class ConsolePage {

  /** Where the files are, on the class path. */
  static final String WEB_ROOT = "webroot";

  private static final String ICON = "/console/favicon.svg";

  private static final String SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private ConsolePage() {}

  public static void mount(Router router) {
    // A handler mounted on "/console/*" looks its files up without that prefix: one per directory.
    router.route("/").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(ConsolePage::headers).handler(files(WEB_ROOT));
    router.route("/console/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(ConsolePage::headers).handler(files(WEB_ROOT + "/console"));
    router.route("/favicon.ico").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(routing -> routing.reroute(ICON));
  }

  private static StaticHandler files(String root) {
    return StaticHandler.create(root)
        .setIndexPage("index.html")
        .setDirectoryListing(false)
        .setIncludeHidden(false)
        .setCachingEnabled(true);
  }

  private static void headers(RoutingContext routing) {
    routing.response()
        .putHeader("Cache-Control", "no-cache")
        .putHeader("Content-Security-Policy", SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    routing.next();
  }
}
