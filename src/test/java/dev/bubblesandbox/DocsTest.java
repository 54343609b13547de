package dev.bubblesandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README and the pages behind it stay short and hold together: size bounds, and every
 * relative link (and its {@code #anchor}, as GitHub makes heading ids) points at something that
 * exists.
 */
class DocsTest {

  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private static final long README_MAX_BYTES = 12 * 1024;
  private static final long PAGE_MAX_BYTES = 15 * 1024;

  private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
  private static final Pattern CODE_SPAN = Pattern.compile("`+[^`]*`+");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern MARKDOWN_LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern HTML_LINK = Pattern.compile("(?:src|href)=\"([^\"]+)\"");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  @Test
  @DisplayName("README.md is at most 12 KB")
  void readmeIsShort() throws IOException {
    assertThat(Files.size(PROJECT.resolve("README.md"))).isLessThanOrEqualTo(README_MAX_BYTES);
  }

  @Test
  @DisplayName("every docs/*.md page is at most 15 KB")
  void pagesAreShort() throws IOException {
    List<Path> pages = docsPages();
    assertThat(pages).isNotEmpty();
    for (Path page : pages) {
      assertThat(Files.size(page)).as("%s in bytes", PROJECT.relativize(page)).isLessThanOrEqualTo(PAGE_MAX_BYTES);
    }
  }

  @Test
  @DisplayName("every relative link in README.md, docs/*.md and k8s/README.md resolves, #anchors included")
  void linksResolve() throws IOException {
    List<Path> files = new ArrayList<>(List.of(PROJECT.resolve("README.md"), PROJECT.resolve("k8s/README.md")));
    files.addAll(docsPages());
    assertThat(brokenLinks(PROJECT, files)).isEmpty();
  }

  @Test
  @DisplayName("the link check reports a missing file, a missing heading, and a link out of the project")
  void linkCheckFindsBrokenLinks(@TempDir Path root) throws IOException {
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(root.resolve("docs/a.md"), """
        # Page A

        ## The `setting` table, again!

        ```sh
        # not a heading
        echo [not](a-link.md)
        ```
        [ok](#page-a) [ok](#the-setting-table-again) [ok](b.md#b) `[code](nowhere.md)`
        [no file](c.md) [no heading](b.md#nothing) [no anchor here](#not-a-heading)
        <img src="../outside/x.png"> [out](../../etc/passwd)
        """);
    Files.writeString(root.resolve("docs/b.md"), "# B\n");

    assertThat(brokenLinks(root, List.of(root.resolve("docs/a.md"), root.resolve("docs/b.md"))))
        .containsExactlyInAnyOrder("docs/a.md: c.md", "docs/a.md: b.md#nothing", "docs/a.md: #not-a-heading",
            "docs/a.md: ../outside/x.png", "docs/a.md: ../../etc/passwd");
  }

  @Test
  @DisplayName("heading ids are made as GitHub makes them: lower case, punctuation dropped, spaces to dashes, repeats numbered")
  void githubSlugs() {
    assertThat(anchors("# The two commands\n## `api_keys` and tenants\n## Python: a one-shot\n## Usage\n## Usage\n"))
        .containsExactly("the-two-commands", "api_keys-and-tenants", "python-a-one-shot", "usage", "usage-1");
  }

  private static List<Path> docsPages() throws IOException {
    try (Stream<Path> pages = Files.list(PROJECT.resolve("docs"))) {
      return pages.filter(page -> page.toString().endsWith(".md")).sorted().toList();
    }
  }

  /** Each broken link as "FILE: TARGET", FILE relative to {@code root}. */
  static List<String> brokenLinks(Path root, List<Path> files) throws IOException {
    List<String> broken = new ArrayList<>();
    Map<Path, Set<String>> anchorsByFile = new HashMap<>();
    for (Path file : files) {
      for (String target : links(Files.readString(file, StandardCharsets.UTF_8))) {
        if (SCHEME.matcher(target).find()) {
          continue;
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
        boolean ok = resolved.startsWith(root) && Files.exists(resolved);
        if (ok && hash >= 0) {
          Set<String> anchors = anchorsByFile.computeIfAbsent(resolved, DocsTest::anchorsOf);
          ok = anchors.contains(target.substring(hash + 1));
        }
        if (!ok) {
          broken.add(root.relativize(file) + ": " + target);
        }
      }
    }
    return broken;
  }

  /** Link targets outside fenced blocks and code spans, in order. */
  private static List<String> links(String markdown) {
    List<String> targets = new ArrayList<>();
    for (String line : prose(markdown)) {
      String text = CODE_SPAN.matcher(line).replaceAll("");
      Matcher markdownLink = MARKDOWN_LINK.matcher(text);
      while (markdownLink.find()) {
        targets.add(markdownLink.group(2));
      }
      Matcher htmlLink = HTML_LINK.matcher(text);
      while (htmlLink.find()) {
        targets.add(htmlLink.group(1));
      }
    }
    return targets;
  }

  private static Set<String> anchorsOf(Path file) {
    try {
      return anchors(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ids GitHub gives the headings, in order. */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : prose(markdown)) {
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        String text = MARKDOWN_LINK.matcher(heading.group(1)).replaceAll("$1");
        String slug = text.toLowerCase(Locale.ROOT)
            .replaceAll("[^\\p{L}\\p{N}\\s_-]", "")
            .replace(' ', '-');
        int count = seen.merge(slug, 1, Integer::sum);
        anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
      }
    }
    return anchors;
  }

  /** The lines outside fenced code blocks. */
  private static List<String> prose(String markdown) {
    List<String> lines = new ArrayList<>();
    boolean fenced = false;
    for (String line : markdown.lines().toList()) {
      if (FENCE.matcher(line).find()) {
        fenced = !fenced;
      } else if (!fenced) {
        lines.add(line);
      }
    }
    return lines;
  }
}
