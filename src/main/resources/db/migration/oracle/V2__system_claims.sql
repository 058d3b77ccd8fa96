-- prechecks/SystemClaims: the systems every active execute or drill run acts on (its catalog
-- entry's acts-on, host groups resolved to their hosts). One row per system and slot: the slot is
-- ACTIVE for the run that holds the system, so that two runs cannot both claim it (the primary key
-- lets one insert through, on any node); a run a dr-approvers member started over an active one
-- holds its systems in a slot of its own (its id). Rows are deleted when the run ends.
CREATE TABLE DR_SYSTEM_CLAIM (
  SYSTEM_NAME VARCHAR2(300) NOT NULL,
  CLAIM_SLOT VARCHAR2(64) NOT NULL,
  RUN_ID VARCHAR2(64) NOT NULL,
  PROCEDURE_ID VARCHAR2(255) NOT NULL,
  TICKET_ID VARCHAR2(255),
  CLAIMED_AT TIMESTAMP NOT NULL,
  PRIMARY KEY (SYSTEM_NAME, CLAIM_SLOT)
);
CREATE INDEX DR_SYSTEM_CLAIM_RUN ON DR_SYSTEM_CLAIM (RUN_ID);
