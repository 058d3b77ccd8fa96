-- connectors/DatabaseActionLeases: the action (a host and the command line that changes it) a step
-- of some node is checking, doing and verifying now, so that two overlapping runs on two nodes do
-- the same action one after the other (the second one's check sees the first one's work) instead
-- of both finding it undone. ACTION_KEY is the SHA-256 of host and command line; ACTION_TEXT says
-- which for an operator (host and command key only, never arguments: they may carry secrets).
-- A lease lives while its holder renews it; a crashed node's lease expires (EXPIRES_AT).
CREATE TABLE DR_ACTION_LEASE (
  ACTION_KEY VARCHAR(64) NOT NULL PRIMARY KEY,
  ACTION_TEXT VARCHAR(300) NOT NULL,
  OWNER VARCHAR(200) NOT NULL,
  EXPIRES_AT TIMESTAMP NOT NULL
);
