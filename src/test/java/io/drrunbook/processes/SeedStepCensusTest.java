package io.drrunbook.processes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.Documentation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The step census (../shared/census/seeds-002-003-004.md): every numbered step and every procedure
 * of a seed section a model implements is cited in the documentation of one of its elements, by
 * seed file and line ("seed 002 ... L1337"). One table per model; a model of catalog sections C, D
 * and E adds its rows here.
 */
class SeedStepCensusTest {

  /** C5 (census "C5 Oracle Data Guard role transition"): seed 002 L1327-1622, by the census's rows. */
  static final Map<String, String> C5 = new LinkedHashMap<>();

  static {
    C5.put("L1337", "switchover: Switching over to the Standby Oracle Database (SWITCHOVER TO orcl_stby)");
    C5.put("L1371", "switchover: Checking the status on the original Primary post switchover");
    C5.put("L1398", "switchover: Checking the status on the new Primary post switchover");
    C5.put("L1431", "switchback: Switching back to the Primary Oracle Database (SWITCHOVER TO orcl)");
    C5.put("L1462", "switchback: Checking the status on the Primary after switching back");
    C5.put("L1488", "switchback: Checking the status on the Standby after switching back");
    C5.put("L1526", "Important: flashback expires after 24 hours, else rebuild a new Standby server");
    C5.put("L1532", "failover step 1: FAILOVER TO orcl_stby");
    C5.put("L1570", "Note: back up the new Primary Oracle Database immediately");
    C5.put("L1574", "failover step 2: REINSTATE DATABASE orcl");
  }

  /**
   * C4 (census "C4 Omnichannel Database switchover"): seed 002 L1141-1325, its nine numbered steps
   * or blocks of the six procedures, their notes and the 30-second wait.
   */
  static final Map<String, String> C4 = new LinkedHashMap<>();

  static {
    C4.put("L1143", "the switchover varies with the status of the DC1 Omnichannel Database server");
    C4.put("L1147", "Note: Do not restart the cluster.");
    C4.put("L1166", "single, both up, step 1 on Server B: Switchover Cache up on both servers");
    C4.put("L1175", "Important: the process can take up to 30 seconds, do not close the terminal window");
    C4.put("L1177", "single, both up, step 2 on Server A: Start Cache, Demote to Async");
    C4.put("L1201", "single, DC1 offline, on Server B: Switchover primary server down");
    C4.put("L1224", "single, active failed, on Server B: Switchover Primary server down");
    C4.put("L1249", "ha, all up, Before you begin: Remove Cache Mirroring from Server B");
    C4.put("L1253", "ha, all up, step 1: Remove Cache Mirroring from Server B in Data Center 1");
    C4.put("L1257", "ha, all up, step 2 on Server C: Switchover Cache up on both servers");
    C4.put("L1267", "Important: the process can take up to 30 seconds, do not close the terminal window");
    C4.put("L1269", "ha, all up, step 3 on Server A: start the Cache, Demote to Async");
    C4.put("L1294", "ha, DC1 offline, on Server C: Switchover primary server down");
    C4.put("L1318", "ha, active and standby failed, on Server C: Switchover Primary server down");
  }

  /**
   * D1 (census "D1 Set up a highly available OCMS cluster"): seed 003 L71-257, its four main steps,
   * both association methods, start, verify, stop, the SIP container and Edge Proxy steps and notes.
   */
  static final Map<String, String> D1 = new LinkedHashMap<>();

