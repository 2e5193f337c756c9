package org.ringlens.neo4jlauncher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;

/**
 * Loads a {@code ringlens neo4j export} directory with the real import tool
 * ({@code neo4j-admin database import full}, run in process) into a fresh
 * Neo4j home, opens the imported database and prints one line of JSON with
 * its node and relationship counts and the import time.
 *
 * <p>Usage: {@code java -cp 'target/classes:target/lib/*' org.ringlens.neo4jlauncher.ImportCheck EXPORT_DIR}
 */
public final class ImportCheck {
    private ImportCheck() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ImportCheck EXPORT_DIR");
            System.exit(2);
        }
        Path export = Path.of(args[0]).toAbsolutePath();
        Path home = Files.createTempDirectory("ringlens-import-");
        try {
            Files.createDirectories(home.resolve("conf"));
            Files.writeString(home.resolve("conf/neo4j.conf"), "");
            List<String> cmd = new ArrayList<>(List.of("database", "import", "full"));
            try (Stream<Path> files = Files.list(export)) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (name.startsWith("nodes_") && name.endsWith(".csv")) {
                        cmd.add("--nodes=" + f);
                    } else if (name.startsWith("rels_") && name.endsWith(".csv")) {
                        cmd.add("--relationships=" + f);
                    }
                }
            }
            cmd.addAll(List.of("--array-delimiter=;", "--id-type=string", "--overwrite-destination=true",
                    "--report-file=" + home.resolve("import.report"), "neo4j"));
            long t0 = System.nanoTime();
            // The tool's report goes to standard error; standard output holds only
            // the JSON line.
            int code = AdminTool.execute(new ExecutionContext(home, home.resolve("conf"), System.err, System.err,
                    new DefaultFileSystemAbstraction()), cmd.toArray(String[]::new));
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (code != 0) {
                System.err.println("neo4j-admin database import full exited with " + code);
                System.exit(1);
            }
            DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home).build();
            try {
                var db = dbms.database("neo4j");
                long nodes = db.executeTransactionally("MATCH (n) RETURN count(n) AS c", Map.of(),
                        r -> (Long) r.next().get("c"));
                long rels = db.executeTransactionally("MATCH ()-[r]->() RETURN count(r) AS c", Map.of(),
                        r -> (Long) r.next().get("c"));
                System.out.printf("{\"nodes\":%d,\"relationships\":%d,\"import_seconds\":%.3f}%n", nodes, rels, seconds);
            } finally {
                dbms.shutdown();
            }
        } finally {
            deleteTree(home);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
