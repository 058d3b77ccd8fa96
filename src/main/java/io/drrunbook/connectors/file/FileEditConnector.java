package io.drrunbook.connectors.file;

import io.drrunbook.common.SecretMasker;
import io.drrunbook.connectors.StepBusinessException;
import io.drrunbook.connectors.StepInputs;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.StepPlanner;
import io.drrunbook.connectors.TargetKind;
import io.drrunbook.connectors.ssh.SshCommandException;
import io.drrunbook.connectors.ssh.SshCommandRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The bean behind route {@code file-edit} (connectors/file-edit.camel.yaml): one edit of a
 * configuration file on a host of the topology over SFTP (Apache MINA SSHD's SFTP client, the same
 * host-key verification and key authentication as ssh-exec, {@link SshCommandRunner#sftp}), as
 * check -> act -> verify:
 *
 * <ol>
 *   <li>read the file (missing: DR_FILE_NOT_FOUND) and apply the edit to its text
 *       ({@link XmlEditor}: XPath on XML; {@link KeyValueEditor}: a key of an ini or properties
 *       file); the same text: already as wanted, nothing is written ({@code changed=false});
 *   <li>keep the file as it was next to it, {@code <file>.<UTC time>.bak}, with its permissions;
 *   <li>write the new text to a temporary file in the same folder ({@code .<name>.dr-edit-<random>.tmp},
 *       the file's permissions) and rename it over the file (atomic: a reader sees the old or the new
 *       file, never half of one);
 *   <li>read the file again: it must be what was written and as wanted, else DR_VERIFY_FAILED (with
 *       the diff of what was written against what is there).
 * </ol>
 * With {@code preview=true} only step 1 runs and the result holds the diff the edit would make:
 * read-only, so a procedure's precheck can show the real diff before the day. The result's
 * {@code diff} is a unified diff (secrets the application knows masked). Permission
 * denied, a lost connection, a refused host key are technical failures. The plan names the read,
 * the edit, the backup and the rename; it reads nothing (a planner opens no connection), so the diff
 * of the real file is only in the run's result.
 */
@Component("fileEdit")
public class FileEditConnector implements StepPlanner {

  public static final int MAX_TEXT = 4000;
  static final int MAX_FILE_BYTES = 1024 * 1024;
  static final List<String> FORMATS = List.of("xml", "ini", "properties");
  static final List<String> OPERATIONS = List.of("set", "comment", "uncomment");
  private static final DateTimeFormatter BACKUP_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private static final Logger log = LoggerFactory.getLogger(FileEditConnector.class);

  private final SshCommandRunner runner;
  private final SecretMasker masker;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  @Autowired
  public FileEditConnector(SshCommandRunner runner, SecretMasker masker) {
    this(runner, masker, Clock.systemUTC());
  }

  FileEditConnector(SshCommandRunner runner, SecretMasker masker, Clock clock) {
    this.runner = runner;
    this.masker = masker;
    this.clock = clock;
  }

  /** The edit a step asks for, its inputs checked. */
  record Edit(String host, String path, String format, String operation, String xpath,
      String section, String key, String value, boolean preview) {

    static Edit of(Map<String, Object> body) {
      StepInputs inputs = new StepInputs(body);
      String path = inputs.required("path");
      if (!path.startsWith("/") || path.contains("/../") || path.endsWith("/..")) {
        throw new IllegalArgumentException("input path must be an absolute path without '..', got '" + path + "'");
      }
      String format = inputs.optional("format", defaultFormat(path));
      if (!FORMATS.contains(format)) {
        throw new IllegalArgumentException("input format is '" + format + "', not one of " + FORMATS);
      }
      String operation = inputs.required("operation");
      if (!OPERATIONS.contains(operation)) {
        throw new IllegalArgumentException("input operation is '" + operation + "', not one of " + OPERATIONS);
      }
      String value = "set".equals(operation) ? inputs.required("value") : null;
      String preview = inputs.optional("preview", "false");
      if (!preview.equals("true") && !preview.equals("false")) {
        throw new IllegalArgumentException("input preview is '" + preview + "', not true or false");
      }
      if (value != null && (value.contains("\n") || value.contains("\r")) && !"xml".equals(format)) {
        throw new IllegalArgumentException("input value must be one line for an " + format + " file");
      }
      return new Edit(inputs.required("host"), path, format, operation,
          "xml".equals(format) ? inputs.required("xpath") : null,
          "ini".equals(format) ? inputs.optional("section", null) : null,
          "xml".equals(format) ? null : inputs.required("key"), value, Boolean.parseBoolean(preview));
    }

    private static String defaultFormat(String path) {
      return path.endsWith(".xml") ? "xml" : path.endsWith(".properties") ? "properties" : "ini";
    }

    String apply(String text) {
      return "xml".equals(format) ? XmlEditor.apply(text, operation, xpath, value)
          : KeyValueEditor.apply(text, operation, section, key, value);
    }

    /** The edit in words: {@code set /a/@b to 'c'}, {@code comment key K in [S]}. */
    String describe() {
      String target = xpath != null ? xpath : "key " + key + (section == null ? "" : " in [" + section + "]");
      return operation + " " + target + ("set".equals(operation) ? " to '" + value + "'" : "");
    }
  }

  public Map<String, Object> execute(Map<String, Object> body) {
    Edit edit = Edit.of(body);
    log.debug("file-edit {} on {}: {} (idempotency key {})", edit.path(), edit.host(),
        edit.describe(), new StepInputs(body).idempotencyKey());
    return runner.sftp(edit.host(), (client, where) -> {
      byte[] original = read(client, where, edit.path());
      String before = new String(original, StandardCharsets.UTF_8);
      if (!Arrays.equals(before.getBytes(StandardCharsets.UTF_8), original)) {
        throw new SshCommandException(where + ": " + edit.path() + " is not UTF-8 text: not edited"
            + " (its other bytes would change)");
      }
      String after = edit.apply(before);
      if (after.equals(before)) {
        log.info("file-edit {} on {}: already as wanted ({}), nothing written", edit.path(), where,
            edit.describe());
        return result(edit, false, null, "");
      }
      if (edit.preview()) {
        // read-only (a precheck): the diff the edit would make, nothing written
        return result(edit, true, null, LineDiff.unified(edit.path(), before, after));
      }
      SftpClient.Attributes attributes = call(where, "reading the attributes of", edit.path(),
          () -> client.stat(edit.path()));
      String backup = backup(client, where, edit.path(), original, attributes);
      byte[] written = after.getBytes(StandardCharsets.UTF_8);
      replace(client, where, edit.path(), written, attributes);
      byte[] reread = read(client, where, edit.path());
      String found = new String(reread, StandardCharsets.UTF_8);
      String diff = LineDiff.unified(edit.path(), before, after);
      if (!Arrays.equals(reread, written) || !edit.apply(found).equals(found)) {
        throw new StepBusinessException("DR_VERIFY_FAILED", "file-edit of " + edit.path() + " on "
            + where + " (" + edit.describe() + "): the file read back is not what was written;"
            + " the original is kept as " + backup + ". Written against found:\n"
            + bound(masker.mask(LineDiff.unified(edit.path() + " (written)",
                edit.path() + " (read back)", after, found))),
            result(edit, true, backup, diff));
      }
      log.info("file-edit {} on {}: {} (backup {})", edit.path(), where, edit.describe(), backup);
      return result(edit, true, backup, diff);
    });
  }

  private Map<String, Object> result(Edit edit, boolean changed, String backup, String diff) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("host", edit.host());
    result.put("path", edit.path());
    result.put("changed", changed);
    result.put("backup", backup);
    result.put("diff", bound(masker.mask(diff)));
    return result;
  }

  private static byte[] read(SftpClient client, String where, String path) throws IOException {
    return call(where, "reading", path, () -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = client.read(path)) {
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          if (out.size() + n > MAX_FILE_BYTES) {
            throw new SshCommandException(where + ": " + path + " is larger than " + MAX_FILE_BYTES
                + " bytes: not a configuration file to edit");
          }
          out.write(buffer, 0, n);
        }
      }
      return out.toByteArray();
    });
  }

  /** Writes the original next to the file, {@code <file>.<UTC time>[-n].bak}, never over another. */
  private String backup(SftpClient client, String where, String path, byte[] original,
      SftpClient.Attributes attributes) throws IOException {
    String base = path + "." + BACKUP_TIME.format(clock.instant());
    for (int n = 0; n < 100; n++) {
      String backup = base + (n == 0 ? "" : "-" + n) + ".bak";
      if (exists(client, where, backup)) {
        continue;
      }
      write(client, where, backup, original, attributes);
      return backup;
    }
    throw new SshCommandException(where + ": no free backup name " + base + "[-n].bak");
  }

  private void replace(SftpClient client, String where, String path, byte[] content,
      SftpClient.Attributes attributes) throws IOException {
    int slash = path.lastIndexOf('/');
    String temporary = path.substring(0, slash + 1) + "." + path.substring(slash + 1) + ".dr-edit-"
        + HexFormat.of().formatHex(randomBytes())
        + ".tmp";
    write(client, where, temporary, content, attributes);
    try {
      call(where, "renaming " + temporary + " over", path, () -> {
        client.rename(temporary, path, SftpClient.CopyMode.Overwrite, SftpClient.CopyMode.Atomic);
        return null;
      });
    } catch (RuntimeException | IOException e) {
      try {
        client.remove(temporary);
      } catch (IOException ignored) {
        // the temporary file stays; its name says what it is
      }
      throw e;
    }
  }

  private byte[] randomBytes() {
    byte[] bytes = new byte[6];
    random.nextBytes(bytes);
    return bytes;
  }

  /**
   * Creates {@code path} (never over an existing file), gives it the permissions of
   * {@code attributes} while it is still empty, then writes {@code content}: a copy of a file
   * readable by its owner only is never readable by others, not even for a moment.
   */
  private static void write(SftpClient client, String where, String path, byte[] content,
      SftpClient.Attributes attributes) throws IOException {
    call(where, "writing", path, () -> {
      try (SftpClient.CloseableHandle handle = client.open(path, SftpClient.OpenMode.Write,
          SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive)) {
        if (attributes != null && attributes.getPermissions() != 0) {
          SftpClient.Attributes permissions = new SftpClient.Attributes();
          permissions.setPermissions(attributes.getPermissions() & 07777);
          client.setStat(handle, permissions);
        }
        client.write(handle, 0, content);
      }
      return null;
    });
  }

  private static boolean exists(SftpClient client, String where, String path) throws IOException {
    try {
      client.stat(path);
      return true;
    } catch (SftpException e) {
      if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
        return false;
      }
      throw failure(where, "looking for", path, e);
    }
  }

  /** One SFTP call; its SFTP status becomes DR_FILE_NOT_FOUND or a technical failure naming the file. */
  private static <T> T call(String where, String action, String path, SftpCall<T> call) throws IOException {
    try {
      return call.run();
    } catch (SftpException e) {
      if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE && "reading".equals(action)) {
        throw new StepBusinessException("DR_FILE_NOT_FOUND", where + " has no file " + path);
      }
      throw failure(where, action, path, e);
    }
  }

  private static SshCommandException failure(String where, String action, String path, SftpException e) {
    String reason = switch (e.getStatus()) {
      case SftpConstants.SSH_FX_PERMISSION_DENIED -> "permission denied";
      case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH -> "no such file or folder";
      default -> "SFTP status " + SftpConstants.getStatusName(e.getStatus());
    };
    return new SshCommandException(where + ": " + reason + " " + action + " " + path, e);
  }

  @FunctionalInterface
  private interface SftpCall<T> {
    T run() throws IOException;
  }

  @Override
  public Set<String> plannedRoutes() {
    return Set.of("file-edit");
  }

  /** What the step would do, read from its inputs and the topology; nothing is contacted. */
  @Override
  public StepPlan plan(String route, Map<String, Object> body) {
    Edit edit = Edit.of(body);
    String on = "sftp " + runner.destination(edit.host()) + " ";
    String wanted = "xml".equals(edit.format()) ? edit.xpath()
        : (edit.section() == null ? "" : "[" + edit.section() + "] ") + edit.key();
    String diff = switch (edit.operation()) {
      case "set" -> "-" + wanted + " = " + StepPlan.readAtRunTime("the value in the file") + "\n+"
          + wanted + " = " + edit.value();
      case "comment" -> "-" + wanted + "\n+" + wanted + " (commented out)";
      default -> "-" + wanted + " (commented out)\n+" + wanted;
    };
    if (edit.preview()) {
      return new StepPlan(List.of(on + "read " + edit.path() + " (" + edit.format() + ") and show the"
          + " diff of " + edit.describe() + "; nothing is written"),
          List.of(new StepPlan.Target(TargetKind.HOST, edit.host())),
          result(edit, true, null, StepPlan.readAtRunTime("the diff of the file")));
    }
    List<String> actions = List.of(
        on + "read " + edit.path() + " (" + edit.format() + "); nothing is written when it is already"
            + " as wanted (a precheck with preview=true shows the file's real diff before the day)",
        on + "edit " + edit.path() + ": " + edit.describe() + "\n" + diff,
        on + "keep the original as " + edit.path() + ".<UTC time>.bak, write the new text to a"
            + " temporary file beside it and rename it over " + edit.path(),
        on + "read " + edit.path() + " again: it must be what was written and as wanted");
    Map<String, Object> result = result(edit, true, edit.path() + ".<UTC time>.bak",
        "--- " + edit.path() + "\n+++ " + edit.path() + " (edited)\n" + diff + "\n");
    return new StepPlan(actions, List.of(new StepPlan.Target(TargetKind.HOST, edit.host())), result);
  }

  private static String bound(String text) {
    return text == null || text.length() <= MAX_TEXT ? text
        : text.substring(0, MAX_TEXT - 12) + "\n[truncated]";
  }
}
