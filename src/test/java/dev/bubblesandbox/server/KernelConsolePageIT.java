package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console page with a kernel session (SPEC §11), in a real headless Chromium against a real
 * key-less server: numbered cells, images, HTML results in a sandboxed iframe that reaches
 * nothing, interrupt, restart, and a result too large to inline as a download.
 */
class KernelConsolePageIT {

  /** Results above 4 KiB go to .results/ as files. */
  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("max_inline_result_bytes", 4096));

  /** Python that builds a 32x16 PNG by hand: no image library in the environment. */
  private static final String PNG = """
      import struct, zlib
      def chunk(kind, data):
          body = kind + data
          return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body))
      rows = b''.join(b'\\x00' + bytes([40, 90, 200]) * 32 for _ in range(16))
      class Png:
          def _repr_png_(self):
              return (b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 32, 16, 8, 2, 0, 0, 0))
                      + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
      """;

  /**
   * HTML whose script, if it ran, would mark the page, fetch the API (a GET, and a POST that would
   * make a session) and post a message; its image, stylesheet, inline style, link and a meta
   * refresh (in a display before it) point at the API too. "evil" in every URL it names, to find
   * them in the browser's network log.
   */
  private static final String HOSTILE_HTML = """
      class Refresh:
          def _repr_html_(self):
              return '<meta http-equiv="refresh" content="0;url=/v1/sessions?evil=refresh"><p>refresh</p>'
      display(Refresh())
      class Hostile:
          def _repr_html_(self):
              return '''<link rel="stylesheet" href="/v1/sessions?evil=css">
      <p id="shown" style="background: url(/v1/sessions?evil=style)">hostile html</p>
      <noscript><p id="scripts-off">scripts are off</p></noscript>
      <script>
        try { parent.document.body.dataset.reached = "parent"; } catch (e) {}
        fetch("/v1/sessions?evil=get").then(() => { try { parent.document.body.dataset.fetched = "yes"; } catch (e) {} });
        fetch("/v1/sessions?evil=post", {method: "POST", headers: {"Content-Type": "application/json"},
            body: JSON.stringify({environment: "bare"})});
        parent.postMessage("evil", "*");
      </script>
      <img id="image" src="/v1/sessions?evil=img" alt="x">
      <a id="link" href="/v1/sessions?evil=link">link</a>'''
      Hostile()
      """;

  private static Browser browser;
  private String sessionId;

  @BeforeAll
  static void startBrowser() throws IOException {
    browser = new Browser(true);
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    browser.close();
  }

  @AfterEach
  void endSession() throws Exception {
    if (sessionId != null) {
      server.delete("/v1/sessions/" + sessionId);
      sessionId = null;
    }
  }

  private void openKernelSession(String environment) {
    browser.driver.get(server.uri("/").toString());
    browser.until(d -> new Select(browser.byTestId("environment")).getOptions().size() > 1);
    new Select(browser.byTestId("environment")).selectByValue(environment);
    WebElement kernel = browser.byTestId("kernel");
    if (!kernel.isSelected()) {
      kernel.click();
    }
    browser.byTestId("new-session").click();
    sessionId = browser.until(d -> browser.text("session-id").isEmpty() ? null : browser.text("session-id"));
    assertThat(browser.driver.findElement(By.id("mode")).getText()).isEqualTo("(" + environment + ", kernel)");
    assertThat(browser.byTestId("kernel").isEnabled()).as("the checkbox is for new sessions").isFalse();
    assertThat(browser.byTestId("restart").isDisplayed()).isTrue();
    assertThat(browser.byTestId("send-stdin").isDisplayed()).isFalse();
  }

  /** Runs code and waits for its cell to be numbered: returns the status line. */
  private String run(String code) {
    int cells = cells().size();
    WebElement editor = browser.byTestId("code");
    editor.clear();
    browser.driver.executeScript("arguments[0].value = arguments[1];", editor, code);
    browser.byTestId("run").click();
    browser.until(d -> cells().size() > cells && !lastPrompt().equals("In [*]:")
        && browser.byTestId("run").isEnabled());
    return browser.text("status");
  }

  private List<WebElement> cells() {
    return browser.byTestId("output").findElements(By.cssSelector("[data-testid='cell']"));
  }

  private String lastPrompt() {
    List<WebElement> cells = cells();
    return cells.isEmpty() ? "" : cells.get(cells.size() - 1).findElement(By.cssSelector("[data-testid='prompt']")).getText();
  }

  private String lastCellOutput() {
    List<WebElement> cells = cells();
    return cells.get(cells.size() - 1).findElement(By.className("cell-out")).getText();
  }

  private List<String> prompts() {
    return browser.byTestId("output").findElements(By.cssSelector("[data-testid='prompt']")).stream()
        .map(WebElement::getText).toList();
  }

  @Test
  @DisplayName("A kernel session keeps state between cells numbered In [1], In [2], also across a reload; an image and a DataFrame show inline")
  void numberedCellsWithRichResults() throws Exception {
    openKernelSession("pandas-only");
    assertThat(run("x = 41")).contains("exit 0").contains("new kernel");
    assertThat(run("x + 1")).contains("exit 0").doesNotContain("kernel");
    assertThat(prompts()).containsExactly("In [1]:", "In [2]:");
    assertThat(lastCellOutput()).isEqualTo("Out[2]: 42");

    run(PNG + "import pandas as pd\nprint('made')\ndisplay(Png())\n"
        + "pd.DataFrame({'city': ['Oslo', 'Lima'], 'temp': [4, 19]})");
    assertThat(prompts()).endsWith("In [3]:");
    WebElement cell = cells().get(2);
    assertThat(cell.findElement(By.cssSelector("[data-stream='stdout']")).getText()).isEqualTo("made");
    // In order: the display's image, then the DataFrame as the cell's result.
    List<WebElement> bundles = cell.findElements(By.className("bundle"));
    assertThat(bundles).extracting(bundle -> bundle.getDomAttribute("class"))
        .containsExactly("bundle display", "bundle result");
    WebElement image = bundles.get(0).findElement(By.tagName("img"));
    assertThat(image.getDomProperty("src")).startsWith("data:image/png;base64,iVBORw0KGgo");
    browser.until(d -> (Boolean) browser.driver.executeScript(
        "return arguments[0].complete && arguments[0].naturalWidth === 32 && arguments[0].naturalHeight === 16 || null;",
        image));

    WebElement frame = bundles.get(1).findElement(By.tagName("iframe"));
    assertThat(frame.getDomAttribute("sandbox")).isEmpty();
    browser.driver.switchTo().frame(frame);
    try {
      List<String> cellsOfTable = browser.until(d -> {
        List<String> texts = d.findElements(By.cssSelector("table td")).stream().map(WebElement::getText).toList();
        return texts.isEmpty() ? null : texts;
      });
      assertThat(cellsOfTable).containsExactly("Oslo", "4", "Lima", "19");
    } finally {
      browser.driver.switchTo().defaultContent();
    }
    browser.screenshot("kernel-01-rich-results");
    // A reload finds the same kernel session, its state kept, its count going on.
    browser.driver.navigate().refresh();
    browser.until(d -> d.findElement(By.id("mode")).getText().equals("(pandas-only, kernel)"));
    assertThat(run("x")).contains("exit 0");
    assertThat(prompts()).containsExactly("In [4]:");
    assertThat(lastCellOutput()).isEqualTo("Out[4]: 41");
    // On a phone the cells, their image and the iframe stay inside the width.
    browser.viewport(360, 740);
    try {
      // A kernel reads stdin only as given with the run: no Send, no EOF.
      assertThat(browser.layoutProblems()).containsExactly("hidden: api-key", "hidden: message",
          "hidden: send-stdin", "hidden: eof");
      browser.screenshot("kernel-01-rich-results-360x740");
    } finally {
      browser.resetViewport();
    }
  }

  @Test
  @DisplayName("SVG shows as an image that runs nothing; Markdown, LaTeX and JSON show as text, markup and all")
  void otherTypesAreInert() throws Exception {
    openKernelSession("bare");
    run("""
        class Shown:
            def __init__(self, kind, value):
                setattr(self, '_repr_' + kind + '_', lambda: value)
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" '
               'onload="parent.document.body.dataset.svg = 1"><rect width="40" height="20" fill="teal"/>'
               '<script>parent.document.body.dataset.svgScript = 1</script></svg>')
        display(Shown('svg', svg))
        display(Shown('markdown', '**bold** <b id="markup">not a tag</b>'))
        display(Shown('latex', r'$\\frac{1}{2}$'))
        display(Shown('json', {'answer': 42}))
        """);
    WebElement cell = cells().get(0);
    List<WebElement> bundles = cell.findElements(By.className("bundle"));
    assertThat(bundles).hasSize(4);
    WebElement svg = bundles.get(0).findElement(By.tagName("img"));
    assertThat(svg.getDomProperty("src")).startsWith("data:image/svg+xml;charset=utf-8,");
    browser.until(d -> (Boolean) browser.driver.executeScript(
        "return arguments[0].complete && arguments[0].naturalWidth === 40 || null;", svg));
    assertThat(bundles.get(1).getText()).isEqualTo("**bold** <b id=\"markup\">not a tag</b>");
    assertThat(bundles.get(2).getText()).isEqualTo("$\\frac{1}{2}$");
    assertThat(bundles.get(3).getText()).isEqualTo("{\n  \"answer\": 42\n}");
    assertThat(browser.driver.findElements(By.id("markup"))).isEmpty();
    assertThat(browser.driver.executeScript("return Object.keys(document.body.dataset).join(',');")).isEqualTo("");
  }

  @Test
  @DisplayName("HTML from a result runs no script: it cannot mark the page, and it sends no request (but for a GET without the key when a link in it is clicked)")
  void htmlResultReachesNothing() throws Exception {
    openKernelSession("bare");
    browser.driver.executeScript("window.evilMessages = 0; window.addEventListener('message', () => window.evilMessages++);");
    run(HOSTILE_HTML);
    WebElement frame = cells().get(0).findElement(By.cssSelector(".bundle.result iframe"));
    assertThat(frame.getDomAttribute("sandbox")).as("no allow-scripts, no allow-same-origin").isEmpty();
    browser.driver.switchTo().frame(frame);
    try {
      browser.until(d -> d.findElement(By.id("shown")).getText().equals("hostile html"));
      // A browsing context without scripting renders noscript: proof that the script never ran.
      assertThat(browser.driver.findElement(By.id("scripts-off")).getText()).isEqualTo("scripts are off");
      assertThat((Boolean) browser.driver.executeScript(
          "const image = document.getElementById('image'); return image.complete && image.naturalWidth === 0;"))
          .as("the image pointing at the API did not load").isTrue();
    } finally {
      browser.driver.switchTo().defaultContent();
    }
    // A cell run after it, then an image the page loads: once the browser's log has that image,
    // it has every request made before it.
    assertThat(run("print('after')")).contains("exit 0");
    assertThat(evilRequests("after-the-html")).isEmpty();
    assertThat(browser.driver.executeScript("return Object.keys(document.body.dataset).join(',');")).isEqualTo("");
    assertThat(browser.driver.executeScript("return window.evilMessages;")).isEqualTo(0L);
    JsonNode sessions = TestServer.json(server.get("/v1/sessions")).path("sessions");
    assertThat(sessions).as("the POST never made a session").hasSize(1);

    // A click on a link in it is the one request it can make: a GET without the key (the page
    // holds it in memory, never in a cookie), whose answer the browser refuses to show in the
    // frame (frame-src 'none'). The page stays as it was.
    browser.driver.switchTo().frame(frame);
    try {
      browser.driver.findElement(By.id("link")).click();
    } finally {
      browser.driver.switchTo().defaultContent();
    }
    browser.until(d -> browser.severeLog().stream()
        .anyMatch(entry -> entry.contains("evil=link") && entry.contains("Content Security Policy")) ? true : null);
    assertThat(evilRequests("after-the-click")).containsExactly(server.uri("/v1/sessions?evil=link").toString());
    assertThat(browser.driver.executeScript("return Object.keys(document.body.dataset).join(',');")).isEqualTo("");
    assertThat(browser.driver.getCurrentUrl()).endsWith("#session=" + sessionId);
    assertThat(browser.driver.getWindowHandles()).hasSize(1);
    assertThat(browser.text("output")).contains("In [1]:").contains("In [2]:");
    browser.screenshot("kernel-02-hostile-html");
  }

  /**
   * The URLs with "evil" that the browser has requested, from the page or any frame, up to an
   * image the page loads now (marker names it).
   */
  private List<String> evilRequests(String marker) {
    browser.driver.executeScript("new Image().src = '/console/favicon.svg?' + arguments[0];", marker);
    List<String> requested = browser.until(d -> {
      List<String> urls = browser.requestedUrls();
      return urls.stream().anyMatch(url -> url.endsWith("favicon.svg?" + marker)) ? urls : null;
    });
    assertThat(requested).as("the log has the iframes' own requests: their stylesheet")
        .anyMatch(url -> url.endsWith("/console/frame.css"));
    return requested.stream().filter(url -> url.contains("evil")).toList();
  }


  @Test
  @DisplayName("Interrupt stops a loop and keeps state; Restart starts a fresh Python; stdin goes with the run")
  void interruptAndRestart() throws Exception {
    openKernelSession("bare");
    run("x = 41");
    assertThat(browser.byTestId("interrupt").isEnabled()).as("nothing runs").isFalse();

    WebElement editor = browser.byTestId("code");
    browser.driver.executeScript("arguments[0].value = arguments[1];", editor,
        "import time\nprint('spinning', flush=True)\nwhile True:\n    time.sleep(0.05)");
    browser.byTestId("run").click();
    browser.until(d -> cells().size() == 2 && lastCellOutput().contains("spinning"));
    browser.byTestId("interrupt").click();
    String status = browser.untilStatusContains("exit");
    assertThat(status).contains("KeyboardInterrupt").doesNotContain("kernel");
    assertThat(lastPrompt()).isEqualTo("In [2]:");
    assertThat(lastCellOutput()).contains("KeyboardInterrupt");
    assertThat(run("x")).contains("exit 0");
    assertThat(lastCellOutput()).isEqualTo("Out[3]: 41");

    browser.byTestId("stdin").sendKeys("world");
    run("print('hello', input())");
    assertThat(lastCellOutput()).isEqualTo("hello world");

    browser.byTestId("restart").click();
    browser.until(d -> browser.text("output").contains("Kernel restarted"));
    String afterRestart = run("x");
    assertThat(afterRestart).contains("NameError").contains("new kernel");
    assertThat(lastPrompt()).isEqualTo("In [1]:");
    assertThat(lastCellOutput()).contains("NameError").contains("'x' is not defined");
    browser.screenshot("kernel-03-interrupt-restart");
  }

  @Test
  @DisplayName("A result larger than max_inline_result_bytes is a link that downloads its file")
  void largeResultIsADownload() throws Exception {
    openKernelSession("bare");
    run("'x' * 10000");
    WebElement link = cells().get(0).findElement(By.cssSelector("a.result-file"));
    String file = link.getDomAttribute("data-file");
    assertThat(file).startsWith(".results/1-");
    assertThat(link.getDomAttribute("href")).isEqualTo("/v1/sessions/" + sessionId + "/files/.results/"
        + file.substring(".results/".length()));
    link.click();
    Path downloaded = browser.downloads.resolve(file.substring(".results/".length()));
    String content = browser.until(d -> {
      try {
        String text = Files.isRegularFile(downloaded) ? Files.readString(downloaded, StandardCharsets.UTF_8) : "";
        return text.isEmpty() ? null : text;
      } catch (IOException e) {
        return null;
      }
    });
    assertThat(content).isEqualTo("'" + "x".repeat(10000) + "'");
  }
}
