package dev.bubblesandbox.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code cluster_secret} every node shares, and the keys derived from it, one per use, so
 * that a value made for one use is worth nothing in another: the Hazelcast cluster name (a node
 * without the secret cannot even name the cluster it would join), the signatures of directory
 * entries, and the hop tokens of forwarded requests.
 */
public final class ClusterSecret {

  private static final String ALGORITHM = "HmacSHA256";

  private final byte[] directoryKey;
  private final byte[] hopKey;
  private final byte[] membershipKey;

  public ClusterSecret(String secret) {
    byte[] root = secret.getBytes(StandardCharsets.UTF_8);
    this.directoryKey = mac(root, "bubble-sandbox directory entry v1");
    this.hopKey = mac(root, "bubble-sandbox hop token v1");
    this.membershipKey = mac(root, "bubble-sandbox membership v1");
  }

  /**
   * The name Hazelcast knows the cluster by: {@code cluster_name} and a digest of the secret. A
   * member whose name differs is refused at its join request, before it holds any data.
   */
  public String hazelcastClusterName(String clusterName) {
    return clusterName + "-" + HexFormat.of().formatHex(mac(membershipKey, clusterName), 0, 12);
  }

  byte[] signDirectoryEntry(String map, String key, String value) {
    return mac(directoryKey, map + '\n' + key + '\n' + value);
  }

  byte[] signHop(String payload) {
    return mac(hopKey, payload);
  }

  /** Compares two MACs in time that does not depend on where they differ. */
  static boolean same(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  private static byte[] mac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform has " + ALGORITHM, e);
    }
  }

  /** Never the secret. */
  @Override
  public String toString() {
    return "ClusterSecret[set]";
  }
}
