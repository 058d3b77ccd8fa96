package io.drrunbook.security;

import io.drrunbook.topology.SecretResolver;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * API tokens of technical users ({@code Authorization: Bearer <token>}): per user id, the SHA-256 of
 * its token (hex), configured in {@code dr.security.api-tokens.<user id>} as a secret reference
 * ({@code env:NAME}, {@code file:/path}) or, for a random token whose hash is no secret, as
 * {@code sha256:<hex>} (the lab's). The token itself is never stored. A token does not depend on the
 * user's password, so no password guess can lock it. Nothing is configured by default.
 */
public class ApiTokens {

  private static final String LITERAL = "sha256:";

  private final Map<String, byte[]> hashes = new LinkedHashMap<>();

  public ApiTokens(Map<String, String> references, SecretResolver secrets) {
    references.forEach((user, reference) -> {
      String hex = reference != null && reference.startsWith(LITERAL)
          ? reference.substring(LITERAL.length())
          : secrets.resolve(reference);
      byte[] hash;
      try {
        hash = HexFormat.of().parseHex(hex.strip().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("dr.security.api-tokens." + user
            + ": not the hex SHA-256 of a token");
      }
      if (hash.length != 32) {
        throw new IllegalStateException("dr.security.api-tokens." + user
            + ": not the hex SHA-256 of a token (64 hex digits)");
      }
      hashes.put(user, hash);
    });
  }

  /** The user whose token this is, if any (compared in constant time). */
  public Optional<String> userOf(String token) {
    if (token == null || token.isEmpty() || hashes.isEmpty()) {
      return Optional.empty();
    }
    byte[] hash = sha256(token);
    String match = null;
    for (Map.Entry<String, byte[]> entry : hashes.entrySet()) {
      if (MessageDigest.isEqual(entry.getValue(), hash)) {
        match = entry.getKey();
      }
    }
    return Optional.ofNullable(match);
  }

  public boolean isEmpty() {
    return hashes.isEmpty();
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }
}