  static {
    D1.put("L75", "Note: with UDP, all servers on the same subnet or switch");
    D1.put("L77", "Note: every OCMS node, the Edge Proxy nodes included, is configured");
    D1.put("L81", "main 1: Associating Nodes with OPMN");
    D1.put("L83", "main 2: Starting the Cluster");
    D1.put("L85", "main 3: Verifying the Status of the Cluster (OPMN or Enterprise Manager)");
    D1.put("L87", "main 4: Stopping the Cluster before configuring each SIP container");
    D1.put("L91", "there are three ways to associate the nodes (two described)");
    D1.put("L101", "dynamic discovery 1: opmnctl config topology update discover=\"*<address>:<port>\"");
    D1.put("L120", "dynamic discovery 2: opmnctl reload");
    D1.put("L129", "discovery server 1: run Oracle Application Server on all nodes");
    D1.put("L131", "discovery server 2: designate one instance as the discovery server");
    D1.put("L133", "discovery server 3: <discover list=\"node1.example.com:6200\"/> in opmn.xml of all instances");
    D1.put("L153", "discovery server 4: opmnctl reload on all instances");
    D1.put("L158", "Starting the Cluster: opmnctl startall on each instance");
    D1.put("L169", "Verifying 1: the Enterprise Manager URI in a browser");
    D1.put("L173", "Verifying 2: the administrator user name and password");
    D1.put("L177", "Stopping the Cluster: opmnctl stopall on each node");
    D1.put("L190", "SIP container 1: EdgeProxy parameter");
    D1.put("L196", "SIP container 2: DistributableRecordRoute parameter");
    D1.put("L203", "SIP container 3: RecordRoute parameter");
    D1.put("L212", "Note: disable stickiness for UDP datagrams in the load balancer");
    D1.put("L220", "Edge Proxy 1: the edgeproxy Mbean");
    D1.put("L222", "Edge Proxy 2: RecordRoute (single Edge Proxy or load balancer)");
    D1.put("L228", "Edge Proxy 3: oc4j-ping in edgeproxy.xml");
    D1.put("L249", "Edge Proxy 4: nat-traverse");
    D1.put("L255", "Edge Proxy 5: verify the Edge Proxy nodes (no list follows)");
  }

  /**
   * D2 (census "D2 Configure TimesTen replication"): seed 003 L495-711, its 22 numbered steps, the
   * nested ones (first 6.1-6.2, second 6.1-6.4) and the prerequisites.
   */
  static final Map<String, String> D2 = new LinkedHashMap<>();

  static {
    D2.put("L497", "prerequisite: TimesTen and OCMS run under the same non-root user on every node");
    D2.put("L505", "seed tables 1: ttIsql -f replication.drop.timesten.sql, replication.timesten.sql");
    D2.put("L509", "seed tables 1: replication.timesten.sql creates the tables and sequences");
    D2.put("L545", "seed tables 2: edit seed_clusters_test_sync.sql (host1/host2.example.com)");
    D2.put("L547", "seed tables 3: ttIsql -f seed_clusters_test_sync.sql");
    D2.put("L595", "user 1: create user ocmsuser IDENTIFIED BY 'password'");
    D2.put("L599", "user 2: grant admin to ocmsuser");
    D2.put("L608", "Note: replication only between like operating systems");
    D2.put("L616", "first 1: $TT_HOME/lib in LD_LIBRARY_PATH on each computer");
    D2.put("L618", "first 2: create_replication_sync.pl on the first computer");
    D2.put("L622", "first 3: the host's FQDN at the prompt; ignorable TT12027 / TT8160 messages");
    D2.put("L634", "first 4: ttisql repschemes");
    D2.put("L639", "first 5: OCMS_REP.REPSCHEME created");
    D2.put("L641", "first 6: if the instance names change");
    D2.put("L643", "first 6.1: drop replication ocms_rep.repscheme");
    D2.put("L649", "first 6.2: go back to Creating and Seeding Replication Tables");
    D2.put("L651", "first 7: ttAdmin -repPolicy always ocmsdb");
    D2.put("L659", "second 1: opmnctl stopproc process-type=ocms");
    D2.put("L663", "second 2: opmnctl stopproc ias-component=TIMESTEN");
    D2.put("L667", "second 3: ttdaemonadmin -start");
    D2.put("L671", "second 4: the same PermSize as the first computer (sys.odbc.ini)");
    D2.put("L675", "second 5: ttdestroy -connstr \"dsn=ocmsdb\"");
    D2.put("L682", "second 6 (6.1-6.4): duplicate_db_replication.pl, its prompts");
    D2.put("L694", "Note: copying may take a few moments");
    D2.put("L697", "second 7: ttdaemonadmin -start");
    D2.put("L701", "second 8: ttAdmin -repPolicy always ocmsdb");
    D2.put("L705", "second 9: opmnctl startproc ias-component=TIMESTEN");
    D2.put("L709", "second 10: opmnctl startproc process-type=ocms");
  }

  /**
   * D3 (census "D3 Recover a failed TimesTen instance"): seed 003 L714-781, the failover behaviour,
   * the decision by outage length, the failed instance's four steps and the surviving instance's five
   * (with the nested 4.1-4.2 and the note).
   */
  static final Map<String, String> D3 = new LinkedHashMap<>();

