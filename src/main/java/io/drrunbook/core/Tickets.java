package io.drrunbook.core;

import io.drrunbook.common.FreeText;
import java.util.regex.Pattern;

/**
 * What a ticket reference of a run may look like, however the run is started: the product API's
 * {@code ticket} object ({@code runs/RunStarter}) and a Tasklist start form's {@code ticketSystem},
 * {@code ticketId} and {@code ticketUrl} fields ({@code prechecks/TicketStart}) follow the same rule.
 */
public final class Tickets {

  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  public static final Pattern SYSTEM = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  public static final int MAX_URL = 2000;

  private Tickets() {}

  /** True for an absolute http(s) URL without user info, plain text, at most {@link #MAX_URL} long. */
  public static boolean httpUrl(String text) {
    if (text.length() > MAX_URL || !FreeText.plain(text) || text.contains(" ")) {
      return false;
    }
    try {
      java.net.URI uri = new java.net.URI(text);
      String scheme = uri.getScheme();
      return uri.isAbsolute() && uri.getHost() != null && uri.getUserInfo() == null
          && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
