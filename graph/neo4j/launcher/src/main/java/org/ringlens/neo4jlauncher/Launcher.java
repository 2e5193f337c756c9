package org.ringlens.neo4jlauncher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Starts a throwaway Neo4j 5 (the in-process test harness: Bolt on a free
 * loopback port, authentication on, HTTP off) with the Graph Data Science
 * procedures allowed, prints one line of JSON naming the Bolt URI, the user,
 * the Neo4j and GDS versions, and runs until its standard input closes or
 * it is interrupted, then stops the server and deletes its files.
 *
 * <p>Usage: {@code NEO4J_PASSWORD=... java -cp 'target/classes:target/lib/*'
 * org.ringlens.neo4jlauncher.Launcher PLUGINS_DIR} (the password comes from the
 * environment, not the command line, which {@code ps} shows).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        String password = System.getenv("NEO4J_PASSWORD");
        if (args.length != 1 || password == null || password.length() < 8) {
            System.err.println("usage: NEO4J_PASSWORD=(8 characters or more) Launcher PLUGINS_DIR");
            System.exit(2);
        }
        Path plugins = Path.of(args[0]).toAbsolutePath();
        Path work = Files.createTempDirectory("ringlens-neo4j-");
        Neo4j neo = Neo4jBuilders.newInProcessBuilder(work)
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0))
                .withConfig(HttpConnector.enabled, false)
                .withConfig(GraphDatabaseSettings.auth_enabled, true)
                .withConfig(GraphDatabaseSettings.plugin_dir, plugins)
                .withConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("gds.*"))
                .withConfig(GraphDatabaseSettings.procedure_allowlist, List.of("gds.*", "db.*", "dbms.*"))
                .build();
        CountDownLatch stop = new CountDownLatch(1);
        AtomicBoolean stopped = new AtomicBoolean();
        // One way down: after stdin closes (main, below) or on a signal (the
        // hook, which the JVM waits for), whichever comes first.
        Runnable shutdown = () -> {
            if (stopped.compareAndSet(false, true)) {
                neo.close();
                try {
                    deleteTree(work);
                } catch (IOException e) {
                    System.err.println("could not delete " + work + ": " + e);
                }
            }
            stop.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown));
        neo.databaseManagementService().database("system").executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password));
        String neo4jVersion = neo.defaultDatabaseService().executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v", Map.of(),
                r -> r.hasNext() ? String.valueOf(r.next().get("v")) : "?");
        String gdsVersion = neo.defaultDatabaseService().executeTransactionally(
                "RETURN gds.version() AS v", Map.of(),
                r -> r.hasNext() ? String.valueOf(r.next().get("v")) : "?");
        System.out.printf("{\"bolt\":\"%s\",\"user\":\"neo4j\",\"neo4j\":\"%s\",\"gds\":\"%s\"}%n",
                neo.boltURI(), neo4jVersion, gdsVersion);
        System.out.flush();
        Thread waiter = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // run until standard input closes
                }
            } catch (IOException e) {
                // treat as closed
            }
            stop.countDown();
        });
        waiter.setDaemon(true);
        waiter.start();
        stop.await();
        shutdown.run();
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