  static {
    D3.put("L718", "Configuring Failover: OPMN revives a failed instance, replication starts again");
    D3.put("L724", "the application instance comes back online: a recovery procedure must be followed");
    D3.put("L728", "decision: down a few minutes, simply restart it");
    D3.put("L730", "decision: failed over an hour: delete and duplicate (the prose; the steps differ)");
    D3.put("L732", "To recover a failed instance, perform the following");
    D3.put("L734", "failed 1: ttAdmin -repPolicy manual ocmsdb");
    D3.put("L738", "failed 2: ttAdmin -connstr \"dsn=ocmsdb\" -repStop");
    D3.put("L742", "failed 3: perl recover_replication_sync.pl");
    D3.put("L746", "failed 4: ttAdmin -repPolicy always ocmsdb");
    D3.put("L751", "on the other OCMS node (the surviving instance)");
    D3.put("L753", "surviving 1: ttAdmin -repPolicy manual ocmsdb");
    D3.put("L757", "surviving 2: ttAdmin -repStop ocmsdb");
    D3.put("L761", "surviving 3: ttisql drop replication ocms_rep.repscheme");
    D3.put("L767", "surviving 4: Recreate replication");
    D3.put("L769", "surviving 4.1: perl create_replication_sync.pl");
    D3.put("L774", "Note: TT_HOME/lib in LD_LIBRARY_PATH");
    D3.put("L777", "surviving 4.2: the host's FQDN at the prompt");
    D3.put("L779", "surviving 5: ttAdmin -repPolicy always ocmsdb");
  }

  @Test
  void shouldCiteEverySeedStepOfD3WhenTheModelIsRead() {
    assertCited(Path.of("processes/dr-ocms-timesten-recovery.bpmn"), "seed 003", D3);
  }

  /**
   * D4 (census "D4 Troubleshoot TimesTen replication"): seed 003 L784-829, the two cases, their two
   * bullets and four steps. The census table stops at step 3; the seed's step 4 (L829, "Repeat for
   * the other database instance, then duplicate the database from the first instance to the
   * second") is a row here too.
   */
  static final Map<String, String> D4 = new LinkedHashMap<>();

  static {
    D4.put("L788", "Unable to Connect: the message while duplicating (D2 second 6)");
    D4.put("L794", "the replication agent may not be running");
    D4.put("L798", "bullet 1: ttStatus shows replication entries with process IDs");
    D4.put("L805", "bullet 2: ttAdmin -repPolicy always ocmsdb");
    D4.put("L809", "Master Catchup Required: the message when connecting to the first instance");
    D4.put("L815", "drop and re-create the replication scheme");
    D4.put("L817", "catchup 1: ForceConnect=1 in sys.odbc.ini on the first instance");
    D4.put("L819", "catchup 2: repPolicy manual, -repStop -connstr, create_replication_sync.pl");
    D4.put("L825", "catchup 3: ttAdmin -repPolicy always ocmsdb");
    D4.put("L829", "catchup 4: repeat for the other instance, then duplicate from the first to the second");
  }

  @Test
  void shouldCiteEverySeedStepOfD4WhenTheModelIsRead() {
    assertCited(Path.of("processes/dr-ocms-replication-troubleshooting.bpmn"), "seed 003", D4);
  }

  /**
   * The D3 and D4 tables against seed 003 itself (where the shared seeds are at hand): every
   * numbered step line of L714-829 is a row of one of them.
   */
  @Test
  void shouldListEveryNumberedSeedStepOfD3AndD4WhenTheSeedIsRead() throws IOException {
    assertSeed003StepsListed(714, 829, List.of(D3, D4), "D3 and D4");
  }

  /** Every numbered step line of seed 003's lines first-last is a row of one of the tables. */
  static void assertSeed003StepsListed(int first, int last, List<Map<String, String>> tables, String models)
      throws IOException {
    Path seedFile = Path.of("../shared/seeds/003_1b8c0345de90b05a.txt");
    Assumptions.assumeTrue(Files.isRegularFile(seedFile), "seed 003 is not next to the repository");
    List<String> unlisted = new ArrayList<>();
    unlisted(Files.readAllLines(seedFile), first, last, tables, unlisted);
    assertThat(unlisted).as("numbered seed 003 steps of %s missing from the census tables", models).isEmpty();
  }

  /**
   * D6 (census "D6 Disable NAT traversal on Edge Proxy nodes"): seed 003 L263-283, the four steps
   * and the Caution.
   */
  static final Map<String, String> D6 = new LinkedHashMap<>();

