-- The drill lab's seed_clusters_test_sync.sql of an OCMS node (seed 003 L545-553): one cluster of
-- two OCMS nodes. Replace host1.example.com and host2.example.com with the host names of the two
-- OCMS nodes of the cluster before running it (D2 creating and seeding replication tables step 2).
INSERT INTO clusters VALUES (1, 'ocms_cluster', 'sync');
INSERT INTO instances VALUES (1, 'ocms_instance_1', 'host1.example.com', 5100);
INSERT INTO instances VALUES (2, 'ocms_instance_2', 'host2.example.com', 5100);
INSERT INTO cluster_instance_map VALUES (1, 1, 1);
INSERT INTO cluster_instance_map VALUES (2, 1, 2);
