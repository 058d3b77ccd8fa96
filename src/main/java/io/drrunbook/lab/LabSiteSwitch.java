package io.drrunbook.lab;

/**
 * Takes a lab site down and brings it back: {@link LabSites} where the lab runs in this process,
 * {@link RemoteLabSites} on a node of a lab that runs in a process of its own (profile
 * {@code lab-node}). What a drill's scenario uses ({@link LabDrillSites}).
 */
public interface LabSiteSwitch {

  /** Takes {@code site} down as a disaster would; {@code by} is who or what did it. */
  LabSites.SiteLoss down(String site, String by);

  /** Brings {@code site} back; {@code false} if it was not down. */
  boolean up(String site);
}
