package io.drrunbook.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The sites of a drill lab that runs in a process of its own, changed through its API ({@code POST
 * /lab/api/sites/{site}/down} and {@code /up}, HTTP Basic as a lab user): what a node of that lab
 * (profile {@code lab-node}) uses, so that a drill started on any node loses the site in the one lab
 * every node drills against. The lab's address is {@code dr.lab.url}, which the lab publishes in
 * its {@code lab-node.properties} ({@link LabNodeFile}).
 */
@Component
@Profile("lab-node")
public class RemoteLabSites implements LabSiteSwitch {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI lab;
  private final String authorization;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = JsonMapper.builder().findAndAddModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

  public RemoteLabSites(@Value("${dr.lab.url}") URI lab, @Value("${dr.lab.node-user:admin}") String user,
      @Value("${dr.lab.node-password:admin}") String password) {
    this.lab = lab;
    this.authorization = "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public LabSites.SiteLoss down(String site, String by) {
    HttpResponse<String> answer = post(site, "down");
    try {
      return json.readValue(answer.body(), LabSites.SiteLoss.class);
    } catch (IOException e) {
      throw new IllegalStateException("the lab at " + lab + " answered the loss of site " + site
          + " with what is not a site loss: " + answer.body(), e);
    }
  }

  @Override
  public boolean up(String site) {
    // the lab answers 204 whether or not the site was down: a site brought back is reported as such
    post(site, "up");
    return true;
  }

  private HttpResponse<String> post(String site, String change) {
    URI uri = lab.resolve("/lab/api/sites/" + URLEncoder.encode(site, StandardCharsets.UTF_8) + "/" + change);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .header("Authorization", authorization)
        .POST(HttpRequest.BodyPublishers.noBody()).build();
    try {
      HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() / 100 != 2) {
        throw new IllegalStateException("the lab at " + lab + " refused to take site " + site + " "
            + change + ": HTTP " + answer.statusCode() + " " + answer.body());
      }
      return answer;
    } catch (IOException e) {
      throw new IllegalStateException("the lab at " + lab + " could not be reached to take site " + site
          + " " + change + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the lab took site " + site + " " + change, e);
    }
  }
}
