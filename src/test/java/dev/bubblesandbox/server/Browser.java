package dev.bubblesandbox.server;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium, driven through the system's chromedriver: Debian's {@code chromium}
 * and {@code chromium-driver} ({@code bin/test} installs them). Both paths are given, so Selenium
 * never looks for or downloads a browser or driver of its own; every request but those to the
 * loopback goes to a proxy that is not there, so the browser reaches nothing but the test server.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** Where each state's screenshot goes, for a person to look at. */
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  final ChromeDriver driver;
  final Path downloads;
  private final Path profile;
  private final Path netLog;

  Browser() throws IOException {
    this(false);
  }

  /**
   * recordNetwork: the browser also writes its network log (Chromium's net log, kept by its network
   * service, so it has the requests of every frame, those of other processes included), for
   * {@link #requestedUrls}.
   */
  Browser(boolean recordNetwork) throws IOException {
    if (!Files.isExecutable(CHROMEDRIVER) || !Files.isExecutable(CHROMIUM)) {
      throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver: "
          + "apt-get install -y chromium chromium-driver (bin/test does)");
    }
    downloads = Files.createTempDirectory("bubble-sandbox-downloads-");
    profile = Files.createTempDirectory("bubble-sandbox-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,860", "--user-data-dir=" + profile, "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--proxy-server=http://127.0.0.1:9");
    netLog = recordNetwork ? profile.resolve("netlog.json") : null;
    if (recordNetwork) {
      options.addArguments("--log-net-log=" + netLog);
    }
    options.setExperimentalOption("prefs", Map.of(
        "download.default_directory", downloads.toString(),
        "download.prompt_for_download", false));
    // The page's console and failed loads (a 404 favicon among them), read by severeLog().
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
    // The driver's path as a property, not through ChromeDriverService.Builder: that class's
    // annotation (AutoService, not on the class path) would make javac warn.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    driver = new ChromeDriver(options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
  }

  WebElement byTestId(String id) {
    return driver.findElement(By.cssSelector("[data-testid='" + id + "']"));
  }

  String text(String testId) {
    return byTestId(testId).getText();
  }

  /** Waits generously: the machine may be loaded. */
  <T> T until(Function<WebDriver, T> condition) {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(50));
    wait.withMessage(() -> "the page shows status '" + text("status") + "', message '" + text("message")
        + "', output '" + text("output") + "'");
    return wait.until(condition);
  }

  String untilStatusContains(String part) {
    return until(d -> {
      String status = text("status");
      return status.contains(part) ? status : null;
    });
  }

  /** The output's children: data-stream and text, in order. */
  List<String[]> outputParts() {
    return byTestId("output").findElements(By.cssSelector("[data-stream]")).stream()
        .map(element -> new String[] {element.getDomAttribute("data-stream"), element.getText()})
        .toList();
  }

  /**
   * Lays the page out at exactly this viewport, as a phone or a desktop window would show it,
   * until {@link #resetViewport}. A desktop viewport (no mobile zoom-out), so that anything wider
   * than the width shows as sideways scroll instead of being shrunk to fit.
   */
  void viewport(int width, int height) {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
        "width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
  }

  void resetViewport() {
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  /**
   * What is wrong with the page's layout at the current viewport: sideways scroll, and every
   * element with a {@code data-testid} that is shown but reaches past the viewport's width. Those
   * not shown at all (hidden, or empty and collapsed) come back apart, as {@code "hidden: ID"}.
   */
  List<String> layoutProblems() {
    @SuppressWarnings("unchecked")
    List<String> problems = (List<String>) driver.executeScript("""
        const root = document.documentElement;
        const width = root.clientWidth;
        const problems = [];
        if (root.scrollWidth > width) problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${width}`);
        for (const element of document.querySelectorAll("[data-testid]")) {
          const id = element.dataset.testid;
          const box = element.getBoundingClientRect();
          if (box.width === 0 && box.height === 0) problems.push(`hidden: ${id}`);
          else if (box.left < 0 || box.right > width + 0.5) problems.push(`${id} spans ${box.left}..${box.right} of ${width}`);
        }
        return problems;""");
    return problems;
  }

  /** The box of an element: left, top, width, height, in CSS pixels. */
  List<Double> box(String testId) {
    @SuppressWarnings("unchecked")
    List<Number> box = (List<Number>) driver.executeScript(
        "const box = arguments[0].getBoundingClientRect(); return [box.left, box.top, box.width, box.height];",
        byTestId(testId));
    return box.stream().map(Number::doubleValue).toList();
  }

  /**
   * Every URL in the browser's network log so far, once each, in order (the log is JSON the
   * browser finishes only when it ends, but it writes events as they come): only with
   * {@code recordNetwork}.
   */
  List<String> requestedUrls() {
    try {
      java.util.regex.Matcher url = java.util.regex.Pattern.compile("\"url\":\"([^\"]*)\"")
          .matcher(Files.readString(netLog, java.nio.charset.StandardCharsets.UTF_8));
      java.util.Set<String> urls = new java.util.LinkedHashSet<>();
      while (url.find()) {
        urls.add(url.group(1));
      }
      return List.copyOf(urls);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The browser's console entries at SEVERE since the last call: errors and failed loads. */
  List<String> severeLog() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      dev.bubblesandbox.HostFiles.deleteRecursively(downloads);
      dev.bubblesandbox.HostFiles.deleteRecursively(profile);
    }
  }
}