  static {
    D6.put("L263", "Disabling NAT Traversal Enabled by the Edge Proxy");
    D6.put("L267", "1: stop the Edge Proxy if it runs (opmnctl stopproc process-type=EdgeProxy)");
    D6.put("L271", "2: nat-traverse enabled=false in edgeproxy.xml");
    D6.put("L275", "3: start the Edge Proxy (opmnctl startproc process-type=EdgeProxy)");
    D6.put("L279", "4: repeat for each Edge Proxy node");
    D6.put("L281", "Caution: with NAT traversal enabled the Edge Proxies must be globally routable");
  }

  @Test
  void shouldCiteEverySeedStepOfD6WhenTheModelIsRead() {
    assertCited(Path.of("processes/dr-ocms-disable-nat-traversal.bpmn"), "seed 003", D6);
  }

  /**
   * D7 (census "D-extra Seed 003 procedures the catalog does not list"): seed 003 L287-456, the four
   * SIP Servlet application HA procedures (4 + 2 + 4 (+7) + 3 steps), their notes and the seed's
   * description of the cluster element's settings.
   */
  static final Map<String, String> D7 = new LinkedHashMap<>();

  static {
    D7.put("L291", "Note: an application depending on the Proxy Registrar needs the Proxy Registrar HA too");
    D7.put("L293", "Note: no HA for converged (SIP and HTTP servlet) applications");
    D7.put("L295", "Enabling High Availability in SIP Servlet Applications");
    D7.put("L299", "enable-ha 1: distributable in sip.xml");
    D7.put("L319", "enable-ha 2: distributable in web.xml");
    D7.put("L331", "enable-ha 3: the cluster element in orion-application.xml");
    D7.put("L342", "the cluster element's \"sub-elements\" (written as attributes)");
    D7.put("L344", "enabled, default true");
    D7.put("L346", "group-name, default the application name of server.xml");
    D7.put("L348", "allow-colocation, default true");
    D7.put("L352", "Note: allow-colocation false if multiple hosts are available");
    D7.put("L353", "write-quota, default 1");
    D7.put("L357", "Note: misspelt attributes give no error");
    D7.put("L360", "enable-ha 4: repeat for each application on each OCMS instance");
    D7.put("L362", "Important: deploy the application symmetrically to all nodes");
    D7.put("L368", "Configuring Application Session Data Replication");
    D7.put("L374", "session-replication 1: allow-colocation false");
    D7.put("L376", "session-replication 2: property-config url to jgroups-tcp.xml");
    D7.put("L393", "Example 8-4: the sample jgroups-tcp.xml");
    D7.put("L408", "FD timeout 1000 ms, three retries");
    D7.put("L410", "Configuring High Availability for a Deployed SIP Servlet Application");
    D7.put("L414", "deployed-app-ha 1: undeploy");
    D7.put("L416", "deployed-app-ha 2: unpack the EAR");
    D7.put("L418", "deployed-app-ha 3: distributable in sip.xml and web.xml");
    D7.put("L420", "deployed-app-ha 3.1: a new folder");
    D7.put("L422", "deployed-app-ha 3.2: unpack the EAR into it");
    D7.put("L424", "deployed-app-ha 3.3: unpack the WAR");
    D7.put("L426", "deployed-app-ha 3.4: edit sip.xml and web.xml");
    D7.put("L431", "deployed-app-ha 3.5: re-package the WAR");
    D7.put("L433", "deployed-app-ha 3.6: delete the WAR module folder");
    D7.put("L435", "deployed-app-ha 3.7: package the EAR");
    D7.put("L437", "deployed-app-ha 4: re-deploy the EAR");
    D7.put("L439", "Disabling High Availability at the Application Level");
    D7.put("L443", "disable-ha 1: open orion-application.xml");
    D7.put("L445", "disable-ha 2: cluster enabled false");
    D7.put("L456", "disable-ha 3: save orion-application.xml");
  }

  @Test
  void shouldCiteEverySeedStepOfD7WhenTheModelIsRead() {
    assertCited(Path.of("processes/dr-ocms-sip-app-ha.bpmn"), "seed 003", D7);
  }

  /** The D7 table against seed 003 itself: every numbered step line of L287-456 is a row of it. */
  @Test
  void shouldListEveryNumberedSeedStepOfD7WhenTheSeedIsRead() throws IOException {
    assertSeed003StepsListed(287, 456, List.of(D7), "D7");
  }

  /**
   * D5 (census "D5 Rolling upgrade of a SIP Servlet application"): seed 003 L458-489, the eight
   * steps (step 7's in-progress calls, L487, a row of its own: the model's manual confirmation).
   */
  static final Map<String, String> D5 = new LinkedHashMap<>();

