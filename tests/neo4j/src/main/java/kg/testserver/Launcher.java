package kg.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Starts a real Neo4j 5.26 server on the store in HOME with Bolt on 127.0.0.1, prints the bound
 * Bolt port as one line on stdout, and stops when stdin closes (or on SIGTERM).
 *
 * Usage: java -cp "target/classes:target/lib/*" kg.testserver.Launcher HOME [PORT]
 *
 * PORT defaults to 0 (a free port); a restart passes the previous port so clients can reconnect.
 * With KG_LAUNCHER_PASSWORD set, authentication is on and user neo4j has that password
 * (as with NEO4J_AUTH in the Docker image); otherwise authentication is off.
 */
public final class Launcher {
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // Neo4j's threads would keep the JVM alive: leave for sure, with the cause in the log.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Launcher HOME [PORT]");
            System.exit(2);
        }
        int port = args.length == 2 ? Integer.parseInt(args[1]) : 0;
        String password = System.getenv("KG_LAUNCHER_PASSWORD");
        boolean auth = password != null && !password.isEmpty();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(Path.of(args[0]))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                // Tests try a wrong password on purpose; no lock-out for the real user afterwards.
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(256))
                // A fresh database would otherwise write 256 MiB of transaction log up front.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // Without these every stop waits ~10 s for netty's quiet period.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(1))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));

        if (auth) {
            try {
                dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            } catch (QueryExecutionException e) {
                // On a restart the store already has this password, which Neo4j refuses to set again.
                if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                    throw e;
                }
            }
        }

        GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        ConnectorPortRegister ports = db.getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
        System.out.println(ports.getLocalAddress(ConnectorType.BOLT).getPort());
        System.out.flush();

        InputStream in = System.in;
        while (in.read() != -1) {
            // Block until the parent closes our stdin (or dies).
        }
        System.exit(0);  // runs the shutdown hook
    }
}
