package dev.bubblesandbox.cluster;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The cluster's TLS material, as {@code cockroach cert} makes it: a new certificate authority and
 * one node certificate signed by it, written as {@code ca.crt}, {@code node.crt} and
 * {@code node.key} (PEM; the key PKCS#8, mode 0600), the files {@code cluster_tls_dir} names.
 *
 * <p>Nodes verify each other against {@code ca.crt} with no hostname verification: any certificate
 * this CA signed is a cluster node, so every node can share the one node certificate, which serves
 * both ends of mutual TLS (server and client authentication). The CA's private key is never
 * written: nothing can sign another node certificate for this CA, and new nodes or a rotation take
 * a whole new set. Keys are EC P-256, made and used by the JDK's own providers; BouncyCastle only
 * builds the certificates and the PEM, and is loaded only when this class is.
 */
public final class ClusterCertificates {

  /** The CA certificate nodes verify their peers against. */
  public static final String CA_CERTIFICATE = "ca.crt";
  /** The certificate every node presents, as server and as client. */
  public static final String NODE_CERTIFICATE = "node.crt";
  /** The node certificate's private key, PKCS#8 PEM. */
  public static final String NODE_KEY = "node.key";
  /** The three files, in the order they are written. */
  public static final List<String> FILES = List.of(CA_CERTIFICATE, NODE_CERTIFICATE, NODE_KEY);

  /** The hosts a node certificate names when none are given: this machine's loopback. */
  public static final List<String> DEFAULT_HOSTS = List.of("localhost", "127.0.0.1", "::1");

  private static final String SIGNATURE = "SHA256withECDSA";
  // A DNS name as certificates carry it: labels of letters, digits and hyphens, a leading "*." allowed.
  private static final Pattern DNS_NAME = Pattern.compile(
      "(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
  private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
  // Certificates dated an hour back, so that a node whose clock is a little behind accepts them.
  private static final Duration CLOCK_SKEW = Duration.ofHours(1);

  private ClusterCertificates() {}

  /**
   * Writes a new CA and a node certificate for {@code hosts} (DNS names, wildcards or IP
   * addresses), both valid for {@code validity}, into {@code dir} (made if missing); refuses,
   * writing nothing, when any of the three files exists there.
   *
   * @throws FileAlreadyExistsException naming the first of the files that exists
   * @throws RefusedException ({@code invalid_request}) for a host that is neither a DNS name nor
   *     an IP address, no hosts, or a validity under one day
   */
  public static void write(Path dir, List<String> hosts, Duration validity) throws IOException {
    write(dir, hosts, validity, false);
  }

  /**
   * As {@link #write(Path, List, Duration)}; with {@code replace}, existing files are replaced,
   * each atomically (a node reading the directory sees a whole old or a whole new file).
   */
  public static void write(Path dir, List<String> hosts, Duration validity, boolean replace)
      throws IOException {
    List<Path> existing = existing(dir);
    if (!replace && !existing.isEmpty()) {
      throw new FileAlreadyExistsException(existing.get(0).toString(), null,
          "cluster certificates are not overwritten");
    }
    List<GeneralName> names = subjectAlternativeNames(hosts);
    if (validity.compareTo(Duration.ofDays(1)) < 0) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST, "certificates must be valid for one day or more");
    }
    Material material;
    try {
      material = make(names, validity);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      // EC P-256 and SHA256withECDSA are in every JDK: this is not a user's mistake.
      throw new IllegalStateException("cannot make the cluster certificates", e);
    }
    Files.createDirectories(dir);
    writeFile(dir.resolve(CA_CERTIFICATE), material.caCertificate(), PUBLIC, replace);
    writeFile(dir.resolve(NODE_CERTIFICATE), material.nodeCertificate(), PUBLIC, replace);
    writeFile(dir.resolve(NODE_KEY), material.nodeKey(), PRIVATE, replace);
  }

  /** Those of the three files that exist in {@code dir}. */
  public static List<Path> existing(Path dir) {
    List<Path> existing = new ArrayList<>();
    for (String file : FILES) {
      if (Files.exists(dir.resolve(file), LinkOption.NOFOLLOW_LINKS)) {
        existing.add(dir.resolve(file));
      }
    }
    return existing;
  }

  /** The three files' contents, PEM. */
  private record Material(String caCertificate, String nodeCertificate, String nodeKey) {}

  private static Material make(List<GeneralName> names, Duration validity)
      throws GeneralSecurityException, OperatorCreationException, CertIOException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair caKeys = generator.generateKeyPair();
    KeyPair nodeKeys = generator.generateKeyPair();
    Instant notBefore = Instant.now().minus(CLOCK_SKEW);
    Instant notAfter = notBefore.plus(CLOCK_SKEW).plus(validity);
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();

    X500Name caName = new X500Name("O=bubble-sandbox,CN=bubble-sandbox cluster CA");
    X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(),
        Date.from(notBefore), Date.from(notAfter), caName, caKeys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .addExtension(Extension.subjectKeyIdentifier, false,
            extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
    X509Certificate caCertificate = sign(ca, caKeys.getPrivate());

    X509v3CertificateBuilder node = new JcaX509v3CertificateBuilder(caCertificate, serial(),
        Date.from(notBefore), Date.from(notAfter), new X500Name("O=bubble-sandbox,CN=node"),
        nodeKeys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        // Both: the one certificate is the server's and the client's in node-to-node mutual TLS.
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
        .addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(GeneralName[]::new)))
        .addExtension(Extension.subjectKeyIdentifier, false,
            extensions.createSubjectKeyIdentifier(nodeKeys.getPublic()))
        .addExtension(Extension.authorityKeyIdentifier, false,
            extensions.createAuthorityKeyIdentifier(caKeys.getPublic()));
    X509Certificate nodeCertificate = sign(node, caKeys.getPrivate());

    return new Material(pem(caCertificate), pem(nodeCertificate),
        // PKCS#8 ("PRIVATE KEY"), the JDK's own encoding of the key: what Vert.x's PemKeyCertOptions reads.
        pem(new PemObject("PRIVATE KEY", nodeKeys.getPrivate().getEncoded())));
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
  }

  /** A random positive serial of 159 bits, as RFC 5280 allows at most 20 octets. */
  private static BigInteger serial() {
    return new BigInteger(159, new SecureRandom()).add(BigInteger.ONE);
  }

  private static List<GeneralName> subjectAlternativeNames(List<String> hosts) {
    if (hosts.isEmpty()) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST, "a node certificate needs at least one host");
    }
    List<GeneralName> names = new ArrayList<>();
    for (String host : hosts) {
      if (IPAddress.isValid(host)) {
        names.add(new GeneralName(GeneralName.iPAddress, host));
      } else if (DNS_NAME.matcher(host).matches() && host.length() <= 253) {
        names.add(new GeneralName(GeneralName.dNSName, host));
      } else {
        throw new RefusedException(ErrorCode.INVALID_REQUEST,
            "'" + host + "' is neither a DNS name nor an IP address");
      }
    }
    return names;
  }

  private static String pem(Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /**
   * Writes {@code content} to {@code target} with {@code mode} from its creation on (a key is
   * never readable by others, not even for a moment), then moves it into place.
   */
  private static void writeFile(Path target, String content, Set<PosixFilePermission> mode, boolean replace)
      throws IOException {
    Path partial = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial",
        PosixFilePermissions.asFileAttribute(mode));
    try {
      Files.writeString(partial, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      if (replace) {
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        // A link is made only where no file is: a file made since existing() is not overwritten.
        Files.createLink(target, partial);
      }
    } finally {
      Files.deleteIfExists(partial);
    }
  }
}
