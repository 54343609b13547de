package dev.bubblesandbox.config;

import java.util.Collection;
import java.util.Optional;

/**
 * The known name a mistyped one most likely meant, for "did you mean" hints: the one at the
 * smallest edit distance (insertions, deletions, substitutions and swaps of two neighbours each
 * count one), if it is close enough that the hint helps rather than puzzles.
 */
public final class ClosestName {

  private ClosestName() {}

  /** The closest of {@code known} to {@code typed}, when at most about half of it differs. */
  public static Optional<String> to(String typed, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(typed, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    int allowed = Math.max(2, (typed.length() + 1) / 2);
    return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
  }

  /** The optimal string alignment distance between {@code a} and {@code b}. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
