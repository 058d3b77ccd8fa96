package io.drrunbook.lab;

import io.drrunbook.common.ApiException;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The lab's console actions (lab profile; HTTP Basic or the web apps' login session with its CSRF
 * token, as every lab write): {@code GET /lab/api/consoles} lists, per simulated host, the components
 * with console actions and each action as offered now ({@code allowed}, else the {@code refusal});
 * {@code POST /lab/api/consoles/{host}/{component}/{action}} does one as a person would (200 and the
 * component after it; 404 problem naming {@code host}, {@code component} or {@code action} when the
 * lab has none of that name; 409 problem naming the component's current state ({@code state}) when
 * the action is not allowed in it). See {@link LabConsoles}.
 */
@RestController
@Profile("lab")
@RequestMapping("/lab/api/consoles")
public class LabConsolesController {

  private final LabConsoles consoles;

  public LabConsolesController(LabConsoles consoles) {
    this.consoles = consoles;
  }

  @GetMapping
  public List<LabConsoles.Console> list() {
    return consoles.consoles();
  }

  @PostMapping("/{host}/{component}/{action}")
  public LabConsoles.Acted act(@PathVariable String host, @PathVariable String component,
      @PathVariable String action, Principal caller) {
    try {
      return consoles.act(host, component, action, caller == null ? "lab" : caller.getName());
    } catch (LabConsoles.Refusal e) {
      throw e.unknown() ? ApiException.notFound(e.field(), e.getMessage())
          : ApiException.conflict(e.field(), e.getMessage(), Map.of("state", String.valueOf(e.state())));
    }
  }
}