  static {
    D5.put("L458", "Upgrading SIP Servlet Applications in OCMS");
    D5.put("L464", "1: stop all OCMS processes on the node (opmnctl shutdown)");
    D5.put("L468", "2: comment out <topology> in opmn.xml");
    D5.put("L470", "3: restart the SIP container (opmnctl startall)");
    D5.put("L474", "4: upgrade the SIP Servlet application (no command)");
    D5.put("L476", "5: shut down the SIP container again (opmnctl shutdown)");
    D5.put("L480", "6: uncomment <topology> in opmn.xml");
    D5.put("L482", "7: place the SIP container back into the cluster (opmnctl startall)");
    D5.put("L487", "7: the application upgrades once the in-progress calls complete");
    D5.put("L489", "8: repeat with the remaining SIP containers");
  }

  @Test
  void shouldCiteEverySeedStepOfD5WhenTheModelIsRead() {
    assertCited(Path.of("processes/dr-ocms-rolling-upgrade.bpmn"), "seed 003", D5);
  }

  /** The D5 table against seed 003 itself: every numbered step line of L458-489 is a row. */
  @Test
  void shouldListEveryNumberedSeedStepOfD5WhenTheSeedIsRead() throws IOException {
    assertSeed003StepsListed(458, 489, List.of(D5), "D5");
  }

  /**
   * E1 (census "E1 Manually activate a standby IMDB Cache DM"): seed 004 L175-205, the behaviour
   * statements that make the precondition and the prose action and verification, by the census's rows.
   */
  static final Map<String, String> E1 = new LinkedHashMap<>();

  static {
    E1.put("L179", "ctx 1: Clusterware tries to restart the formerly active DM");
    E1.put("L181", "ctx 2: the CM retries for pcm_bad_connection_retry_delay_time_in_secs, then the standby");
    E1.put("L187", "ctx 3: a restarted DM takes its data store's state");
    E1.put("L193", "ctx 4: Clusterware cannot restart the DM: activate the standby manually");
    E1.put("L197", "the failed DM's data store remains active");
    E1.put("L199", "the standby DM rejects with PIN_ERR_NOT_ACTIVE (CM log: PIN_ERR_NOT_PRIMARY)");
    E1.put("L201", "act: change the standby data store's state to active; the standby DM turns active");
    E1.put("L205", "Important: all CM requests fail until a DM connects to an active data store");
  }

  /**
   * E2 (census "E2 HA readiness check and failover drill"): no procedure in seed 004; the checks
   * K1-K8 (K3 and K4 cited where the model says why they are not built) and the drill D1-D4, by the
   * seed lines the census derives them from.
   */
  static final Map<String, String> E2 = new LinkedHashMap<>();

  static {
    E2.put("L78", "K1 dm_pointer entries for an active and a standby DM");
    E2.put("L90", "K2 pcm_bad_connection_retry_delay_time_in_secs in the CM and DM pin.conf");
    E2.put("L31", "K3 each CM connected to each DM (not built)");
    E2.put("L29", "K4 primary and backup not on one physical host (not built)");
    E2.put("L122", "K5 one active and one standby DM and data store per schema");
    E2.put("L135", "K6 a DM's processing state is its data store's");
    E2.put("L265", "K7 the DM's connect descriptor names a primary and a backup RAC node");
    E2.put("L330", "K8 one primary RAC instance per schema plus a backup");
    E2.put("L155", "D1 fail the active node");
    E2.put("L161", "D2 Clusterware makes the standby data store active");
    E2.put("L167", "D3 the CM sends requests to the standby DM");
    E2.put("L169", "D4 the standby DM finds its data store active and processes the request");
  }

  @Test
  void shouldCiteEverySeedStepOfE1AndE2WhenTheModelsAreRead() {
    assertCited(Path.of("processes/dr-brm-activate-standby-dm.bpmn"), "seed 004", E1);
    assertCited(Path.of("processes/dr-brm-ha-check.bpmn"), "seed 004", E2);
  }

  @Test
  void shouldCiteEverySeedStepOfD2WhenTheModelIsRead() {
    assertCited(Path.of("processes/dr-ocms-timesten-replication-setup.bpmn"), "seed 003", D2);
  }

  @Test
  void shouldCiteEverySeedStepOfD1WhenTheModelIsRead() {
    assertCited(Path.of("processes/dr-ocms-cluster-setup.bpmn"), "seed 003", D1);
  }

