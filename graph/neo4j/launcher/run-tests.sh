#!/usr/bin/env bash
# make test-neo4j: builds the launcher (Maven; jars cached in ~/.m2), starts a
# throwaway Neo4j 5.26 with Graph Data Science on a free loopback port with a
# random password, runs every Neo4j integration test against it (they fail,
# never skip, here), and stops the server. Fails when Java, Maven or the
# server are missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
GO="${GO:-go}"
command -v java >/dev/null || { echo "test-neo4j: java not found (Java 17 or newer)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "test-neo4j: mvn not found (Maven 3)" >&2; exit 1; }

echo "test-neo4j: building the launcher (first use downloads Neo4j and GDS through Maven)"
(cd "$here" && mvn -q -B package -DskipTests)

NEO4J_PASSWORD="ringlens-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export NEO4J_PASSWORD
tmp="$(mktemp -d)"
mkfifo "$tmp/stdin"
(cd "$here" && exec java -Xmx2g -Djava.io.tmpdir="$tmp" -cp 'target/classes:target/lib/*' org.ringlens.neo4jlauncher.Launcher target/plugins \
	<"$tmp/stdin" >"$tmp/out" 2>"$tmp/err") &
pid=$!
exec 3>"$tmp/stdin" # the server runs while this end is open
stop() {
	exec 3>&-
	wait "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap stop EXIT

for _ in $(seq 1 240); do
	grep -q '"bolt"' "$tmp/out" 2>/dev/null && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "test-neo4j: the Neo4j server did not start:" >&2
		grep -v '^[[:space:]]*at ' "$tmp/err" | tail -20 >&2
		exit 1
	fi
	sleep 1
done
uri="$(sed -n 's/.*"bolt":"\([^"]*\)".*/\1/p' "$tmp/out")"
if [ -z "$uri" ]; then
	echo "test-neo4j: no Bolt URI from the launcher within 240 s" >&2
	exit 1
fi
echo "test-neo4j: $(cat "$tmp/out")"

cd "$root"
NEO4J_URI="$uri" RINGLENS_NEO4J_LAUNCHER="$here" RINGLENS_REQUIRE_NEO4J=1 "$GO" test -p 1 -count=1 -v -run Integration ./graph/neo4j ./cmd/ringlens
