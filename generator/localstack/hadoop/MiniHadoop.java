package localstack;

import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * Starts Hadoop's own MiniDFSCluster (mode hdfs) or MiniYARNCluster (mode yarn) on 127.0.0.1 for the local stack's
 * hadoop profile, writes the site file clients need into the conf dir, then a ready file, and runs until killed.
 *
 * <p>Usage: {@code MiniHadoop hdfs <base dir> <conf dir> <ready file> <namenode port> <namenode http port>
 * or {@code MiniHadoop yarn <base dir> <conf dir> <ready file> <rm port>}.
 * The conf dir must already hold core-site.xml (fs.defaultFS) for mode yarn: its NodeManager localizes from HDFS.
 */
public final class MiniHadoop {
    private MiniHadoop() {
    }

    public static void main(String[] args) throws Exception {
        try {
            start(args);
        } catch (Throwable failure) {
            // A half-started cluster keeps non-daemon threads alive: exit, so the stack sees the failure at once
            // instead of waiting out its ready timeout for a process that will never be ready.
            failure.printStackTrace();
            System.exit(1);
        }
        Thread.currentThread().join();
    }

    private static void start(String[] args) throws Exception {
        String mode = args[0];
        File base = new File(args[1]);
        File confDir = new File(args[2]);
        File ready = new File(args[3]);
        String address;
        if ("hdfs".equals(mode)) {
            address = startHdfs(base, confDir, Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        } else if ("yarn".equals(mode)) {
            address = startYarn(base, confDir, Integer.parseInt(args[4]));
        } else {
            throw new IllegalArgumentException("mode must be hdfs or yarn, got " + mode);
        }
        // Written last and renamed into place: the stack treats the service as ready once this file exists.
        File partial = new File(ready.getPath() + ".tmp");
        Files.write(partial.toPath(), (address + "\n").getBytes(StandardCharsets.UTF_8));
        Files.move(partial.toPath(), ready.toPath(), StandardCopyOption.ATOMIC_MOVE);
        System.out.println("MiniHadoop " + mode + " ready at " + address);
    }

    private static String startHdfs(File base, File confDir, int port, int httpPort) throws Exception {
        Configuration conf = new Configuration();
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.setInt("dfs.replication", 1);
        conf.setBoolean("dfs.permissions.enabled", false);
        // Leave safe mode as soon as the one DataNode has reported, not 30 s later (the default extension).
        conf.setInt("dfs.namenode.safemode.extension", 0);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, base)
                .nameNodePort(port).nameNodeHttpPort(httpPort).numDataNodes(1).format(!new File(base, "name1").exists())
                .build();
        cluster.waitActive();
        String uri = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
        Map<String, String> site = new LinkedHashMap<>();
        site.put("fs.defaultFS", uri);
        write(new File(confDir, "core-site.xml"), site);
        Map<String, String> hdfs = new LinkedHashMap<>();
        hdfs.put("dfs.replication", "1");
        hdfs.put("dfs.namenode.http-address", "127.0.0.1:" + cluster.getNameNode().getHttpAddress().getPort());
        write(new File(confDir, "hdfs-site.xml"), hdfs);
        return uri;
    }

    private static String startYarn(File base, File confDir, int port) throws Exception {
        YarnConfiguration conf = new YarnConfiguration();
        conf.addResource(new Path(new File(confDir, "core-site.xml").toURI()));
        // Fixed ports: the ResourceManager listens where the stack says; every other listener takes a free port.
        conf.setBoolean(YarnConfiguration.YARN_MINICLUSTER_FIXED_PORTS, true);
        conf.set(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
        conf.set(YarnConfiguration.RM_ADDRESS, "127.0.0.1:" + port);
        for (String key : new String[] {YarnConfiguration.RM_SCHEDULER_ADDRESS,
                YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS, YarnConfiguration.RM_ADMIN_ADDRESS,
                YarnConfiguration.RM_WEBAPP_ADDRESS, YarnConfiguration.NM_ADDRESS,
                YarnConfiguration.NM_LOCALIZER_ADDRESS, YarnConfiguration.NM_WEBAPP_ADDRESS,
                YarnConfiguration.NM_COLLECTOR_SERVICE_ADDRESS}) {
            conf.set(key, "127.0.0.1:0");
        }
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 4096);
        conf.setInt(YarnConfiguration.NM_VCORES, 4);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        // A shared machine's disk may be fuller than the default 90 %: the NodeManager would declare itself unhealthy.
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100.0f);
        // The CapacityScheduler (Hadoop's default) with its one queue `default`: a job naming another queue is
        // refused at submission, as on a real cluster. Client-mode AMs may take half the cluster (default 10 %).
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.setFloat("yarn.scheduler.capacity.maximum-am-resource-percent", 0.5f);
        conf.set(YarnConfiguration.NM_ENV_WHITELIST, "JAVA_HOME,HADOOP_CONF_DIR,PATH,LANG,TZ");
        MiniYARNCluster cluster = new MiniYARNCluster("localstack", 1, 1, 1, 1);
        cluster.init(conf);
        cluster.start();
        if (!cluster.waitForNodeManagersToConnect(60000)) {
            throw new IllegalStateException("the NodeManager did not register with the ResourceManager in 60 s");
        }
        Configuration running = cluster.getResourceManager().getConfig();
        Map<String, String> site = new LinkedHashMap<>();
        for (String key : new String[] {YarnConfiguration.RM_ADDRESS, YarnConfiguration.RM_SCHEDULER_ADDRESS,
                YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS, YarnConfiguration.RM_ADMIN_ADDRESS,
                YarnConfiguration.RM_WEBAPP_ADDRESS}) {
            site.put(key, running.get(key));
        }
        site.put(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
        write(new File(confDir, "yarn-site.xml"), site);
        return running.get(YarnConfiguration.RM_ADDRESS);
    }

    private static void write(File file, Map<String, String> properties) throws Exception {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
        for (Map.Entry<String, String> entry : properties.entrySet()) {
            xml.append("  <property><name>").append(entry.getKey()).append("</name><value>")
                    .append(entry.getValue()).append("</value></property>\n");
        }
        xml.append("</configuration>\n");
        File partial = new File(file.getPath() + ".tmp");
        try (OutputStream out = new FileOutputStream(partial)) {
            out.write(xml.toString().getBytes(StandardCharsets.UTF_8));
        }
        Files.move(partial.toPath(), file.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
