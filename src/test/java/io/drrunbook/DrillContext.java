package io.drrunbook;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

/**
 * The whole application with the drill lab, shared by every test class that uses this annotation
 * (one Spring context for all of them): engine database in memory, lab state in
 * target/drill-data, reset at start, simulated SSH hosts and DNS server on free ports (written into
 * the topology), so that the tests run while a person uses the lab on its fixed ports. Tests reset
 * the lab themselves before each drill.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "dr.data-dir=./target/drill-data",
    "dr.lab.reset-on-start=true",
    "dr.lab.ephemeral-ports=true",
    "spring.datasource.url=jdbc:h2:mem:drill-engine;DB_CLOSE_DELAY=-1",
    "dr.steps.retry-backoff=1s",
    "dr.steps.poll-interval=100ms",
    // a loaded 2-core machine (tests, lab servers and browser at once) can need more than the lab
    // topology's 5 s for an SSH handshake on 127.0.0.1; a real failure is refused at once anyway
    "dr.topology.ssh.connect-timeout=15s"})
@ActiveProfiles("lab")
public @interface DrillContext {}
