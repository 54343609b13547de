package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** The console page in a real headless Chromium, against a real server with its default settings. */
class ConsolePageIT {

  /** The files the browser uploads, removed after each test. */
  @TempDir
  Path uploads;

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of());

  private static Browser browser;

  @BeforeAll
  static void startBrowser() throws IOException {
    browser = new Browser();
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    browser.close();
  }

  private void openPage() {
    browser.driver.get(server.uri("/").toString());
    browser.until(d -> new Select(browser.byTestId("environment")).getOptions().size() > 1);
  }

  private void typeCode(String source) {
    WebElement code = browser.byTestId("code");
    code.clear();
    code.sendKeys(source);
  }

  @Test
  @DisplayName("The page and its modules are served without a key and cached with revalidation")
  void assetsAreCached() throws Exception {
    for (String path : List.of("/", "/console/app.js", "/console/console.css")) {
      HttpResponse<String> response = server.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.headers().firstValue("Cache-Control")).as(path).hasValue("no-cache");
      String lastModified = response.headers().firstValue("Last-Modified").orElseThrow();
      HttpResponse<String> again = server.http.send(java.net.http.HttpRequest.newBuilder(server.uri(path))
          .header("If-Modified-Since", lastModified).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(again.statusCode()).as(path + " revalidated").isEqualTo(304);
    }
    assertThat(server.get("/console/app.js").headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/javascript");
    assertThat(server.get("/console/../../conf/config.yaml").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("The icon is served as an SVG, also at /favicon.ico where browsers look for it unasked")
  void servesTheIcon() throws Exception {
    for (String path : List.of("/console/favicon.svg", "/favicon.ico")) {
      HttpResponse<String> response = server.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type").orElseThrow()).as(path).startsWith("image/svg+xml");
      assertThat(response.headers().firstValue("Cache-Control")).as(path).hasValue("no-cache");
      assertThat(response.body()).as(path).startsWith("<svg");
    }
    // Headless Chromium fetches no icon by itself: the page loads its linked one and the
    // /favicon.ico a browser with a window would ask for, as images.
    openPage();
    Object sizes = browser.driver.executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        const load = (url) => new Promise((resolve) => {
          const image = new Image();
          image.onload = () => resolve(`${image.naturalWidth}x${image.naturalHeight}`);
          image.onerror = () => resolve(`${url} failed`);
          image.src = url;
        });
        Promise.all([load(document.querySelector("link[rel=icon]").href), load("/favicon.ico")])
          .then((sizes) => done(sizes.join(" ")));""");
    assertThat(sizes).isEqualTo("32x32 32x32");
  }

  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"360, 740", "390, 844", "1280, 800"})
  @DisplayName("From a phone to a desktop: no sideways scroll, every control inside the width, "
      + "one column when narrow, upload only in a session, nothing severe in the browser's log")
  void fitsTheScreen(int width, int height) throws Exception {
    browser.viewport(width, height);
    String sessionId = null;
    try {
      openPage();
      browser.severeLog();   // what earlier tests left
      // Empty, the message line takes no room; with no key asked for, its field stays hidden; the
      // kernel's buttons show only in a kernel session.
      assertThat(browser.layoutProblems()).containsExactlyInAnyOrder("hidden: api-key", "hidden: message",
          "hidden: interrupt", "hidden: restart");
      assertThat(browser.text("session-id")).isEmpty();
      assertThat(browser.driver.findElement(By.id("mode")).getText()).isEqualTo("No session: each run is one-shot");
      assertThat(browser.byTestId("upload").isEnabled()).isFalse();
      assertThat(browser.driver.findElement(By.id("drop")).getText()).contains("Start a session");

      List<Double> code = browser.box("code");
      List<Double> files = browser.box("files");
      if (width < 768) {
        // Narrower than the stylesheet's 48rem: one column, the editor as wide as the page, the files below it.
        assertThat(code.get(2)).isGreaterThan(width * 0.8);
        assertThat(files.get(1)).isGreaterThan(code.get(1) + code.get(3));
      } else {
        assertThat(files.get(0)).isGreaterThan(code.get(0) + code.get(2));
      }

      new Select(browser.byTestId("environment")).selectByValue("bare");
      browser.byTestId("new-session").click();
      sessionId = browser.until(d -> browser.text("session-id").isEmpty() ? null : browser.text("session-id"));
      browser.until(d -> browser.byTestId("upload").isEnabled());
      assertThat(browser.driver.findElement(By.id("mode")).getText()).isEqualTo("(bare)");
      assertThat(browser.driver.findElement(By.id("drop")).getText()).doesNotContain("Start a session");

      Path csv = uploads.resolve("measurements-of-a-long-name.csv");
      Files.writeString(csv, "a,b\n1,2\n3,4\n");
      browser.byTestId("upload").sendKeys(csv.toString());
      browser.until(d -> !d.findElements(By.cssSelector("[data-path='measurements-of-a-long-name.csv']")).isEmpty());
      typeCode("import csv\nwith open('measurements-of-a-long-name.csv') as f:\n" + Keys.TAB
          + "rows = list(csv.DictReader(f))\n"
          + "total = sum(int(r['a']) + int(r['b']) for r in rows)\nprint(len(rows), 'rows, total', total)");
      browser.byTestId("run").click();
      browser.untilStatusContains("exit 0");
      assertThat(browser.text("output")).isEqualTo("2 rows, total 10");

      assertThat(browser.layoutProblems()).containsExactly("hidden: api-key", "hidden: message",
          "hidden: interrupt", "hidden: restart");
      assertThat(browser.severeLog()).isEmpty();
      // Lines longer than a phone is wide scroll inside the editor: show their start.
      browser.driver.executeScript("arguments[0].setSelectionRange(0, 0); arguments[0].scrollLeft = 0;",
          browser.byTestId("code"));
      browser.screenshot("console-" + width + "x" + height);
    } finally {
      browser.resetViewport();
      if (sessionId != null) {
        server.delete("/v1/sessions/" + sessionId);
      }
    }
  }

  @Test
  @DisplayName("Output streams in live: 'a' shows before 'b' is printed, stderr apart and marked")
  void streamsOutputLive() throws Exception {
    openPage();
    typeCode("print('a'); import time; time.sleep(2); print('b')");
    browser.byTestId("run").click();
    browser.until(d -> browser.text("output").contains("a"));
    assertThat(browser.text("output")).doesNotContain("b");
    assertThat(browser.text("status")).doesNotContain("exit");
    browser.screenshot("01-streaming");
    String status = browser.untilStatusContains("exit 0");
    assertThat(browser.text("output")).isEqualTo("a\nb");
    assertThat(status).contains("CPU").contains("peak");
    browser.screenshot("02-finished");

    typeCode("import sys; print('to out'); sys.stdout.flush(); print('to err', file=sys.stderr); sys.exit(3)");
    browser.byTestId("code").sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
    browser.untilStatusContains("exit 3");
    // Each stream is a pipe of its own, read by its own thread: their order between the two is
    // not kept (a "\n" written apart may come after the other stream's text), only within each.
    List<String[]> parts = browser.outputParts();
    assertThat(parts).extracting(part -> part[0]).containsOnly("stdout", "stderr");
    assertThat(streamText(parts, "stdout")).isEqualTo("to out");
    assertThat(streamText(parts, "stderr")).isEqualTo("to err");
    browser.screenshot("03-stderr");
  }

  private static String streamText(List<String[]> parts, String stream) {
    return parts.stream().filter(part -> part[0].equals(stream)).map(part -> part[1])
        .collect(java.util.stream.Collectors.joining()).strip();
  }

  @Test
  @DisplayName("input() is answered from the stdin field, and EOF ends the script's stdin")
  void answersInput() throws Exception {
    openPage();
    typeCode("name = input('name? ')\nprint('hello', name)\nimport sys\nprint('rest', len(sys.stdin.read()))");
    browser.byTestId("run").click();
    browser.until(d -> browser.text("output").contains("name?"));
    browser.byTestId("stdin").sendKeys("world");
    browser.byTestId("send-stdin").click();
    browser.until(d -> browser.text("output").contains("hello world"));
    browser.screenshot("04-stdin");
    browser.byTestId("eof").click();
    browser.untilStatusContains("exit 0");
    assertThat(browser.text("output")).isEqualTo("name? hello world\nrest 0");
  }

  @Test
  @DisplayName("Kill ends a run that would never end, and the status says so")
  void killsARun() throws Exception {
    openPage();
    typeCode("print('spinning', flush=True)\nwhile True: pass");
    browser.byTestId("run").click();
    browser.until(d -> browser.text("output").contains("spinning"));
    browser.byTestId("kill").click();
    String status = browser.untilStatusContains("killed");
    assertThat(status).matches("exit -?\\d+ .*killed.*");
    assertThat(browser.byTestId("run").isEnabled()).isTrue();
    browser.screenshot("05-killed");
  }

  @Test
  @DisplayName("A session: upload a CSV, pandas writes a file and a PNG, download it, resume after reload")
  void sessionWithFiles() throws Exception {
    openPage();
    new Select(browser.byTestId("environment")).selectByValue("pandas-only");
    browser.byTestId("new-session").click();
    String sessionId = browser.until(d -> {
      String id = browser.text("session-id");
      return id.isEmpty() ? null : id;
    });
    assertThat(browser.driver.getCurrentUrl()).endsWith("#session=" + sessionId);

    Path csv = uploads.resolve("data.csv");
    Files.writeString(csv, "a,b\n1,2\n3,4\n10,20\n");
    browser.byTestId("upload").sendKeys(csv.toString());
    browser.until(d -> !d.findElements(By.cssSelector("[data-testid='files'] [data-path='data.csv']")).isEmpty());

    typeCode("import pandas as pd\nimport struct, zlib\n"
        + "df = pd.read_csv('data.csv')\ndf['total'] = df['a'] + df['b']\n"
        + "df.to_csv('totals.csv', index=False)\nprint('sum', df['total'].sum())\n"
        + "def chunk(kind, data):\n"
        + "    body = kind + data\n"
        + "    return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body))\n"
        + "rows = b''.join(b'\\x00' + bytes([200, 40, 40]) * 32 for _ in range(16))\n"
        + "open('plot.png', 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 32, 16, 8, 2, 0, 0, 0))\n"
        + "    + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))\n");
    browser.byTestId("run").click();
    browser.untilStatusContains("exit 0");
    assertThat(browser.text("output")).isEqualTo("sum 40");
    WebElement row = browser.until(d -> d.findElements(
        By.cssSelector("[data-testid='files'] [data-path='totals.csv']")).stream().findFirst().orElse(null));
    Boolean imageShown = browser.until(d -> (Boolean) browser.driver.executeScript(
        "const img = document.querySelector(\"img[data-path='plot.png']\");"
            + "return img && img.complete && img.naturalWidth === 32 ? true : null;"));
    assertThat(imageShown).isTrue();
    browser.screenshot("06-session-files");

    row.findElement(By.cssSelector("button[data-action='download']")).click();
    Path downloaded = browser.downloads.resolve("totals.csv");
    browser.until(d -> Files.isRegularFile(downloaded) ? true : null);
    String content = browser.until(d -> {
      try {
        String text = Files.readString(downloaded, StandardCharsets.UTF_8);
        return text.isEmpty() ? null : text;
      } catch (IOException e) {
        return null;
      }
    });
    assertThat(content).isEqualTo("a,b,total\n1,2,3\n3,4,7\n10,20,30\n");

    // The fragment brings the same session back after a reload.
    browser.driver.navigate().refresh();
    browser.until(d -> sessionId.equals(browser.text("session-id")));
    browser.until(d -> !d.findElements(By.cssSelector("[data-testid='files'] [data-path='totals.csv']")).isEmpty());

    browser.driver.findElement(By.cssSelector("[data-path='data.csv'] button[data-action='delete']")).click();
    browser.until(d -> d.findElements(By.cssSelector("[data-testid='files'] [data-path='data.csv']")).isEmpty());
    assertThat(TestServer.json(server.get("/v1/sessions/" + sessionId + "/files")).toString())
        .doesNotContain("data.csv").contains("totals.csv");
  }
}