  /**
   * C1 (census "C1 Planned switchover DC1 to DC2"): seed 002 chapter 5 L955-1746 and the UCMService
   * backup and restore of chapter 6 (L1913-2032, census M-C1-4), every numbered step (and prose step)
   * by its first line. C1 cites them in its own elements or in the call activities it calls (the
   * shared Oceana blocks, C4, C5), which is where the steps are modelled.
   */
  static final Map<String, String> C1 = new LinkedHashMap<>();

  static {
    C1.put("L309", "chapter 3: Planned total outage of Data Center 1");
    C1.put("L961", "P0 planned maintenance overview: no new contacts, agents work the queue");
    C1.put("L965", "P0 clear queued contacts before the shutdown of Data Center 1");
    C1.put("L969", "P1 voice channel shutdown flag");
    C1.put("L986", "P2.1 EmailService: Breeze attributes");
    C1.put("L987", "P2.2 Cluster 3, EmailService");
    C1.put("L990", "P2.3 Deployment status of emailmanager true to false");
    C1.put("L993", "P2.3 set it to true on Data Center 2 (M-C1-2)");
    C1.put("L994", "P2.4 Commit");
    C1.put("L1000", "P3 Before you begin: hosts file entry for Cluster 1");
    C1.put("L1004", "P3.1 Engagement Designer admin console");
    C1.put("L1007", "P3.2 Chat workflow, Attributes");
    C1.put("L1008", "P3.3 MaintenanceMode False to True, Close");
    C1.put("L1020", "P4.1 SMS: attributes");
    C1.put("L1021", "P4.2 Cluster 3, WebTextConnector Snap-in");
    C1.put("L1024", "P4.3 MaintenanceMode false to true");
    C1.put("L1027", "P4.4 Commit");
    C1.put("L1033", "P5.1 SocialConnector: attributes");
    C1.put("L1034", "P5.2 Service Cluster tab, Cluster 3, SocialConnector");
    C1.put("L1037", "P5.3 MaintenanceMode false to true");
    C1.put("L1040", "P5.4 Commit");
    C1.put("L1050", "Important: Web Voice and Web Video maintenance opposite per data center");
    C1.put("L1054", "P6 Before you begin: hosts file entry");
    C1.put("L1058", "P6.1 Engagement Designer admin console");
    C1.put("L1066", "P6.2 Web Voice workflow, Attributes");
    C1.put("L1067", "P6.3 MaintenanceMode False to True, Close");
    C1.put("L1070", "P6.4 repeat for the Web Video workflow");
    C1.put("L1072", "P7 Outbound shutdown: stop all running campaigns");
    C1.put("L1076", "P8 Communication Manager to ESS");
    C1.put("L1084", "P9.1 Experience Portal, Administrator");
    C1.put("L1086", "P9.2 System Configuration > Applications");
    C1.put("L1087", "P9.3 the application, Configurable Application Variables");
    C1.put("L1088", "P9.4 Active Data Center DataCenter2");
    C1.put("L1089", "P9.5 Save");
    C1.put("L1095", "P10 Before you begin: OceanaMonitorService on the DC1 clusters");
    C1.put("L1101", "P10.1 Oceana Manager DC1");
    C1.put("L1111", "P10.2 (Optional) through System Manager");
    C1.put("L1114", "P10.3 verify ACTIVE, Set Cluster Group to Standby, OK, Refresh");
    C1.put("L1125", "P11.1 disable Geographic Redundancy replication at DC1");
    C1.put("L1126", "P11.2 shut down System Manager at DC1");
    C1.put("L1127", "P11.3 activate System Manager at DC2");
    C1.put("L1128", "P11.4 verify the Breeze node controller");
    C1.put("L1138", "P12.1 Services > Inventory > Manage Elements");
    C1.put("L1139", "P12.2 Managed by Secondary");
    C1.put("L1143", "P13 Omnichannel Database switchover (C4, both up)");
    C1.put("L1147", "P13 Note: Do not restart the cluster.");
    C1.put("L1337", "P14 Oracle Database switchover (C5): SWITCHOVER TO orcl_stby");
    C1.put("L1371", "P14 show database on the original primary");
    C1.put("L1398", "P14 show database on the new primary");
    C1.put("L1628", "P15 Before you begin: OceanaMonitorService on the DC2 clusters");
    C1.put("L1634", "P15.1 Oceana Manager DC2");
    C1.put("L1645", "P15.2 (Optional) Oceana Manager DC2 through System Manager");
    C1.put("L1648", "P15.3 verify STANDBY, Set Cluster Group to Active, OK, Refresh");
    C1.put("L1658", "P16.1 DC1 AMC cluster Denying");
    C1.put("L1659", "P16.2 DC2 AMC cluster Accepting");
    C1.put("L1660", "P16.3 DNS: Authorization token service FQDN to DC2");
    C1.put("L1662", "P16.4 DNS: Avaya Aura Web Gateway FQDN to DC2");
    C1.put("L1663", "P16.5 DNS: AMC cluster FQDN to DC2");
    C1.put("L1664", "P16.6 DC1 Web Voice and Web Video maintenance True");
    C1.put("L1665", "P16.7 DC2 Web Voice and Web Video maintenance False");
    C1.put("L1667", "after the DNS changes take effect, new calls go to DC2");
    C1.put("L1671", "P17a Control Manager automated switchover");
    C1.put("L1675", "P17b manual switchover: shut down the SQL Server service (M-C1-3)");
    C1.put("L1687", "P17c.1 stop the HA service on ACM-APP-2");
    C1.put("L1688", "P17c.2 HA service in Manual mode");
    C1.put("L1692", "P17c.3 System32 Nav360Config.xml connection string");
    C1.put("L1693", "P17c.4 Syswow64 Nav360Config.xml updated too");
    C1.put("L1694", "P17c.5 start Audit Log and License Tracker");
    C1.put("L1696", "supervisors and administrators use the DC2 Control Manager URL");
    C1.put("L1704", "P18.1 Configuration > Team Engagement > Communication Manager");
    C1.put("L1705", "P18.2 select the CM, Edit");
    C1.put("L1706", "P18.3 the Communication Manager details: CM IP Address to the ESS of DC2");
    C1.put("L1711", "P18.4 Save");
    C1.put("L1721", "P19.1 Server Details");
    C1.put("L1722", "P19.2 UCAServer");
    C1.put("L1723", "P19.3 API URL to Cluster 1 in DC2");
    C1.put("L1733", "P20 Before you begin: remove the OCP administration client from the primary system");
    C1.put("L1737", "P20.1 log on to Control Manager");
    C1.put("L1738", "P20.2 Server Details");
    C1.put("L1739", "P20.3 UCAServer");
    C1.put("L1740", "P20.4 System Properties");
    C1.put("L1741", "P20.5 Omni Channel");
    C1.put("L1742", "P20.6 Omni Channel Database Server to DC2");
    C1.put("L1746", "P21 agent switchover: the DC2 Workspaces URL");
    C1.put("L1932", "U1 Before you begin: all agents logged out");
    C1.put("L1936", "U1.1 Cluster Administration");
    C1.put("L1937", "U1.2 Backup and Restore > Configure");
    C1.put("L1939", "U1.3 FQDN or IP Address of the backup storage server");
    C1.put("L1940", "U1.4 Login");
    C1.put("L1941", "U1.5 Password (from the vault, never in the runbook)");
    C1.put("L1942", "U1.6 SSH Port");
    C1.put("L1943", "U1.7 Directory");
    C1.put("L1944", "U1.8 Retained backup copies");
    C1.put("L1946", "U1.9 Commit");
    C1.put("L1947", "U1.10 Cluster 1");
    C1.put("L1948", "U1.11 Backup and Restore > Backup");
    C1.put("L1950", "U1.12 UCMService");
    C1.put("L1951", "U1.13 Backup Password");
    C1.put("L1957", "U1.14 Schedule Job: Run immediately");
    C1.put("L1958", "U1.15 Backup");
    C1.put("L1959", "U1.16 Status Completed");
    C1.put("L1996", "U2 Before you begin: agents out, Deny New Service, uninstall and restart");
    C1.put("L2004", "U2.1 Service Management > Services");
    C1.put("L2005", "U2.2 UCMService not Installed");
    C1.put("L2006", "U2.3 Cluster Administration");
    C1.put("L2007", "U2.4 Backup and Restore > Restore");
    C1.put("L2008", "U2.5 the latest backup job");
    C1.put("L2009", "U2.6 Cluster 1, Continue");
    C1.put("L2010", "U2.7 restore Status Completed");
    C1.put("L2011", "U2.8 install UCMService on Cluster 1");
    C1.put("L2013", "U2 restart the Breeze nodes of Cluster 3");
    C1.put("L2017", "U2 Cluster 1 and Cluster 3 Accept New Service");
    C1.put("L2027", "Installing UCMService");
  }

