"""The local stack's hadoop profile: HDFS and YARN (Hadoop's minicluster 3.5.0), Hive metastore and HiveServer2 4.0.1
(jars resolved by Maven from the poms beside this module) and MLflow, on loopback, no Docker."""
