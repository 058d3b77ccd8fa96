package io.drrunbook.connectors.dns;

import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;

/**
 * Builds dnsjava TSIG keys from the topology's settings: a key name, an algorithm as written in
 * BIND and nsupdate ({@code hmac-sha256}) and the base64 secret (already resolved from its
 * reference; never logged).
 */
public final class TsigKeys {

  private static final Map<String, Name> ALGORITHMS = Map.of(
      "hmac-md5", TSIG.HMAC_MD5,
      "hmac-md5.sig-alg.reg.int", TSIG.HMAC_MD5,
      "hmac-sha1", TSIG.HMAC_SHA1,
      "hmac-sha224", TSIG.HMAC_SHA224,
      "hmac-sha256", TSIG.HMAC_SHA256,
      "hmac-sha384", TSIG.HMAC_SHA384,
      "hmac-sha512", TSIG.HMAC_SHA512);

  private TsigKeys() {
  }

  /** The dnsjava name of a TSIG algorithm ({@code hmac-sha256} -> {@link TSIG#HMAC_SHA256}). */
  public static Name algorithm(String algorithm) {
    String key = algorithm == null ? "" : algorithm.strip().toLowerCase(Locale.ROOT);
    if (key.endsWith(".")) {
      key = key.substring(0, key.length() - 1);
    }
    Name name = ALGORITHMS.get(key);
    if (name == null) {
      throw new IllegalArgumentException("unsupported TSIG algorithm '" + algorithm
          + "' (supported: hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1, hmac-md5)");
    }
    return name;
  }

  /** A TSIG key; the key name is made absolute if it is not. */
  public static TSIG of(String keyName, String algorithm, String base64Secret) {
    if (keyName == null || keyName.isBlank()) {
      throw new IllegalArgumentException("a TSIG key name is missing");
    }
    if (base64Secret == null || base64Secret.isBlank()) {
      throw new IllegalArgumentException("the TSIG secret of key " + keyName + " is empty");
    }
    Name name;
    try {
      name = Name.fromString(keyName.strip(), Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("invalid TSIG key name '" + keyName + "'", e);
    }
    try {
      return new TSIG(algorithm(algorithm), name, base64Secret.strip());
    } catch (IllegalArgumentException e) {
      // the message of dnsjava's error does not contain the secret
      throw new IllegalArgumentException("the TSIG secret of key " + keyName
          + " is not valid base64", e);
    }
  }
}
