package localstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import javax.security.sasl.AuthenticationException;
import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * HiveServer2 CUSTOM authentication for the local stack's Spark Thrift Server: accepts exactly one user name and
 * password, read from the file named by the system property {@code localstack.hive.password.file}.
 *
 * <p>A STAND-IN for a company's LDAP or identity provider, nothing more. What is real: the client's SASL PLAIN
 * handshake over Thrift and HiveServer2 refusing the connection when this check throws. Compiled by
 * {@code generate-workflow stack up --hive-password-file} (generator/localstack/hive_password.py) into the stack's
 * run dir, which also holds the password file (mode 0600).
 *
 * <p>The file holds one line {@code user:password} (split at the first colon; a trailing line end is ignored). It is
 * read at every login, as HiveServer2 makes a new provider per login. No message names the password.
 */
public final class PasswordFileAuthenticator implements PasswdAuthenticationProvider {
  static final String FILE_PROPERTY = "localstack.hive.password.file";

  @Override
  public void Authenticate(String user, String password) throws AuthenticationException {
    String path = System.getProperty(FILE_PROPERTY);
    if (path == null) {
      throw new AuthenticationException("the system property " + FILE_PROPERTY + " names no password file");
    }
    String line;
    try {
      line = Files.readString(Path.of(path), StandardCharsets.UTF_8);
    } catch (IOException error) {
      throw new AuthenticationException("cannot read the password file " + path, error);
    }
    line = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
    line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    int colon = line.indexOf(':');
    if (colon <= 0 || colon == line.length() - 1 || line.contains("\n")) {
      throw new AuthenticationException("the password file " + path + " does not hold one line user:password");
    }
    // Both compared in constant time and both always compared, so the answer's timing tells nothing.
    boolean userMatches = sameBytes(line.substring(0, colon), user);
    boolean passwordMatches = sameBytes(line.substring(colon + 1), password);
    if (!(userMatches & passwordMatches)) {
      throw new AuthenticationException("wrong user name or password");
    }
  }

  private static boolean sameBytes(String expected, String given) {
    byte[] givenBytes = (given == null ? "" : given).getBytes(StandardCharsets.UTF_8);
    return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), givenBytes);
  }
}
