package io.drrunbook.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application in the prod profile (engine in memory, no lab), with bearer tokens accepted from a
 * test issuer whose JWK set a local HTTP server serves. One Spring context for every integration
 * test class that extends it (one Camunda engine in the failsafe JVM).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "dr.data-dir=./target/production-defaults-data",
    "spring.datasource.url=jdbc:h2:mem:production-defaults;DB_CLOSE_DELAY=-1",
    "spring.datasource.username=sa",
    "spring.datasource.password=",
    "dr.steps.worker-enabled=false",
    // the TLS-terminating proxy of these tests: 127.0.0.1 (requests from 127.0.0.2 are a stranger's)
    // (inlined properties are read in the properties format: a backslash is written twice)
    "DR_TRUSTED_PROXIES=127\\\\.0\\\\.0\\\\.1",
    "spring.security.oauth2.resourceserver.jwt.issuer-uri=" + ProductionContext.ISSUER,
    "dr.security.jwt.audience=" + ProductionContext.AUDIENCE,
    "dr.security.jwt.group-mapping.DR-Operators-AD=dr-operators"})
@ActiveProfiles("prod")
abstract class ProductionContext {

  static final String ISSUER = "https://login.example.test/realms/dr";
  static final String AUDIENCE = "dr-runbook";
  static final RSAKey KEY = rsaKey("issuer-key");
  private static final HttpServer JWKS = jwksServer();

  @DynamicPropertySource
  static void jwkSet(DynamicPropertyRegistry properties) {
    properties.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
        () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/jwks");
  }

  /** A token as the issuer signs it; callers change what a test needs changed. */
  static JWTClaimsSet.Builder claims(String subject, List<String> groups) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
        .claim("groups", groups).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
  }

  static String sign(JWTClaimsSet claims, RSAKey key) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID())
          .type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static RSAKey rsaKey(String id) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
          .keyID(id).build();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpServer jwksServer() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      byte[] body = new JWKSet(KEY.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
      server.createContext("/jwks", exchange -> {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
