package io.drrunbook.lab;

import io.drrunbook.topology.Topology;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The drill lab's SSH keys, in {@link LabProperties#keysDir()}, generated when missing and kept
 * across restarts: the client key pair the SSH connector uses ({@code id_ecdsa}, OpenSSH format, mode
 * 600, and {@code id_ecdsa.pub}), one EC host key per simulated host ({@code hosts/<host>.key}), and
 * the {@code known_hosts} file at {@code dr.topology.ssh.known-hosts}, written by {@link LabSshHosts}
 * once the hosts are listening.
 */
@Component
@Profile("lab")
public class LabKeys {

  static final String CLIENT_KEY_COMMENT = "dr-runbook-lab";

  private static final Logger log = LoggerFactory.getLogger(LabKeys.class);

  private final Path keysDir;
  private final Path knownHosts;
  private final KeyPair clientKeyPair;
  private final Map<String, SimpleGeneratorHostKeyProvider> hostKeys = new LinkedHashMap<>();

  public LabKeys(LabProperties properties, Topology topology) {
    this.keysDir = properties.keysDir().toAbsolutePath();
    String configured = topology.knownHostsFile();
    this.knownHosts = configured != null && !configured.isBlank()
        ? Path.of(configured).toAbsolutePath() : keysDir.resolve("known_hosts");
    try {
      Files.createDirectories(keysDir.resolve("hosts"));
      this.clientKeyPair = loadOrCreateClientKey();
      for (String host : properties.getRoles().keySet()) {
        if (LabState.isEndpoint(topology, host)) {
          continue; // a simulated HTTP endpoint has no SSH host key
        }
        topology.host(host);
        SimpleGeneratorHostKeyProvider provider =
            new SimpleGeneratorHostKeyProvider(keysDir.resolve("hosts").resolve(host + ".key"));
        provider.setAlgorithm(KeyUtils.EC_ALGORITHM);
        provider.setKeySize(256);
        provider.setOverwriteAllowed(false);
        provider.loadKeys(null);
        hostKeys.put(host, provider);
        writeHostSecrets(topology.host(host).getSecrets(), properties.isResetOnStart());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the lab's SSH keys in " + keysDir, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot prepare the lab's SSH keys in " + keysDir, e);
    }
  }

  /**
   * Generates the value of each {@code file:} secret a simulated host has in the topology
   * ({@code hosts.<host>.secrets}: the passwords its commands ask for) when the file is missing or
   * the lab is reset (hosts that share a reference share the value: written once per host here,
   * before any host listens).
   */
  private static void writeHostSecrets(Map<String, String> secrets, boolean reset) throws IOException {
    for (String reference : secrets.values()) {
      if (reference == null || !reference.startsWith("file:")) {
        continue;
      }
      Path file = Path.of(reference.substring(5)).toAbsolutePath();
      if (Files.exists(file) && !reset) {
        continue;
      }
      byte[] random = new byte[18];
      new SecureRandom().nextBytes(random);
      Files.createDirectories(file.getParent());
      writeAtomically(file, (Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n")
          .getBytes(StandardCharsets.UTF_8), true);
    }
  }

  public Path privateKeyFile() {
    return keysDir.resolve("id_ecdsa");
  }

  public Path publicKeyFile() {
    return keysDir.resolve("id_ecdsa.pub");
  }

  public Path knownHostsFile() {
    return knownHosts;
  }

  /** The only key the simulated hosts accept. */
  public PublicKey clientPublicKey() {
    return clientKeyPair.getPublic();
  }

  /** The host key of a simulated host, for its SSH server. */
  public KeyPairProvider hostKeyProvider(String host) {
    SimpleGeneratorHostKeyProvider provider = hostKeys.get(host);
    if (provider == null) {
      throw new IllegalArgumentException("no host key for '" + host + "' (not a simulated host)");
    }
    return provider;
  }

  public PublicKey hostPublicKey(String host) {
    SimpleGeneratorHostKeyProvider provider = (SimpleGeneratorHostKeyProvider) hostKeyProvider(host);
    return provider.loadKeys(null).get(0).getPublic();
  }

  /**
   * Writes known_hosts: one line {@code [address]:port <key>} per host (no brackets on port 22), by
   * where the SSH connector connects to it.
   */
  public void writeKnownHosts(Map<String, InetSocketAddress> endpoints) {
    StringBuilder lines = new StringBuilder();
    endpoints.forEach((host, endpoint) -> {
      String address = endpoint.getHostString();
      String pattern = endpoint.getPort() == 22 ? address : "[" + address + "]:" + endpoint.getPort();
      lines.append(pattern).append(' ').append(PublicKeyEntry.toString(hostPublicKey(host))).append('\n');
    });
    try {
      Files.createDirectories(knownHosts.getParent());
      writeAtomically(knownHosts, lines.toString().getBytes(StandardCharsets.UTF_8), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + knownHosts, e);
    }
    log.info("Lab known_hosts written to {} ({} hosts)", knownHosts, endpoints.size());
  }

  private KeyPair loadOrCreateClientKey() throws IOException, GeneralSecurityException {
    Path privateKey = privateKeyFile();
    KeyPair keyPair;
    if (Files.exists(privateKey)) {
      List<KeyPair> loaded = new ArrayList<>();
      new FileKeyPairProvider(privateKey).loadKeys(null).forEach(loaded::add);
      if (loaded.isEmpty()) {
        throw new IOException("no key pair in " + privateKey);
      }
      keyPair = loaded.get(0);
    } else {
      keyPair = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, CLIENT_KEY_COMMENT, null, buffer);
      writeAtomically(privateKey, buffer.toByteArray(), true);
      log.info("Lab SSH client key generated: {}", privateKey);
    }
    if (!Files.exists(publicKeyFile())) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(keyPair.getPublic(), CLIENT_KEY_COMMENT, buffer);
      writeAtomically(publicKeyFile(), buffer.toByteArray(), false);
    }
    return keyPair;
  }

  private static void writeAtomically(Path file, byte[] content, boolean ownerOnly) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temporary);
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    if (ownerOnly && posix) {
      Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(temporary);
    }
    try (OutputStream out = Files.newOutputStream(temporary)) {
      out.write(content);
    }
    try {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