  @Test
  void shouldCiteEverySeedStepOfC1WhenTheModelAndTheProcessesItCallsAreRead() {
    assertCited(withCalled(Path.of("processes/dr-oceana-planned-switchover.bpmn")), "seed 002", C1);
  }

  /** The model and, recursively, every process its call activities call (processes/<id>.bpmn). */
  static List<Path> withCalled(Path file) {
    List<Path> files = new ArrayList<>(List.of(file));
    for (int i = 0; i < files.size(); i++) {
      for (var call : ProcessCatalogTest.model(files.get(i)).getModelElementsByType(
          org.camunda.bpm.model.bpmn.instance.CallActivity.class)) {
        Path called = ProcessCatalogTest.PROCESSES.resolve(call.getCalledElement() + ".bpmn");
        assertThat(called).as("process called by %s", call.getId()).isRegularFile();
        if (!files.contains(called)) {
          files.add(called);
        }
      }
    }
    return files;
  }

  @Test
  void shouldCiteEverySeedStepOfC4WhenTheModelIsRead() {
    assertCited(Path.of("processes/dr-oceana-ocp-db-switchover.bpmn"), "seed 002", C4);
  }

  @Test
  void shouldCiteEverySeedStepOfC5WhenTheModelIsRead() {
    assertCited(Path.of("processes/dr-oracle-dataguard-role-transition.bpmn"), "seed 002", C5);
  }

