package io.drrunbook.lab;

import io.drrunbook.lab.faults.LabFaults;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collection;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * The simulated hosts' file systems, served over SFTP by {@link LabSshHosts}: each host's files live
 * in {@code <lab dir>/files/<host>/}, the root of what its SFTP client sees ({@code
 * /opt/oracle/ocms/opmn/conf/opmn.xml} of site1.ocms-1 is {@code files/site1.ocms-1/opt/oracle/ocms/
 * opmn/conf/opmn.xml}). A host starts with the files of its role, {@code classpath:lab/files/<role>/}
 * (OCMS nodes: seed 003's {@code opmn.xml}, {@code edgeproxy.xml}, {@code sys.odbc.ini}), copied at
 * first start and again at every reset; in between, edits stay, as on a real host.
 *
 * <p>The SFTP server acts as the host's unprivileged user, also when the lab runs as root: writing a
 * file needs its owner write bit, creating, renaming or removing an entry needs its folder's
 * (otherwise "permission denied"). Each write and replacement is in the host's command log
 * ({@code sftp write <path>}, {@code sftp rename <from> <to>}, counted as the action {@code sftp
 * replace <to>}). The fault {@code file-reverts} puts a replaced file back at once.
 */
@Component
@Profile("lab")
public class LabFileSystems {

  private static final Logger log = LoggerFactory.getLogger(LabFileSystems.class);
  private static final String SEED = "lab/files/";

  private final LabProperties properties;

  public LabFileSystems(LabProperties properties) {
    this.properties = properties;
  }

  /** The folder holding a host's files (its SFTP root). */
  public Path root(String host) {
    return rootOf(properties, host);
  }

  /** The folder holding a host's files, for the lab's other parts (the state's model reads). */
  static Path rootOf(LabProperties properties, String host) {
    return properties.getDir().resolve("files").resolve(host).toAbsolutePath();
  }

  /** Copies each simulated host's role files where the host has none yet (all of them: {@code reset}). */
  public synchronized void prepare(boolean reset) {
    properties.getRoles().forEach((host, role) -> {
      Path root = root(host);
      try {
        if (reset) {
          deleteTree(root);
        }
        if (!Files.exists(root)) {
          Files.createDirectories(root);
          int copied = copyRoleFiles(role, root);
          if (copied > 0) {
            log.info("lab host {}: {} files of role {} in {}", host, copied, role, root);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare the files of lab host " + host + " in " + root, e);
      }
    });
  }

  /** Every host's files back to their role's (Lab.reset). */
  public void reset() {
    prepare(true);
  }

  private static int copyRoleFiles(String role, Path root) throws IOException {
    String base = SEED + role + "/";
    Resource[] resources = new PathMatchingResourcePatternResolver().getResources("classpath*:" + base + "**");
    int copied = 0;
    for (Resource resource : resources) {
      String url = resource.getURL().toString();
      int at = url.lastIndexOf(base);
      if (at < 0 || url.endsWith("/") || !resource.isReadable()) {
        continue;
      }
      Path target = root.resolve(url.substring(at + base.length())).normalize();
      if (!target.startsWith(root)) {
        continue;
      }
      Files.createDirectories(target.getParent());
      try (InputStream in = resource.getInputStream()) {
        Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      copied++;
    }
    return copied;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** The host's file system for its SSH server: rooted at {@link #root}. */
  VirtualFileSystemFactory fileSystem(String host) {
    return new VirtualFileSystemFactory(root(host));
  }

  /** The SFTP subsystem of a host, acting as its unprivileged user and recording each change. */
  SftpSubsystemFactory sftp(String host, LabState state, LabFaults faults) {
    return new SftpSubsystemFactory.Builder()
        .withFileSystemAccessor(new HostUser(host, state, faults))
        .build();
  }

  /** The file access of the host's unprivileged user. */
  private static final class HostUser implements SftpFileSystemAccessor {
    private static final Set<? extends OpenOption> WRITING = Set.of(StandardOpenOption.WRITE,
        StandardOpenOption.APPEND, StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.TRUNCATE_EXISTING);

    private final String host;
    private final LabState state;
    private final LabFaults faults;

    HostUser(String host, LabState state, LabFaults faults) {
      this.host = host;
      this.state = state;
      this.faults = faults;
    }

    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file,
        String handle, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
      if (options.stream().anyMatch(WRITING::contains)) {
        requireWritable(Files.exists(file) ? file : file.getParent(), file);
        state.recordCommand(host, "sftp write " + file, 0, null);
      }
      return SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, options, attrs);
    }

    @Override
    public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath,
        Collection<CopyOption> opts) throws IOException {
      requireWritable(oldPath.getParent(), oldPath);
      requireWritable(newPath.getParent(), newPath);
      byte[] before = faults.fileReverts(host, newPath.toString()) && Files.exists(newPath)
          ? Files.readAllBytes(newPath) : null;
      SftpFileSystemAccessor.super.renameFile(subsystem, oldPath, newPath, opts);
      state.recordCommand(host, "sftp rename " + oldPath + " " + newPath, 0, "sftp replace " + newPath);
      if (before != null) {
        Files.write(newPath, before);
        log.info("lab host {}: {} put back as it was (fault file-reverts)", host, newPath);
      }
    }

    @Override
    public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
      requireWritable(path.getParent(), path);
      SftpFileSystemAccessor.super.removeFile(subsystem, path, isDirectory);
      state.recordCommand(host, "sftp remove " + path, 0, null);
    }

    @Override
    public void createDirectory(SftpSubsystemProxy subsystem, Path path) throws IOException {
      requireWritable(path.getParent(), path);
      SftpFileSystemAccessor.super.createDirectory(subsystem, path);
    }

    /** Refuses unless {@code checked} (the file, or the folder of an entry) has its owner write bit. */
    private static void requireWritable(Path checked, Path asked) throws IOException {
      if (checked == null) {
        throw new AccessDeniedException(asked.toString());
      }
      Set<PosixFilePermission> permissions;
      try {
        permissions = Files.getPosixFilePermissions(checked);
      } catch (NoSuchFileException e) {
        throw new NoSuchFileException(asked.toString());
      } catch (UnsupportedOperationException e) {
        return; // no POSIX permissions to honour on this file system
      }
      if (!permissions.contains(PosixFilePermission.OWNER_WRITE)) {
        throw new AccessDeniedException(asked.toString());
      }
    }
  }
}
