package dev.bubblesandbox.config;

import java.io.Reader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * A YAML document as plain values, read with SnakeYAML's parser, composer and resolver only:
 * mappings, sequences, and scalars typed as its safe constructor types them (null, booleans,
 * whole numbers in any YAML 1.1 notation, decimals, strings; any other tag as its text). The
 * constructor and representer are left out because starting them (java.util.logging,
 * java.beans, java.sql) would slow every CLI run; {@code YamlValuesTest} holds the result
 * to the safe constructor's.
 */
final class YamlValues {

  /** Deeper than any configuration file: a self-referencing alias is refused, not followed. */
  private static final int MAX_DEPTH = 50;

  private YamlValues() {}

  /**
   * The document's value; null for an empty document.
   *
   * @throws YAMLException when it is not YAML, or nested deeper than {@link #MAX_DEPTH}
   */
  static Object read(Reader reader) {
    LoaderOptions options = new LoaderOptions();
    Node root = new Composer(new ParserImpl(new StreamReader(reader), options), new Resolver(), options)
        .getSingleNode();
    return root == null ? null : value(root, 0);
  }

  private static Object value(Node node, int depth) {
    if (depth > MAX_DEPTH) {
      throw new YAMLException("nested deeper than " + MAX_DEPTH + " levels");
    }
    if (node instanceof MappingNode mapping) {
      Map<Object, Object> map = new LinkedHashMap<>();
      for (NodeTuple entry : mapping.getValue()) {
        map.put(value(entry.getKeyNode(), depth + 1), value(entry.getValueNode(), depth + 1));
      }
      return map;
    }
    if (node instanceof SequenceNode sequence) {
      List<Object> list = new ArrayList<>();
      sequence.getValue().forEach(item -> list.add(value(item, depth + 1)));
      return list;
    }
    return scalar((ScalarNode) node);
  }

  private static Object scalar(ScalarNode node) {
    String text = node.getValue();
    Tag tag = node.getTag();
    if (Tag.NULL.equals(tag)) {
      return null;
    }
    if (Tag.BOOL.equals(tag)) {
      return List.of("yes", "true", "on").contains(text.toLowerCase(Locale.ROOT));
    }
    if (Tag.INT.equals(tag)) {
      return wholeNumber(text);
    }
    if (Tag.FLOAT.equals(tag)) {
      return decimal(text);
    }
    return text;
  }

  /** As YAML 1.1 writes them: signed, with underscores, binary {@code 0b}, octal {@code 0}, hex {@code 0x}, base 60. */
  private static Number wholeNumber(String text) {
    String digits = text.replace("_", "");
    String sign = digits.startsWith("-") ? "-" : "";
    if (digits.startsWith("-") || digits.startsWith("+")) {
      digits = digits.substring(1);
    }
    if (digits.equals("0")) {
      return 0;
    }
    int radix = 10;
    if (digits.startsWith("0b")) {
      digits = digits.substring(2);
      radix = 2;
    } else if (digits.startsWith("0x")) {
      digits = digits.substring(2);
      radix = 16;
    } else if (digits.startsWith("0")) {
      digits = digits.substring(1);
      radix = 8;
    } else if (digits.contains(":")) {
      BigInteger sum = BigInteger.ZERO;
      for (String part : digits.split(":")) {
        sum = sum.multiply(BigInteger.valueOf(60)).add(new BigInteger(part));
      }
      digits = sum.toString();
    }
    BigInteger value = new BigInteger(sign + digits, radix);
    if (value.bitLength() < Integer.SIZE) {
      return value.intValue();
    }
    return value.bitLength() < Long.SIZE ? (Number) value.longValue() : value;
  }

  /** As YAML 1.1 writes them: signed, with underscores, {@code .inf}, {@code .nan}, base 60. */
  private static Double decimal(String text) {
    String digits = text.replace("_", "");
    double sign = digits.startsWith("-") ? -1 : 1;
    if (digits.startsWith("-") || digits.startsWith("+")) {
      digits = digits.substring(1);
    }
    String lower = digits.toLowerCase(Locale.ROOT);
    if (lower.equals(".inf")) {
      return sign * Double.POSITIVE_INFINITY;
    }
    if (lower.equals(".nan")) {
      return Double.NaN;
    }
    if (digits.contains(":")) {
      double sum = 0;
      for (String part : digits.split(":")) {
        sum = sum * 60 + Double.parseDouble(part);
      }
      return sign * sum;
    }
    return sign * Double.parseDouble(digits);
  }
}