  /**
   * The tables above against the seed itself (where the shared seeds are at hand, next to the
   * repository): every numbered step line ("3. In the ...") of the seed 002 sections C1, C4 and C5
   * implement is a row of their table, so a step cannot be left out of the census by mistake.
   */
  @Test
  void shouldListEveryNumberedSeedStepOfC1C4AndC5WhenTheSeedIsRead() throws IOException {
    Path seedFile = Path.of("../shared/seeds/002_3efddf24c0f36fe9.txt");
    Assumptions.assumeTrue(Files.isRegularFile(seedFile), "seed 002 is not next to the repository");
    List<String> seed = Files.readAllLines(seedFile);
    // C1: chapter 5 before and after C4/C5, the UCMService backup (U1) and restore (U2) of chapter 6
    List<Map.Entry<Map<String, String>, int[]>> sections = List.of(Map.entry(C1, new int[] {955, 1140}),
        Map.entry(C1, new int[] {1626, 1746}), Map.entry(C1, new int[] {1932, 1960}),
        Map.entry(C1, new int[] {1994, 2032}), Map.entry(C4, new int[] {1141, 1325}),
        Map.entry(C5, new int[] {1327, 1622}));
    List<String> unlisted = new ArrayList<>();
    for (Map.Entry<Map<String, String>, int[]> section : sections) {
      unlisted(seed, section.getValue()[0], section.getValue()[1], List.of(section.getKey()), unlisted);
    }
    assertThat(unlisted).as("numbered seed 002 steps missing from the census tables").isEmpty();
  }

  /** Adds each numbered step line ("3. In the ...") of the seed's lines first-last that no table lists. */
  static void unlisted(List<String> seed, int first, int last, List<Map<String, String>> tables, List<String> unlisted) {
    for (int line = first; line <= last; line++) {
      String key = "L" + line;
      if (seed.get(line - 1).matches("\\s*\\d+\\.\\s.*") && tables.stream().noneMatch(table -> table.containsKey(key))) {
        unlisted.add(key + " " + seed.get(line - 1).strip());
      }
    }
  }

  static void assertCited(Path file, String seed, Map<String, String> census) {
    assertCited(List.of(file), seed, census);
  }

  static void assertCited(List<Path> files, String seed, Map<String, String> census) {
    List<String> texts = new ArrayList<>();
    for (Path file : files) {
      for (BaseElement element : ProcessCatalogTest.model(file).getModelElementsByType(BaseElement.class)) {
        String text = element.getDocumentations().stream().map(Documentation::getTextContent)
            .reduce("", String::concat);
        if (text.contains(seed)) {
          texts.add(text);
        }
      }
    }
    Path file = files.get(0);
    List<String> missing = new ArrayList<>();
    census.forEach((line, step) -> {
      if (texts.stream().noneMatch(text -> text.matches("(?s).*\\b" + line + "\\b.*"))) {
        missing.add(line + " " + step);
      }
    });
    assertThat(missing).as("seed steps of %s not cited in any element's documentation", file).isEmpty();
  }
}
