package io.drrunbook.lab.faults;

/**
 * What a caller asks for: a fault {@code type} (see {@link FaultType}) on a {@code target} (a logical
 * name of the lab topology) with the type's parameters; the others stay {@code null}. {@code delay}
 * is an ISO-8601 duration ({@code PT5S}; {@code 5s} and {@code 500ms} are accepted too),
 * {@code command} a regular expression searched in the command line (or in "METHOD /path", or the
 * SOAPAction). Checked by {@link LabFaults#add(FaultRequest, String)}.
 */
public record FaultRequest(String type, String target, Integer exitCode, String stdout,
    String stderr, String delay, Long seconds, Integer status, String command) {

  public static FaultRequest of(String type, String target) {
    return new FaultRequest(type, target, null, null, null, null, null, null, null);
  }
}
